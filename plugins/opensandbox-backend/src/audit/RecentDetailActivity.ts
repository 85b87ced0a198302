import type { AuditAction } from '@opensandbox-console/plugin-opensandbox-common';
import type { AuditEventRecord } from './records';

/** How long the audit rows of a sandbox's detail are reused: 5 s. */
const REUSE_MS = 5_000;
/** Most sandboxes remembered at once (oldest dropped first). */
const MAX_ENTRIES = 10_000;

/** The detail's audit rows of one sandbox, by action. */
export type DetailActivityRows = Map<AuditAction, AuditEventRecord>;

interface Entry {
  /** The sandbox's `expiresAt` (ISO 8601 UTC) when the rows were read; null without one. */
  expiresAt: string | null;
  /** Epoch ms (UTC) of the read. */
  readAt: number;
  rows: DetailActivityRows;
}

/** One lookup started by {@link RecentDetailActivity.lookup}. */
export interface DetailActivityLookup {
  /**
   * The rows for the sandbox as loaded (its `expiresAt`): the held ones when they were read with
   * this expiry less than 5 s ago, else the read started with the lookup (or a new one).
   * @throws whatever the read throws (nothing is kept then).
   */
  rowsFor(expiresAt: string | undefined): Promise<DetailActivityRows>;
}

/**
 * The last succeeded renewal and creation of recently shown sandboxes (the detail's
 * `lastRenewal` and `creation`), so repeated reads of one sandbox query the audit log at most
 * every 5 s. An entry is used only while the sandbox's `expiresAt` is the one it was read with
 * (a renewal anywhere moves it) and is dropped when this process renews, creates or deletes the
 * sandbox; rows read before such a change are never kept; a renewal to the same expiry on
 * another replica shows up within 5 s.
 */
export class RecentDetailActivity {
  readonly #entries = new Map<string, Entry>();
  readonly #clock: () => number;
  /** Bumped by every {@link RecentDetailActivity.forget}: rows read before it are not kept. */
  #generation = 0;

  /** @param clock - epoch ms; default `Date.now`. */
  constructor(clock: () => number = Date.now) {
    this.#clock = clock;
  }

  /**
   * Starts the lookup of `sandboxId`'s rows: `read` runs at once (beside the sandbox's load)
   * unless rows younger than 5 s are held; {@link DetailActivityLookup.rowsFor} decides once the
   * sandbox's expiry is known.
   */
  lookup(
    sandboxId: string,
    read: () => Promise<DetailActivityRows>,
  ): DetailActivityLookup {
    const start = () => {
      const readAt = this.#clock();
      const generation = this.#generation;
      return read().then(rows => ({ rows, readAt, generation }));
    };
    const entry = this.#entries.get(sandboxId);
    const started =
      entry && this.#fresh(entry, this.#clock()) ? undefined : start();
    // Not awaited when the load fails: its rejection is handled by rowsFor, or dropped.
    started?.catch(() => undefined);
    return {
      rowsFor: async expiresAt => {
        const held = this.#held(sandboxId, expiresAt);
        if (held) return held;
        const { rows, readAt, generation } = await (started ?? start());
        this.#keep(sandboxId, expiresAt, rows, readAt, generation);
        return rows;
      },
    };
  }

  /** Drops what is held for `sandboxId` (after this process changed its audit history). */
  forget(sandboxId: string): void {
    this.#generation += 1;
    this.#entries.delete(sandboxId);
  }

  /** Whether an entry read at `readAt` is still usable at `now` (not from the future either). */
  #fresh(entry: Entry, now: number): boolean {
    return now >= entry.readAt && now - entry.readAt < REUSE_MS;
  }

  /** The rows read for `sandboxId` while it had `expiresAt`, if younger than 5 s. */
  #held(
    sandboxId: string,
    expiresAt: string | undefined,
  ): DetailActivityRows | undefined {
    const entry = this.#entries.get(sandboxId);
    if (!entry) return undefined;
    if (!this.#fresh(entry, this.#clock())) {
      this.#entries.delete(sandboxId);
      return undefined;
    }
    return entry.expiresAt === (expiresAt ?? null) ? entry.rows : undefined;
  }

  /** Keeps rows read at `readAt`, unless a mutation was forgotten since `generation`. */
  #keep(
    sandboxId: string,
    expiresAt: string | undefined,
    rows: DetailActivityRows,
    readAt: number,
    generation: number,
  ): void {
    if (generation !== this.#generation) return;
    this.#entries.delete(sandboxId);
    this.#entries.set(sandboxId, {
      expiresAt: expiresAt ?? null,
      readAt,
      rows,
    });
    if (this.#entries.size > MAX_ENTRIES) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }
}
