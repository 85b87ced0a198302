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
  /**
   * Simulated Docker container id (64 hex characters). It only shows in
   * engine error messages, e.g. `DOCKER::SANDBOX_PAUSE_FAILED`.
   */
  containerId: string;
  image?: { uri: string; auth?: { username: string; password: string } };
  snapshotId?: string;
  platform?: { os: string; arch: string };
  entrypoint: string[];
  metadata: Record<string, string>;
  env: Record<string, string | null>;
  resourceLimits: Record<string, string>;
  /**
   * Status as GET/list report it. On Docker `lastTransitionAt` is the
   * container's creation time (or its exit time) and never moves on
   * pause/resume.
   */
  status: StoredStatus;
  /**
   * Epoch ms at which the create request started (the server's
   * `datetime.now()` before the image pull). The create answer reports it as
   * `createdAt` and `status.lastTransitionAt`; the expiry counts from it.
   * Strictly increasing across sandboxes. Equal to `createdAt` for seeds.
   */
  requestedAt: number;
  /**
   * Epoch ms of the container's creation (`docker inspect .Created`), which GET
   * and list report as `createdAt`: `requestedAt` + the start-up time.
   */
  createdAt: number;
  /** Epoch ms, or undefined for manual cleanup (no automatic expiry). Renewals change it (in memory only). */
  expiresAt?: number;
  /**
   * The expiry written into the container label `opensandbox.io/expires-at`
   * at creation (`requestedAt + timeout`). Docker cannot change labels, so a
   * server restart (`POST /_simulator/restart`) goes back to this value.
   */
  labelExpiresAt?: number;
  /** Simulated Docker host port of the in-sandbox proxy (execd, container port 44772). */
  proxyHostPort: number;
  /** Simulated Docker host port mapped to container port 8080. */
  httpHostPort: number;
  /**
   * Exit code of the container's main process once it has exited (`State.ExitCode`), for
   * Failed/Terminated sandboxes made by a seed or `POST /_simulator/sandboxes/{id}/fail`.
   */
  exitCode?: number;
  /** The kernel's out-of-memory killer stopped the container (`State.OOMKilled`). */
  oomKilled?: boolean;
  /** Epoch ms the container exited (`State.FinishedAt`). */
  finishedAt?: number;
  /**
   * The container's output as `docker logs --timestamps` serves it (plain-text diagnostics),
   * oldest first: epoch ms and one line of text each.
   */
  logs?: LogLine[];
}

/** One line of a sandbox's container output. */
export interface LogLine {
  /** Epoch ms (simulated clock). */
  at: number;
  text: string;
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
  /**
   * The container's exit code, for a sandbox whose entrypoint has exited: without `state`, 0
   * gives `Terminated` and anything else `Failed` (reason `CONTAINER_EXITED_ERROR`, message
   * `Sandbox container exited with code <n>.`), as the Docker runtime reports them.
   */
  exitCode?: number;
  /** The out-of-memory killer stopped it (`OOMKilled: True` in the inspect and events diagnostics). */
  oomKilled?: boolean;
  /**
   * Lines of container output (served by `GET /sandboxes/{id}/diagnostics/logs`), spread evenly
   * from `createdAt` to the exit (or to the simulator's start).
   */
  logs?: string[];
}

/**
 * A fault injection rule. A matching request (method and path regex) is
 * delayed by `delayMs` and, when `status` is set, answered with `status` and
 * `body` (or `rawBody`) instead of reaching the API. Without `status` the
 * request goes on to the API after the delay ("pass-through"). `times` limits
 * how many requests it hits.
 */
export interface FaultRule {
  /** HTTP method, case-insensitive; any when omitted. */
  method?: string;
  /** Regular expression (string) tested against the request path, e.g. `^/v1/sandboxes$`. */
  path?: string;
  /** HTTP status to answer with; when omitted the request passes through to the API. */
  status?: number;
  /**
   * JSON body of the injected answer; default
   * `{code: "SIMULATOR::INJECTED_FAULT", message: "Injected fault."}`.
   * Sent as `application/json` unless `contentType` says otherwise.
   * Not allowed together with `rawBody`.
   */
  body?: unknown;
  /**
   * Raw (non-JSON) body of the injected answer, sent byte for byte, e.g. an
   * nginx HTML error page. Needs `status`. Content type from `contentType`
   * (default `text/plain`).
   */
  rawBody?: string;
  /** `Content-Type` of the injected answer, e.g. `text/html`. */
  contentType?: string;
  /**
   * Extra response headers, e.g. `{"Retry-After": "30"}`. Set on the injected
   * answer, or on the API's own answer for a pass-through rule.
   */
  headers?: Record<string, string | number>;
  /**
   * Cut the connection mid-response: the status line, the headers (with the
   * full `Content-Length`) and the first half of the body are written, then
   * the socket is destroyed. Applies to the injected answer, or, without
   * `status`, to the API's own answer (the operation itself DOES happen, so a
   * create is carried out although the client sees a network error). An empty
   * body (e.g. the 202 of pause) is cut before the headers instead.
   */
  closeConnection?: boolean;
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
  /** HTTP status, once the response headers have been written (also when the connection was cut afterwards). */
  status?: number;
  /**
   * What a fault rule did to this request: `delayed` (delay and/or headers
   * only, then handled by the API), `answered` (injected answer, the API never
   * saw it) or `closed` (`closeConnection`). Absent when no rule matched.
   */
  fault?: 'delayed' | 'answered' | 'closed';
  /**
   * True when the connection closed before the response was completely sent:
   * the client gave up (e.g. its timeout), or a `closeConnection` fault cut it.
   */
  aborted?: boolean;
}
