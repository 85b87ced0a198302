import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import type {
  AuditAction,
  AuditAttemptInput,
  AuditAttemptResult,
} from './types';
import type {
  AuditEventFilter,
  AuditEventPage,
  AuditEventRecord,
  AuditQueryOptions,
} from './records';
import { invalidInput } from '../errors';
import { AuditCursor, decodeCursor, encodeCursor } from './cursor';
import {
  AUDIT_TABLE,
  StoredAuditEventRow,
  clipErrorCode,
  clipErrorMessage,
  clipSandboxId,
  fromRow,
  toRow,
} from './rowMapping';
import { migrateLatest } from '../migrateLatest';

const MIGRATIONS_DIR = resolvePackagePath(
  '@opensandbox-console/plugin-opensandbox-backend',
  'migrations',
);

/** Default and bounds of `limit` in {@link DatabaseAuditStore.query}. */
export const AUDIT_PAGE_LIMIT = { default: 50, min: 1, max: 200 } as const;

const STREAM_PAGE_SIZE = 500;
const DELETE_BATCH_SIZE = 5000;

/** Options of {@link DatabaseAuditStore.create}. */
export interface DatabaseAuditStoreOptions {
  /** The plugin's database service (`coreServices.database`). */
  database: DatabaseService;
  /** Do not run migrations (also skipped when `database.migrations.skip` is set). */
  skipMigrations?: boolean;
  /** Current time in epoch ms (UTC). Default `Date.now`; tests inject a fixed clock. */
  clock?: () => number;
}

/**
 * The audit log table `opensandbox_audit_events` (Knex; SQLite and PostgreSQL).
 *
 * Append-only through this API: rows are inserted as `initiated` or `denied`; an `initiated` row
 * gets exactly one outcome (`succeeded`/`failed` via {@link completeInitiated}, or `unknown` via
 * the reaper {@link markStaleInitiated}); rows are only removed by retention
 * ({@link deleteOlderThan}). All times are epoch milliseconds, UTC.
 */
export class DatabaseAuditStore {
  /**
   * Connects and, unless skipped, runs the migrations in the package's `migrations/` directory.
   * @throws whatever Knex throws when the database is unreachable or a migration fails.
   */
  static async create(
    options: DatabaseAuditStoreOptions,
  ): Promise<DatabaseAuditStore> {
    const knex = await options.database.getClient();
    if (!options.skipMigrations && !options.database.migrations?.skip) {
      await migrateLatest(knex, MIGRATIONS_DIR);
    }
    return new DatabaseAuditStore(knex, options.clock ?? Date.now);
  }

  private constructor(
    private readonly knex: Knex,
    private readonly clock: () => number,
  ) {}

  /**
   * Inserts the `initiated` row of an attempt, stamped now. `details` must already be redacted.
   * @returns the stored record (its `id` identifies the attempt for {@link completeInitiated}).
   * @throws the database error when the row cannot be written.
   */
  async insertInitiated(input: AuditAttemptInput): Promise<AuditEventRecord> {
    return this.insert(input, 'initiated', undefined);
  }

  /**
   * Inserts a `denied` row (a refused attempt) with its HTTP status (403 or 404) and optional
   * error code/message. `details` (input's, merged with result's) must already be redacted.
   * @throws the database error when the row cannot be written.
   */
  async insertDenied(
    input: AuditAttemptInput,
    result: AuditAttemptResult,
  ): Promise<AuditEventRecord> {
    return this.insert(input, 'denied', result);
  }

  /**
   * Sets the outcome of an `initiated` row, exactly once: `httpStatus`, error code/message,
   * `sandboxId` (when given) and `details` merged (shallow) into the stored details.
   *
   * With `initiatedDetails` (the details the row was inserted with, e.g. the `details` of the record
   * {@link insertInitiated} returned) this is ONE statement: an UPDATE guarded by
   * `outcome = 'initiated'`, the details merged here. Without it the stored details are read first
   * (two statements). The stored details of an `initiated` row never change before its outcome.
   * @throws NotFoundError when no row has this id.
   * @throws ConflictError when the row's outcome is no longer `initiated` (already set, or
   *   reaped to `unknown`).
   */
  async completeInitiated(
    id: string,
    outcome: 'succeeded' | 'failed' | 'unknown',
    result: AuditAttemptResult,
    initiatedDetails?: Record<string, unknown>,
  ): Promise<void> {
    let stored = initiatedDetails;
    if (!stored && result.details) {
      const row = await this.knex(AUDIT_TABLE)
        .where({ id })
        .first<Pick<StoredAuditEventRow, 'outcome' | 'details'> | undefined>(
          'outcome',
          'details',
        );
      if (!row) throw new NotFoundError(`audit event ${id} not found`);
      if (row.outcome !== 'initiated') {
        throw new ConflictError(
          `audit event ${id} already has outcome ${row.outcome}`,
        );
      }
      stored = JSON.parse(row.details);
    }
    const update: Record<string, unknown> = {
      outcome,
      http_status: result.httpStatus,
      error_code: clipErrorCode(result.errorCode),
      error_message: clipErrorMessage(result.errorMessage),
      updated_at: this.clock(),
    };
    if (result.sandboxId) update.sandbox_id = clipSandboxId(result.sandboxId);
    if (result.details)
      update.details = JSON.stringify({ ...stored, ...result.details });
    const count = await this.knex(AUDIT_TABLE)
      .where({ id, outcome: 'initiated' })
      .update(update);
    if (count === 1) return;
    // Only on failure: tell a missing row from one that already has its outcome.
    const row = await this.knex(AUDIT_TABLE)
      .where({ id })
      .first<{ outcome: string } | undefined>('outcome');
    if (!row) throw new NotFoundError(`audit event ${id} not found`);
    throw new ConflictError(
      `audit event ${id} already has outcome ${row.outcome}`,
    );
  }

  /**
   * One page of events matching `filter`, newest first (`occurredAt` DESC, then insertion order
   * DESC), using keyset pagination: pass the returned `nextCursor` to get the next page; it is
   * absent on the last page. Rows inserted meanwhile never shift later pages.
   * @throws InputError for a `limit` outside 1..200 or an invalid `cursor`.
   */
  async query(
    filter: AuditEventFilter,
    options: AuditQueryOptions = {},
  ): Promise<AuditEventPage> {
    const limit = options.limit ?? AUDIT_PAGE_LIMIT.default;
    if (
      !Number.isInteger(limit) ||
      limit < AUDIT_PAGE_LIMIT.min ||
      limit > AUDIT_PAGE_LIMIT.max
    ) {
      throw invalidInput([
        {
          field: 'limit',
          message: `must be an integer between ${AUDIT_PAGE_LIMIT.min} and ${AUDIT_PAGE_LIMIT.max}`,
        },
      ]);
    }
    const cursor =
      options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    return this.page(filter, limit, cursor);
  }

  /**
   * Every event matching `filter`, newest first, read page by page (keyset) so memory stays
   * bounded: for exports. Stop iterating to stop reading.
   */
  async *stream(
    filter: AuditEventFilter,
    options: { pageSize?: number } = {},
  ): AsyncGenerator<AuditEventRecord, void, undefined> {
    const pageSize = options.pageSize ?? STREAM_PAGE_SIZE;
    let cursor: AuditCursor | undefined;
    for (;;) {
      const { rows, next } = await this.rows(filter, pageSize, cursor);
      for (const row of rows) yield fromRow(row);
      if (!next) return;
      cursor = next;
    }
  }

  /**
   * The reaper: sets `unknown` on `initiated` rows that started more than `olderThanMs`
   * milliseconds ago (their outcome was never written, e.g. the process crashed).
   * @returns how many rows were marked.
   * @throws InputError when `olderThanMs` is not a non-negative number.
   */
  async markStaleInitiated(olderThanMs: number): Promise<number> {
    if (!Number.isFinite(olderThanMs) || olderThanMs < 0) {
      throw new InputError('olderThanMs must be a non-negative number');
    }
    const now = this.clock();
    return this.knex(AUDIT_TABLE)
      .where({ outcome: 'initiated' })
      .andWhere('occurred_at', '<', now - olderThanMs)
      .update({ outcome: 'unknown', updated_at: now });
  }

  /**
   * Retention: deletes every row with `occurredAt` strictly before `cutoffMs` (epoch ms, UTC),
   * in batches of 5000 so no statement holds locks for long.
   * @returns how many rows were deleted.
   * @throws InputError when `cutoffMs` is not a finite number.
   */
  async deleteOlderThan(cutoffMs: number): Promise<number> {
    if (!Number.isFinite(cutoffMs))
      throw new InputError('cutoffMs must be a finite number');
    let total = 0;
    for (;;) {
      const batch = this.knex(AUDIT_TABLE)
        .select('seq')
        .where('occurred_at', '<', cutoffMs)
        .limit(DELETE_BATCH_SIZE);
      const count = await this.knex(AUDIT_TABLE).whereIn('seq', batch).delete();
      total += count;
      if (count < DELETE_BATCH_SIZE) return total;
    }
  }

  /**
   * Inserts a `failed` row for an attempt the console refused itself before any upstream call
   * (e.g. a state conflict). `details` must already be redacted.
   * @throws the database error when the row cannot be written.
   */
  async insertRejected(
    input: AuditAttemptInput,
    result: AuditAttemptResult,
  ): Promise<AuditEventRecord> {
    return this.insert(input, 'failed', result);
  }

  /**
   * `sandbox.create` attempts whose outcome is `unknown` (or still `initiated` after
   * `initiatedOlderThanMs`), with a create token and no sandbox id yet; oldest first, at most
   * `limit`.
   */
  async findUnsettledCreates(
    initiatedOlderThanMs: number,
    limit = 100,
  ): Promise<
    Array<{
      id: string;
      occurredAt: number;
      createToken: string;
      requestId: string;
    }>
  > {
    const now = this.clock();
    const rows = await this.knex(AUDIT_TABLE)
      .where({ action: 'sandbox.create' })
      .whereNotNull('create_token')
      .whereNull('sandbox_id')
      .andWhere(q =>
        q
          .where({ outcome: 'unknown' })
          .orWhere(q2 =>
            q2
              .where({ outcome: 'initiated' })
              .andWhere('occurred_at', '<', now - initiatedOlderThanMs),
          ),
      )
      .orderBy([
        { column: 'occurred_at', order: 'asc' },
        { column: 'seq', order: 'asc' },
      ])
      .limit(limit)
      .select('id', 'occurred_at', 'create_token', 'request_id');
    return rows.map((r: any) => ({
      id: r.id,
      occurredAt: Number(r.occurred_at),
      createToken: r.create_token,
      requestId: r.request_id,
    }));
  }

  /**
   * The latest `sandbox.create` attempt with this create token, or undefined.
   */
  async findCreateByToken(
    createToken: string,
  ): Promise<AuditEventRecord | undefined> {
    const row = await this.knex(AUDIT_TABLE)
      .where({ create_token: createToken, action: 'sandbox.create' })
      .orderBy([
        { column: 'occurred_at', order: 'desc' },
        { column: 'seq', order: 'desc' },
      ])
      .first();
    return row ? fromRow(row) : undefined;
  }

  /**
   * Settles an attempt whose outcome was `unknown` (or left `initiated`): sets `outcome`, the
   * sandbox id when found, and merges `details` (e.g. `{ reconciled: {...} }`).
   * @returns false when the row is no longer unsettled (another replica settled it).
   */
  async settleUnknown(
    id: string,
    outcome: 'succeeded' | 'failed',
    result: {
      sandboxId?: string;
      httpStatus?: number;
      details: Record<string, unknown>;
    },
  ): Promise<boolean> {
    const row = await this.knex(AUDIT_TABLE)
      .where({ id })
      .first('details', 'outcome');
    if (!row || !['unknown', 'initiated'].includes(row.outcome)) return false;
    const update: Record<string, unknown> = {
      outcome,
      updated_at: this.clock(),
      details: JSON.stringify({
        ...JSON.parse(row.details),
        ...result.details,
      }),
    };
    if (result.sandboxId) update.sandbox_id = clipSandboxId(result.sandboxId);
    if (result.httpStatus !== undefined) update.http_status = result.httpStatus;
    const count = await this.knex(AUDIT_TABLE)
      .where({ id })
      .whereIn('outcome', ['unknown', 'initiated'])
      .update(update);
    return count === 1;
  }

  /**
   * The latest `succeeded` attempt of each of `actions` on `sandboxId`, in ONE statement (a
   * `UNION ALL` of one index range scan on `(sandbox_id, ...)` per action, each `LIMIT 1`).
   * @returns the records by action; actions without one are absent.
   */
  async lastSucceededOf(
    sandboxId: string,
    actions: AuditAction[],
  ): Promise<Map<AuditAction, AuditEventRecord>> {
    const found = new Map<AuditAction, AuditEventRecord>();
    if (actions.length === 0) return found;
    const latest = (action: AuditAction, i: number) =>
      this.knex
        .select('*')
        .from(
          this.succeededNewestFirst(sandboxId)
            .where({ action })
            .limit(1)
            .as(`latest_${i}`),
        );
    const [first, ...rest] = actions.map(latest);
    const rows: StoredAuditEventRow[] = await (rest.length > 0
      ? first.unionAll(rest)
      : first);
    for (const row of rows) found.set(row.action as AuditAction, fromRow(row));
    return found;
  }

  /**
   * The ownership of a sandbox as its `succeeded` audit rows recorded it (for the history of a
   * sandbox that no longer exists): `owner` is the user who created it (the actor of its
   * succeeded `sandbox.create`, users only), `team` the team of its newest succeeded row that has
   * one. Rows of other outcomes are ignored: a refused or failed attempt can name any id.
   * Both undefined when nothing is known. Two index range scans on `(sandbox_id, occurred_at, seq)`.
   */
  async lastKnownOwnership(
    sandboxId: string,
  ): Promise<{ owner?: string; team?: string }> {
    const [created, withTeam] = await Promise.all([
      this.succeededNewestFirst(sandboxId)
        .where({ action: 'sandbox.create', actor_type: 'user' })
        .first('actor'),
      this.succeededNewestFirst(sandboxId).whereNotNull('team').first('team'),
    ]);
    return {
      ...(created?.actor ? { owner: String(created.actor) } : {}),
      ...(withTeam?.team ? { team: String(withTeam.team) } : {}),
    };
  }

  /** One round trip to the database (`select 1`). @throws the database error when it is unavailable. */
  async ping(): Promise<void> {
    await this.knex.raw('select 1');
  }

  /** The `succeeded` rows of `sandboxId`, newest first (index `(sandbox_id, occurred_at, seq)`). */
  private succeededNewestFirst(sandboxId: string) {
    return this.knex(AUDIT_TABLE)
      .where({ sandbox_id: sandboxId, outcome: 'succeeded' })
      .orderBy([
        { column: 'occurred_at', order: 'desc' },
        { column: 'seq', order: 'desc' },
      ]);
  }

  private async insert(
    input: AuditAttemptInput,
    outcome: 'initiated' | 'denied' | 'failed',
    result: AuditAttemptResult | undefined,
  ): Promise<AuditEventRecord> {
    const now = this.clock();
    const record: AuditEventRecord = {
      id: randomUUID(),
      occurredAt: now,
      actor: input.actor,
      actorType: input.actorType,
      action: input.action,
      sandboxId: result?.sandboxId ?? input.sandboxId ?? null,
      team: input.team ?? null,
      outcome,
      httpStatus: result?.httpStatus ?? null,
      errorCode: result?.errorCode ?? null,
      errorMessage: result?.errorMessage ?? null,
      requestId: input.requestId,
      clientIp: input.clientIp ?? null,
      userAgent: input.userAgent ?? null,
      batchId: input.batchId ?? null,
      channel: input.channel ?? 'http',
      details: { ...input.details, ...result?.details },
      updatedAt: now,
    };
    const row = toRow(record);
    await this.knex(AUDIT_TABLE).insert({
      ...row,
      create_token: input.createToken ?? null,
    });
    return fromRow({ ...row, seq: 0 });
  }

  private async page(
    filter: AuditEventFilter,
    limit: number,
    cursor: AuditCursor | undefined,
  ): Promise<AuditEventPage> {
    const { rows, next } = await this.rows(filter, limit, cursor);
    return next
      ? { items: rows.map(fromRow), nextCursor: encodeCursor(next) }
      : { items: rows.map(fromRow) };
  }

  /** Reads `limit` rows after `cursor`; `next` is set when more rows exist. */
  private async rows(
    filter: AuditEventFilter,
    limit: number,
    cursor: AuditCursor | undefined,
  ): Promise<{ rows: StoredAuditEventRow[]; next?: AuditCursor }> {
    const query = this.knex<StoredAuditEventRow>(AUDIT_TABLE).select('*');
    if (filter.actor !== undefined) query.where('actor', filter.actor);
    if (filter.action !== undefined) query.where('action', filter.action);
    if (filter.sandboxId !== undefined)
      query.where('sandbox_id', filter.sandboxId);
    if (filter.team !== undefined) query.where('team', filter.team);
    if (filter.outcome !== undefined) query.where('outcome', filter.outcome);
    if (filter.batchId !== undefined) query.where('batch_id', filter.batchId);
    if (filter.from !== undefined)
      query.where('occurred_at', '>=', filter.from);
    if (filter.to !== undefined) query.where('occurred_at', '<', filter.to);
    if (cursor) {
      query.whereRaw('(occurred_at, seq) < (?, ?)', [
        cursor.occurredAt,
        cursor.seq,
      ]);
    }
    const rows: StoredAuditEventRow[] = await query
      .orderBy([
        { column: 'occurred_at', order: 'desc' },
        { column: 'seq', order: 'desc' },
      ])
      .limit(limit + 1);
    if (rows.length <= limit) return { rows };
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      rows: page,
      next: { occurredAt: Number(last.occurred_at), seq: Number(last.seq) },
    };
  }
}
