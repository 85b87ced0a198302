/** Shared types of the simulator. Instants are epoch milliseconds (UTC). */

/** A sandbox's status as stored (serialised as `SandboxStatus`). */
export interface StoredStatus {
  state: string;
  reason?: string;
  message?: string;
  /** Epoch ms of the last state change. */
  lastTransitionAt: number;
}

/** Everything the simulator keeps about one sandbox. */
export interface SandboxRecord {
  id: string;
  image?: { uri: string; auth?: { username: string; password: string } };
  snapshotId?: string;
  platform?: { os: string; arch: string };
  entrypoint: string[];
  metadata: Record<string, string>;
  env: Record<string, string | null>;
  resourceLimits: Record<string, string>;
  status: StoredStatus;
  /** Epoch ms; strictly increasing across sandboxes so "newest first" is deterministic. */
  createdAt: number;
  /** Epoch ms, or undefined for manual cleanup (no automatic expiry). */
  expiresAt?: number;
  /** Simulated Docker host port of the in-sandbox proxy (execd, container port 44772). */
  proxyHostPort: number;
  /** Simulated Docker host port mapped to container port 8080. */
  httpHostPort: number;
}

/**
 * A sandbox to preload (from `options.seed` or a `--seed` YAML/JSON file).
 * Only `image` or `snapshotId` is required; everything else has defaults.
 */
export interface SeedSandbox {
  /** UUID; generated when omitted. */
  id?: string;
  /** Image URI, or `{uri}`. */
  image?: string | { uri: string };
  snapshotId?: string;
  /** Default `["tail","-f","/dev/null"]`. */
  entrypoint?: string[];
  /** Default `Running`. Any string is allowed (e.g. `Paused`, `Failed`, `Unknown`). */
  state?: string;
  /** Default derived from the state, Docker style (e.g. `CONTAINER_RUNNING`). */
  reason?: string;
  message?: string;
  metadata?: Record<string, string>;
  platform?: { os: string; arch: string };
  env?: Record<string, string>;
  resourceLimits?: Record<string, string>;
  /** ISO 8601 creation time. Default: start time minus `ageSeconds`. */
  createdAt?: string;
  /** Seconds before the (simulated) start time at which the sandbox was created. Default 0. */
  ageSeconds?: number;
  /** Seconds from `createdAt` until expiry; omitted or null means manual cleanup. */
  timeout?: number | null;
  /** Absolute ISO 8601 expiry; overrides `timeout`. */
  expiresAt?: string;
}

/**
 * A fault injection rule. A matching request (method and path regex) is
 * delayed by `delayMs` and, when `status` is set, answered with `status` and
 * `body` instead of reaching the API. `times` limits how many requests it hits.
 */
export interface FaultRule {
  /** HTTP method, case-insensitive; any when omitted. */
  method?: string;
  /** Regular expression (string) tested against the request path, e.g. `^/v1/sandboxes$`. */
  path?: string;
  /** HTTP status to answer with; when omitted the rule only adds a delay. */
  status?: number;
  /** JSON body; default `{code: "SIMULATOR::INJECTED_FAULT", message: "Injected fault."}`. */
  body?: unknown;
  /** How many matching requests the rule applies to; unlimited when omitted. */
  times?: number;
  /** Delay in milliseconds before answering (or before passing the request on). */
  delayMs?: number;
}

/** One entry of the request log (`GET /_simulator/requests`). */
export interface LoggedRequest {
  /** ISO time (simulated clock) at which the request arrived. */
  at: string;
  method: string;
  path: string;
  /** Query parameters; repeated names give arrays. */
  query: Record<string, string | string[]>;
  /** Lower-case header names; the API key header value is `[REDACTED]`. */
  headers: Record<string, string | string[]>;
  requestId: string;
  /** HTTP status, once the response has been sent. */
  status?: number;
}
