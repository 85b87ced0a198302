import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type {
  SandboxChangeRef,
  SandboxChangesResponse,
} from '@opensandbox-console/plugin-opensandbox-common';
import type { SandboxInventoryStore } from '../inventory/SandboxInventoryStore';
import type { SandboxDecisions } from '../permissions/SandboxDecisions';

/** Most changes (changed + removed, before filtering) one answer covers. */
export const CHANGES_PAGE_LIMIT = 500;

/** Options of {@link SandboxChanges}. */
export interface SandboxChangesOptions {
  inventory: Pick<SandboxInventoryStore, 'changedSince' | 'currentVersion'>;
  decisions: Pick<SandboxDecisions, 'readDecision' | 'allows'>;
}

/**
 * `GET /changes` (live status): which sandboxes the caller may read changed or were removed after
 * a version of the inventory, under ONE read decision, from the database (zero upstream calls).
 *
 * A changed sandbox is reported when the caller may read it as it is now; a removed one when the
 * caller could read it as it was last stored (the tombstone keeps that body; tombstones without
 * one only for callers whose read decision is ALLOW). A caller whose decision is DENY gets no ids,
 * only the version. Nothing but server, id and version is answered.
 */
export class SandboxChanges {
  readonly #o: SandboxChangesOptions;

  constructor(options: SandboxChangesOptions) {
    this.#o = options;
  }

  /**
   * @param since - the version last seen; undefined for the current version only (a cursor).
   * @throws the 403 of a permission policy that cannot be evaluated (`SandboxDecisions`);
   *   InputError for a negative or non-integer `since` (the store's check).
   */
  async since(
    credentials: BackstageCredentials,
    since: number | undefined,
  ): Promise<SandboxChangesResponse> {
    const decision = await this.#o.decisions.readDecision(credentials);
    const current = await this.#o.inventory.currentVersion();
    const empty = { changed: [], removed: [], hasMore: false };
    if (since === undefined)
      return { version: current, ...empty, reset: false };
    // A cursor from the future (the database was reset or replaced): start over.
    if (since > current) return { version: current, ...empty, reset: true };
    const page = await this.#o.inventory.changedSince(
      since,
      CHANGES_PAGE_LIMIT,
    );
    const readable = (
      sandbox: Parameters<SandboxDecisions['allows']>[1] | undefined,
    ) =>
      sandbox
        ? this.#o.decisions.allows(decision, sandbox)
        : decision.result === AuthorizeResult.ALLOW;
    const ref = (r: SandboxChangeRef): SandboxChangeRef => ({
      server: r.server,
      id: r.id,
      version: r.version,
    });
    return {
      version: page.version,
      changed: page.items
        .filter(item => readable(item.sandbox))
        .map(item =>
          ref({
            server: item.server,
            id: item.sandbox.id,
            version: item.version,
          }),
        ),
      removed: page.removed
        .filter(removal => readable(removal.sandbox))
        .map(ref),
      hasMore: page.hasMore,
      reset: page.reset,
    };
  }
}
