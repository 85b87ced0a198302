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
     * Largest `timeout` (seconds) a create request may ask for. Unset: no console-side cap.
     * @visibility backend
     */
    maxTimeoutSeconds?: number;
  };
}
