import type {
  PermissionsService,
  PermissionsServiceRequestOptions,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import {
  AuthorizePermissionRequest,
  AuthorizePermissionResponse,
  AuthorizeResult,
  QueryPermissionRequest,
  QueryPermissionResponse,
} from '@backstage/plugin-permission-common';
import { requestCredentials } from './requestCredentials';

/** Config key of the decision cache's lifetime, in seconds. */
export const DECISION_CACHE_SECONDS_KEY =
  'opensandbox.permissionDecisions.cacheSeconds';
/** Default lifetime of a cached decision: 5 seconds. */
export const DEFAULT_DECISION_CACHE_SECONDS = 5;
/** Most a cached decision may live: 60 seconds. */
export const MAX_DECISION_CACHE_SECONDS = 60;
/** Most decisions held at once (oldest dropped first). */
const MAX_ENTRIES = 10_000;

/**
 * Reads `opensandbox.permissionDecisions.cacheSeconds` (0-60, default 5; 0 turns the cache off).
 * @throws Error naming the key when it is not a number in 0..60 (checked at start).
 */
export function readDecisionCacheSeconds(config: Config): number {
  const value =
    config.getOptionalNumber(DECISION_CACHE_SECONDS_KEY) ??
    DEFAULT_DECISION_CACHE_SECONDS;
  if (
    !Number.isFinite(value) ||
    value < 0 ||
    value > MAX_DECISION_CACHE_SECONDS
  ) {
    throw new Error(
      `${DECISION_CACHE_SECONDS_KEY} must be a number of seconds from 0 to ${MAX_DECISION_CACHE_SECONDS}, got ${value}`,
    );
  }
  return value;
}

/**
 * Who a decision was made for, as a cache key; undefined when it must not be cached (no
 * credentials, an anonymous principal). A user's key includes the expiry of the token it came
 * with, so a new token (new ownership claims) is decided afresh.
 */
function principalKey(
  options?: PermissionsServiceRequestOptions,
): string | undefined {
  const { credentials, principal } = requestCredentials(options);
  const expires = credentials?.expiresAt?.getTime() ?? '';
  if (principal?.type === 'user' && principal.userEntityRef) {
    return `user\u0000${principal.userEntityRef}\u0000${
      principal.actor?.subject ?? ''
    }\u0000${expires}`;
  }
  if (principal?.type === 'service' && principal.subject) {
    return `service\u0000${principal.subject}`;
  }
  return undefined;
}

interface Entry<T> {
  decision: T;
  /** Epoch ms (UTC) when the answer was asked for (an entry from the future is not used). */
  askedAt: number;
  /** Epoch ms (UTC) after which the entry is no longer used. */
  expiresAt: number;
}

/** Options of {@link DecisionCache}. */
export interface DecisionCacheOptions {
  /** How long an ALLOW or CONDITIONAL decision is reused, in seconds; 0: never cached. */
  ttlSeconds: number;
  /** Told after every committed role binding change: the cache is dropped at once. */
  signal?: { subscribe(listener: () => void): unknown };
  /** Epoch ms; default `Date.now`. */
  clock?: () => number;
}

/**
 * A `PermissionsService` that reuses the framework's decisions for the same principal and
 * permission for a few seconds (`opensandbox.permissionDecisions.cacheSeconds`, default 5), so a
 * burst of requests by one caller asks the permission backend once instead of once per request
 * (each ask is an HTTP call with a signed plugin token; see docs/benchmarks.md).
 *
 * Only ALLOW and CONDITIONAL decisions of requests WITHOUT a `resourceRef` are cached, keyed by
 * principal (a user's ref, actor and token expiry; a service's subject) and permission name; a
 * DENY is never cached (a granted role applies at once), a failure is never cached (it throws,
 * fail closed, and the next request asks again). A role binding change on this replica drops the
 * cache at once (the role bindings signal); on other replicas a revoked role stops applying after
 * at most this lifetime plus `opensandbox.permissionPolicy.roleBindings.cacheSeconds`.
 */
export class DecisionCache implements PermissionsService {
  readonly #inner: PermissionsService;
  readonly #ttlMs: number;
  readonly #clock: () => number;
  readonly #entries = new Map<string, Entry<unknown>>();
  /**
   * Bumped by every {@link DecisionCache.clear}: an answer asked for before a clear is not stored
   * after it (it may predate the role binding change that caused the clear).
   */
  #generation = 0;

  constructor(inner: PermissionsService, options: DecisionCacheOptions) {
    this.#inner = inner;
    this.#ttlMs = options.ttlSeconds * 1000;
    this.#clock = options.clock ?? Date.now;
    options.signal?.subscribe(() => this.clear());
  }

  /** Drops every cached decision, and any answer still being asked for. */
  clear(): void {
    this.#generation += 1;
    this.#entries.clear();
  }

  authorize(
    requests: AuthorizePermissionRequest[],
    options?: PermissionsServiceRequestOptions,
  ): Promise<AuthorizePermissionResponse[]> {
    return this.#decide(
      'basic',
      requests,
      options,
      request => request.resourceRef === undefined,
      (missing, o) => this.#inner.authorize(missing, o!),
    );
  }

  authorizeConditional(
    requests: QueryPermissionRequest[],
    options?: PermissionsServiceRequestOptions,
  ): Promise<QueryPermissionResponse[]> {
    return this.#decide(
      'conditional',
      requests,
      options,
      () => true,
      (missing, o) => this.#inner.authorizeConditional(missing, o!),
    );
  }

  async #decide<R extends { permission: { name: string } }, D>(
    kind: string,
    requests: R[],
    options: PermissionsServiceRequestOptions | undefined,
    cacheable: (request: R) => boolean,
    ask: (
      missing: R[],
      options: PermissionsServiceRequestOptions | undefined,
    ) => Promise<D[]>,
  ): Promise<D[]> {
    const principal = this.#ttlMs > 0 ? principalKey(options) : undefined;
    if (!principal) return ask(requests, options);
    const now = this.#clock();
    const keys = requests.map(r =>
      cacheable(r)
        ? `${kind}\u0000${principal}\u0000${r.permission.name}`
        : undefined,
    );
    const decisions: Array<D | undefined> = keys.map(key => {
      if (key === undefined) return undefined;
      const entry = this.#entries.get(key);
      if (!entry) return undefined;
      // Expired, or asked for "later" than now (the clock went back): not used.
      if (entry.expiresAt <= now || entry.askedAt > now) {
        this.#entries.delete(key);
        return undefined;
      }
      return entry.decision as D;
    });
    const missing = requests.filter((_, i) => decisions[i] === undefined);
    if (missing.length === 0) return decisions as D[];
    const generation = this.#generation;
    const answered = await ask(missing, options);
    // A role binding changed while the framework was deciding: answer, but do not keep it.
    const keep = generation === this.#generation;
    const expiresAt = now + this.#ttlMs;
    let next = 0;
    return requests.map((_, i) => {
      const cached = decisions[i];
      if (cached !== undefined) return cached;
      const decision = answered[next++];
      const key = keys[i];
      const result = (decision as { result?: AuthorizeResult } | undefined)
        ?.result;
      if (
        keep &&
        key !== undefined &&
        (result === AuthorizeResult.ALLOW ||
          result === AuthorizeResult.CONDITIONAL)
      ) {
        this.#entries.delete(key);
        this.#entries.set(key, { decision, askedAt: now, expiresAt });
        if (this.#entries.size > MAX_ENTRIES) {
          const oldest = this.#entries.keys().next().value;
          if (oldest !== undefined) this.#entries.delete(oldest);
        }
      }
      return decision;
    });
  }
}
