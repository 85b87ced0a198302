import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { CREATE_TOKEN_KEY } from '@opensandbox-console/plugin-opensandbox-common';
import { LABELS_TABLE, SANDBOXES_TABLE } from '../inventory/rowMapping';
import { isPostgres, num, RESERVATIONS_TABLE } from './governanceDatabase';

/** Advisory lock class of quota reservations (`pg_advisory_xact_lock(class, hashtext(team))`). */
const LOCK_CLASS = 0x6f73;

/** A team's usage: non-terminated inventory sandboxes plus reservations still counting. */
export interface TeamUsage {
  /** Sandboxes of the team in the inventory, not `Terminated` (every server). */
  sandboxes: number;
  /** Creates in flight: live reservations whose sandbox is not in the inventory yet. */
  reserved: number;
}

/** Input of {@link QuotaReservations.reserve}. */
export interface ReserveInput {
  /** Lower-case group ref. */
  team: string;
  /** `maxSandboxes`; null reserves whatever the usage (an exempt caller). */
  limit: number | null;
  /** The create's `backstage.io/create-token`. */
  createToken: string;
  server: string;
  /** How long the reservation counts at most (the create timeout plus a grace), ms. */
  ttlMs: number;
}

/**
 * Quota reservations (table `opensandbox_quota_reservations`): how concurrent creates on any
 * number of replicas never exceed a team's `maxSandboxes`.
 *
 * {@link reserve} runs ONE transaction that first takes a per-team lock (PostgreSQL: a
 * transaction-scoped advisory lock on the team; SQLite serialises writers), then counts the
 * team's usage — non-terminated inventory sandboxes (sandboxes created outside the console
 * included) plus live reservations — and inserts a reservation only when one more sandbox fits.
 * Two replicas reserving for the same team are serialised by the lock; each sees the other's
 * committed reservation.
 *
 * A reservation counts until, whichever comes first:
 * - the inventory holds a sandbox carrying its create token (the write-through after a
 *   successful create, or a sync): from that moment the SANDBOX counts and the reservation does
 *   not (the count excludes it), so nothing is counted twice;
 * - it is released ({@link release}: the create failed) or settled ({@link settle}: deleted once
 *   its sandbox is in the inventory);
 * - it expires (`expires_at`, the create timeout plus a grace: a create whose outcome is unknown,
 *   or a replica that died mid-create, never holds quota for longer); {@link deleteExpired}
 *   removes expired rows.
 */
export class QuotaReservations {
  private readonly isPg: boolean;

  constructor(
    private readonly knex: Knex,
    private readonly clock: () => number = Date.now,
  ) {
    this.isPg = isPostgres(knex);
  }

  /**
   * Counts the team's usage and, when one more sandbox fits under `limit` (or `limit` is null),
   * inserts a reservation; both under the team's lock, in one transaction.
   * @returns the reservation id when reserved, and the usage counted BEFORE it.
   */
  async reserve(
    input: ReserveInput,
  ): Promise<{ reservationId?: string; usage: TeamUsage }> {
    return this.knex.transaction(async tx => {
      if (this.isPg)
        await tx.raw('SELECT pg_advisory_xact_lock(?, hashtext(?))', [
          LOCK_CLASS,
          input.team,
        ]);
      const now = this.clock();
      const usage = await this.count(tx, input.team, now);
      if (
        input.limit !== null &&
        usage.sandboxes + usage.reserved + 1 > input.limit
      )
        return { usage };
      const id = randomUUID();
      await tx(RESERVATIONS_TABLE).insert({
        id,
        team: input.team,
        create_token: input.createToken,
        server: input.server,
        created_at: now,
        expires_at: now + input.ttlMs,
      });
      return { reservationId: id, usage };
    });
  }

  /** The team's current usage (no lock: a snapshot for display). */
  async usage(team: string): Promise<TeamUsage> {
    return this.count(this.knex, team, this.clock());
  }

  /** Deletes a reservation whose create failed (nothing was created). */
  async release(id: string): Promise<void> {
    await this.knex(RESERVATIONS_TABLE).where({ id }).delete();
  }

  /**
   * Deletes a reservation once the inventory holds its sandbox (found by create token). When the
   * inventory does not have it (its write-through failed), the reservation is kept and counts
   * until the next sync stores the sandbox or it expires.
   * @returns whether it was deleted.
   */
  async settle(id: string): Promise<boolean> {
    const deleted = await this.knex(RESERVATIONS_TABLE)
      .where({ id })
      .whereExists(
        this.knex(LABELS_TABLE)
          .where('key', CREATE_TOKEN_KEY)
          .whereRaw(
            `"${LABELS_TABLE}"."value" = "${RESERVATIONS_TABLE}"."create_token"`,
          )
          .select(this.knex.raw('1')),
      )
      .delete();
    return deleted > 0;
  }

  /** Deletes expired reservations (they no longer count); returns how many. */
  async deleteExpired(): Promise<number> {
    return this.knex(RESERVATIONS_TABLE)
      .where('expires_at', '<=', this.clock())
      .delete();
  }

  private async count(
    db: Knex | Knex.Transaction,
    team: string,
    now: number,
  ): Promise<TeamUsage> {
    const sandboxes = db(SANDBOXES_TABLE)
      .where({ team })
      .where(q =>
        q.whereNull('state_lower').orWhere('state_lower', '<>', 'terminated'),
      )
      .count({ count: '*' });
    const reserved = db({ r: RESERVATIONS_TABLE })
      .where('r.team', team)
      .where('r.expires_at', '>', now)
      .whereNotExists(
        db({ l: LABELS_TABLE })
          .where('l.key', CREATE_TOKEN_KEY)
          .whereRaw('"l"."value" = "r"."create_token"')
          .select(db.raw('1')),
      )
      .count({ count: '*' });
    // One after the other: inside a transaction both run on its one connection anyway.
    const [a] = (await sandboxes) as unknown as Array<{
      count: number | string;
    }>;
    const [b] = (await reserved) as unknown as Array<{
      count: number | string;
    }>;
    return { sandboxes: num(a.count), reserved: num(b.count) };
  }
}
