import { createApiRef } from '@backstage/core-plugin-api';
import type {
  ConsoleListSandboxesResponse,
  ConsoleSandbox,
  CreateSandboxRequest,
  Endpoint,
  RenewSandboxExpirationResponse,
} from '@opensandbox-console/plugin-opensandbox-common';

/**
 * Query of {@link OpenSandboxApi.listSandboxes}. Every filter is optional; filters are AND'ed.
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
}

/**
 * Body of {@link OpenSandboxApi.createSandbox}: the upstream `CreateSandboxRequest`, where
 * `secureAccess` is optional (the upstream default is false), plus the console-only `team`.
 * @public
 */
export type ConsoleCreateSandboxRequest = Omit<CreateSandboxRequest, 'secureAccess'> & {
  secureAccess?: boolean;
  /** Owning group as a full entity ref, e.g. `group:default/team-a`. */
  team?: string;
};

/**
 * Options of {@link OpenSandboxApi.getEndpoint}.
 * @public
 */
export interface GetEndpointOptions {
  /** Ask for an endpoint routed through the OpenSandbox server proxy instead of a direct one. */
  useServerProxy?: boolean;
}

/**
 * Client of the OpenSandbox console backend (`/api/opensandbox`). Every method rejects with a
 * `ResponseError` (from `@backstage/errors`) on a non-2xx answer; its `statusCode` is 400 for
 * invalid input, 403 when not allowed, 404 for unknown sandboxes, 409 when the sandbox state does
 * not allow the action, and 502/504 for upstream problems.
 * @public
 */
export interface OpenSandboxApi {
  /** `GET /sandboxes`: one page of sandboxes, newest first. */
  listSandboxes(query?: ListSandboxesQuery): Promise<ConsoleListSandboxesResponse>;
  /** `GET /sandboxes/:id`: one sandbox with its decoded ownership. */
  getSandbox(id: string): Promise<ConsoleSandbox>;
  /**
   * `POST /sandboxes`: creates a sandbox. Resolves once the server answers 202, which the real
   * upstream does only when the sandbox runs (this can take tens of seconds to minutes).
   */
  createSandbox(request: ConsoleCreateSandboxRequest): Promise<ConsoleSandbox>;
  /** `DELETE /sandboxes/:id`: terminates and removes the sandbox (204). */
  deleteSandbox(id: string): Promise<void>;
  /**
   * `POST /sandboxes/:id/renew-expiration`: sets the new absolute expiry.
   * @param expiresAt - RFC 3339 date-time with a time zone, in the future.
   * @returns the normalised UTC `expiresAt`.
   */
  renewExpiration(id: string, expiresAt: string): Promise<RenewSandboxExpirationResponse>;
  /** `POST /sandboxes/:id/pause` (202). */
  pauseSandbox(id: string): Promise<void>;
  /** `POST /sandboxes/:id/resume` (202). */
  resumeSandbox(id: string): Promise<void>;
  /**
   * `GET /sandboxes/:id/endpoints/:port`: how to reach a port of the sandbox.
   * @returns `endpoint` as `host[:port]/path` WITHOUT a scheme, and any `headers` every request
   *   to it must carry.
   */
  getEndpoint(id: string, port: number, options?: GetEndpointOptions): Promise<Endpoint>;
}

/**
 * API reference of {@link OpenSandboxApi}.
 * @public
 */
export const opensandboxApiRef = createApiRef<OpenSandboxApi>({
  id: 'plugin.opensandbox.api',
});
