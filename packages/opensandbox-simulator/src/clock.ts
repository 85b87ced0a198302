/**
 * The simulated clock: a base clock (epoch milliseconds, UTC) plus an offset
 * that `POST /_simulator/clock` can move forward.
 */
export class SimulatorClock {
  private offsetMs = 0;

  constructor(private readonly base: () => number = Date.now) {}

  /** Current simulated time in epoch milliseconds. */
  now(): number {
    return this.base() + this.offsetMs;
  }

  /** Moves the simulated time forward by `seconds` (may be fractional, must be >= 0). */
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }

  /** Drops any offset added with {@link SimulatorClock.advance}. */
  reset(): void {
    this.offsetMs = 0;
  }
}
