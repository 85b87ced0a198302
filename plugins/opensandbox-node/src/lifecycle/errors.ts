import { CustomErrorBase } from '@backstage/errors';

/**
 * The upstream OpenSandbox server answered with an HTTP error.
 *
 * `status` is the upstream HTTP status, `code` the upstream error code (`DOCKER::SANDBOX_NOT_FOUND`,
 * `INVALID_API_KEY`, ... or `VALIDATION_ERROR` for FastAPI 422 bodies; `HTTP_<status>` when the body
 * is not in upstream's `{code, message}` shape, e.g. an HTML page from a gateway), `upstreamMessage` the
 * upstream message (for 422: the `detail[]` entries joined), `requestId` the `X-Request-ID` sent.
 * @public
 */
export class OpenSandboxApiError extends CustomErrorBase {
  name = 'OpenSandboxApiError' as const;
  constructor(
    readonly status: number,
    readonly code: string,
    readonly upstreamMessage: string,
    readonly requestId: string,
    /** Upstream's `Retry-After` in seconds (429/503), when it sent one as a number of seconds. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`OpenSandbox answered ${status} ${code}: ${upstreamMessage}`);
  }
}

/**
 * The upstream OpenSandbox server could not be reached (connection refused, DNS, reset) or sent
 * a body that is not JSON where JSON was expected.
 * @public
 */
export class OpenSandboxUnavailableError extends CustomErrorBase {
  name = 'OpenSandboxUnavailableError' as const;
  constructor(message: string, readonly requestId: string, cause?: unknown) {
    super(message, cause);
  }
}

/** The upstream call did not finish within its timeout (milliseconds in `timeoutMs`). @public */
export class OpenSandboxTimeoutError extends CustomErrorBase {
  name = 'OpenSandboxTimeoutError' as const;
  constructor(readonly timeoutMs: number, readonly requestId: string) {
    super(`OpenSandbox did not answer within ${timeoutMs} ms`);
  }
}

/**
 * The upstream answered 2xx with a body that does not have the documented shape (e.g. a sandbox
 * without `id`/`status`, a list without `items`). The change may or may not have happened.
 * @public
 */
export class OpenSandboxProtocolError extends CustomErrorBase {
  name = 'OpenSandboxProtocolError' as const;
  constructor(readonly operation: string, readonly requestId: string) {
    super(`OpenSandbox sent an unexpected response to ${operation}`);
  }
}
