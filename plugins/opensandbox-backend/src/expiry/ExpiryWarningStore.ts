import type { Knex } from 'knex';
import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { migrateLatest } from '../migrateLatest';

const MIGRATIONS_DIR = resolvePackagePath(
  '@opensandbox-console/plugin-opensandbox-backend',
  'migrations',
);

/** The table of claimed and sent expiry warnings (migration `20261216_expiry_warnings.js`). */
export const EXPIRY_WARNINGS_TABLE = 'opensandbox_expiry_warnings';

/** One warning: a sandbox, the expiry it warns about, and the lead time. */
export interface ExpiryWarningKey {
  server: string;
  sandboxId: string;
  /** Epoch ms (UTC) of the expiry warned about. */
  expiresAt: number;
  /** Minutes before `expiresAt`. */
  leadMinutes: number;
}

/** A stored warning, as {@link ExpiryWarningStore.list} returns it. */
export interface ExpiryWarningRecord extends ExpiryWarningKey {
  status: 'sending' | 'sent' | 'failed';
  attempts: number;
  claimedAt: number;
  sentAt: number | null;
  recipients: string[] | null;
  error: string | null;
}

const where = (key: ExpiryWarningKey) => ({
  server: key.server,
  sandbox_id: key.sandboxId,
  expires_at: key.expiresAt,
  lead_minutes: key.leadMinutes,
});

/**
 * The sent state of expiry warnings, in the plugin's database (SQLite and PostgreSQL), so that no
 * warning is sent twice — across replicas, overlapping runs and restarts. A warning is CLAIMED by
 * inserting its row (primary key: server, sandbox id, expiry, lead time) before it is sent; only
 * the caller whose insert created the row sends it. A failed send is marked `failed` and may be
 * claimed again (a conditional update, also atomic) until `maxAttempts`.
 */
export class ExpiryWarningStore {
  /** Connects and, unless skipped, runs the package's migrations. */
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
    clock?: () => number;
  }): Promise<ExpiryWarningStore> {
    const knex = await options.database.getClient();
    if (!options.skipMigrations && !options.database.migrations?.skip) {
      await migrateLatest(knex, MIGRATIONS_DIR);
    }
    return new ExpiryWarningStore(knex, options.clock ?? Date.now);
  }

  private constructor(
    private readonly knex: Knex,
    private readonly clock: () => number,
  ) {}

  /**
   * Claims a warning for sending: true when this caller may send it now — its row did not exist
   * (inserted as `sending`), or it had `failed` fewer than `maxAttempts` times (moved back to
   * `sending`). False when it is sent, being sent, or out of attempts.
   */
  async claim(key: ExpiryWarningKey, maxAttempts: number): Promise<boolean> {
    const now = this.clock();
    const inserted = await this.knex(EXPIRY_WARNINGS_TABLE)
      .insert({
        ...where(key),
        status: 'sending',
        attempts: 1,
        claimed_at: now,
      })
      .onConflict(['server', 'sandbox_id', 'expires_at', 'lead_minutes'])
      .ignore()
      .returning('server');
    if (inserted.length > 0) return true;
    const retried = await this.knex(EXPIRY_WARNINGS_TABLE)
      .where(where(key))
      .where('status', 'failed')
      .where('attempts', '<', maxAttempts)
      .update({
        status: 'sending',
        attempts: this.knex.raw('attempts + 1'),
        claimed_at: now,
        error: null,
      });
    return Number(retried) === 1;
  }

  /** Marks a claimed warning as sent to `recipients`. */
  async markSent(key: ExpiryWarningKey, recipients: string[]): Promise<void> {
    await this.knex(EXPIRY_WARNINGS_TABLE)
      .where(where(key))
      .update({
        status: 'sent',
        sent_at: this.clock(),
        recipients: JSON.stringify(recipients),
        error: null,
      });
  }

  /** Marks a claimed warning as failed (it may be claimed again, see {@link claim}). */
  async markFailed(key: ExpiryWarningKey, error: string): Promise<void> {
    await this.knex(EXPIRY_WARNINGS_TABLE)
      .where(where(key))
      .update({ status: 'failed', error: error.slice(0, 2000) });
  }

  /** Deletes the rows of expiries before `beforeMs` (epoch ms). @returns how many. */
  async prune(beforeMs: number): Promise<number> {
    return Number(
      await this.knex(EXPIRY_WARNINGS_TABLE)
        .where('expires_at', '<', beforeMs)
        .delete(),
    );
  }

  /** Every row, oldest expiry first (tests, diagnostics). */
  async list(): Promise<ExpiryWarningRecord[]> {
    const rows = await this.knex(EXPIRY_WARNINGS_TABLE).orderBy([
      'expires_at',
      'server',
      'sandbox_id',
      'lead_minutes',
    ]);
    return rows.map((r: any) => ({
      server: r.server,
      sandboxId: r.sandbox_id,
      expiresAt: Number(r.expires_at),
      leadMinutes: Number(r.lead_minutes),
      status: r.status,
      attempts: Number(r.attempts),
      claimedAt: Number(r.claimed_at),
      sentAt: r.sent_at === null ? null : Number(r.sent_at),
      recipients: r.recipients ? JSON.parse(r.recipients) : null,
      error: r.error ?? null,
    }));
  }
}
