import {
  coreServices,
  createServiceFactory,
  createServiceRef,
  type BackstageCredentials,
} from '@backstage/backend-plugin-api';
import type {
  ConsoleListSandboxesResponse,
  ConsoleSandbox,
  Endpoint,
  RenewSandboxExpirationResponse,
  SandboxCreation,
  SandboxPreset,
} from '@opensandbox-console/plugin-opensandbox-common';
import type { ListSandboxesQuery } from '../lifecycle/OpenSandboxLifecycleClient';
// eslint-disable-next-line import/no-cycle
import { HttpSandboxOperations } from './HttpSandboxOperations';

/**
 * Who is calling and how, for one operation. Every entry point (HTTP routes, bulk batches,
 * scaffolder and agent actions) passes the caller's own credentials: the operation is decided,
 * validated and audited as that caller.
 * @public
 */
export interface SandboxOperationContext {
  /** The caller's Backstage credentials (user or service principal). */
  credentials: BackstageCredentials;
  /** Sent upstream as `X-Request-ID` and recorded in the audit row; generated when absent. */
  requestId?: string;
  /** Recorded in the audit row. */
  clientIp?: string;
  /** Recorded in the audit row. */
  userAgent?: string;
  /** Groups the audit rows of one bulk operation. */
  batchId?: string;
  /**
   * The OpenSandbox server of the sandbox (a name from `opensandbox.servers`); default the first
   * configured server. Lists span every server unless `server` is given.
   */
  server?: string;
  /**
   * The channel recorded in the audit row: `http` (default), `bulk`, `mcp` (an agent through the
   * actions registry), `scaffolder` (a software template).
   */
  channel?: 'http' | 'bulk' | 'mcp' | 'scaffolder';
}

/** Lifecycle actions a dry run can check ({@link SandboxOperations.check}). @public */
export type SandboxCheckAction = 'renew' | 'pause' | 'resume' | 'delete';

/**
 * What an action would do to one sandbox, decided without side effects (no audit row, no upstream
 * mutation): `would-succeed`; `denied` (the permission framework refuses; `reason` says why);
 * `not-applicable` (the sandbox's state cannot take the action, e.g. pause of a Paused sandbox,
 * renew of a sandbox without expiration); `not-found` (missing, or not readable by the caller).
 * @public
 */
export interface SandboxCheckResult {
  sandboxId: string;
  server?: string;
  outcome: 'would-succeed' | 'denied' | 'not-applicable' | 'not-found';
  /** Human-readable reason for anything but `would-succeed`. */
  reason?: string;
  /** The sandbox as OpenSandbox reports it now (absent for `not-found`). */
  sandbox?: ConsoleSandbox;
}

/** Plain-text diagnostics a sandbox may offer (deprecated upstream plain-text routes). @public */
export type SandboxDiagnosticsKind = 'logs' | 'events' | 'inspect' | 'summary';

/** Diagnostics of one sandbox. @public */
export interface SandboxDiagnostics {
  kind: SandboxDiagnosticsKind;
  /** True when the OpenSandbox server offers this diagnostic; false: `text` is empty and `reason` says why. */
  available: boolean;
  /** The diagnostic text (may be long; display-oriented). */
  text: string;
  reason?: string;
}

/**
 * The console's own list filters by entity refs (each list OR'ed, the lists AND'ed with each
 * other, with `query` and with the caller's permission conditions). Refs are compared in lower case.
 * @public
 */
export interface SandboxListScope {
  owner?: string[];
  team?: string[];
  entity?: string[];
}

/**
 * The last renewal the console recorded for a sandbox, and whether OpenSandbox still reports it.
 * @public
 */
export interface SandboxLastRenewal {
  /** The expiry OpenSandbox answered to that renewal (RFC 3339, UTC). */
  expiresAt: string;
  /** When the renewal was made (RFC 3339, UTC). */
  renewedAt: string;
  /** Who renewed (user entity ref or service subject). */
  actor: string;
  /**
   * True when OpenSandbox's current `expiresAt` differs from `expiresAt` — e.g. the server
   * restarted and lost the renewal (the Docker runtime keeps renewals in memory only).
   */
  drift: boolean;
}

/**
 * A list query: upstream's filters (`state` OR'ed, `metadata` exact AND'ed, 1-based `page`,
 * `pageSize` 1-200) plus what the console's inventory adds.
 * @public
 */
export interface SandboxListQuery extends ListSandboxesQuery {
  /** Case-insensitive substring of the sandbox's name (`metadata.name`) or id. */
  search?: string;
  /** Sort key; default `createdAt`. */
  sort?: 'createdAt' | 'expiresAt' | 'name' | 'state';
  /** Default `desc` for `createdAt`, `asc` otherwise. */
  order?: 'asc' | 'desc';
  /** Only sandboxes expiring within this many seconds from now (already expired included). */
  expiringWithinSeconds?: number;
}

/**
 * A sandbox as the detail route answers it: with its last renewal and, for sandboxes created
 * through the console, how it was created (see `SandboxCreation`: env names only, never values).
 * @public
 */
export type SandboxDetail = ConsoleSandbox & {
  lastRenewal?: SandboxLastRenewal;
  creation?: SandboxCreation;
};

/** Result of {@link SandboxOperations.create}. @public */
export interface CreateSandboxResult {
  sandbox: ConsoleSandbox;
  /** True when an earlier attempt with the same idempotency key made this sandbox (answered 200, not 202). */
  replayed: boolean;
}

/** Settings a browser needs to validate forms like the server does. @public */
export interface ConsoleSettings {
  /** `opensandbox.maxTimeoutSeconds`: the lifetime cap in seconds, or null when sandboxes may live forever. */
  maxTimeoutSeconds: number | null;
  /** Upstream's minimum `timeout`, seconds (60). */
  minTimeoutSeconds: number;
  /** Largest JSON request body the console accepts, in bytes. */
  requestBodyLimitBytes: number;
  /** The OpenSandbox servers of the console (names; the first is the default). */
  servers: string[];
  /**
   * The window of "expiring soon" (list highlight and filter), seconds: the first (largest) lead
   * time of `opensandbox.expiryWarnings.leadTimesMinutes`. Absent from older backends.
   */
  expiringSoonSeconds?: number;
  /**
   * Create presets (`opensandbox.presets`) the create form offers as choices; empty when none are
   * configured. Absent from older backends.
   */
  presets?: SandboxPreset[];
}

/**
 * The console's sandbox operations: one method per action, each running validate → decide (one
 * permission decision) → audit `initiated` → upstream → audit outcome. Bodies are `unknown`
 * because every entry point's input is validated here (bad input: `InputError` naming the field,
 * before any upstream call).
 *
 * Errors are Backstage errors: `InputError` (400), `NotAllowedError` (403, also for a permission
 * policy that cannot be evaluated), `NotFoundError` (404, also for sandboxes the caller may not
 * read), `ConflictError` (409, e.g. pause of a sandbox that is not Running), 429/502/503/504 for
 * upstream failures (with `requestId`, never upstream's internals).
 * @public
 */
export interface SandboxOperations {
  /** One page of sandboxes the caller may read, from the console's inventory (every server unless `ctx.server`). */
  list(
    query: SandboxListQuery,
    scope: SandboxListScope,
    ctx: SandboxOperationContext,
  ): Promise<ConsoleListSandboxesResponse>;
  /** One sandbox (read from upstream), with the last recorded renewal. */
  get(sandboxId: string, ctx: SandboxOperationContext): Promise<SandboxDetail>;
  /**
   * Creates a sandbox owned by the caller (and `body.team`, default the caller's first team).
   * @param idempotencyKey - a retry with the same key (same caller) answers the sandbox the first
   *   attempt made instead of creating another.
   */
  create(
    body: unknown,
    ctx: SandboxOperationContext & { idempotencyKey?: string },
  ): Promise<CreateSandboxResult>;
  /** Sets a new absolute expiry (`{ expiresAt, allowShorten? }`); refuses shortening unless `allowShorten`. */
  renew(
    sandboxId: string,
    body: unknown,
    ctx: SandboxOperationContext,
  ): Promise<RenewSandboxExpirationResponse>;
  /** Pauses a Running sandbox (409 otherwise). */
  pause(sandboxId: string, ctx: SandboxOperationContext): Promise<void>;
  /** Resumes a Paused sandbox (409 otherwise). */
  resume(sandboxId: string, ctx: SandboxOperationContext): Promise<void>;
  /** Deletes a sandbox. */
  delete(sandboxId: string, ctx: SandboxOperationContext): Promise<void>;
  /** The access endpoint of `port` (1-65535). */
  getEndpoint(
    sandboxId: string,
    port: number,
    query: { useServerProxy?: boolean },
    ctx: SandboxOperationContext,
  ): Promise<Endpoint>;
  /** Applies a JSON merge patch to the user metadata (null deletes a key). */
  patchMetadata(
    sandboxId: string,
    patch: unknown,
    ctx: SandboxOperationContext,
  ): Promise<ConsoleSandbox>;
  /** The settings forms need (lifetime cap, limits). */
  settings(): ConsoleSettings;
  /**
   * Plain-text diagnostics (`logs`, `events`, `inspect`, `summary`) for callers allowed to read the
   * sandbox; `available: false` when the OpenSandbox server does not offer them (404/501).
   */
  diagnostics(
    sandboxId: string,
    kind: SandboxDiagnosticsKind,
    ctx: SandboxOperationContext,
  ): Promise<SandboxDiagnostics>;
}

/**
 * The sandbox operations for other backend plugins and modules (scaffolder actions, actions
 * registry modules): they never touch the lifecycle client; every call runs the console's
 * operation pipeline — the same validation, permission decision and audit as the browser's — as
 * the caller whose credentials it passes.
 *
 * The default implementation ({@link HttpSandboxOperations}) calls the console's HTTP API with a
 * plugin-to-plugin token issued on behalf of the caller. Caveat: for a service caller, Backstage
 * issues that token as the calling plugin (e.g. `plugin:scaffolder`), which is then the actor the
 * console decides and audits.
 * @public
 */
export const opensandboxOperationsServiceRef =
  createServiceRef<SandboxOperations>({
    id: 'opensandbox.operations',
    scope: 'plugin',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: { discovery: coreServices.discovery, auth: coreServices.auth },
        factory: async ({ discovery, auth }) =>
          new HttpSandboxOperations({ discovery, auth }),
      }),
  });
