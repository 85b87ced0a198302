import { ResponseError } from '@backstage/errors';
import type { FieldError } from '@opensandbox-console/plugin-opensandbox-common';
import { errorMessage } from './format';
import { secondsMessageInMinutes } from './limits';

/**
 * What the pages show of a failed call: the backend's error body is Backstage's
 * `{ error: { name, message, fields?, requestId?, upstreamCode?, retryAfterSeconds? }, response: { statusCode } }`,
 * with `X-Request-ID` and (for 429/503) `Retry-After` headers.
 */
export interface ErrorDetails {
  /** `message (HTTP status)`, as {@link errorMessage} says it. */
  message: string;
  /** The HTTP status; undefined when the request got no answer (network error). */
  status?: number;
  /** The console's request id (body `error.requestId`, else the `X-Request-ID` header). */
  requestId?: string;
  /** Seconds to wait before retrying (`Retry-After`, else body `error.retryAfterSeconds`). */
  retryAfterSeconds?: number;
  /** Field errors of a 400 (`error.fields`). */
  fields: FieldError[];
}

function header(error: ResponseError, name: string): string | undefined {
  try {
    return error.response?.headers?.get(name)?.trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * `Retry-After` as seconds from `now`: delta-seconds (`30`) or an HTTP date; undefined when
 * absent or unreadable.
 */
export function parseRetryAfter(
  value: string | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

function fieldsOf(raw: unknown): FieldError[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (f): f is FieldError =>
      !!f && typeof f.field === 'string' && typeof f.message === 'string',
  );
}

/**
 * The details of an error thrown by the API client. Headers are read when the browser exposes
 * them; cross-origin answers hide `X-Request-ID` and `Retry-After` unless the backend lists them
 * in `Access-Control-Expose-Headers`, so the body's `requestId` / `retryAfterSeconds` come first,
 * and the request id the client sent with a mutation (`error.requestId`) is the last resort.
 */
export function errorDetails(
  error: unknown,
  now: number = Date.now(),
): ErrorDetails {
  const message = errorMessage(error);
  if (!ResponseError.is(error)) return { message, fields: [] };
  const body = (error.body?.error ?? {}) as Record<string, unknown>;
  // The server's own id first; else the X-Request-ID the client sent (the backend adopts it).
  const sent = (error as { requestId?: unknown }).requestId;
  const requestId =
    (typeof body.requestId === 'string' && body.requestId) ||
    header(error, 'X-Request-ID') ||
    (typeof sent === 'string' && sent) ||
    undefined;
  let retryAfterSeconds = parseRetryAfter(header(error, 'Retry-After'), now);
  if (
    retryAfterSeconds === undefined &&
    typeof body.retryAfterSeconds === 'number' &&
    Number.isFinite(body.retryAfterSeconds) &&
    body.retryAfterSeconds >= 0
  ) {
    retryAfterSeconds = Math.ceil(body.retryAfterSeconds);
  }
  return {
    message,
    status: error.statusCode,
    requestId,
    retryAfterSeconds,
    fields: fieldsOf(body.fields),
  };
}

/**
 * When to try again after a 429 (or a 503 with `Retry-After`): `Try again in 30 seconds.`,
 * `Try again in 2 minutes.`, or `Try again later.` without a delay. Undefined for other errors.
 */
export function retryAdvice(
  details: Pick<ErrorDetails, 'status' | 'retryAfterSeconds'>,
): string | undefined {
  const { status, retryAfterSeconds: seconds } = details;
  if (status !== 429 && !(status === 503 && seconds !== undefined))
    return undefined;
  if (seconds === undefined) return 'Try again later.';
  if (seconds <= 1) return 'Try again in a second.';
  if (seconds < 120) return `Try again in ${seconds} seconds.`;
  return `Try again in ${Math.ceil(seconds / 60)} minutes.`;
}

/**
 * Create outcomes the browser cannot know: no answer at all (network error), 504 (OpenSandbox did
 * not answer in time), 502 (the console lost the upstream connection) or 409 (an attempt with the
 * same Idempotency-Key is still running). Retrying with the same key is safe then.
 */
export function isRetryableCreateFailure(status: number | undefined): boolean {
  return (
    status === undefined ||
    status === 409 ||
    status === 429 ||
    status === 502 ||
    status === 503 ||
    status === 504
  );
}

/**
 * True when the server says the Idempotency-Key cannot be used again: a 409 whose message tells to
 * use a new key (the sandbox the key created no longer exists). Retrying with the same key would
 * get the same answer forever, so the form drops the key.
 */
export function isConsumedIdempotencyKey(
  details: Pick<ErrorDetails, 'status' | 'message'>,
): boolean {
  return details.status === 409 && /\bnew key\b/i.test(details.message);
}

/**
 * The title of a failed create: `The outcome is unknown` when the server could not tell (504, or
 * no answer at all), `OpenSandbox failed or could not be reached` for 502 (the message says which),
 * `The sandbox could not be created` otherwise.
 */
export function createFailureTitle(status: number | undefined): string {
  if (status === undefined || status === 504) return 'The outcome is unknown';
  if (status === 502) return 'OpenSandbox failed or could not be reached';
  return 'The sandbox could not be created';
}

/**
 * A new `Idempotency-Key`: a random UUID v4. `crypto.randomUUID` exists only in secure contexts
 * (https, localhost); plain-http deployments get one built from `crypto.getRandomValues`.
 */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  const bytes = new Uint8Array(16);
  if (typeof c?.getRandomValues === 'function') c.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(
    12,
    16,
  )}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A 400's details restated in a form's words: the message becomes its field errors, each led by
 * the label the form shows (`labelOf(field)`, e.g. `timeout` -> `Timeout (minutes)`; the field path
 * when the form has none), with durations in minutes instead of seconds:
 * `Timeout (minutes) must be at most 60 minutes (HTTP 400)`. Other errors are returned as they are.
 */
export function inFormWords(
  details: ErrorDetails,
  labelOf: (field: string) => string | undefined,
): ErrorDetails {
  if (details.fields.length === 0) return details;
  const parts = details.fields.map(
    f => `${labelOf(f.field) ?? f.field} ${secondsMessageInMinutes(f.message)}`,
  );
  const status =
    details.status === undefined ? '' : ` (HTTP ${details.status})`;
  return { ...details, message: `${parts.join('; ')}${status}` };
}
