/** The HTTP status Backstage's error handler will answer for `error` (statusCode, then name). */
export function httpStatusOf(error: unknown): number {
  const e = error as { statusCode?: unknown; status?: unknown; name?: string };
  for (const value of [e?.statusCode, e?.status]) {
    if (typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599) return value;
  }
  switch (e?.name) {
    case 'InputError':
      return 400;
    case 'AuthenticationError':
      return 401;
    case 'NotAllowedError':
      return 403;
    case 'NotFoundError':
      return 404;
    case 'ConflictError':
      return 409;
    case 'NotImplementedError':
      return 501;
    case 'ServiceUnavailableError':
      return 503;
    default:
      return 500;
  }
}
