import { createApiRef } from '@backstage/core-plugin-api';
import type {
  ConsoleListSandboxesResponse,
  ConsoleSandbox,
  CreateSandboxRequest,
  Endpoint,
  RenewSandboxExpirationResponse,
  SandboxChangesResponse,
  SandboxCreation,
  SandboxPreset,
} from '@opensandbox-console/plugin-opensandbox-common';

export type { SandboxPreset } from '@opensandbox-console/plugin-opensandbox-common';
export type {
  SandboxChangeRef,
  SandboxChangesResponse,
} from '@opensandbox-console/plugin-opensandbox-common';

/**
 * Query of {@link OpenSandboxApi.listSandboxes}. Every filter is optional; filters are AND'ed,
 * values within one ref filter (`owner`, `team`, `entity`) are OR'ed.
 * @public
 */
export interface ListSandboxesQuery {
  /** Lifecycle states to include (OR'ed, case-insensitive on the server), e.g. `['Running', 'Paused']`. */
  states?: string[];
  /** Exact-match metadata labels, e.g. `{ project: 'demo', 'backstage.io/team': 'team-a' }`. */
  metadata?: Record<string, string>;
  /** 1-based page number. Server default 1. */
  page?: number;
  /** Items per page, 1 to 200. Server default 20. */
  pageSize?: number;
  /**
   * Creators as `user:` entity refs, e.g. `['user:default/jane.doe']` (OR'ed; at most 20). Send
   * them lower-case: the server compares with the lower-case ownership labels.
   */
  owner?: string[];
  /** Owning teams as `group:` entity refs, e.g. `['group:default/team-a']` (OR'ed; at most 20). */
  team?: string[];
  /**
   * Catalog entities the sandboxes were created for, any kind, e.g.
   * `['component:default/payments-api']` (OR'ed; at most 20; lower-case).
   */
  entity?: string[];
  /**
   * Case-insensitive substring of the sandbox's name (`metadata.name`) or id, at most
   * {@link MAX_SEARCH_LENGTH} characters. Blank values are not sent.
   */
  search?: string;
  /** Sort key. Server default `createdAt`. */
  sort?: SandboxSortKey;
  /**
   * Sort direction. Server default `desc` for `createdAt`, `asc` for the other keys; sandboxes
   * without a value (no name, no expiry) come last either way.
   */
  order?: SortOrder;
  /**
   * Only sandboxes expiring within this many seconds from now (already expired ones included;
   * sandboxes without expiry never), a whole number >= 0, e.g. `3600` for "Expiring soon".
   */
  expiringWithinSeconds?: number;
  /** Only the sandboxes of this OpenSandbox server (a name of {@link ConsoleSettings.servers}). */
  server?: string;
}

/** Sort keys of {@link ListSandboxesQuery.sort}. @public */
export type SandboxSortKey = 'createdAt' | 'expiresAt' | 'name' | 'state';

/** Sort directions of {@link ListSandboxesQuery.order}. @public */
export type SortOrder = 'asc' | 'desc';

/** The longest `search` the server accepts (characters). @public */
export const MAX_SEARCH_LENGTH = 100;

/**
 * Where a sandbox lives, for the calls about one sandbox. Without `server` the client calls the
 * default server's routes (`/sandboxes/:id/...`); with it, `/servers/:server/sandboxes/:id/...`.
 * @public
 */
export interface SandboxServerOptions {
  /** The OpenSandbox server of the sandbox (its `server` field), e.g. `default` or `eu-west`. */
  server?: string;
}

/**
 * Body of {@link OpenSandboxApi.createSandbox}: the upstream `CreateSandboxRequest`, where
 * `secureAccess` is optional (the upstream default is false), plus the console-only `team`.
 * @public
 */
export type ConsoleCreateSandboxRequest = Omit<
  CreateSandboxRequest,
  'secureAccess'
> & {
  secureAccess?: boolean;
  /** Owning group as a full entity ref, e.g. `group:default/team-a`. */
  team?: string;
  /**
   * Catalog entity the sandbox is created for, any kind, e.g. `component:default/payments-api`.
   * The backend stamps it as `backstage.io/entity*` labels (see `sandbox.ownership.entity`).
   */
  entityRef?: string;
  /**
   * The OpenSandbox server to create the sandbox on (a name of {@link ConsoleSettings.servers}).
   * Leave it out to let the backend pick: the first server that serves the owning team.
   */
  server?: string;
};

/**
 * What the console backend tells browsers so forms can validate like the server
 * (`GET /api/opensandbox/settings`).
 * @public
 */
export interface ConsoleSettings {
  /**
   * The lifetime cap in seconds (`opensandbox.maxTimeoutSeconds` of the backend), or null when
   * sandboxes may live forever. With a cap, every create needs a `timeout` of at most the cap and
   * a renewal may set the expiry at most that far from now.
   */
  maxTimeoutSeconds: number | null;
  /** The smallest `timeout` the server accepts, in seconds (60). */
  minTimeoutSeconds: number;
  /** The largest JSON request body the console accepts, in bytes. */
  requestBodyLimitBytes: number;
  /**
   * The OpenSandbox servers of the console by name; the first is the default (the one the
   * `/sandboxes/:id` routes use). One entry (`default`) in the single-server setup. Older
   * backends leave it out, which means one server.
   */
  servers?: string[];
  /**
   * Create presets (`opensandbox.presets` of the backend): the choices at the top of the create
   * form, in config order. Empty or absent (older backends) when none are configured.
   */
  presets?: SandboxPreset[];
  /**
   * The "expiring soon" window in seconds (list highlight and filter): the first lead time of
   * the backend's expiry warnings (`opensandbox.expiryWarnings.leadTimesMinutes`). Older backends
   * leave it out (the pages then use one hour).
   */
  expiringSoonSeconds?: number;
}

/**
 * Kinds of plain-text diagnostics ({@link OpenSandboxApi.getDiagnostics}): the sandbox's
 * container output (`logs`), its runtime events (`events`), the runtime's view of the container
 * (`inspect`) and all three together (`summary`).
 * @public
 */
export type SandboxDiagnosticsKind = 'logs' | 'events' | 'inspect' | 'summary';

/**
 * Diagnostics of one sandbox (`GET /sandboxes/:id/diagnostics/:kind`).
 * @public
 */
export interface SandboxDiagnostics {
  kind: SandboxDiagnosticsKind;
  /** False when the OpenSandbox server does not offer this diagnostic (`text` is then empty). */
  available: boolean;
  /** Display-oriented text, possibly long; do not parse it. */
  text: string;
  /** Why the diagnostic is not available. */
  reason?: string;
}

/**
 * The quota and caps that apply to one team, with its usage (`GET /api/opensandbox/quotas`). Every
 * limit is null when not limited. See docs/governance.md.
 * @public
 */
export interface TeamQuota {
  /** The team (lower-case group ref). */
  team: string;
  limits: {
    /** Concurrent non-terminated sandboxes of the team. */
    maxSandboxes: number | null;
    /** Largest `timeout` at create, seconds. */
    maxTimeoutSeconds: number | null;
    /** Farthest a renewal may reach, seconds from now. */
    maxRenewSeconds: number | null;
    /** Image prefixes a sandbox's image must start with (normalised, e.g. `docker.io/library/`). */
    allowedImageRegistries: string[] | null;
    /** Largest `resourceLimits.cpu` per sandbox (Kubernetes quantity). */
    maxCpu: string | null;
    /** Largest `resourceLimits.memory` per sandbox (Kubernetes quantity). */
    maxMemory: string | null;
  };
  /** Sandboxes of the team now: in the inventory, and creates in flight. */
  usage: { sandboxes: number; reserved: number };
  /** Sandboxes the team may still create; null when `maxSandboxes` is not limited. */
  remaining: number | null;
  /** The caller is exempt from quotas (it may administer the console). */
  exempt: boolean;
}

/**
 * The last renewal the console recorded for a sandbox (`lastRenewal` of `GET /sandboxes/:id`).
 * @public
 */
export interface SandboxLastRenewal {
  /** The expiry OpenSandbox answered to that renewal (RFC 3339, UTC). */
  expiresAt: string;
  /** When the renewal was made (RFC 3339, UTC). */
  renewedAt: string;
  /** Who renewed: a user entity ref or a service subject. */
  actor: string;
  /**
   * True when OpenSandbox's current `expiresAt` differs from `expiresAt`, e.g. because the
   * OpenSandbox server restarted and lost the renewal.
   */
  drift: boolean;
}

/**
 * A sandbox as `GET /sandboxes/:id` answers it: a {@link ConsoleSandbox} plus, when the console
 * audited a successful renewal of it, `lastRenewal`.
 * @public
 */
export type SandboxDetails = ConsoleSandbox & {
  lastRenewal?: SandboxLastRenewal;
  /** How it was created through the console (env variable names only, never values); absent for others. */
  creation?: SandboxCreation;
};

/**
 * Options of {@link OpenSandboxApi.createSandbox}.
 * @public
 */
export interface CreateSandboxOptions {
  /**
   * Sent as the `Idempotency-Key` header: a retry with the same key (same caller) answers the
   * sandbox the first attempt made (200) instead of creating another (202).
   */
  idempotencyKey?: string;
}

/**
 * Options of {@link OpenSandboxApi.renewExpiration}.
 * @public
 */
export interface RenewExpirationOptions extends SandboxServerOptions {
  /**
   * Allow an `expiresAt` earlier than the current expiry (the server refuses it with 400
   * otherwise). Sent as `allowShorten: true` only when true.
   */
  allowShorten?: boolean;
}

/**
 * Options of {@link OpenSandboxApi.getEndpoint}.
 * @public
 */
export interface GetEndpointOptions extends SandboxServerOptions {
  /** Ask for an endpoint routed through the OpenSandbox server proxy instead of a direct one. */
  useServerProxy?: boolean;
}

export {
  AUDIT_ACTIONS,
  AUDIT_OUTCOMES,
} from '@opensandbox-console/plugin-opensandbox-common';
export type {
  AuditAction,
  AuditEvent,
  AuditOutcome,
  BulkAction,
  BulkCheckItem,
  BulkCheckResponse,
  BulkFilter,
  BulkRequest,
  BulkResponse,
  BulkRunItem,
  BulkRunResponse,
} from '@opensandbox-console/plugin-opensandbox-common';
import type {
  AuditAction,
  AuditEvent,
  AuditOutcome,
  BulkAction,
  BulkRequest,
  BulkResponse,
} from '@opensandbox-console/plugin-opensandbox-common';

/**
 * Filter of {@link OpenSandboxApi.listAuditEvents} and {@link OpenSandboxApi.exportAuditEvents}.
 * Every field is optional; filters are AND'ed. Empty strings count as absent (the client omits
 * them, since the server refuses empty parameters).
 * @public
 */
export interface AuditEventFilter {
  /** Exact actor, e.g. `user:default/alice`. */
  actor?: string;
  action?: AuditAction;
  /** Exact sandbox id. */
  sandboxId?: string;
  /** Exact team entity ref, e.g. `group:default/team-a`. */
  team?: string;
  outcome?: AuditOutcome;
  /** The rows of one bulk operation (`batchId` of a bulk execution): its batch row and its items. */
  batchId?: string;
  /**
   * Inclusive lower bound: ISO 8601 with a zone (`2026-11-29T10:00:00.000Z`), a date
   * (`2026-11-29`, midnight UTC) or epoch milliseconds as a string.
   */
  from?: string;
  /** Exclusive upper bound, same formats as `from`. */
  to?: string;
}

/**
 * Paging of {@link OpenSandboxApi.listAuditEvents}: keyset (cursor) pagination.
 * @public
 */
export interface AuditEventsPageOptions {
  /** Items per page, 1 to 200. Server default 50. */
  limit?: number;
  /** The `nextCursor` of the previous page; absent for the first page. */
  cursor?: string;
}

/**
 * One page of audit events, newest first.
 * @public
 */
export interface AuditEventsPage {
  items: AuditEvent[];
  /** Pass it as `cursor` to get the next page; absent on the last page. */
  nextCursor?: string;
}

/** Download formats of {@link OpenSandboxApi.exportAuditEvents}. @public */
export type AuditExportFormat = 'csv' | 'ndjson';

/**
 * Client of the OpenSandbox console backend (`/api/opensandbox`). The methods about one sandbox
 * take an optional {@link SandboxServerOptions}: with `server` they call
 * `/servers/:server/sandboxes/:id/...`, without it the default server's `/sandboxes/:id/...`. Every method rejects with a
 * `ResponseError` (from `@backstage/errors`) on a non-2xx answer; its `statusCode` is 400 for
 * invalid input (`body.error.fields` names the fields), 403 when not allowed, 404 for unknown
 * sandboxes, 409 when the sandbox state does not allow the action, 429 when OpenSandbox is busy
 * (`Retry-After`), and 502/503/504 for upstream problems. `body.error.requestId` (and the
 * `X-Request-ID` header) identify the request in the backend log and the audit log; mutations
 * send their own `X-Request-ID` (a UUID the backend adopts), also set as `requestId` on the error.
 * @public
 */
export interface OpenSandboxApi {
  /**
   * `GET /teams`: the group refs the caller may pick as a sandbox's owning team (its groups minus
   * the groups that only grant roles); the first is the server's default.
   */
  listTeams(): Promise<string[]>;
  /**
   * `GET /sandboxes`: one page of sandboxes from the console's inventory, newest first unless
   * `query.sort` says otherwise; `syncedAt` of the answer tells how fresh the inventory is.
   */
  listSandboxes(
    query?: ListSandboxesQuery,
  ): Promise<ConsoleListSandboxesResponse>;
  /**
   * `GET /settings`: the lifetime cap and limits the server validates with. Fetched once per
   * client and cached (a failed load is not cached, so the next call tries again).
   */
  getSettings(): Promise<ConsoleSettings>;
  /**
   * `GET /quotas?team=`: the quota and caps of one of the caller's teams (default: its first team),
   * with the usage. 403 for a team that is not the caller's (unless it administers the console).
   * Optional: implementations for older backends may leave it out.
   */
  getQuota?(team?: string): Promise<TeamQuota>;
  /**
   * `GET /sandboxes/:id` (or `/servers/:server/sandboxes/:id` with `options.server`): one sandbox
   * with its decoded ownership and last recorded renewal.
   */
  getSandbox(
    id: string,
    options?: SandboxServerOptions,
  ): Promise<SandboxDetails>;
  /**
   * `POST /sandboxes`: creates a sandbox. Resolves once the server answers 202, which the real
   * upstream does only when the sandbox runs (this can take tens of seconds to minutes), or 200
   * when `options.idempotencyKey` repeats an earlier attempt that made the sandbox. A 504 means
   * the outcome is unknown: retry with the same key.
   */
  createSandbox(
    request: ConsoleCreateSandboxRequest,
    options?: CreateSandboxOptions,
  ): Promise<ConsoleSandbox>;
  /** `DELETE /sandboxes/:id`: terminates and removes the sandbox (204). */
  deleteSandbox(id: string, options?: SandboxServerOptions): Promise<void>;
  /**
   * `POST /sandboxes/:id/renew-expiration`: sets the new absolute expiry. An `expiresAt` earlier
   * than the current expiry is refused with 400 unless `options.allowShorten`.
   * @param expiresAt - RFC 3339 date-time with a time zone, in the future.
   * @returns the expiry OpenSandbox set (UTC), which may differ from the one asked for.
   */
  renewExpiration(
    id: string,
    expiresAt: string,
    options?: RenewExpirationOptions,
  ): Promise<RenewSandboxExpirationResponse>;
  /** `POST /sandboxes/:id/pause` (202). */
  pauseSandbox(id: string, options?: SandboxServerOptions): Promise<void>;
  /** `POST /sandboxes/:id/resume` (202). */
  resumeSandbox(id: string, options?: SandboxServerOptions): Promise<void>;
  /**
   * `GET /sandboxes/:id/endpoints/:port`: how to reach a port of the sandbox.
   * @returns `endpoint` as `host[:port]/path` WITHOUT a scheme, and any `headers` every request
   *   to it must carry.
   */
  getEndpoint(
    id: string,
    port: number,
    options?: GetEndpointOptions,
  ): Promise<Endpoint>;
  /**
   * `PATCH /sandboxes/:id/metadata`: a JSON merge patch of the sandbox metadata (`null` deletes a
   * key). Ownership keys (`backstage.io/owner*`, `backstage.io/team*`) and `opensandbox.io/` keys
   * are refused with 400. Needs `opensandbox.sandbox.update` on the sandbox.
   * @returns the updated sandbox.
   */
  updateMetadata(
    id: string,
    patch: Record<string, string | null>,
    options?: SandboxServerOptions,
  ): Promise<ConsoleSandbox>;
  /**
   * `GET /sandboxes/:id/diagnostics/:kind`: the sandbox's plain-text logs, events, inspect output
   * or summary, for callers allowed to read the sandbox (404 otherwise). `available: false` with a
   * `reason` when the OpenSandbox server does not offer them. Optional: older backends have no
   * diagnostics route.
   */
  getDiagnostics?(
    id: string,
    kind: SandboxDiagnosticsKind,
    options?: SandboxServerOptions,
  ): Promise<SandboxDiagnostics>;
  /**
   * `GET /audit-events`: one page of audit events matching `filter`, newest first. Needs the
   * `opensandbox.audit.read` permission (403 otherwise); 400 for invalid filter values, e.g.
   * `from must be earlier than to`.
   * @param filter - exact-match filters, AND'ed; empty values are left out.
   * @param page - `limit` (1-200, server default 50) and `cursor` (the previous page's `nextCursor`).
   */
  listAuditEvents(
    filter?: AuditEventFilter,
    page?: AuditEventsPageOptions,
  ): Promise<AuditEventsPage>;
  /**
   * `GET /sandboxes/:id/history` (`/servers/:server/...` with `options.server`): one page of the
   * sandbox's audit events, newest first, for callers who may read the sandbox (404 otherwise,
   * also after it was deleted when its audit rows do not show it was theirs). `clientIp` and
   * `userAgent` are null unless the caller has `opensandbox.audit.read`.
   * @param options - `limit` (1-200, server default 50), `cursor` and `server`.
   */
  listSandboxHistory(
    id: string,
    options?: AuditEventsPageOptions & SandboxServerOptions,
  ): Promise<AuditEventsPage>;
  /**
   * `GET /audit-events?format=csv|ndjson`: the whole filtered set (no paging) as a file the
   * caller can save. CSV is RFC 4180 with a header row; NDJSON has one {@link AuditEvent} per line.
   * Fetched through `fetchApi`, so the request carries the user's Backstage token.
   */
  exportAuditEvents(
    filter: AuditEventFilter,
    format: AuditExportFormat,
  ): Promise<Blob>;
  /**
   * `POST /bulk/{renew|pause|resume|delete}`: a dry run (the default: `dryRun` absent or true)
   * answers a verdict per sandbox and a `confirmationToken`; an execution (`dryRun: false`; a
   * delete also needs the dry run's `confirmationToken`) runs every sandbox through the same
   * checks and audit as the single actions and answers the outcome per sandbox and the `batchId`
   * of its audit rows. 400 above the server's cap (`opensandbox.bulk.maxItems`), 409 when a
   * delete's selection changed since its dry run. Optional: older backends have no bulk actions.
   */
  runBulk?(action: BulkAction, request: BulkRequest): Promise<BulkResponse>;
  /**
   * `GET /changes[?since=<version>]` (live status): the sandboxes the caller may read that changed
   * or were removed after `since`, and the version to pass next time; without `since`, only the
   * current version. Optional: older backends have no such route (404), the pages then re-list.
   */
  getSandboxChanges?(since?: number): Promise<SandboxChangesResponse>;
}

/**
 * API reference of {@link OpenSandboxApi}.
 * @public
 */
export const opensandboxApiRef = createApiRef<OpenSandboxApi>({
  id: 'plugin.opensandbox.api',
});
