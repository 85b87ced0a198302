import type {
  ConsoleSandbox,
  PaginationInfo,
} from '@opensandbox-console/plugin-opensandbox-common';
import type { SandboxInventoryStore } from './SandboxInventoryStore';

/** Most upstream pages one sync reads (200 per page: 200,000 sandboxes). */
export const MAX_SYNC_PAGES = 1000;

/** Default and largest upstream page size of a sync. */
export const SYNC_PAGE_SIZE = 200;

/**
 * Reads one upstream list page (1-based `page`, `pageSize` items, newest first), unfiltered:
 * the console's upstream `GET /v1/sandboxes` with ownership decoded into `ownership`.
 * Throws on any upstream failure.
 */
export type FetchInventoryPage = (
  page: number,
  pageSize: number,
) => Promise<{ items: ConsoleSandbox[]; pagination: PaginationInfo }>;

/** Options of {@link syncServer}. */
export interface SyncServerOptions {
  /** Name of the OpenSandbox server (the inventory's `server` column, ≤ 64 characters). */
  server: string;
  store: Pick<
    SandboxInventoryStore,
    'upsertPage' | 'removeUnseen' | 'recordSync' | 'lastSync'
  >;
  fetchPage: FetchInventoryPage;
  /** Upstream page size, 1..200. Default 200. */
  pageSize?: number;
  /** Current time, epoch ms (UTC). Default `Date.now`. */
  clock?: () => number;
}

/** Result of a successful {@link syncServer}. */
export interface SyncServerResult {
  /** Sandboxes new to the inventory. */
  added: number;
  /** Sandboxes whose body changed. */
  updated: number;
  /** Sandboxes removed because upstream no longer lists them. */
  removed: number;
  /** Distinct sandboxes seen upstream. */
  seen: number;
  /** Upstream list calls made. */
  upstreamCalls: number;
  /** Wall time of the sync, ms. */
  durationMs: number;
  /** Ids added, updated or removed (sorted), for live status. */
  changedIds: string[];
  /**
   * Whether every page reported the same `totalItems`. When not, sandboxes were removed or added
   * upstream during the scan; a removal shifts later offset pages and can hide a sandbox from
   * this scan, so only sandboxes missed by this AND the previous successful sync are removed.
   */
  stable: boolean;
}

/**
 * Thrown by {@link syncServer} when the upstream scan failed (an upstream error: `cause`; or more
 * than {@link MAX_SYNC_PAGES} pages); nothing was removed, the pages read were kept.
 */
export class InventorySyncError extends Error {
  /**
   * @param message - names the server and the failing page.
   * @param partial - what the sync did before failing.
   * @param options - `cause`: the upstream error.
   */
  constructor(
    message: string,
    /** What the failed sync did before failing (upserts are kept). */
    readonly partial: Omit<SyncServerResult, 'removed' | 'stable'>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'InventorySyncError';
  }
}

/**
 * A full sync of one server: reads every upstream page (page size 200 by default, newest first,
 * offset pagination), upserts each page (with `seenAt` = the start of that page's call, so a
 * fresher write by the console is never overwritten), then removes the sandboxes the scan did
 * not see, and records the sync (`recordSync`, `syncedAt` = start of the sync).
 *
 * Upstream can change between pages: duplicates (a sandbox pushed to the next page by a new one)
 * are counted once; sandboxes created after the sync started are never removed; when the page
 * totals changed during the scan (a removal can hide an unchanged sandbox from an offset scan),
 * the removal is deferred to sandboxes also missed by the previous successful sync.
 *
 * The scan stops at `hasNextPage: false` or an empty page (an empty page that claims more pages
 * makes the scan unstable, as above). A scan that fails (an upstream error,
 * or still more pages after {@link MAX_SYNC_PAGES}) removes nothing, records the error and throws.
 *
 * @returns counts, upstream calls, duration (ms) and the changed ids.
 * @throws InventorySyncError when the scan failed (its `cause` is the upstream error); the
 *   store's errors as they are.
 */
export async function syncServer(
  options: SyncServerOptions,
): Promise<SyncServerResult> {
  const { server, store, fetchPage } = options;
  const clock = options.clock ?? Date.now;
  const pageSize = options.pageSize ?? SYNC_PAGE_SIZE;
  if (
    !Number.isInteger(pageSize) ||
    pageSize < 1 ||
    pageSize > SYNC_PAGE_SIZE
  ) {
    throw new TypeError(
      `pageSize must be an integer between 1 and ${SYNC_PAGE_SIZE}`,
    );
  }
  const startedAt = clock();
  const previous = await store.lastSync(server);
  const seen = new Set<string>();
  const added = new Set<string>();
  const updated = new Set<string>();
  let upstreamCalls = 0;
  let firstTotal: number | undefined;
  let stable = true;
  const partial = () => ({
    added: added.size,
    updated: updated.size,
    seen: seen.size,
    upstreamCalls,
    durationMs: clock() - startedAt,
    changedIds: [...new Set([...added, ...updated])].sort(),
  });
  const fail = async (message: string, cause?: unknown): Promise<never> => {
    const result = partial();
    await store.recordSync(server, {
      syncedAt: startedAt,
      durationMs: result.durationMs,
      upstreamCalls,
      sandboxCount: seen.size,
      error: message,
    });
    throw new InventorySyncError(message, result, { cause });
  };

  let complete = false;
  for (let page = 1; page <= MAX_SYNC_PAGES; page++) {
    const pageStartedAt = clock();
    let response: Awaited<ReturnType<FetchInventoryPage>>;
    try {
      upstreamCalls++;
      response = await fetchPage(page, pageSize);
    } catch (error) {
      return fail(
        `Inventory sync of ${server} failed at page ${page}: ${
          error instanceof Error ? error.message : String(error)
        }`,
        error,
      );
    }
    const items = response.items ?? [];
    const total = response.pagination?.totalItems;
    if (firstTotal === undefined) firstTotal = total;
    else if (total !== firstTotal) stable = false;
    if (items.length > 0) {
      const result = await store.upsertPage(server, items, pageStartedAt);
      for (const id of result.added) if (!seen.has(id)) added.add(id);
      for (const id of result.updated) if (!added.has(id)) updated.add(id);
      for (const item of items) seen.add(item.id);
    }
    if (items.length === 0 || !response.pagination?.hasNextPage) {
      // An empty page that claims more pages is an upstream anomaly: do not trust the scan
      // enough to remove what it missed.
      if (items.length === 0 && response.pagination?.hasNextPage)
        stable = false;
      complete = true;
      break;
    }
  }
  if (!complete) {
    return fail(
      `Inventory sync of ${server} stopped after ${MAX_SYNC_PAGES} pages: more sandboxes than it reads`,
    );
  }

  // Stable scan: everything not seen since it started is gone. Unstable scan: only what the
  // previous successful sync missed too (none when there was none).
  const removeBefore = stable ? startedAt : previous?.syncedAt ?? undefined;
  const removed =
    removeBefore === undefined
      ? []
      : await store.removeUnseen(server, removeBefore);
  const result: SyncServerResult = {
    ...partial(),
    removed: removed.length,
    stable,
    changedIds: [...new Set([...added, ...updated, ...removed])].sort(),
  };
  await store.recordSync(server, {
    syncedAt: startedAt,
    durationMs: result.durationMs,
    upstreamCalls,
    sandboxCount: seen.size,
  });
  return result;
}
