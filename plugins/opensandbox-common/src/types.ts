/**
 * Upstream OpenSandbox lifecycle API types, re-exported under stable names.
 *
 * Source: `sandbox-lifecycle.yml` (OpenSandbox `info.version: 0.1.0`), generated into
 * `./generated/lifecycle.ts` by `yarn generate:types` (openapi-typescript). Types only, so the
 * browser can import them; never edit the generated file by hand.
 *
 * @packageDocumentation
 */
import type { components, paths } from './generated/lifecycle';

/** The generated OpenAPI path map of the upstream lifecycle API. @public */
export type LifecyclePaths = paths;
/** The generated OpenAPI component schemas of the upstream lifecycle API. @public */
export type LifecycleSchemas = components['schemas'];

/** A sandbox as the upstream returns it (`GET /v1/sandboxes/{id}`). Timestamps are RFC 3339 UTC strings. @public */
export type Sandbox = components['schemas']['Sandbox'];
/** Lifecycle status: `state` is an open string (Running, Paused, Pending, Failed, ...). @public */
export type SandboxStatus = components['schemas']['SandboxStatus'];
/** Body of `POST /v1/sandboxes`. `timeout` is in seconds (>= 60) or null for manual cleanup. @public */
export type CreateSandboxRequest =
  components['schemas']['CreateSandboxRequest'];
/** 202 response of `POST /v1/sandboxes`. @public */
export type CreateSandboxResponse =
  components['schemas']['CreateSandboxResponse'];
/** Response of `GET /v1/sandboxes`. @public */
export type ListSandboxesResponse =
  components['schemas']['ListSandboxesResponse'];
/** Offset pagination info of list responses (1-based `page`). @public */
export type PaginationInfo = components['schemas']['PaginationInfo'];
/** Body of `POST /v1/sandboxes/{id}/renew-expiration`: the new absolute `expiresAt` (RFC 3339). @public */
export type RenewSandboxExpirationRequest =
  components['schemas']['RenewSandboxExpirationRequest'];
/** Response of renew-expiration: the normalised UTC `expiresAt`. @public */
export type RenewSandboxExpirationResponse =
  components['schemas']['RenewSandboxExpirationResponse'];
/** Response of `GET /v1/sandboxes/{id}/endpoints/{port}`: `endpoint` has no scheme. @public */
export type Endpoint = components['schemas']['Endpoint'];
/** Upstream error body `{ code, message }`. @public */
export type ErrorResponse = components['schemas']['ErrorResponse'];
/** Image reference with optional registry credentials (write-only). @public */
export type ImageSpec = components['schemas']['ImageSpec'];

/**
 * Ownership of a sandbox as the console reads it from the sandbox's metadata.
 * Both fields are full, lower-case Backstage entity refs (`user:default/jane.doe`,
 * `group:default/team-a`).
 * @public
 */
export interface SandboxOwnership {
  /** The user who created the sandbox through the console. */
  owner?: string;
  /** The group that owns the sandbox. */
  team?: string;
  /** The catalog entity (component, system, ...) the sandbox was created for. */
  entity?: string;
  /**
   * The Backstage service that created the sandbox (its subject, e.g. `plugin:scaffolder`), for
   * sandboxes a service created through the console; such sandboxes have no `owner`.
   */
  service?: string;
}

/**
 * A sandbox as the console backend returns it: the upstream `Sandbox` shape plus the decoded
 * `ownership` (absent for sandboxes created outside the console).
 * @public
 */
export type ConsoleSandbox = Sandbox & {
  ownership?: SandboxOwnership;
  /**
   * The OpenSandbox server the sandbox lives on: a name from `opensandbox.servers`, or `default`
   * for the single-server config. Set by the console backend.
   */
  server?: string;
};

/**
 * How a sandbox was created through the console, read from its create audit event (OpenSandbox's
 * `GET /sandboxes/{id}` returns neither resource limits nor environment variables). Environment
 * variable values are never included, only their names.
 * @public
 */
export interface SandboxCreation {
  /** Who created it: a user entity ref (`user:default/jane`) or a service subject (`plugin:scaffolder`). */
  actor: string;
  /** `user` or `service`. */
  actorType: 'user' | 'service';
  /** The requested resource limits, e.g. `{ cpu: '500m', memory: '512Mi' }`. */
  resourceLimits?: Record<string, string>;
  /** The names of the requested environment variables, sorted; values are never returned. */
  envNames?: string[];
  /** The requested platform constraint, when one was given. */
  platform?: { os: string; arch: string };
}

/**
 * Response of the console's `GET /api/opensandbox/sandboxes`: the upstream list shape with
 * console sandboxes.
 * @public
 */
export interface ConsoleListSandboxesResponse {
  items: ConsoleSandbox[];
  pagination: PaginationInfo;
  /**
   * How fresh the list is: the console answers lists from its sandbox inventory, refreshed by a
   * scheduled sync and by every console mutation; this is the oldest last successful sync of the
   * servers listed (ISO 8601, UTC), or null before the first sync.
   */
  syncedAt?: string | null;
}
