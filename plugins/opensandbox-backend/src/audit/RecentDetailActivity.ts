import type { AuditAction } from '@opensandbox-console/plugin-opensandbox-common';
import type { AuditEventRecord } from './records';

/** How long the audit rows of a sandbox's detail are reused: 5 s. */
const REUSE_MS = 5_000;
/** Most sandboxes remembered at once (oldest dropped first). */
const MAX_ENTRIES = 10_000;

interface Entry {
  /** The sandbox's `expiresAt` (ISO 8601 UTC) when the rows were read; null without one. */
  expiresAt: string | null;
  /** Epoch ms (UTC) of the read. */
  readAt: number;
  rows: Map<AuditAction, AuditEventRecord>;
}

/**
 * The last succeeded renewal and creation of recently shown sandboxes (the detail's
 * `lastRenewal` and `creation`), so repeated reads of one sandbox query the audit log at most
 * every 5 s. An entry is used only while the sandbox's `expiresAt` is the one it was read with
 * (a renewal anywhere moves it) and is dropped when this process renews, creates or deletes the
 * sandbox; a renewal to the same expiry on another replica shows up within 5 s.
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

  /** Pass to {@link RecentDetailActivity.set}: taken BEFORE the audit read starts. */
  generation(): number {
    return this.#generation;
  }

  /** Whether an entry read at `readAt` is still usable at `now` (not from the future either). */
  #fresh(entry: Entry, now: number): boolean {
    return now >= entry.readAt && now - entry.readAt < REUSE_MS;
  }

  /** Whether rows of `sandboxId` younger than 5 s are held (whatever their expiry). */
  has(sandboxId: string): boolean {
    const entry = this.#entries.get(sandboxId);
    return !!entry && this.#fresh(entry, this.#clock());
  }

  /** The rows read for `sandboxId` while it had `expiresAt`, if younger than 5 s. */
  get(
    sandboxId: string,
    expiresAt: string | undefined,
  ): Map<AuditAction, AuditEventRecord> | undefined {
    const entry = this.#entries.get(sandboxId);
    if (!entry) return undefined;
    if (!this.#fresh(entry, this.#clock())) {
      this.#entries.delete(sandboxId);
      return undefined;
    }
    return entry.expiresAt === (expiresAt ?? null) ? entry.rows : undefined;
  }

  /**
   * Remembers the rows read for `sandboxId` with `expiresAt`, read at `readAt` (epoch ms), unless
   * a mutation was forgotten since `generation` (then the rows may predate it: not kept).
   */
  set(
    sandboxId: string,
    expiresAt: string | undefined,
    rows: Map<AuditAction, AuditEventRecord>,
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

  /** Drops what is held for `sandboxId` (after this process changed its audit history). */
  forget(sandboxId: string): void {
    this.#generation += 1;
    this.#entries.delete(sandboxId);
  }
}
