/** The simulator's mutable state, shared by middleware and routes. */
import { SimulatorClock } from './clock';
import { FaultInjector } from './faults';
import { RequestLog } from './requestLog';
import { SandboxStore } from './store';
import { FaultRule, SeedSandbox } from './types';

/** Handle on a simulator's state, for tests and the control API. */
export interface SimulatorState {
  /** The sandboxes. */
  readonly store: SandboxStore;
  /** Simulated clock (epoch ms, UTC); `clock.advance(seconds)` moves it forward. */
  readonly clock: SimulatorClock;
  /** Active fault rules. */
  readonly faults: FaultInjector;
  /** Recent API requests (API key redacted). */
  readonly requests: RequestLog;
  /** API key expected in `OPEN-SANDBOX-API-KEY`; undefined means no check. */
  readonly apiKey?: string;
  /** Added delay for every API request, in milliseconds. */
  latencyMs: number;
  /** Restores the seed and the initial fault rules, clears the log and clock offset. */
  reset(): void;
  /** Removes expired sandboxes now; returns their ids. */
  sweep(): string[];
  /** Stops the periodic expiry sweep. */
  dispose(): void;
}

/** Builds the state; the periodic sweep timer is `unref()`ed. */
export function createState(opts: {
  apiKey?: string;
  now?: () => number;
  seed?: SeedSandbox[];
  faults?: FaultRule[];
  latencyMs?: number;
  maxTimeoutSeconds?: number;
  sweepIntervalMs?: number;
  requestLogSize?: number;
}): SimulatorState {
  const clock = new SimulatorClock(opts.now ?? Date.now);
  const store = new SandboxStore({
    now: () => clock.now(),
    maxTimeoutSeconds: opts.maxTimeoutSeconds,
  });
  const faults = new FaultInjector(opts.faults ?? []);
  const requests = new RequestLog(opts.requestLogSize ?? 1000);
  store.reset(opts.seed ?? []);
  const interval = opts.sweepIntervalMs ?? 1000;
  const timer =
    interval > 0 ? setInterval(() => store.sweep(), interval) : undefined;
  timer?.unref();
  return {
    store,
    clock,
    faults,
    requests,
    apiKey: opts.apiKey,
    latencyMs: opts.latencyMs ?? 0,
    reset() {
      clock.reset();
      store.reset(opts.seed ?? []);
      faults.set(opts.faults ?? []);
      requests.clear();
      this.latencyMs = opts.latencyMs ?? 0;
    },
    sweep: () => store.sweep(),
    dispose: () => {
      if (timer) clearInterval(timer);
    },
  };
}
