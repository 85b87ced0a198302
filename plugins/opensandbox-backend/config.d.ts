export interface Config {
  /** Configuration of the OpenSandbox Console backend plugin. */
  opensandbox: {
    /**
     * Root URL of the OpenSandbox lifecycle server, without `/v1`, e.g. `http://opensandbox:8080`.
     * Required unless `servers` is given (then ignored).
     * @visibility backend
     */
    baseUrl?: string;
    /**
     * Several OpenSandbox servers, or one API key per tenant of a multi-tenant server (upstream maps
     * each key to one Kubernetes namespace). The first is the default; sandboxes are addressed as
     * `/api/opensandbox/servers/<name>/sandboxes/<id>` and listed together.
     */
    servers?: Array<{
      /** 1-32 lower-case letters, digits and `-`; shown in the UI. @visibility backend */
      name: string;
      /** Root URL without `/v1`. @visibility backend */
      baseUrl: string;
      /** The server's (or tenant's) API key. @visibility secret */
      apiKey?: string;
      /** Defaults to the top-level `requestTimeoutSeconds`. @visibility backend */
      requestTimeoutSeconds?: number;
      /** Defaults to the top-level `createTimeoutSeconds`. @visibility backend */
      createTimeoutSeconds?: number;
      /**
       * This server's connection pool; keys left out come from the top-level `connection`.
       * @visibility backend
       */
      connection?: {
        /**
         * Most connections open to the server at once; further requests wait in the pool's queue.
         * Default 64.
         * @visibility backend
         */
        connections?: number;
        /**
         * How long an idle connection is kept for the next call when the server announces no
         * keep-alive time (uvicorn, the OpenSandbox server, announces none and closes connections
         * idle for its `timeout_keep_alive`, 30 s by default), in seconds. Keep it below the
         * server's. Default 4.
         * @visibility backend
         */
        keepAliveTimeoutSeconds?: number;
        /**
         * Upper bound of a keep-alive time the server announces (`Keep-Alive: timeout=N`), in
         * seconds. Default 600.
         * @visibility backend
         */
        keepAliveMaxTimeoutSeconds?: number;
        /**
         * How much earlier than the server's announced keep-alive time an idle connection is
         * dropped, in milliseconds, so a call never races the server closing it. Default 500.
         * (Node's global client uses 2000: against a server announcing 1 s it opened a new
         * connection for every call.)
         * @visibility backend
         */
        keepAliveMarginMilliseconds?: number;
        /** Timeout of opening a connection, in seconds. Default 10. @visibility backend */
        connectTimeoutSeconds?: number;
      };
      /**
       * Group refs whose sandboxes are created here by default (and only they may create here);
       * absent: open to every team.
       * @visibility backend
       */
      teams?: string[];
    }>;
    /**
     * The OpenSandbox API key (`OPEN-SANDBOX-API-KEY`). Read by the backend only; take it from an
     * environment variable: `apiKey: ${OPENSANDBOX_API_KEY}`.
     * @visibility secret
     */
    apiKey?: string;
    /**
     * Timeout of lifecycle calls other than create, in seconds. Default 30.
     * @visibility backend
     */
    requestTimeoutSeconds?: number;
    /**
     * Timeout of create, in seconds. The server answers only once the sandbox runs (image pull,
     * pod scheduling), so keep it long. Default 180.
     * @visibility backend
     */
    createTimeoutSeconds?: number;
    /**
     * The connection pool of the console's upstream client (one pool per server, owned by the
     * console rather than shared through Node's global client): keep-alive and limits.
     */
    connection?: {
      /**
       * Most connections open to the server at once; further requests wait in the pool's queue.
       * Default 64.
       * @visibility backend
       */
      connections?: number;
      /**
       * How long an idle connection is kept for the next call when the server announces no
       * keep-alive time (uvicorn, the OpenSandbox server, announces none and closes connections
       * idle for its `timeout_keep_alive`, 30 s by default), in seconds. Keep it below the
       * server's. Default 4.
       * @visibility backend
       */
      keepAliveTimeoutSeconds?: number;
      /**
       * Upper bound of a keep-alive time the server announces (`Keep-Alive: timeout=N`), in
       * seconds. Default 600.
       * @visibility backend
       */
      keepAliveMaxTimeoutSeconds?: number;
      /**
       * How much earlier than the server's announced keep-alive time an idle connection is
       * dropped, in milliseconds, so a call never races the server closing it. Default 500.
       * (Node's global client uses 2000: against a server announcing 1 s it opened a new
       * connection for every call.)
       * @visibility backend
       */
      keepAliveMarginMilliseconds?: number;
      /** Timeout of opening a connection, in seconds. Default 10. @visibility backend */
      connectTimeoutSeconds?: number;
    };
    /** Reuse of permission decisions (docs/governance.md, "Decision cache"). */
    permissionDecisions?: {
      /**
       * Seconds (0-60) an ALLOW or CONDITIONAL decision of the permission framework is reused for
       * the same principal (user ref and token, or service subject) and permission; a DENY or a
       * failure is never reused. A role binding change on this replica applies at once; on other
       * replicas within this time plus `permissionPolicy.roleBindings.cacheSeconds`. 0 asks the
       * permission backend on every request. Default 5.
       * @visibility backend
       */
      cacheSeconds?: number;
    };
    /**
     * Largest `timeout` (seconds) a create request may ask for, and the farthest a renewal may
     * reach from now. Unset: no console-side cap. The browser reads it from
     * `GET /api/opensandbox/settings` (the app's config schema does not include backend packages).
     * @visibility backend
     */
    maxTimeoutSeconds?: number;
    /**
     * Create presets: named starting points platform teams offer at the top of the create form
     * (served to browsers by `GET /api/opensandbox/settings`). Choosing one fills the form; every
     * field but `name` is optional, and what a preset leaves out keeps the form's value (an
     * entity's `opensandbox.backstage.io/default-*` annotations, else the form default). Checked at
     * start with the create request's rules and `maxTimeoutSeconds`: a bad preset stops the
     * backend. Served to every signed-in user: never put secrets in `env`.
     */
    presets?: Array<{
      /** Unique id, 1-63 lower-case letters, digits and `-`; `?preset=<name>` preselects it. @visibility backend */
      name: string;
      /** Shown on the choice; default `name`. @visibility backend */
      title?: string;
      /** What the preset is for, one or two sentences. @visibility backend */
      description?: string;
      /** Image URI, e.g. `python:3.12-slim`. @visibility backend */
      image?: string;
      /** Entrypoint as an argument list, e.g. `[python, -m, http.server, '8000']`. @visibility backend */
      entrypoint?: string[];
      /** Resource limits, Kubernetes quantities. */
      resourceLimits?: {
        /** e.g. `500m`, `2`. @visibility backend */
        cpu?: string;
        /** e.g. `512Mi`, `2Gi`. @visibility backend */
        memory?: string;
      };
      /** Timeout in seconds (>= 60, at most `maxTimeoutSeconds`). @visibility backend */
      timeoutSeconds?: number;
      /** Metadata labels added to the form's (the preset wins on the same key). @visibility backend */
      metadata?: { [key: string]: string };
      /** Environment variables added to the form's. No secrets: browsers see them. @visibility backend */
      env?: { [name: string]: string };
    }>;
    /**
     * Seconds between runs of the task that settles creates whose outcome was unknown (timeout,
     * lost connection) by finding their sandbox through its create token. Default 60, at least 5.
     * @visibility backend
     */
    reconcileIntervalSeconds?: number;
    /** The sandbox inventory (database read model of every sandbox). */
    inventory?: {
      /**
       * Seconds between two full syncs of each OpenSandbox server (one replica at a time).
       * Default 15; an integer >= 1.
       * @visibility backend
       */
      syncIntervalSeconds?: number;
    };
    /**
     * Expiry warnings (docs/operations.md, "Live status and expiry warnings"): a scheduled task
     * (one replica at a time) notifies each sandbox's owner and team through Backstage
     * notifications (`@backstage/plugin-notifications-backend`) before the sandbox expires, once
     * per lead time and expiry (the sent state is in the database); a renewal makes them due again.
     * The first (largest) lead time is also the pages' "expiring soon" window.
     */
    expiryWarnings?: {
      /** Default true. @visibility backend */
      enabled?: boolean;
      /**
       * Minutes before `expiresAt` at which to warn, e.g. `[60, 10]` (the default). Whole numbers
       * from 1 to 10080, no repeats. Only the latest due one is sent (a sandbox created 30 minutes
       * before its expiry gets the 60-minute warning at once, then the 10-minute one).
       * @visibility backend
       */
      leadTimesMinutes?: number[];
      /** Seconds between two scans of the inventory. Default 60; an integer >= 1. @visibility backend */
      intervalSeconds?: number;
      /**
       * The app path where the sandbox pages are mounted, for the notification's link
       * (`<linkBasePath>/servers/<server>/sandboxes/<id>?renew=1`, which opens the renew dialog).
       * Default `/opensandbox`. @visibility backend
       */
      linkBasePath?: string;
      /** Send attempts of one warning when the notifications backend fails. Default 3 (1-10). @visibility backend */
      maxAttempts?: number;
    };
    /**
     * Team quotas and caps (docs/governance.md), enforced on create, renew and resume before any
     * upstream call (403 `QuotaExceededError` / `CapExceededError`). Each limit is resolved from
     * the most specific layer that sets it: the database override of the team (admin API
     * `PUT /api/opensandbox/admin/quotas/<team>`), `teams[team]` here, the database override of
     * `default`, `default` here; unset everywhere: no limit. Callers allowed
     * `opensandbox.admin.manage` are exempt. Unset: no quotas.
     */
    quotas?: {
      /** Limits of every team. */
      default?: OpensandboxQuotaLimits;
      /**
       * Limits of single teams, keyed by group ref (`'group:default/team-a'`); a limit not set
       * here comes from `default`.
       */
      teams?: { [groupRef: string]: OpensandboxQuotaLimits };
    };
    /**
     * Mutation rate limits per principal (docs/governance.md): every POST/PUT/PATCH/DELETE route
     * of the plugin takes one token of the caller's bucket (`N` at once, refilled at `N` per
     * minute), shared by every replica through the database; an empty bucket answers 429 with
     * `Retry-After`. Unset: no rate limits.
     */
    rateLimits?: {
      /** Each user's limit (integer 1-6000). Unset: users are not limited. @visibility backend */
      mutationsPerMinute?: number;
      /**
       * Each service principal's limit (integer 1-6000; plugins and external callers acting as
       * themselves). Default: `mutationsPerMinute`. @visibility backend
       */
      serviceMutationsPerMinute?: number;
      /**
       * Own limits of single principals, keyed by user entity ref or service subject
       * (`'user:default/release-bot': 600`, `'external:ci-bot': 1200`); 0 = not limited.
       * @visibility backend
       */
      principals?: { [principal: string]: number };
    };
    /**
     * Bulk actions (`POST /api/opensandbox/bulk/{renew|pause|resume|delete}`, docs/operations.md):
     * every item runs through the same pipeline as the single-sandbox routes.
     */
    bulk?: {
      /**
       * Most sandboxes one batch may select (explicit items or a filter); more is refused with 400
       * naming this cap before anything runs. Default 100; an integer from 1 to 1000.
       * @visibility backend
       */
      maxItems?: number;
      /**
       * Most items of one batch in flight toward OpenSandbox at once (each item's calls run one
       * after another). Default 4; an integer from 1 to 32.
       * @visibility backend
       */
      concurrency?: number;
      /**
       * Seconds a delete confirmation token from a dry run stays valid. Default 600; 30 to 86400.
       * @visibility backend
       */
      confirmationTtlSeconds?: number;
      /**
       * HMAC secret of delete confirmation tokens (at least 16 characters), the same on every
       * replica. Unset: a random key is created once in the plugin's database (table
       * `opensandbox_secrets`) and shared by every replica through it.
       * @visibility secret
       */
      confirmationSecret?: string;
    };
    /** The audit log of mutating operations (see docs/audit.md). */
    audit?: {
      /**
       * Days audit events are kept; a daily task deletes older ones. Default 365 when absent;
       * 0 keeps events forever (no retention task).
       * @visibility backend
       */
      retentionDays?: number;
      /**
       * Minutes after which an event still `initiated` (its outcome was never written, e.g. the
       * backend crashed mid-call) is marked `unknown` by a task running every 5 minutes. Default
       * 15; keep it longer than `createTimeoutSeconds`.
       * @visibility backend
       */
      staleInitiatedMinutes?: number;
      /**
       * Store the values of sandbox `env` maps in audit details. Default false: values are
       * replaced by `[REDACTED]` (keys are kept).
       * @visibility backend
       */
      recordEnvValues?: boolean;
    };
  };
}

/** The limits of one quota layer (`opensandbox.quotas.default` or `.teams[...]`). */
interface OpensandboxQuotaLimits {
  /**
   * Largest number of non-terminated sandboxes of the team at once (every server; sandboxes
   * created outside the console count). Integer >= 0; 0 blocks creates.
   * @visibility backend
   */
  maxSandboxes?: number;
  /**
   * Largest `timeout` a create may ask for, in seconds (>= 60); a create without expiration is
   * refused. @visibility backend
   */
  maxTimeoutSeconds?: number;
  /** Farthest a renewal may move the expiry, in seconds from now (>= 60). @visibility backend */
  maxRenewSeconds?: number;
  /**
   * Image prefixes a sandbox's image must start with, after normalisation (`alpine:3` is
   * `docker.io/library/alpine:3`): a registry (`registry.example.com`) or a path on one
   * (`ghcr.io/acme/`). An empty list allows no image. @visibility backend
   */
  allowedImageRegistries?: string[];
  /** Largest `resourceLimits.cpu` per sandbox, a Kubernetes quantity (`500m`, `2`). @visibility backend */
  maxCpu?: string;
  /** Largest `resourceLimits.memory` per sandbox, a Kubernetes quantity (`512Mi`, `2Gi`). @visibility backend */
  maxMemory?: string;
}
