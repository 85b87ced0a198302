/**
 * Error shapes of the real server: `{code, message}` for service errors and
 * FastAPI's `{detail: [...]}` for request validation (HTTP 422).
 */

/** One FastAPI/Pydantic validation problem, as found in a 422 `detail` array. */
export interface ValidationIssue {
  type: string;
  loc: Array<string | number>;
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

/** A service error answered as `{code, message}` with the given HTTP status. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }

  toBody(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** A request validation failure answered as HTTP 422 `{detail: issues}`. */
export class RequestValidationError extends Error {
  constructor(readonly issues: ValidationIssue[]) {
    super('Request validation failed');
  }
}

/** Error catalogue (codes and messages as the real Docker runtime uses them). */
export const errors = {
  missingApiKey: () =>
    new ApiError(
      401,
      'MISSING_API_KEY',
      'Authentication credentials are missing. Provide API key via OPEN-SANDBOX-API-KEY header.',
    ),
  invalidApiKey: () =>
    new ApiError(
      401,
      'INVALID_API_KEY',
      'Authentication credentials are invalid. Check your API key and try again.',
    ),
  sandboxNotFound: (id: string) =>
    new ApiError(404, 'DOCKER::SANDBOX_NOT_FOUND', `Sandbox ${id} not found.`),
  notRunning: () =>
    new ApiError(
      409,
      'DOCKER::SANDBOX_NOT_RUNNING',
      'Sandbox is not in a running state.',
    ),
  notPaused: () =>
    new ApiError(
      409,
      'DOCKER::SANDBOX_NOT_PAUSED',
      'Sandbox is not in a paused state.',
    ),
  expirationInPast: () =>
    new ApiError(
      400,
      'DOCKER::INVALID_EXPIRATION',
      'New expiration time must be in the future.',
    ),
  manualCleanup: (id: string) =>
    new ApiError(
      409,
      'DOCKER::INVALID_EXPIRATION',
      `Sandbox ${id} does not have automatic expiration enabled.`,
    ),
  invalidPort: (port: number) =>
    new ApiError(
      400,
      'DOCKER::INVALID_PORT',
      `Port ${port} is out of range. Port must be between 1 and 65535.`,
    ),
  invalidParameter: (message: string) =>
    new ApiError(400, 'SANDBOX::INVALID_PARAMETER', message),
  apiNotSupported: (message: string) =>
    new ApiError(400, 'SANDBOX::API_NOT_SUPPORTED', message),
  invalidMetadataLabel: (message: string) =>
    new ApiError(400, 'SANDBOX::INVALID_METADATA_LABEL', message),
  reservedMetadataKeyOnPatch: (key: string) =>
    new ApiError(
      400,
      'INVALID_METADATA_LABEL',
      `Metadata key '${key}' uses the reserved prefix 'opensandbox.io/'.`,
    ),
  invalidMetadataFormat: (detail: string) =>
    new ApiError(
      400,
      'INVALID_METADATA_FORMAT',
      `Invalid metadata format: ${detail}`,
    ),
  unsupportedPoolRef: () =>
    new ApiError(
      400,
      'SANDBOX::UNSUPPORTED_POOL_REF',
      'extensions.poolRef is not supported by the Docker runtime.',
    ),
  imagePullFailed: (message: string) =>
    new ApiError(500, 'DOCKER::SANDBOX_IMAGE_PULL_FAILED', message),
  pauseFailed: (message: string) =>
    new ApiError(500, 'DOCKER::SANDBOX_PAUSE_FAILED', message),
  diagnosticsNotImplemented: () =>
    new ApiError(
      501,
      'DIAGNOSTICS_NOT_IMPLEMENTED',
      'The stable Diagnostics API is not implemented by this OpenSandbox server.',
    ),
  snapshotsNotImplemented: () =>
    new ApiError(
      501,
      'SNAPSHOT::NOT_IMPLEMENTED',
      'Snapshots are not supported by this runtime.',
    ),
};
