import {
  ConflictError,
  CustomErrorBase,
  InputError,
  NotFoundError,
  NotImplementedError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  OpenSandboxApiError,
  OpenSandboxProtocolError,
  OpenSandboxTimeoutError,
  OpenSandboxUnavailableError,
} from '@opensandbox-console/plugin-opensandbox-node';

/**
 * An upstream failure that is not the caller's fault: 502 (unreachable, 5xx, rejected
 * credentials) or 504 (timeout). `statusCode` is read by Backstage's error handler.
 * @public
 */
export class UpstreamGatewayError extends CustomErrorBase {
  name = 'UpstreamGatewayError';
  constructor(
    message: string,
    readonly statusCode: 502 | 504,
    readonly upstream: { status?: number; code?: string; requestId: string },
  ) {
    super(message);
  }
}

/**
 * Maps an error thrown by the lifecycle client to the Backstage error the route answers with:
 * 404 stays 404, 409 stays 409, 400/422 become 400 with the upstream message, 501 stays 501,
 * 401/403 (the console's own key was refused) and other statuses become 502, unreachable 502,
 * timeouts 504. Anything else is rethrown unchanged.
 */
export function toBackstageError(error: unknown): Error {
  if (error instanceof OpenSandboxApiError) {
    const detail = { upstreamCode: error.code, requestId: error.requestId };
    switch (error.status) {
      case 400:
      case 422:
        return Object.assign(new InputError(error.upstreamMessage), detail);
      case 404:
        return Object.assign(new NotFoundError(error.upstreamMessage), detail);
      case 409:
        return Object.assign(new ConflictError(error.upstreamMessage), detail);
      case 501:
        return Object.assign(new NotImplementedError(error.upstreamMessage), detail);
      case 429:
      case 503:
        return Object.assign(
          new ServiceUnavailableError(`OpenSandbox is busy (${error.status}); try again shortly`),
          detail,
        );
      case 401:
      case 403:
        return new UpstreamGatewayError(
          'OpenSandbox refused the console backend\'s credentials; an administrator must check opensandbox.apiKey',
          502,
          { status: error.status, code: error.code, requestId: error.requestId },
        );
      case 504:
        return new UpstreamGatewayError(`OpenSandbox timed out: ${error.upstreamMessage}`, 504, {
          status: error.status,
          code: error.code,
          requestId: error.requestId,
        });
      default:
        return new UpstreamGatewayError(
          `OpenSandbox failed with ${error.status} ${error.code}: ${error.upstreamMessage}`,
          502,
          { status: error.status, code: error.code, requestId: error.requestId },
        );
    }
  }
  if (error instanceof OpenSandboxTimeoutError) {
    return new UpstreamGatewayError(error.message, 504, { requestId: error.requestId });
  }
  if (error instanceof OpenSandboxProtocolError) {
    return new UpstreamGatewayError(error.message, 502, { requestId: error.requestId });
  }
  if (error instanceof OpenSandboxUnavailableError) {
    return new UpstreamGatewayError('OpenSandbox could not be reached', 502, { requestId: error.requestId });
  }
  return error as Error;
}
