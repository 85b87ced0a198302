import type { Knex } from 'knex';
import { isPostgres, num, RATE_LIMITS_TABLE } from './governanceDatabase';

/** One minute in microseconds: integer arithmetic keeps the bucket exact up to 6000 per minute. */
const WINDOW_US = 60_000_000;

/** The answer of {@link RateLimiter.take}. */
export type RateDecision =
  | { allowed: true }
  | { allowed: false; retryAfterSeconds: number };

/**
 * Mutation rate limits shared by every replica through the database (table
 * `opensandbox_rate_limits`, one row per principal), with the generic cell rate algorithm: a
 * token bucket of `perMinute` tokens refilled at `perMinute` per minute, kept as one number, the
 * theoretical arrival time (TAT). A principal may make `perMinute` mutations at once, then one
 * every `60 / perMinute` seconds. A refused request changes nothing, and its `Retry-After` is
 * exactly when the next one is accepted.
 *
 * Each {@link take} is one transaction on the principal's row (PostgreSQL: `SELECT ... FOR
 * UPDATE`; SQLite serialises writers), so requests on different replicas never both take the
 * last token.
 */
export class RateLimiter {
  private readonly isPg: boolean;

  constructor(
    private readonly knex: Knex,
    private readonly clock: () => number = Date.now,
  ) {
    this.isPg = isPostgres(knex);
  }

  /**
   * Takes one token of `key`'s bucket of `perMinute` (integer, 1 to 6000).
   * @param key - `user:<ref>` or `service:<subject>`, lower-case.
   */
  async take(key: string, perMinute: number): Promise<RateDecision> {
    // n tokens at once: n × interval ≤ one minute < (n + 1) × interval, for every n ≤ 6000.
    const interval = Math.floor(WINDOW_US / perMinute);
    const tolerance = WINDOW_US - interval;
    return this.knex.transaction(async tx => {
      await tx(RATE_LIMITS_TABLE)
        .insert({ key, tat_us: 0 })
        .onConflict('key')
        .ignore();
      const select = tx(RATE_LIMITS_TABLE).where({ key }).first('tat_us');
      const row = await (this.isPg ? select.forUpdate() : select);
      const now = this.clock() * 1000;
      const tat = Math.max(num(row.tat_us), now);
      if (tat - now > tolerance) {
        return {
          allowed: false,
          retryAfterSeconds: Math.max(
            1,
            Math.ceil((tat - tolerance - now) / 1_000_000),
          ),
        };
      }
      await tx(RATE_LIMITS_TABLE)
        .where({ key })
        .update({ tat_us: tat + interval });
      return { allowed: true };
    });
  }

  /** Deletes rows idle for `idleMs` (their buckets are full again); returns how many. */
  async deleteIdle(idleMs = 86_400_000): Promise<number> {
    return this.knex(RATE_LIMITS_TABLE)
      .where('tat_us', '<', (this.clock() - idleMs) * 1000)
      .delete();
  }
}
