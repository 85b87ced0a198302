import type { Knex } from 'knex';
import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { PermissionCriteria } from '@backstage/plugin-permission-common';
import type {
  ConsoleSandbox,
  PaginationInfo,
} from '@opensandbox-console/plugin-opensandbox-common';
import type { SandboxFilter } from '@opensandbox-console/plugin-opensandbox-node';
import { criteriaToSql } from './criteriaToSql';
import {
  BODIES_TABLE,
  BodyRow,
  LABELS_TABLE,
  LabelRow,
  REMOVALS_TABLE,
  SANDBOXES_TABLE,
  SIGHTINGS_TABLE,
  SYNCS_TABLE,
  SandboxContent,
  SandboxRow,
  VERSION_TABLE,
  lower,
  toContent,
} from './rowMapping';
import { migrateLatest } from '../migrateLatest';

const MIGRATIONS_DIR = resolvePackagePath(
  '@opensandbox-console/plugin-opensandbox-backend',
  'migrations',
);

/** Bounds of `pageSize` in {@link SandboxInventoryStore.list}. */
export const INVENTORY_PAGE_SIZE = { default: 20, min: 1, max: 200 } as const;

/** Sort keys of {@link SandboxInventoryStore.list}. */
export const INVENTORY_SORTS = [
  'createdAt',
  'expiresAt',
  'name',
  'state',
] as const;

/** A sort key of {@link SandboxInventoryStore.list}. */
export type InventorySort = (typeof INVENTORY_SORTS)[number];

/** Default tombstone retention of {@link SandboxInventoryStoreOptions.removalRetentionMs}: 1 day. */
export const DEFAULT_REMOVAL_RETENTION_MS = 86_400_000;

const ID_CHUNK = 500;
const ROW_CHUNK = 100;
const LABEL_CHUNK = 500;
const MAX_SERVER_LENGTH = 64;
const MAX_ID_LENGTH = 255;

/** Options of {@link SandboxInventoryStore.create}. */
export interface SandboxInventoryStoreOptions {
  /** The plugin's database service (`coreServices.database`). */
  database: DatabaseService;
  /** Do not run migrations (also skipped when `database.migrations.skip` is set). */
  skipMigrations?: boolean;
  /** Current time in epoch ms (UTC). Default `Date.now`; tests inject a fixed clock. */
  clock?: () => number;
  /**
   * How long removal tombstones are kept for {@link SandboxInventoryStore.changedSince}, in ms.
   * Default 1 day. A reader further behind gets `reset: true`.
   */
  removalRetentionMs?: number;
}

/** One inventory sandbox with its bookkeeping. Times are epoch ms (UTC). */
export interface InventoryEntry {
  /** Name of the OpenSandbox server the sandbox lives on. */
  server: string;
  /** The sandbox as last seen (upstream shape plus decoded ownership; never `image.auth`). */
  sandbox: ConsoleSandbox;
  /** Global change counter value of the sandbox's last real change. */
  version: number;
  /** sha256 (hex) of the stored body: changes iff the sandbox changed. */
  etag: string;
  /** Epoch ms (UTC) the inventory first stored the sandbox. */
  firstSeenAt: number;
  /** Epoch ms (UTC): start of the upstream call that last returned it. */
  lastSeenAt: number;
  /** Epoch ms (UTC) of its last real change (the `version` bump). */
  changedAt: number;
}

/** A removed sandbox, as {@link SandboxInventoryStore.changedSince} reports it. */
export interface InventoryRemoval {
  /** Server name. */
  server: string;
  /** Sandbox id. */
  id: string;
  /** Change counter value of the removal. */
  version: number;
  /** Epoch ms (UTC). */
  removedAt: number;
  /**
   * The sandbox as last stored before its removal (for permission checks of live status);
   * absent for tombstones written before the console kept it.
   */
  sandbox?: ConsoleSandbox;
}

/** Result of {@link SandboxInventoryStore.upsertPage}: sandbox ids by outcome. */
export interface UpsertPageResult {
  /** New to the inventory (version bumped). */
  added: string[];
  /** Body changed (version bumped). */
  updated: string[];
  /** Identical body: only `last_seen_at` moved forward. */
  unchanged: string[];
  /**
   * Ignored: the stored row was seen later than `seenAt` (a fresher write, e.g. by the operation
   * pipeline while this page was being fetched), so this older state must not overwrite it.
   */
  stale: string[];
}

/** Options of {@link SandboxInventoryStore.list}. */
export interface InventoryListOptions {
  /**
   * The caller's permission conditions AND the console's scope filters, already combined by the
   * caller (e.g. `{ allOf: [conditions, scope] }`). `undefined`: every sandbox.
   */
  filter?: PermissionCriteria<SandboxFilter>;
  /** States, OR'ed, case-insensitive. Empty or absent: any state. */
  state?: string[];
  /** Metadata `key = value` pairs, exact, AND'ed. */
  metadata?: Record<string, string>;
  /**
   * Case-insensitive substring of `metadata.name` OR of the sandbox id. `%`, `_` and `!` are
   * matched literally. Empty: no search.
   */
  search?: string;
  /**
   * Only sandboxes with an expiry at most this many seconds from now (includes those already
   * past their expiry but still listed); sandboxes without expiry never match. Seconds, ≥ 0.
   */
  expiringWithinSeconds?: number;
  /** Only these servers. Absent: every server. An empty list matches nothing. */
  servers?: string[];
  /**
   * Sort key. Default `createdAt`. Ties are broken by server then id, in the same direction
   * (`state` ties: by createdAt first). `expiresAt` and `name` put nulls last in both directions.
   */
  sort?: InventorySort;
  /** Default: `desc` for `createdAt`, `asc` for the other sort keys. */
  order?: 'asc' | 'desc';
  /** 1-based page. Default 1. */
  page?: number;
  /** Items per page, 1..200. Default 20. */
  pageSize?: number;
}

/** Result of {@link SandboxInventoryStore.list}. */
export interface InventoryListResult {
  /** The page, in order. */
  items: ConsoleSandbox[];
  /** Server, version and etag of each item, index-aligned with `items`. */
  itemInfo: Array<{ server: string; version: number; etag: string }>;
  /** Exact totals of the filtered inventory (upstream's pagination shape). */
  pagination: PaginationInfo;
  /**
   * ISO 8601 UTC time the data is at least as fresh as: the oldest start of the last successful
   * sync among the servers considered (`servers`, or every server that has a sync row); null when
   * one of them never synced successfully (or no server ever synced).
   */
  syncedAt: string | null;
}

/** Result of {@link SandboxInventoryStore.changedSince}. */
export interface InventoryChanges {
  /** Changed or added sandboxes with `version` greater than asked, by ascending version. */
  items: InventoryEntry[];
  /** Removals with `version` greater than asked, by ascending version. */
  removed: InventoryRemoval[];
  /** The version to pass next time (everything up to it has been returned). */
  version: number;
  /** More changes are waiting (the limit was reached): call again with `version`. */
  hasMore: boolean;
  /**
   * Removal tombstones newer than the asked version were already pruned (reader too far
   * behind): reload the whole list, then continue from `version`.
   */
  reset: boolean;
}

/** The last sync of one server, as {@link SandboxInventoryStore.lastSync} returns it. */
export interface InventorySyncRecord {
  /** Server name. */
  server: string;
  /** Epoch ms (UTC) of the start of the last successful sync; null when none succeeded. */
  syncedAt: number | null;
  /** Epoch ms (UTC) of the start of the last sync, successful or not. */
  attemptedAt: number;
  /** Duration of the last sync, ms. */
  durationMs: number;
  /** Upstream list calls made by the last sync. */
  upstreamCalls: number;
  /** Sandboxes seen by the last successful sync; null when none succeeded. */
  sandboxCount: number | null;
  /** Error message of the last sync; null when it succeeded. */
  error: string | null;
}

/** Input of {@link SandboxInventoryStore.recordSync}. */
export interface InventorySyncInput {
  /** Epoch ms (UTC) the sync started. */
  syncedAt: number;
  /** Wall time of the sync, ms (rounded). */
  durationMs: number;
  /** Upstream list calls made. */
  upstreamCalls: number;
  /** Distinct sandboxes seen. */
  sandboxCount: number;
  /** Set when the sync failed: `synced_at` and `sandbox_count` keep the last success. */
  error?: string;
}

type Counter = { take: (n: number) => number };

const num = (v: number | string): number => Number(v);
const numOrNull = (v: number | string | null): number | null =>
  v === null || v === undefined ? null : Number(v);

/** Code-unit order (the lock order of a batch; locale-independent). */
function byCodeUnits(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(items.slice(i, i + size));
  return out;
}

type RowWithBody = SandboxRow & { body: string; last_seen_at: number | string };

function entryOf(row: RowWithBody): InventoryEntry {
  return {
    server: row.server,
    sandbox: JSON.parse(row.body),
    version: num(row.version),
    etag: row.etag,
    firstSeenAt: num(row.first_seen_at),
    lastSeenAt: num(row.last_seen_at),
    changedAt: num(row.changed_at),
  };
}

/** `LIKE` pattern of a substring search, escaping `!`, `%` and `_` with `!`. */
function containsPattern(search: string): string {
  return `%${lower(search).replace(/[!%_]/g, c => `!${c}`)}%`;
}

function checkServer(server: string) {
  if (
    typeof server !== 'string' ||
    server.length === 0 ||
    server.length > MAX_SERVER_LENGTH
  ) {
    throw new InputError(
      `server must be a non-empty string of at most ${MAX_SERVER_LENGTH} characters`,
    );
  }
}

function checkTime(name: string, value: number) {
  if (!Number.isFinite(value))
    throw new InputError(`${name} must be a finite number (epoch ms)`);
}

function checkLimit(limit: number) {
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    throw new InputError('limit must be an integer between 1 and 10000');
  }
}

/** How long a confirmed (stored, unchanged) sandbox is not written again by `upsert`: 5 s. */
const CONFIRMATION_REUSE_MS = 5_000;
/** How long a list's `syncedAt` is reused: 1 s. */
const SYNCED_AT_REUSE_MS = 1_000;
/** Most sandboxes whose last confirmation a store remembers. */
const MAX_CONFIRMED = 10_000;

/**
 * The sandbox inventory (Knex; SQLite and PostgreSQL): the last known state of every sandbox of
 * every OpenSandbox server, kept by the periodic full sync (see `syncServer`) and by the console's
 * own writes, so list pages, counts and live status are served from the database.
 *
 * Every write runs in one transaction that first locks the one-row change counter
 * (`opensandbox_inventory_version`): writers are serialised, versions are unique, and a version
 * becomes visible only after every smaller one (commit order = version order), so
 * {@link SandboxInventoryStore.changedSince} never skips a change. Times are epoch ms (UTC).
 */
export class SandboxInventoryStore {
  /**
   * Connects and, unless skipped, runs the migrations in the package's `migrations/` directory.
   * @throws whatever Knex throws when the database is unreachable or a migration fails.
   */
  static async create(
    options: SandboxInventoryStoreOptions,
  ): Promise<SandboxInventoryStore> {
    const knex = await options.database.getClient();
    if (!options.skipMigrations && !options.database.migrations?.skip) {
      await migrateLatest(knex, MIGRATIONS_DIR);
    }
    return new SandboxInventoryStore(
      knex,
      options.clock ?? Date.now,
      options.removalRetentionMs ?? DEFAULT_REMOVAL_RETENTION_MS,
    );
  }

  private readonly isPg: boolean;
  /**
   * What this process last wrote or confirmed per sandbox (`server NUL id` → etag and epoch ms of
   * the `seenAt`), so a burst of reads of an unchanged sandbox writes nothing (see `upsert`).
   */
  /** The lists' `syncedAt` per set of servers, with when it was read (epoch ms). */
  private readonly syncedAtHeld = new Map<
    string,
    { value: string | null; at: number }
  >();
  private readonly confirmed = new Map<
    string,
    { etag: string; seenAt: number }
  >();
  /**
   * Bumped whenever memo entries are dropped (a page stored, a removal): an `upsert` that started
   * before does not confirm afterwards (its view may predate that write).
   */
  private confirmedGeneration = 0;

  private constructor(
    private readonly knex: Knex,
    private readonly clock: () => number,
    private readonly removalRetentionMs: number,
  ) {
    this.isPg = knex.client.config.client === 'pg';
  }

  /**
   * Inserts or updates one sandbox (e.g. after a console create, pause or renew).
   *
   * @param seenAt - epoch ms (UTC) when the upstream call that returned this state STARTED;
   *   default now. A row already seen later is left alone (`changed: false`).
   * @returns `changed: true` when the sandbox was added or its body changed (version bumped);
   *   false when identical (only `last_seen_at` moves) or stale. A sandbox this process stored or
   *   confirmed with the same content less than 5 s (of `seenAt`) earlier is not written again
   *   (`last_seen_at` of an unchanged sandbox moves at most every 5 s through reads; the full
   *   sync moves it for every sandbox it sees).
   * @throws InputError for an invalid server or sandbox id.
   */
  async upsert(
    server: string,
    sandbox: ConsoleSandbox,
    seenAt: number = this.clock(),
    /** `changed: true`: the caller knows it differs from the stored sandbox (skips the touch). */
    hint?: { changed?: boolean },
  ): Promise<{ changed: boolean }> {
    checkServer(server);
    checkTime('seenAt', seenAt);
    const generation = this.confirmedGeneration;
    // The usual case of a console read: the stored sandbox is the same. Then only when it was last
    // seen moves forward: ONE statement, no transaction and no version lock. Anything else (new,
    // changed, or already seen later) goes through the page upsert.
    if (
      hint?.changed !== true &&
      typeof sandbox?.id === 'string' &&
      sandbox.id.length > 0 &&
      sandbox.id.length <= MAX_ID_LENGTH
    ) {
      const { etag } = toContent(server, sandbox).content;
      const key = `${server}\u0000${sandbox.id}`;
      const known = this.confirmed.get(key);
      if (
        known?.etag === etag &&
        seenAt >= known.seenAt &&
        seenAt - known.seenAt < CONFIRMATION_REUSE_MS
      )
        return { changed: false };
      const touched = await this.knex(SIGHTINGS_TABLE)
        .where({ server, id: sandbox.id })
        .where('last_seen_at', '<', seenAt)
        .whereExists(q =>
          q
            .select(this.knex.raw('1'))
            .from(SANDBOXES_TABLE)
            .where({ server, id: sandbox.id, etag }),
        )
        .update({ last_seen_at: seenAt });
      if (touched === 1) {
        this.confirm(key, etag, seenAt, generation);
        return { changed: false };
      }
    }
    const result = await this.upsertPage(server, [sandbox], seenAt);
    if (result.stale.length === 0)
      this.confirm(
        `${server}\u0000${sandbox.id}`,
        toContent(server, sandbox).content.etag,
        seenAt,
        // Its own page write bumped the generation once; anything more is another writer's.
        generation + 1,
      );
    return { changed: result.added.length + result.updated.length > 0 };
  }

  /** Remembers that the stored sandbox had `etag` as of `seenAt` (bounded; oldest dropped first). */
  private confirm(
    key: string,
    etag: string,
    seenAt: number,
    generation: number,
  ): void {
    if (generation !== this.confirmedGeneration) return;
    this.confirmed.delete(key);
    this.confirmed.set(key, { etag, seenAt });
    if (this.confirmed.size > MAX_CONFIRMED) {
      const oldest = this.confirmed.keys().next().value;
      if (oldest !== undefined) this.confirmed.delete(oldest);
    }
  }

  /**
   * Batch upsert of one sync page (duplicates by id: the last wins), in one transaction: one
   * SELECT of the stored etags, one multi-row INSERT ... ON CONFLICT for new and changed
   * sandboxes (each gets its own new version), one UPDATE of `last_seen_at` for unchanged ones,
   * and the labels of changed ones rewritten.
   *
   * @param seenAt - epoch ms (UTC) when the upstream page call started; default now.
   * @throws InputError for an invalid server, a sandbox without a string id, or an id longer
   *   than 255 characters.
   */
  async upsertPage(
    server: string,
    sandboxes: ConsoleSandbox[],
    seenAt: number = this.clock(),
  ): Promise<UpsertPageResult> {
    checkServer(server);
    checkTime('seenAt', seenAt);
    const byId = new Map<string, ConsoleSandbox>();
    for (const sandbox of sandboxes) {
      if (
        typeof sandbox?.id !== 'string' ||
        sandbox.id.length === 0 ||
        sandbox.id.length > MAX_ID_LENGTH
      ) {
        throw new InputError(
          `every sandbox needs an id of 1 to ${MAX_ID_LENGTH} characters`,
        );
      }
      byId.set(sandbox.id, sandbox);
    }
    const result: UpsertPageResult = {
      added: [],
      updated: [],
      unchanged: [],
      stale: [],
    };
    if (byId.size === 0) return result;
    // Whatever this page stores is confirmed anew by the caller that needs it (`upsert`).
    this.confirmedGeneration += 1;
    for (const id of byId.keys()) this.confirmed.delete(`${server}\u0000${id}`);
    const prepared = [...byId.values()]
      .map(s => toContent(server, s))
      .sort((a, b) => byCodeUnits(a.content.id, b.content.id));

    return this.write(async (tx, counter) => {
      const existing = new Map<
        string,
        { etag: string; lastSeenAt: number; metadata: string | null }
      >();
      for (const ids of chunks(
        prepared.map(p => p.content.id),
        ID_CHUNK,
      )) {
        const rows: Array<{
          id: string;
          etag: string;
          last_seen_at: number | string;
          metadata: string | null;
        }> = await tx({ s: SANDBOXES_TABLE })
          .join({ g: SIGHTINGS_TABLE }, join =>
            join.on('g.server', '=', 's.server').andOn('g.id', '=', 's.id'),
          )
          .leftJoin({ b: BODIES_TABLE }, join =>
            join.on('b.server', '=', 's.server').andOn('b.id', '=', 's.id'),
          )
          .where('s.server', server)
          .whereIn('s.id', ids)
          .select('s.id', 's.etag', 'g.last_seen_at', 'b.metadata');
        for (const row of rows)
          existing.set(row.id, {
            etag: row.etag,
            lastSeenAt: num(row.last_seen_at),
            metadata: row.metadata ?? null,
          });
      }
      const writes: Array<{
        content: SandboxContent;
        body: BodyRow;
        labels: LabelRow[];
      }> = [];
      // Labels are derived from the metadata alone: a change elsewhere (an expiry, a state)
      // keeps them, so only new sandboxes and changed metadata rewrite them.
      const relabelled: typeof writes = [];
      for (const p of prepared) {
        const old = existing.get(p.content.id);
        if (!old) {
          result.added.push(p.content.id);
          writes.push(p);
          relabelled.push(p);
        } else if (old.lastSeenAt > seenAt) {
          result.stale.push(p.content.id);
        } else if (old.etag === p.content.etag) {
          result.unchanged.push(p.content.id);
        } else {
          result.updated.push(p.content.id);
          writes.push(p);
          if (old.metadata !== p.body.metadata) relabelled.push(p);
        }
      }

      if (writes.length > 0) {
        let version = counter.take(writes.length);
        const rows = writes.map(w => ({
          ...w.content,
          first_seen_at: seenAt,
          changed_at: seenAt,
          version: version++,
        }));
        const merged = Object.keys(rows[0]).filter(
          c => c !== 'server' && c !== 'id' && c !== 'first_seen_at',
        );
        for (const chunk of chunks(rows, ROW_CHUNK)) {
          await tx(SANDBOXES_TABLE)
            .insert(chunk)
            .onConflict(['server', 'id'])
            .merge(merged);
        }
        for (const chunk of chunks(
          writes.map(w => w.body),
          ROW_CHUNK,
        )) {
          await tx(BODIES_TABLE)
            .insert(chunk)
            .onConflict(['server', 'id'])
            .merge(['metadata', 'body']);
        }
        const sightings = writes.map(w => ({
          server,
          id: w.content.id,
          last_seen_at: seenAt,
        }));
        for (const chunk of chunks(sightings, ID_CHUNK)) {
          await tx(SIGHTINGS_TABLE)
            .insert(chunk)
            .onConflict(['server', 'id'])
            .merge(['last_seen_at']);
        }
        const relabelledIds = relabelled.map(w => w.content.id);
        for (const ids of chunks(relabelledIds, ID_CHUNK)) {
          await tx(LABELS_TABLE).where({ server }).whereIn('id', ids).delete();
        }
        for (const chunk of chunks(
          relabelled.flatMap(w => w.labels),
          LABEL_CHUNK,
        )) {
          await tx(LABELS_TABLE).insert(chunk);
        }
      }
      for (const ids of chunks(result.unchanged, ID_CHUNK)) {
        await tx(SIGHTINGS_TABLE)
          .where({ server })
          .whereIn('id', ids)
          .where('last_seen_at', '<', seenAt)
          .update({ last_seen_at: seenAt });
      }
      return result;
    });
  }

  /**
   * Removes one sandbox (e.g. after a console delete) and records a removal tombstone.
   * @returns whether it was in the inventory.
   * @throws InputError for an invalid server.
   */
  async remove(server: string, id: string): Promise<boolean> {
    checkServer(server);
    this.confirmedGeneration += 1;
    this.confirmed.delete(`${server}\u0000${id}`);
    const removed = await this.write((tx, counter) =>
      this.removeIds(tx, counter, server, [id]),
    );
    return removed.length > 0;
  }

  /**
   * Removes the sandboxes of `server` that a full sync which started at `seenBefore` did not see:
   * `last_seen_at < seenBefore` and `created_at < seenBefore` (a sandbox created after the sync
   * started is never removed). Also prunes removal tombstones past their retention.
   *
   * @param seenBefore - epoch ms (UTC).
   * @returns the removed ids (sorted).
   * @throws InputError for an invalid server or time.
   */
  async removeUnseen(server: string, seenBefore: number): Promise<string[]> {
    checkServer(server);
    checkTime('seenBefore', seenBefore);
    this.confirmedGeneration += 1;
    this.confirmed.clear();
    return this.write(async (tx, counter) => {
      const rows: Array<{ id: string }> = await tx({ g: SIGHTINGS_TABLE })
        .join({ s: SANDBOXES_TABLE }, join =>
          join.on('s.server', '=', 'g.server').andOn('s.id', '=', 'g.id'),
        )
        .where('g.server', server)
        .where('g.last_seen_at', '<', seenBefore)
        // Never a sandbox created after the scan started (it may be missing from an offset page).
        // Upstream's createdAt can be later than the create answer (the Docker runtime reports the
        // container start) or skewed from the console's clock; such a sandbox is removed by the
        // first sync that starts after its createdAt.
        .where('s.created_at', '<', seenBefore)
        .orderBy('g.id')
        .select('g.id');
      const removed = await this.removeIds(
        tx,
        counter,
        server,
        rows.map(r => r.id),
      );
      await this.pruneRemovals(tx);
      return removed;
    });
  }

  /**
   * One page of the inventory: `filter` AND `state` AND `metadata` AND `search` AND
   * `expiringWithinSeconds` AND `servers`, sorted, with exact totals. Two statements, run
   * concurrently: the page (cut with ORDER BY / LIMIT / OFFSET on the indexed filter table, then
   * joined to the bodies of those rows only) and the count. No per-item work beyond
   * `JSON.parse` of the stored bodies.
   *
   * @throws InputError for a page below 1, a pageSize outside 1..200, an unknown sort or order,
   *   or a negative `expiringWithinSeconds`.
   */
  async list(options: InventoryListOptions = {}): Promise<InventoryListResult> {
    const page = options.page ?? 1;
    const pageSize = options.pageSize ?? INVENTORY_PAGE_SIZE.default;
    if (!Number.isInteger(page) || page < 1)
      throw new InputError('page must be an integer >= 1');
    if (
      !Number.isInteger(pageSize) ||
      pageSize < INVENTORY_PAGE_SIZE.min ||
      pageSize > INVENTORY_PAGE_SIZE.max
    ) {
      throw new InputError(
        `pageSize must be an integer between ${INVENTORY_PAGE_SIZE.min} and ${INVENTORY_PAGE_SIZE.max}`,
      );
    }
    const sort = options.sort ?? 'createdAt';
    if (!INVENTORY_SORTS.includes(sort))
      throw new InputError(`sort must be one of ${INVENTORY_SORTS.join(', ')}`);
    const order = options.order ?? (sort === 'createdAt' ? 'desc' : 'asc');
    if (order !== 'asc' && order !== 'desc')
      throw new InputError('order must be asc or desc');
    const within = options.expiringWithinSeconds;
    if (within !== undefined && (!Number.isFinite(within) || within < 0)) {
      throw new InputError('expiringWithinSeconds must be a number >= 0');
    }
    const now = this.clock();

    const where = (qb: Knex.QueryBuilder) => {
      if (options.servers) {
        if (options.servers.length === 0) qb.whereRaw('1 = 0');
        else qb.whereIn('server', [...new Set(options.servers)]);
      }
      if (options.filter !== undefined) qb.where(criteriaToSql(options.filter));
      if (options.state && options.state.length > 0) {
        qb.whereIn('state_lower', [...new Set(options.state.map(lower))]);
      }
      for (const [key, value] of Object.entries(options.metadata ?? {})) {
        qb.whereRaw(
          `EXISTS (SELECT 1 FROM "${LABELS_TABLE}" l WHERE l."server" = "${SANDBOXES_TABLE}"."server" AND l."id" = "${SANDBOXES_TABLE}"."id" AND l."key" = ? AND l."value" = ?)`,
          [key, String(value)],
        );
      }
      if (options.search) {
        const pattern = containsPattern(options.search);
        qb.where(q =>
          q
            .whereRaw(`"name_lower" LIKE ? ESCAPE '!'`, [pattern])
            .orWhereRaw(`"id_lower" LIKE ? ESCAPE '!'`, [pattern]),
        );
      }
      if (within !== undefined) {
        qb.whereNotNull('expires_at').where(
          'expires_at',
          '<=',
          now + Math.round(within * 1000),
        );
      }
    };

    const dir = order === 'asc' ? 'ASC' : 'DESC';
    const orderBy = (t: string) => {
      const tail = `${t}"server" ${dir}, ${t}"id" ${dir}`;
      return {
        createdAt: `${t}"created_at" ${dir}, ${tail}`,
        expiresAt: `${t}"expires_at" ${dir} NULLS LAST, ${tail}`,
        name: `${t}"name_lower" ${dir} NULLS LAST, ${tail}`,
        state: `${t}"state_lower" ${dir} NULLS LAST, ${t}"created_at" DESC, ${t}"server" DESC, ${t}"id" DESC`,
      }[sort];
    };

    // The page is cut on the narrow filter table alone (so OFFSET never touches bodies), then
    // joined to its bodies: one statement.
    const keys = this.knex(SANDBOXES_TABLE)
      .where(where)
      .orderByRaw(orderBy(''))
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .select(
        'server',
        'id',
        'version',
        'etag',
        'created_at',
        'expires_at',
        'name_lower',
        'state_lower',
      );
    const [rows, [{ count }], syncedAt] = await Promise.all([
      this.knex
        .select('p.server', 'p.version', 'p.etag', 'b.body')
        .from(keys.as('p'))
        .join({ b: BODIES_TABLE }, join =>
          join.on('b.server', '=', 'p.server').andOn('b.id', '=', 'p.id'),
        )
        .orderByRaw(orderBy('"p".')) as Promise<
        Array<Pick<RowWithBody, 'server' | 'version' | 'etag' | 'body'>>
      >,
      this.knex(SANDBOXES_TABLE)
        .where(where)
        .count({ count: '*' }) as unknown as Promise<
        Array<{ count: number | string }>
      >,
      this.syncedAt(options.servers),
    ]);
    const totalItems = Number(count);
    const totalPages = Math.ceil(totalItems / pageSize);
    return {
      items: rows.map(r => JSON.parse(r.body)),
      itemInfo: rows.map(r => ({
        server: r.server,
        version: num(r.version),
        etag: r.etag,
      })),
      pagination: {
        page,
        pageSize,
        totalItems,
        totalPages,
        hasNextPage: page < totalPages,
      },
      syncedAt,
    };
  }

  /**
   * One sandbox, or undefined when the inventory does not have it.
   */
  async get(server: string, id: string): Promise<InventoryEntry | undefined> {
    const row: RowWithBody | undefined = await this.withBodies()
      .where({ 's.server': server, 's.id': id })
      .first();
    return row ? entryOf(row) : undefined;
  }

  /**
   * Number of sandboxes per owning team (lower-case group ref), excluding `Terminated` ones
   * (case-insensitive) and sandboxes without a team.
   * @param server - only this server; default every server.
   */
  async countByTeam(server?: string): Promise<Record<string, number>> {
    const query = this.knex(SANDBOXES_TABLE)
      .whereNotNull('team')
      .where(q =>
        q.whereNull('state_lower').orWhere('state_lower', '<>', 'terminated'),
      )
      .groupBy('team')
      .select('team')
      .count({ count: '*' });
    if (server !== undefined) query.where({ server });
    const rows = (await query) as Array<{
      team: string;
      count: number | string;
    }>;
    const out: Record<string, number> = {};
    for (const row of rows) out[row.team] = Number(row.count);
    return out;
  }

  /**
   * Sandboxes (not `Terminated`) whose expiry is in `[fromMs, toMs)`, soonest first (ties by
   * server, id), at most `limit`. For expiry warnings.
   * @param fromMs - epoch ms (UTC), inclusive. @param toMs - epoch ms (UTC), exclusive.
   * @throws InputError for non-finite times or a limit outside 1..10000.
   */
  async expiringBetween(
    fromMs: number,
    toMs: number,
    limit = 100,
  ): Promise<InventoryEntry[]> {
    checkTime('fromMs', fromMs);
    checkTime('toMs', toMs);
    checkLimit(limit);
    const rows: RowWithBody[] = await this.withBodies()
      .where('s.expires_at', '>=', fromMs)
      .where('s.expires_at', '<', toMs)
      .where(q =>
        q
          .whereNull('s.state_lower')
          .orWhere('s.state_lower', '<>', 'terminated'),
      )
      .orderBy([
        { column: 's.expires_at', order: 'asc' },
        { column: 's.server', order: 'asc' },
        { column: 's.id', order: 'asc' },
      ])
      .limit(limit);
    return rows.map(entryOf);
  }

  /** The last version handed out (0 when nothing was ever written). */
  async currentVersion(): Promise<number> {
    const row = await this.knex(VERSION_TABLE).where({ id: 1 }).first('value');
    return num(row.value);
  }

  /**
   * Changes after `version`, for live status: added/changed sandboxes and removals with a greater
   * version, in ascending version order, at most `limit` together. Start with
   * {@link currentVersion} (or 0), then pass the returned `version` each time.
   * @throws InputError for a negative version or a limit outside 1..10000.
   */
  async changedSince(version: number, limit = 500): Promise<InventoryChanges> {
    if (!Number.isInteger(version) || version < 0)
      throw new InputError('version must be an integer >= 0');
    checkLimit(limit);
    // Read the counter first: every version up to it is committed (commit order = version order).
    const counter = await this.knex(VERSION_TABLE)
      .where({ id: 1 })
      .first('value', 'pruned_through');
    const [rows, removals] = await Promise.all([
      this.withBodies()
        .where('s.version', '>', version)
        .orderBy('s.version')
        .limit(limit) as Promise<RowWithBody[]>,
      this.knex(REMOVALS_TABLE)
        .where('version', '>', version)
        .orderBy('version')
        .limit(limit)
        .select('*') as Promise<
        Array<{
          version: number | string;
          server: string;
          id: string;
          removed_at: number | string;
          body?: string | null;
        }>
      >,
    ]);
    type Event = {
      version: number;
      item?: InventoryEntry;
      removal?: InventoryRemoval;
    };
    const events: Event[] = [
      ...rows.map(r => ({ version: num(r.version), item: entryOf(r) })),
      ...removals.map(r => ({
        version: num(r.version),
        removal: {
          server: r.server,
          id: r.id,
          version: num(r.version),
          removedAt: num(r.removed_at),
          ...(r.body ? { sandbox: JSON.parse(r.body) as ConsoleSandbox } : {}),
        },
      })),
    ].sort((a, b) => a.version - b.version);
    const truncated = rows.length === limit || removals.length === limit;
    const taken = events.slice(0, limit);
    const last = taken.length > 0 ? taken[taken.length - 1].version : version;
    return {
      items: taken.flatMap(e => (e.item ? [e.item] : [])),
      removed: taken.flatMap(e => (e.removal ? [e.removal] : [])),
      version: truncated ? last : Math.max(last, num(counter.value)),
      hasMore: truncated,
      reset: version < num(counter.pruned_through),
    };
  }

  /** The last sync of `server`, or undefined when it never synced. */
  async lastSync(server: string): Promise<InventorySyncRecord | undefined> {
    const row = await this.knex(SYNCS_TABLE).where({ server }).first();
    if (!row) return undefined;
    return {
      server: row.server,
      syncedAt: numOrNull(row.synced_at),
      attemptedAt: num(row.attempted_at),
      durationMs: num(row.duration_ms),
      upstreamCalls: num(row.upstream_calls),
      sandboxCount: numOrNull(row.sandbox_count),
      error: row.error ?? null,
    };
  }

  /**
   * Records the outcome of a sync of `server` (one row per server, replaced). A successful sync
   * sets `syncedAt`, `sandboxCount` and clears `error`; a failed one (with `error`) only sets
   * the attempt time, duration, calls and error, keeping the last success.
   * @throws InputError for an invalid server or time.
   */
  async recordSync(server: string, sync: InventorySyncInput): Promise<void> {
    checkServer(server);
    checkTime('syncedAt', sync.syncedAt);
    this.syncedAtHeld.clear();
    const base = {
      server,
      attempted_at: sync.syncedAt,
      duration_ms: Math.max(0, Math.round(sync.durationMs)),
      upstream_calls: sync.upstreamCalls,
    };
    if (sync.error !== undefined) {
      await this.knex(SYNCS_TABLE)
        .insert({
          ...base,
          synced_at: null,
          sandbox_count: null,
          error: sync.error,
        })
        .onConflict('server')
        .merge(['attempted_at', 'duration_ms', 'upstream_calls', 'error']);
    } else {
      await this.knex(SYNCS_TABLE)
        .insert({
          ...base,
          synced_at: sync.syncedAt,
          sandbox_count: sync.sandboxCount,
          error: null,
        })
        .onConflict('server')
        .merge();
    }
    // Also after the write: a list that read the old value meanwhile must not keep it.
    this.syncedAtHeld.clear();
  }

  /** Inventory rows (`s.*`) joined to their bodies (`b.body`) and sightings (`g.last_seen_at`). */
  private withBodies() {
    return this.knex({ s: SANDBOXES_TABLE })
      .join({ b: BODIES_TABLE }, join =>
        join.on('b.server', '=', 's.server').andOn('b.id', '=', 's.id'),
      )
      .join({ g: SIGHTINGS_TABLE }, join =>
        join.on('g.server', '=', 's.server').andOn('g.id', '=', 's.id'),
      )
      .select('s.*', 'b.body', 'g.last_seen_at');
  }

  /** ISO time of the oldest last successful sync among `servers` (or all synced servers). */
  /**
   * `syncedAt` of a list, reused for at most 1 s per set of servers (it only tells the pages how
   * fresh the inventory is; a sync recorded by this process drops it at once).
   */
  private async syncedAt(
    servers: string[] | undefined,
  ): Promise<string | null> {
    const key = servers ? servers.join('\u0000') : '\u0001all';
    const now = this.clock();
    const held = this.syncedAtHeld.get(key);
    if (held && now >= held.at && now - held.at < SYNCED_AT_REUSE_MS)
      return held.value;
    const value = await this.readSyncedAt(servers);
    if (this.syncedAtHeld.size > 100) this.syncedAtHeld.clear();
    this.syncedAtHeld.set(key, { value, at: now });
    return value;
  }

  private async readSyncedAt(
    servers: string[] | undefined,
  ): Promise<string | null> {
    if (servers && servers.length === 0) return null;
    const query = this.knex(SYNCS_TABLE).select('server', 'synced_at');
    if (servers) query.whereIn('server', servers);
    const rows: Array<{ server: string; synced_at: number | string | null }> =
      await query;
    const wanted = servers
      ? new Set(servers)
      : new Set(rows.map(r => r.server));
    if (wanted.size === 0 || rows.length < wanted.size) return null;
    let oldest = Infinity;
    for (const row of rows) {
      if (row.synced_at === null) return null;
      oldest = Math.min(oldest, Number(row.synced_at));
    }
    return new Date(oldest).toISOString();
  }

  /** Deletes `ids` of `server` with their labels and writes one tombstone (own version) each. */
  private async removeIds(
    tx: Knex.Transaction,
    counter: Counter,
    server: string,
    ids: string[],
  ): Promise<string[]> {
    const removed: string[] = [];
    for (const chunk of chunks(ids, ID_CHUNK)) {
      const present: Array<{ id: string }> = await tx(SANDBOXES_TABLE)
        .where({ server })
        .whereIn('id', chunk)
        .select('id');
      if (present.length === 0) continue;
      const presentIds = present.map(r => r.id).sort();
      // The last body goes into the tombstone: live status decides who may learn of the removal.
      const bodies = new Map<string, string>(
        (
          (await tx(BODIES_TABLE)
            .where({ server })
            .whereIn('id', presentIds)
            .select('id', 'body')) as Array<{ id: string; body: string }>
        ).map(r => [r.id, r.body]),
      );
      await tx(LABELS_TABLE)
        .where({ server })
        .whereIn('id', presentIds)
        .delete();
      await tx(BODIES_TABLE)
        .where({ server })
        .whereIn('id', presentIds)
        .delete();
      await tx(SIGHTINGS_TABLE)
        .where({ server })
        .whereIn('id', presentIds)
        .delete();
      await tx(SANDBOXES_TABLE)
        .where({ server })
        .whereIn('id', presentIds)
        .delete();
      let version = counter.take(presentIds.length);
      const now = this.clock();
      const tombstones = presentIds.map(id => ({
        version: version++,
        server,
        id,
        removed_at: now,
        body: bodies.get(id) ?? null,
      }));
      for (const rows of chunks(tombstones, LABEL_CHUNK))
        await tx(REMOVALS_TABLE).insert(rows);
      removed.push(...presentIds);
    }
    return removed.sort();
  }

  /** Deletes tombstones older than the retention and remembers the highest pruned version. */
  private async pruneRemovals(tx: Knex.Transaction): Promise<void> {
    const cutoff = this.clock() - this.removalRetentionMs;
    const row = await tx(REMOVALS_TABLE)
      .where('removed_at', '<', cutoff)
      .max({ max: 'version' })
      .first();
    if (row?.max === null || row?.max === undefined) return;
    await tx(REMOVALS_TABLE).where('version', '<=', num(row.max)).delete();
    await tx(VERSION_TABLE)
      .where({ id: 1 })
      .update({ pruned_through: num(row.max) });
  }

  /**
   * Runs `fn` in a transaction that first locks the change counter row (PostgreSQL:
   * `SELECT ... FOR UPDATE`; SQLite serialises writers itself). `counter.take(n)` reserves `n`
   * consecutive versions and returns the first; the counter is written back before commit.
   */
  private async write<T>(
    fn: (tx: Knex.Transaction, counter: Counter) => Promise<T>,
  ): Promise<T> {
    return this.knex.transaction(async tx => {
      const select = tx(VERSION_TABLE).where({ id: 1 }).first('value');
      const row = await (this.isPg ? select.forUpdate() : select);
      const start = num(row.value);
      let value = start;
      const result = await fn(tx, {
        take: n => {
          const first = value + 1;
          value += n;
          return first;
        },
      });
      if (value !== start)
        await tx(VERSION_TABLE).where({ id: 1 }).update({ value });
      return result;
    });
  }
}
