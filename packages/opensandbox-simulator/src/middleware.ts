/** Cross-cutting middleware: request id, request log, latency, faults, auth, errors. */
import { randomBytes } from 'node:crypto';
import { ErrorRequestHandler, RequestHandler } from 'express';
import { SimulatorState } from './context';
import { ApiError, RequestValidationError, errors } from './errors';
import { API_KEY_HEADER } from './requestLog';
import { formatTimestamp } from './time';

/** Echoes `X-Request-ID` or generates `uuid4().hex`-like 32 hex characters. */
export const requestId: RequestHandler = (req, res, next) => {
  const incoming = req.header('x-request-id');
  const id =
    incoming && incoming.length > 0
      ? incoming
      : randomBytes(16).toString('hex');
  res.locals.requestId = id;
  res.setHeader('X-Request-ID', id);
  next();
};

/** Parsed query of the original URL (repeated names are kept). */
export function queryOf(originalUrl: string): URLSearchParams {
  return new URL(originalUrl, 'http://simulator.invalid').searchParams;
}

/** Records the request in the log (status filled in when the response finishes). */
export function logRequests(state: SimulatorState): RequestHandler {
  return (req, res, next) => {
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of queryOf(req.originalUrl)) {
      const prev = query[k];
      if (prev === undefined) query[k] = v;
      else query[k] = Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers[k] = v;
    const entry = state.requests.add({
      at: formatTimestamp(state.clock.now()),
      method: req.method,
      path: req.path,
      query,
      headers,
      requestId: res.locals.requestId,
    });
    res.on('finish', () => {
      entry.status = res.statusCode;
    });
    next();
  };
}

/** Removes expired sandboxes before handling any request (lazy expiry). */
export function lazySweep(state: SimulatorState): RequestHandler {
  return (_req, _res, next) => {
    state.sweep();
    next();
  };
}

/** Adds `state.latencyMs` of delay, then applies the first matching fault rule. */
export function latencyAndFaults(state: SimulatorState): RequestHandler {
  return (req, res, next) => {
    const fault = state.faults.match(req.method, req.path);
    const delay = state.latencyMs + (fault?.delayMs ?? 0);
    const proceed = () => {
      if (fault?.response)
        res.status(fault.response.status).json(fault.response.body);
      else next();
    };
    if (delay > 0) setTimeout(proceed, delay);
    else proceed();
  };
}

const UNAUTHENTICATED = [
  /^\/health$/,
  /^\/docs$/,
  /^\/redoc$/,
  /^\/openapi\.json$/,
  /^(\/v1)?\/sandboxes\/[^/]+\/proxy\/\d+(\/|$)/,
];

/** Checks `OPEN-SANDBOX-API-KEY` (401 `MISSING_API_KEY` / `INVALID_API_KEY`). */
export function apiKeyAuth(state: SimulatorState): RequestHandler {
  return (req, _res, next) => {
    if (
      state.apiKey === undefined ||
      UNAUTHENTICATED.some(p => p.test(req.path))
    )
      return next();
    const key = req.header(API_KEY_HEADER);
    if (!key) return next(errors.missingApiKey());
    if (key !== state.apiKey) return next(errors.invalidApiKey());
    return next();
  };
}

/** FastAPI's default for unknown routes. */
export const notFound: RequestHandler = (_req, res) => {
  res.status(404).json({ detail: 'Not Found' });
};

/** FastAPI's default for a known path with another method. */
export const methodNotAllowed: RequestHandler = (_req, res) => {
  res.status(405).json({ detail: 'Method Not Allowed' });
};

/** Maps thrown errors to `{code,message}`, 422 `{detail}`, or a 500. */
export const errorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  if (err instanceof ApiError) {
    res.status(err.status).json(err.toBody());
  } else if (err instanceof RequestValidationError) {
    res.status(422).json({ detail: err.issues });
  } else if (
    err &&
    typeof err === 'object' &&
    (err as { type?: string }).type === 'entity.too.large'
  ) {
    res.status(413).json({
      code: 'GENERAL::UNKNOWN_ERROR',
      message: 'Request body too large.',
    });
  } else {
    res.status(500).json({
      code: 'GENERAL::UNKNOWN_ERROR',
      message: 'An unexpected error occurred.',
    });
  }
};
