/** Cross-cutting middleware: request id, request log, latency, faults, auth, errors. */
import { randomBytes } from 'node:crypto';
import express, {
  ErrorRequestHandler,
  RequestHandler,
  Response,
} from 'express';
import { SimulatorState } from './context';
import { FaultResponse } from './faults';
import { ApiError, RequestValidationError, errors } from './errors';
import { API_KEY_HEADER } from './requestLog';
import { formatTimestamp } from './time';

/**
 * Makes `res.json` answer like Starlette's `JSONResponse`: compact JSON with
 * `Content-Type: application/json` and no `; charset=utf-8` (express adds one
 * to every string body, so the JSON is sent as bytes). A `Content-Type` set
 * before (e.g. by a fault rule's `contentType`) is kept.
 */
export const plainJson: RequestHandler = (_req, res, next) => {
  res.json = function json(this: Response, body?: unknown) {
    if (!this.get('Content-Type'))
      this.setHeader('Content-Type', 'application/json');
    return this.send(Buffer.from(JSON.stringify(body) ?? 'null', 'utf8'));
  };
  next();
};

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

/**
 * Records every API request in the log on arrival, before faults, the
 * create block and the API key check, so requests that faults answer or
 * cut, and requests rejected with 401/404/405, are all there. `status` is
 * filled in when the simulator answers (headers written or response ended,
 * also when the client has already gone); `aborted` when the connection
 * closed before the response was complete.
 */
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
    res.locals.logEntry = entry;
    const writeHead = res.writeHead;
    res.writeHead = function patchedWriteHead(
      this: Response,
      ...args: Parameters<Response['writeHead']>
    ) {
      entry.status = args[0];
      return writeHead.apply(this, args);
    } as Response['writeHead'];
    const end = res.end;
    res.end = function patchedEnd(this: Response, ...args: unknown[]) {
      entry.status = this.statusCode;
      return (end as (...a: unknown[]) => Response).apply(this, args);
    } as Response['end'];
    res.on('finish', () => {
      entry.status = res.statusCode;
    });
    res.on('close', () => {
      if (!res.writableFinished) entry.aborted = true;
    });
    next();
  };
}

const readBody = express.text({ type: () => true, limit: '10mb' });

/**
 * Reads the whole request body into `req.body` (a string) as soon as the
 * request arrives, before any delay, so a request whose client disconnects
 * during a delay is still carried out (like the real server, which has the
 * body before its handler runs). A body error (e.g. too large) is kept in
 * `res.locals.bodyError` and reported by {@link bodyReady}, after the API key
 * check, as before.
 */
export const bufferBody: RequestHandler = (req, res, next) => {
  readBody(req, res, err => {
    if (err) res.locals.bodyError = err;
    next();
  });
};

/** Route-level: reports a body error seen by {@link bufferBody}, or reads the body if nothing did. */
export const bodyReady: RequestHandler = (req, res, next) => {
  if (res.locals.bodyError) return next(res.locals.bodyError);
  return readBody(req, res, next);
};

/**
 * Holds a request while a blocking create is in progress
 * (`blockWhileCreating`), like the real server's blocked event loop.
 */
export function waitWhileCreateBlocks(state: SimulatorState): RequestHandler {
  return (_req, _res, next) => {
    state.waitUntilUnblocked().then(() => next(), next);
  };
}

/** Removes expired sandboxes before handling any request (lazy expiry). */
export function lazySweep(state: SimulatorState): RequestHandler {
  return (_req, _res, next) => {
    state.sweep();
    next();
  };
}

/**
 * Makes the next `res.end` cut the connection: the headers (with the full
 * `Content-Length`) and the first half of the body are written, then the
 * socket is destroyed. An empty body is cut before the headers.
 */
function cutResponse(res: Response): void {
  const end = res.end;
  res.end = function cutEnd(this: Response, ...args: unknown[]) {
    const [chunk, encoding] = args;
    let body: Buffer = Buffer.alloc(0);
    if (Buffer.isBuffer(chunk)) body = chunk;
    else if (typeof chunk === 'string')
      body = Buffer.from(
        chunk,
        typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
      );
    const socket = this.socket;
    if (body.length === 0 || !socket) {
      socket?.destroy();
      return this;
    }
    if (!this.headersSent) this.setHeader('Content-Length', body.length);
    this.write(body.subarray(0, Math.floor(body.length / 2)), () =>
      socket.destroy(),
    );
    // keep express/Node from ending the response normally
    res.end = end;
    return this;
  } as Response['end'];
}

function sendFault(res: Response, response: FaultResponse): void {
  res.status(response.status);
  res.setHeader('Content-Type', response.contentType);
  res.send(response.body);
}

/**
 * Adds `state.latencyMs` of delay, then applies the first matching fault
 * rule: its `delayMs`, `headers`, its injected answer (`status` with `body`
 * or `rawBody`) and/or `closeConnection`. Pass-through rules hand the request
 * on to the API after the delay.
 */
export function latencyAndFaults(state: SimulatorState): RequestHandler {
  return (req, res, next) => {
    const fault = state.faults.match(req.method, req.path);
    const delay = state.latencyMs + (fault?.delayMs ?? 0);
    const entry = res.locals.logEntry as { fault?: string } | undefined;
    if (fault && entry) {
      if (fault.closeConnection) entry.fault = 'closed';
      else entry.fault = fault.response ? 'answered' : 'delayed';
    }
    const proceed = () => {
      if (fault) {
        for (const [name, value] of Object.entries(fault.headers))
          res.setHeader(name, value);
        if (fault.closeConnection) cutResponse(res);
      }
      if (fault?.response) sendFault(res, fault.response);
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

/**
 * FastAPI's default for a known path with another method (HEAD included:
 * FastAPI routes do not answer HEAD for GET). Starlette's `Allow` header names
 * the methods of the FIRST route whose path matched, not of all of them: for
 * `/sandboxes` that is `POST` (create is declared before list), for
 * `/sandboxes/{id}` `GET` (before DELETE).
 * @param allow - the `Allow` header value, e.g. `POST`
 */
export function methodNotAllowed(allow: string): RequestHandler {
  return (_req, res) => {
    res.setHeader('Allow', allow);
    res.status(405).json({ detail: 'Method Not Allowed' });
  };
}

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
