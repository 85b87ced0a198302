export interface Config {
  /** Configuration of the OpenSandbox Console backend plugin. */
  opensandbox: {
    /**
     * Root URL of the OpenSandbox lifecycle server, without `/v1`, e.g. `http://opensandbox:8080`.
     * @visibility backend
     */
    baseUrl: string;
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
     * Largest `timeout` (seconds) a create request may ask for, and the farthest a renewal may
     * reach from now. Unset: no console-side cap. The browser reads it from
     * `GET /api/opensandbox/settings` (the app's config schema does not include backend packages).
     * @visibility backend
     */
    maxTimeoutSeconds?: number;
    /**
     * Seconds between runs of the task that settles creates whose outcome was unknown (timeout,
     * lost connection) by finding their sandbox through its create token. Default 60, at least 5.
     * @visibility backend
     */
    reconcileIntervalSeconds?: number;
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
