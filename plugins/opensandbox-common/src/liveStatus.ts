/**
 * Live status: the signal the console backend publishes when its sandbox inventory changes, and
 * the answer of `GET /api/opensandbox/changes`. Browser-safe.
 */

/** The Backstage signals channel of inventory changes. @public */
export const SANDBOX_CHANGES_CHANNEL = 'opensandbox:sandboxes';

/**
 * The message on {@link SANDBOX_CHANGES_CHANNEL}, broadcast to every signed-in user. It says only
 * THAT something changed, where and up to which inventory version — never which sandbox (ids are
 * only handed out by `GET /changes`, filtered by the caller's read permission).
 * @public
 */
export interface SandboxChangeSignal {
  /** The inventory version after the change (pass the version you last saw to `GET /changes`). */
  version: number;
  /** The OpenSandbox servers whose sandboxes changed. */
  servers: string[];
  /** How many sandboxes changed (added, updated or removed). */
  count: number;
  /** `console`: a console operation; `sync`: the inventory sync found a change made elsewhere. */
  source: 'console' | 'sync';
}

/** One changed or removed sandbox in {@link SandboxChangesResponse}. @public */
export interface SandboxChangeRef {
  /** OpenSandbox server name. */
  server: string;
  /** Sandbox id. */
  id: string;
  /** Inventory version of the change. */
  version: number;
}

/**
 * `GET /api/opensandbox/changes?since=<version>`: the sandboxes the caller may read that changed
 * (added or updated) or were removed after `since`. Without `since`: only the current `version`
 * (the cursor to start from).
 * @public
 */
export interface SandboxChangesResponse {
  /** Pass this as `since` next time. */
  version: number;
  /** Added or updated sandboxes (the state they are in now is readable by the caller). */
  changed: SandboxChangeRef[];
  /** Removed sandboxes the caller could read before they were removed. */
  removed: SandboxChangeRef[];
  /** More changes are waiting: call again with `version`. */
  hasMore: boolean;
  /**
   * The caller is too far behind (removals already pruned, or `since` is newer than the
   * inventory, e.g. after a database reset): reload everything, then continue from `version`.
   */
  reset: boolean;
}
