/**
 * Every error the console answers with, and the one mapping from upstream failures to HTTP.
 *
 * Two audiences: the caller gets a Backstage error (`@backstage/errors` shape, serialised by
 * Backstage's error handler: `name`, `message` and this module's own enumerable extras `fields`,
 * `requestId`, `upstreamCode`, `retryAfterSeconds`); the audit row and the backend log get the
 * full upstream text, kept off the error object (a WeakMap), so upstream internals (engine URLs,
 * registry errors, addresses) never reach a response.
 *
 * Nothing here imports other folders of the plugin: `audit/`, `permissions/`, `operations/` and
 * `http/` all import this module.
 */
import {
  ConflictError,
  CustomErrorBase,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  FieldError,
  formatFieldErrors,
} from '@opensandbox-console/plugin-opensandbox-common';
import {
  OpenSandboxApiError,
  OpenSandboxProtocolError,
  OpenSandboxTimeoutError,
  OpenSandboxUnavailableError,
} from '@opensandbox-console/plugin-opensandbox-node';

/** What the console learned of an upstream failure; recorded in the audit row and the log only. */
export interface UpstreamFailure {
  /** `answered` (an HTTP error), `timeout`, `unreachable` (connection refused/reset) or `protocol` (bad 2xx body). */
  kind: 'answered' | 'timeout' | 'unreachable' | 'protocol';
  /** Upstream HTTP status, for `answered`. */
  status?: number;
  /** Upstream error code (`DOCKER::SANDBOX_IMAGE_PULL_FAILED`), or `HTTP_<status>` for bodies not in upstream's error shape. */
  code?: string;
  /** Upstream's full message (key scrubbed by the client). Never shown to users. */
  message: string;
  /** The `X-Request-ID` sent upstream. */
  requestId: string;
}

const upstreamFailures = new WeakMap<Error, UpstreamFailure>();
const denials = new WeakSet<Error>();
const unknownOutcomes = new WeakSet<Error>();

/** The upstream failure behind a console error, if any (for the audit row and the log). */
export function upstreamFailureOf(error: unknown): UpstreamFailure | undefined {
  return error instanceof Error ? upstreamFailures.get(error) : undefined;
}

/** True for refusals by the permission framework (recorded as `denied` audit rows). */
export function isDenial(error: unknown): boolean {
  return error instanceof Error && denials.has(error);
}

/**
 * True when a mutation may or may not have happened upstream (timeout, connection lost, or a 2xx
 * answer the console could not read): the audit outcome is then `unknown`, never `failed`.
 */
export function isOutcomeUnknown(error: unknown): boolean {
  return error instanceof Error && unknownOutcomes.has(error);
}

function markDenied<T extends Error>(error: T): T {
  denials.add(error);
  return error;
}

/**
 * A console error with its HTTP status and the extras the browser may show: `requestId` (the
 * console's request id, also in the `X-Request-ID` header), `upstreamCode` (upstream's error code,
 * no message) and `retryAfterSeconds` (sent as `Retry-After`).
 */
export class ConsoleError extends CustomErrorBase {
  constructor(
    name: string,
    readonly statusCode: number,
    message: string,
    extras: {
      requestId?: string;
      upstreamCode?: string;
      retryAfterSeconds?: number;
    } = {},
  ) {
    super(message);
    this.name = name;
    if (extras.requestId) Object.assign(this, { requestId: extras.requestId });
    if (extras.upstreamCode)
      Object.assign(this, { upstreamCode: extras.upstreamCode });
    if (extras.retryAfterSeconds !== undefined)
      Object.assign(this, { retryAfterSeconds: extras.retryAfterSeconds });
  }
}

/** 400 naming every invalid field (`error.fields: [{ field, message }]`). */
export function invalidInput(fields: FieldError[]): InputError {
  return Object.assign(new InputError(formatFieldErrors(fields)), { fields });
}

/**
 * 415 of a route that takes a JSON body, for a body sent with another `Content-Type` (or none):
 * names `body` in the message and in `error.fields`, like {@link invalidInput}.
 * @param contentType - the request's `Content-Type` header, if any (quoted in the message).
 */
export function unsupportedBodyType(contentType: string | undefined): Error {
  const message = `must be JSON sent with Content-Type: application/json (got ${
    contentType
      ? `Content-Type: ${contentType.slice(0, 100)}`
      : 'no Content-Type'
  })`;
  return Object.assign(
    new ConsoleError('UnsupportedMediaTypeError', 415, `body ${message}`),
    { fields: [{ field: 'body', message }] },
  );
}

/** The 404 of a sandbox that does not exist or that the caller may not read (identical bodies). */
export function sandboxNotFound(sandboxId: string): NotFoundError {
  return new NotFoundError(`Sandbox ${sandboxId} not found.`);
}

/** {@link sandboxNotFound} marked as a permission refusal (audited `denied`; same body). */
export function sandboxNotReadable(sandboxId: string): NotFoundError {
  return markDenied(sandboxNotFound(sandboxId));
}

/** 403: the permission framework refused the action. */
export function notAllowed(message: string): NotAllowedError {
  return markDenied(new NotAllowedError(message));
}

/**
 * 403: the permission policy answered something the console cannot evaluate (an unknown rule,
 * invalid rule parameters, or the policy failed). Access is denied (fail closed); the details are
 * in the backend log for the administrator, never in the response.
 */
export function policyNotEvaluable(permissionName: string): ConsoleError {
  return markDenied(
    new ConsoleError(
      'PermissionPolicyError',
      403,
      `The permission policy could not be evaluated for ${permissionName}, so access is denied. ` +
        'An administrator must fix the policy (the backend log names the problem).',
    ),
  );
}

/**
 * 503: the permission framework could not be asked (the permission backend failed, answered 5xx or
 * did not answer — e.g. while its database is down). Access is denied (fail closed); unlike
 * {@link policyNotEvaluable} nothing is wrong with the policy, so the caller may retry.
 */
export function permissionServiceUnavailable(
  permissionNames: string,
): ConsoleError {
  return new ConsoleError(
    'PermissionServiceUnavailableError',
    503,
    `The permission service could not decide ${permissionNames} right now, so access is denied; retry shortly ` +
      '(if it persists, an administrator must check the permission backend in the backend log).',
  );
}

/**
 * 503: the caller's identity (Backstage user info: ownership refs) could not be resolved, e.g.
 * while the auth backend's database is down. Nothing was performed (fail closed).
 */
export function callerUnavailable(): ServiceUnavailableError {
  return new ServiceUnavailableError(
    "The caller's identity could not be resolved right now (Backstage's user info did not answer); nothing was performed, retry shortly.",
  );
}

/** 409: the sandbox's state cannot take the action; answered before any upstream call. */
export function stateConflict(message: string): ConflictError {
  return Object.assign(new ConflictError(message), { upstreamCode: undefined });
}

/** 409: a create with this idempotency key is still running (or its outcome is not known yet). */
export function createInProgress(requestId: string): ConsoleError {
  return new ConsoleError(
    'CreateInProgressError',
    409,
    'A create with this Idempotency-Key is still in progress or its outcome is not known yet; retry in a minute with the same key.',
    { requestId },
  );
}

/** 409: the sandbox an idempotent create made is gone; the key cannot be used again. */
export function idempotencyKeyConsumed(
  sandboxId: string | null,
  requestId: string,
): ConsoleError {
  return new ConsoleError(
    'IdempotencyKeyConsumedError',
    409,
    `The sandbox created with this Idempotency-Key (${sandboxId}) no longer exists; use a new key to create another.`,
    { requestId },
  );
}

/**
 * 422: an `Idempotency-Key` the caller already used for a create with ANOTHER body (the IETF
 * Idempotency-Key draft's "key reused with a different payload"); names the header in
 * `error.fields`. Nothing is created.
 */
export function idempotencyKeyReused(requestId: string): ConsoleError {
  const message =
    'was already used for a create with a different body; send the same body to retry that create, or a new key to create another sandbox';
  return Object.assign(
    new ConsoleError(
      'IdempotencyKeyReusedError',
      422,
      `Idempotency-Key ${message}`,
      { requestId },
    ),
    { fields: [{ field: 'Idempotency-Key', message }] },
  );
}

/** 503: the audit log cannot be written, so the mutation is not performed (fail closed). */
export function auditUnavailable(): ServiceUnavailableError {
  return new ServiceUnavailableError(
    'audit log unavailable; the operation was not performed',
  );
}

/**
 * 503: the sandbox list (read from the inventory in the console's database) cannot be answered
 * because the database does not answer. Sandboxes can still be opened by id (read from OpenSandbox).
 */
export function inventoryUnavailable(): ServiceUnavailableError {
  return new ServiceUnavailableError(
    'The sandbox list is read from the console database, which does not answer right now; retry shortly (a sandbox can still be opened by its id).',
  );
}

/**
 * A team quota or cap a request would exceed (plain data from `governance/`; the messages are
 * built here). `team` is a lower-case group ref; absent for sandboxes without a team (the default
 * quota applies).
 */
export type QuotaViolation =
  | {
      limit: 'maxSandboxes';
      team: string;
      value: number;
      usage: number;
      action: 'create' | 'resume';
    }
  | {
      limit: 'maxTimeoutSeconds';
      team?: string;
      value: number;
      requested: number | null;
    }
  | {
      limit: 'maxRenewSeconds';
      team?: string;
      value: number;
      requested: number;
    }
  | {
      limit: 'allowedImageRegistries';
      team?: string;
      value: string[];
      requested: string;
      action: 'create' | 'resume';
    }
  | {
      limit: 'maxCpu' | 'maxMemory';
      team?: string;
      value: string;
      requested: string | null;
    };

/** `team-a` for `group:default/team-a`, `ns/name` for other namespaces. */
function teamName(team: string | undefined): string {
  if (!team) return 'Sandboxes without a team';
  const ref = team.startsWith('group:') ? team.slice('group:'.length) : team;
  return ref.startsWith('default/') ? ref.slice('default/'.length) : ref;
}

const CAP_FIELDS: Record<string, string> = {
  maxTimeoutSeconds: 'timeout',
  maxRenewSeconds: 'expiresAt',
  allowedImageRegistries: 'image.uri',
  maxCpu: 'resourceLimits.cpu',
  maxMemory: 'resourceLimits.memory',
};

/**
 * 403 for a team quota or cap, answered before any upstream call and audited `denied` (a refusal
 * by governance, like a permission refusal; the error code tells them apart):
 * - `QuotaExceededError` for `maxSandboxes`: `team-a has 10 of 10 sandboxes (quota maxSandboxes = 10); ...`;
 * - `CapExceededError` for the per-sandbox caps, naming the cap, its value and what the request
 *   asks, with `fields` pointing at the request field.
 * The body carries `quota: { team, limit, value, usage | requested }`.
 */
export function quotaExceeded(violation: QuotaViolation): ConsoleError {
  const who = teamName(violation.team);
  let message: string;
  let name = 'CapExceededError';
  const extra: Record<string, unknown> = {
    team: violation.team ?? null,
    limit: violation.limit,
    value: violation.value,
  };
  switch (violation.limit) {
    case 'maxSandboxes':
      name = 'QuotaExceededError';
      extra.usage = violation.usage;
      message =
        violation.action === 'create'
          ? `${who} has ${violation.usage} of ${violation.value} sandboxes (quota maxSandboxes = ${violation.value}); delete sandboxes the team no longer needs, or ask an administrator to raise the quota.`
          : `${who} has ${violation.usage} of ${violation.value} sandboxes (quota maxSandboxes = ${violation.value}); a sandbox can be resumed once the team is within its quota again.`;
      break;
    case 'maxTimeoutSeconds':
      extra.requested = violation.requested;
      message = `${who} may create sandboxes with a timeout of at most ${
        violation.value
      } seconds (cap maxTimeoutSeconds = ${
        violation.value
      }); this request asks for ${
        violation.requested === null
          ? 'no expiration'
          : `${violation.requested} seconds`
      }.`;
      break;
    case 'maxRenewSeconds':
      extra.requested = violation.requested;
      message = `${who} may renew sandboxes to at most ${violation.value} seconds from now (cap maxRenewSeconds = ${violation.value}); this renewal asks for ${violation.requested} seconds.`;
      break;
    case 'allowedImageRegistries':
      extra.requested = violation.requested;
      message =
        violation.value.length === 0
          ? `${who} may not use any image (cap allowedImageRegistries is empty); ${violation.requested} is refused.`
          : `${who} may use images from ${violation.value.join(
              ', ',
            )} only (cap allowedImageRegistries); ${
              violation.requested
            } is not from one of them${
              violation.action === 'resume'
                ? ', so the sandbox cannot be resumed'
                : ''
            }.`;
      break;
    default: {
      const what = violation.limit === 'maxCpu' ? 'CPU' : 'memory';
      const key = violation.limit === 'maxCpu' ? 'cpu' : 'memory';
      extra.requested = violation.requested;
      message = `${who} may give a sandbox at most ${
        violation.value
      } ${what} (cap ${violation.limit} = ${violation.value}); this request ${
        violation.requested === null
          ? `sets no resourceLimits.${key}`
          : `asks for ${violation.requested}`
      }.`;
    }
  }
  const error = new ConsoleError(name, 403, message);
  Object.assign(error, { quota: extra });
  const field = CAP_FIELDS[violation.limit];
  if (field) Object.assign(error, { fields: [{ field, message }] });
  return markDenied(error);
}

/** 503: quotas could not be checked (database unavailable), so the operation is not performed. */
export function quotaUnavailable(): ServiceUnavailableError {
  return new ServiceUnavailableError(
    'quotas could not be checked; the operation was not performed',
  );
}

/**
 * 429: the caller's mutation rate limit (`opensandbox.rateLimits`) is used up; `Retry-After` says
 * when the next mutation is accepted. Not audited (nothing was attempted).
 */
export function rateLimited(
  limitPerMinute: number,
  retryAfterSeconds: number,
): ConsoleError {
  return new ConsoleError(
    'RateLimitedError',
    429,
    `Too many changes: at most ${limitPerMinute} per minute per caller (opensandbox.rateLimits); retry in ${retryAfterSeconds} seconds.`,
    { retryAfterSeconds },
  );
}

/**
 * 409: a bulk delete's `confirmationToken` does not bind this request (the selection changed since
 * the dry run, or another caller or action) or has expired. Nothing was done.
 */
export function bulkConfirmationRefused(
  reason: 'mismatch' | 'expired',
): ConsoleError {
  return new ConsoleError(
    'BulkConfirmationError',
    409,
    reason === 'expired'
      ? 'The confirmation token has expired; run the dry run again and confirm its result.'
      : 'The selection changed since the dry run (or the token belongs to another request): nothing was deleted. Run the dry run again and confirm its result.',
  );
}

/** What the user is told for known upstream error codes (matched on the part after `::`). */
interface KnownCode {
  status: number;
  name: string;
  message: string;
  /** For 400s: the request field the problem is about. */
  field?: string;
}

/**
 * Upstream error codes with a console explanation. Keys are the code's name without its runtime
 * prefix (`DOCKER::`, `KUBERNETES::`). Sources: upstream `services/constants.py`, UPSTREAM.md §4,
 * UPSTREAM-LATE-2026.md.
 */
export const KNOWN_UPSTREAM_CODES: Readonly<Record<string, KnownCode>> = {
  SANDBOX_IMAGE_PULL_FAILED: {
    status: 400,
    name: 'InputError',
    field: 'image.uri',
    message:
      'could not be pulled by OpenSandbox: check the image name, tag and registry credentials',
  },
  QUOTA_EXCEEDED: {
    status: 403,
    name: 'QuotaExceededError',
    message:
      'The OpenSandbox namespace quota refused this sandbox: free resources by deleting sandboxes you no longer need, or ask the platform team for a larger quota.',
  },
  POOL_CAPACITY_EXHAUSTED: {
    status: 429,
    name: 'CapacityExhaustedError',
    message:
      'The OpenSandbox pool has no capacity left right now; try again later.',
  },
  SANDBOX_START_FAILED: {
    status: 502,
    name: 'UpstreamGatewayError',
    message:
      'OpenSandbox could not start the sandbox (the container failed to start).',
  },
  POD_FAILED: {
    status: 502,
    name: 'UpstreamGatewayError',
    message: 'OpenSandbox could not start the sandbox (its pod failed).',
  },
  POD_READY_TIMEOUT: {
    status: 504,
    name: 'UpstreamTimeoutError',
    message:
      'The sandbox did not become ready in time; OpenSandbox removed it.',
  },
  SANDBOX_PAUSE_FAILED: {
    status: 502,
    name: 'UpstreamGatewayError',
    message: 'OpenSandbox could not pause the sandbox.',
  },
  SANDBOX_RESUME_FAILED: {
    status: 502,
    name: 'UpstreamGatewayError',
    message: 'OpenSandbox could not resume the sandbox.',
  },
  SANDBOX_DELETE_FAILED: {
    status: 502,
    name: 'UpstreamGatewayError',
    message: 'OpenSandbox could not delete the sandbox.',
  },
};

function codeName(code: string | undefined): string {
  if (!code) return '';
  const i = code.lastIndexOf('::');
  return i >= 0 ? code.slice(i + 2) : code;
}

function withFailure<T extends Error>(
  error: T,
  failure: UpstreamFailure,
  unknown = false,
): T {
  upstreamFailures.set(error, failure);
  if (unknown) unknownOutcomes.add(error);
  return error;
}

/** What the failed call was, for messages and for deciding whether its outcome is known. */
export interface UpstreamCallContext {
  /** Mutations whose outcome may be unknown after a timeout: create, delete, renew, pause, resume, metadata. */
  mutation: boolean;
  /** The console request id (shown to users, sent upstream as `X-Request-ID`). */
  requestId: string;
  /** Lower-case verb for messages: `create`, `renew`, `list`, ... */
  verb: string;
}

/**
 * Maps an error thrown by the lifecycle client to the console error the caller gets. The rule:
 * - upstream's own error shape: 404 → 404; 400/422 → 400 with upstream's validation message;
 *   409 → 409; 501 → 501; known codes ({@link KNOWN_UPSTREAM_CODES}) → their explanation;
 *   429/503 → 503 or 429 with `Retry-After`; 401 and 403 (but `QUOTA_EXCEEDED`) → 502 "the console's
 *   key was refused"; other 5xx → 502 without upstream's text;
 * - a 404 (or any status) NOT in upstream's error shape (an HTML page, a framework default body:
 *   a wrong `baseUrl` path or a gateway) → 502 "answered unexpectedly";
 * - timeout → 504; unreachable → 502; unreadable 2xx → 502. For mutations these three leave the
 *   outcome unknown ({@link isOutcomeUnknown}).
 * Every mapped error carries the request id and keeps the upstream text for the audit row only.
 * Errors that are not from the lifecycle client are returned unchanged.
 */
export function fromUpstream(error: unknown, call: UpstreamCallContext): Error {
  const { requestId } = call;
  const ref = ` (request id ${requestId})`;
  if (error instanceof OpenSandboxApiError) {
    const failure: UpstreamFailure = {
      kind: 'answered',
      status: error.status,
      code: error.code,
      message: error.upstreamMessage,
      requestId,
    };
    const shaped = !error.code.startsWith('HTTP_');
    const known = shaped
      ? KNOWN_UPSTREAM_CODES[codeName(error.code)]
      : undefined;
    const extras = { requestId, upstreamCode: shaped ? error.code : undefined };
    if (!shaped) {
      return withFailure(
        new ConsoleError(
          'UpstreamGatewayError',
          502,
          `The OpenSandbox server, or a gateway in front of it, answered ${error.status} without an OpenSandbox error; check opensandbox.baseUrl${ref}.`,
          { requestId },
        ),
        failure,
      );
    }
    if (known?.field) {
      return withFailure(
        Object.assign(
          invalidInput([{ field: known.field, message: known.message }]),
          extras,
        ),
        failure,
      );
    }
    // Docker refused a pause/resume because the container already is in the target state (a
    // concurrent request got there first): a state conflict (409), not an OpenSandbox failure.
    if (
      (codeName(error.code) === 'SANDBOX_PAUSE_FAILED' ||
        codeName(error.code) === 'SANDBOX_RESUME_FAILED') &&
      /409 Client Error.*Conflict/.test(error.upstreamMessage)
    ) {
      const verb =
        codeName(error.code) === 'SANDBOX_PAUSE_FAILED'
          ? 'paused'
          : 'running (not paused)';
      return withFailure(
        Object.assign(
          new ConflictError(
            `The sandbox is already ${verb}: another request changed it first (request id ${requestId}).`,
          ),
          extras,
        ),
        failure,
      );
    }
    if (known) {
      return withFailure(
        new ConsoleError(known.name, known.status, `${known.message}${ref}`, {
          ...extras,
          retryAfterSeconds:
            known.status === 429 ? error.retryAfterSeconds ?? 30 : undefined,
        }),
        failure,
      );
    }
    switch (error.status) {
      case 400:
      case 422:
        return withFailure(
          Object.assign(new InputError(error.upstreamMessage), extras),
          failure,
        );
      case 404:
        return withFailure(
          Object.assign(new NotFoundError(error.upstreamMessage), extras),
          failure,
        );
      case 409:
        return withFailure(
          Object.assign(new ConflictError(error.upstreamMessage), extras),
          failure,
        );
      case 501:
        return withFailure(
          new ConsoleError(
            'NotImplementedError',
            501,
            `This OpenSandbox server does not support ${call.verb}${ref}.`,
            extras,
          ),
          failure,
        );
      case 429:
      case 503:
        return withFailure(
          new ConsoleError(
            error.status === 429
              ? 'TooManyRequestsError'
              : 'ServiceUnavailableError',
            error.status,
            `OpenSandbox is busy (${error.status}); try again shortly${ref}.`,
            {
              ...extras,
              retryAfterSeconds:
                error.retryAfterSeconds ??
                (error.status === 429 ? 30 : undefined),
            },
          ),
          failure,
        );
      case 401:
      case 403:
        return withFailure(
          new ConsoleError(
            'UpstreamGatewayError',
            502,
            `OpenSandbox refused the console backend's credentials; an administrator must check opensandbox.apiKey${ref}.`,
            extras,
          ),
          failure,
        );
      case 504:
        return withFailure(
          new ConsoleError(
            'UpstreamTimeoutError',
            504,
            `OpenSandbox timed out during ${call.verb}${ref}.`,
            extras,
          ),
          failure,
          call.mutation,
        );
      default:
        return withFailure(
          new ConsoleError(
            'UpstreamGatewayError',
            502,
            `OpenSandbox failed to ${call.verb} (${error.status} ${error.code}); the details are in the audit log${ref}.`,
            extras,
          ),
          failure,
        );
    }
  }
  const maybe = call.mutation
    ? ` The ${
        call.verb
      } may still have happened: the audit log records it as unknown${
        call.verb === 'create' ? ' until the console finds the sandbox' : ''
      }.`
    : '';
  if (error instanceof OpenSandboxTimeoutError) {
    return withFailure(
      new ConsoleError(
        'UpstreamTimeoutError',
        504,
        `OpenSandbox did not answer within ${error.timeoutMs / 1000} s (${
          call.verb
        }).${maybe} Request id ${requestId}.`,
        { requestId },
      ),
      { kind: 'timeout', message: error.message, requestId },
      call.mutation,
    );
  }
  if (error instanceof OpenSandboxProtocolError) {
    return withFailure(
      new ConsoleError(
        'UpstreamGatewayError',
        502,
        `OpenSandbox sent an answer the console could not read (${call.verb}).${maybe} Request id ${requestId}.`,
        { requestId },
      ),
      { kind: 'protocol', message: error.message, requestId },
      call.mutation,
    );
  }
  if (error instanceof OpenSandboxUnavailableError) {
    // Refused before sending: nothing happened. Reset mid-request: unknown. The client cannot tell
    // these apart reliably, so a mutation is recorded as unknown.
    return withFailure(
      new ConsoleError(
        'UpstreamGatewayError',
        502,
        `OpenSandbox could not be reached (${call.verb}).${maybe} Request id ${requestId}.`,
        { requestId },
      ),
      { kind: 'unreachable', message: error.message, requestId },
      call.mutation,
    );
  }
  return error as Error;
}

/** The HTTP status Backstage's error handler answers for `error` (`statusCode`, then its name). */
export function httpStatusOf(error: unknown): number {
  const e = error as { statusCode?: unknown; status?: unknown; name?: string };
  for (const value of [e?.statusCode, e?.status]) {
    if (
      typeof value === 'number' &&
      Number.isInteger(value) &&
      value >= 100 &&
      value <= 599
    )
      return value;
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

/**
 * The audit columns of a failure: the console's status, and upstream's code and full message
 * when the failure came from upstream (else the error's own name and message).
 */
export function auditErrorOf(error: unknown): {
  httpStatus: number;
  errorCode?: string;
  errorMessage?: string;
} {
  const upstream = upstreamFailureOf(error);
  const e = error as { name?: string; message?: string };
  return {
    httpStatus: httpStatusOf(error),
    errorCode:
      upstream?.code ??
      (upstream ? `UPSTREAM_${upstream.kind.toUpperCase()}` : e?.name),
    errorMessage: upstream ? upstream.message : e?.message,
  };
}
