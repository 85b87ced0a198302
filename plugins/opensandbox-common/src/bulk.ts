/**
 * Wire types of the bulk actions (`POST /api/opensandbox/bulk/{renew|pause|resume|delete}`),
 * shared by the backend and the frontend. See the backend's `openapi.yaml` and docs/operations.md.
 */

/** The actions a batch can run. @public */
export const BULK_ACTIONS = ['renew', 'pause', 'resume', 'delete'] as const;

/** One of {@link BULK_ACTIONS}. @public */
export type BulkAction = (typeof BULK_ACTIONS)[number];

/** One sandbox named explicitly: its id and server (default: the console's first server). @public */
export interface BulkItemRef {
  id: string;
  server?: string;
}

/**
 * A list filter selecting the batch, resolved on the server from the console's inventory under
 * the caller's permission conditions (the same as `GET /sandboxes`): a caller's filter never
 * selects a sandbox it may not read. Ref lists are OR'ed within, every filter AND'ed.
 * @public
 */
export interface BulkFilter {
  /** States, e.g. `Running` (OR'ed). */
  state?: string | string[];
  /** Exact-match labels (AND'ed). */
  metadata?: Record<string, string>;
  /** Creators as `user:` refs. Not together with `mine`. */
  owner?: string | string[];
  /** Owning teams as `group:` refs. */
  team?: string | string[];
  /** Catalog entities the sandboxes were created for. */
  entity?: string | string[];
  /** Name or id substring (case-insensitive). */
  search?: string;
  /** Only sandboxes expiring within this many seconds from now. */
  expiringWithinSeconds?: number;
  /** Only this OpenSandbox server's sandboxes. */
  server?: string;
  /** Only the caller's own sandboxes (owner = the signed-in user; users only). */
  mine?: boolean;
}

/**
 * Body of a bulk request: exactly one of `items` and `filter`.
 * @public
 */
export interface BulkRequest {
  items?: BulkItemRef[];
  filter?: BulkFilter;
  /** Default true: only say what would happen. */
  dryRun?: boolean;
  /** Renew: the new absolute expiry for every sandbox (RFC 3339 with a zone). */
  expiresAt?: string;
  /** Renew: extend each sandbox by this many seconds from ITS current expiry. */
  extendSeconds?: number;
  /** Renew with `expiresAt`: allow an expiry earlier than a sandbox's current one. */
  allowShorten?: boolean;
  /**
   * Delete execution (`dryRun: false`): the `confirmationToken` of the dry run of the same
   * selection by the same caller (409 when the selection changed or the token expired).
   */
  confirmationToken?: string;
}

/** A dry run's verdict for one sandbox. @public */
export type BulkCheckOutcome =
  | 'would-succeed'
  | 'denied'
  | 'not-applicable'
  | 'not-found'
  | 'error';

/** An execution's outcome for one sandbox. @public */
export type BulkRunOutcome = 'succeeded' | 'failed' | 'denied' | 'skipped';

/** A few fields of the sandbox as OpenSandbox reported it, for display. @public */
export interface BulkSandboxSummary {
  name?: string;
  state?: string;
  expiresAt?: string;
  team?: string;
  owner?: string;
}

/** One sandbox of a dry run. @public */
export interface BulkCheckItem {
  id: string;
  server: string;
  outcome: BulkCheckOutcome;
  /** Why, for anything but `would-succeed`. */
  reason?: string;
  /** Renew: the expiry the sandbox would get. */
  expiresAt?: string;
  sandbox?: BulkSandboxSummary;
  /** `error`: the request id of the failed read. */
  requestId?: string;
}

/** One sandbox of an execution. @public */
export interface BulkRunItem {
  id: string;
  server: string;
  outcome: BulkRunOutcome;
  /**
   * `skipped`: `not-applicable` (the state cannot take the action), `not-found` (gone, or not
   * readable by the caller), `cancelled` (the caller left before the item started).
   */
  skipReason?: 'not-applicable' | 'not-found' | 'cancelled';
  /** Why, for anything but `succeeded`. */
  reason?: string;
  /** The request id of this item's operation (its audit row; sent upstream as X-Request-ID). */
  requestId?: string;
  /** `failed`: the console error (name, HTTP status, message; never upstream's own text). */
  error?: {
    name: string;
    statusCode: number;
    message: string;
    upstreamCode?: string;
  };
  /** Renew: the expiry OpenSandbox answered. */
  expiresAt?: string;
}

/** Answer of a dry run. @public */
export interface BulkCheckResponse {
  action: BulkAction;
  dryRun: true;
  /** Sandboxes selected. */
  total: number;
  counts: Record<BulkCheckOutcome, number>;
  items: BulkCheckItem[];
  /**
   * Binds this exact selection (sorted server/id list), the action and the caller; required to
   * execute a delete. Valid until `confirmationExpiresAt`.
   */
  confirmationToken: string;
  confirmationExpiresAt: string;
}

/** Answer of an execution. @public */
export interface BulkRunResponse {
  action: BulkAction;
  dryRun: false;
  /** On every audit row of the batch (`GET /audit-events?batchId=`). */
  batchId: string;
  total: number;
  counts: Record<BulkRunOutcome, number>;
  items: BulkRunItem[];
}

/** Answer of `POST /bulk/{action}`. @public */
export type BulkResponse = BulkCheckResponse | BulkRunResponse;
