/**
 * Input validation shared by the console backend (answers 400 before any upstream call) and the
 * create form (shows the same messages next to the fields). Rules mirror the upstream server:
 * Kubernetes label syntax for metadata, `opensandbox.io/` reserved, `timeout` >= 60 seconds or
 * null, `entrypoint` required with an image, `resourceLimits` required.
 *
 * @packageDocumentation
 */
import { RESERVED_OWNERSHIP_KEYS } from './ownership';

/** One invalid field: `field` is a dotted path into the request (`metadata.team`, `entrypoint[0]`). @public */
export interface FieldError {
  field: string;
  message: string;
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** An entity ref; kind and namespace are case-insensitive, as everywhere in Backstage. */
const ENTITY_REF =
  /^[A-Za-z][A-Za-z0-9]{0,62}:([A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?\/)?[A-Za-z0-9]([-_.A-Za-z0-9]{0,61}[A-Za-z0-9])?$/;

/** Minimum `timeout` upstream accepts, in seconds. @public */
export const MIN_TIMEOUT_SECONDS = 60;
/** Largest `timeout` accepted when no cap is configured: 10 years, in seconds. @public */
export const MAX_TIMEOUT_SECONDS = 315_360_000;
/** Upstream's maximum `pageSize` for list calls. @public */
export const MAX_PAGE_SIZE = 200;

/**
 * Checks a metadata key against Kubernetes label key syntax (`name` or `prefix/name`, name at most
 * 63 characters, prefix a DNS subdomain of at most 253) and the reserved `opensandbox.io/` prefix.
 * @returns an error message, or undefined when valid.
 * @public
 */
export function validateMetadataKey(key: string): string | undefined {
  if (key.startsWith('opensandbox.io/'))
    return 'keys with the opensandbox.io/ prefix are reserved';
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (
    prefix !== undefined &&
    (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))
  ) {
    return 'key prefix must be a lower-case DNS subdomain of at most 253 characters';
  }
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return 'key name must be 1-63 characters of letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
  }
  return undefined;
}

/**
 * Checks a metadata value against Kubernetes label value syntax (empty, or at most 63 characters
 * of `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`; no spaces, `:` or `/`).
 * @returns an error message, or undefined when valid.
 * @public
 */
export function validateMetadataValue(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'value must be a string';
  if (value === '') return undefined;
  if (value.length > 63 || !LABEL_NAME.test(value)) {
    return 'value must be at most 63 characters of letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates user-supplied metadata: label syntax, reserved upstream prefix, and the console's
 * ownership keys (stamped by the backend, never taken from a request).
 * @param allowNull - true for merge patches, where `null` deletes a key.
 * @public
 */
export function validateMetadata(
  metadata: unknown,
  field = 'metadata',
  allowNull = false,
): FieldError[] {
  if (metadata === undefined) return [];
  if (!isPlainObject(metadata))
    return [{ field, message: 'must be an object of string values' }];
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(metadata)) {
    const keyError = validateMetadataKey(key);
    if (keyError) {
      errors.push({ field: `${field}.${key}`, message: keyError });
      continue;
    }
    if (RESERVED_OWNERSHIP_KEYS.includes(key.toLocaleLowerCase('en-US'))) {
      errors.push({
        field: `${field}.${key}`,
        message: 'is set by the console from your identity and cannot be given',
      });
      continue;
    }
    if (allowNull && value === null) continue;
    const valueError = validateMetadataValue(value);
    if (valueError)
      errors.push({ field: `${field}.${key}`, message: valueError });
  }
  return errors;
}

const CREATE_FIELDS = new Set([
  'image',
  'snapshotId',
  'entrypoint',
  'timeout',
  'resourceLimits',
  'platform',
  'env',
  'metadata',
  'networkPolicy',
  'credentialProxy',
  'secureAccess',
  'volumes',
  'extensions',
]);

/**
 * Validates a create request body (upstream `CreateSandboxRequest`, plus the optional
 * console-only fields `team` (the owning group ref), `entityRef` (the catalog entity the sandbox is
 * created for) and `server` (the OpenSandbox server to create it on).
 *
 * @param body - the parsed JSON body.
 * @param options - `maxTimeoutSeconds` caps `timeout` when configured.
 * @returns every invalid field; empty when the body may be sent upstream.
 * @public
 */
export function validateCreateSandboxRequest(
  body: unknown,
  options: { maxTimeoutSeconds?: number } = {},
): FieldError[] {
  if (!isPlainObject(body))
    return [{ field: 'body', message: 'must be a JSON object' }];
  const errors: FieldError[] = [];
  for (const key of Object.keys(body)) {
    if (
      !CREATE_FIELDS.has(key) &&
      key !== 'team' &&
      key !== 'entityRef' &&
      key !== 'server'
    )
      errors.push({ field: key, message: 'is not a known field' });
  }
  const {
    image,
    snapshotId,
    entrypoint,
    timeout,
    resourceLimits,
    env,
    platform,
  } = body;
  if (image === undefined && snapshotId === undefined) {
    errors.push({ field: 'image.uri', message: 'is required' });
  } else if (image !== undefined && snapshotId !== undefined) {
    errors.push({
      field: 'snapshotId',
      message: 'cannot be combined with image',
    });
  }
  if (image !== undefined) {
    if (!isPlainObject(image)) {
      errors.push({ field: 'image', message: 'must be an object with a uri' });
    } else {
      if (typeof image.uri !== 'string' || image.uri.trim() === '') {
        errors.push({ field: 'image.uri', message: 'is required' });
      } else if (/\s/.test(image.uri)) {
        errors.push({ field: 'image.uri', message: 'must not contain spaces' });
      }
      if (image.auth !== undefined) {
        const auth = image.auth;
        if (
          !isPlainObject(auth) ||
          typeof auth.username !== 'string' ||
          !auth.username ||
          typeof auth.password !== 'string' ||
          !auth.password
        ) {
          errors.push({
            field: 'image.auth',
            message: 'needs both username and password',
          });
        }
      }
    }
    if (entrypoint === undefined)
      errors.push({
        field: 'entrypoint',
        message: 'is required with an image',
      });
  }
  if (
    snapshotId !== undefined &&
    (typeof snapshotId !== 'string' || snapshotId === '')
  ) {
    errors.push({ field: 'snapshotId', message: 'must be a non-empty string' });
  }
  if (entrypoint !== undefined) {
    if (!Array.isArray(entrypoint) || entrypoint.length === 0) {
      errors.push({
        field: 'entrypoint',
        message: 'must be a non-empty array of strings',
      });
    } else {
      entrypoint.forEach((part, i) => {
        if (typeof part !== 'string' || part === '')
          errors.push({
            field: `entrypoint[${i}]`,
            message: 'must be a non-empty string',
          });
      });
    }
  }
  if (timeout === undefined || timeout === null) {
    if (options.maxTimeoutSeconds !== undefined) {
      errors.push({
        field: 'timeout',
        message: `is required: sandboxes must expire within ${options.maxTimeoutSeconds} seconds`,
      });
    }
  } else if (typeof timeout !== 'number' || !Number.isInteger(timeout)) {
    errors.push({
      field: 'timeout',
      message:
        'must be an integer number of seconds, or null for no expiration',
    });
  } else if (timeout < MIN_TIMEOUT_SECONDS) {
    errors.push({
      field: 'timeout',
      message: `must be at least ${MIN_TIMEOUT_SECONDS} seconds`,
    });
  } else if (timeout > (options.maxTimeoutSeconds ?? MAX_TIMEOUT_SECONDS)) {
    errors.push({
      field: 'timeout',
      message: `must be at most ${
        options.maxTimeoutSeconds ?? MAX_TIMEOUT_SECONDS
      } seconds`,
    });
  }
  if (resourceLimits === undefined) {
    errors.push({
      field: 'resourceLimits',
      message: 'is required (for example cpu and memory)',
    });
  } else if (!isPlainObject(resourceLimits)) {
    errors.push({
      field: 'resourceLimits',
      message: 'must be an object of string quantities',
    });
  } else {
    for (const [key, value] of Object.entries(resourceLimits)) {
      if (typeof value !== 'string' || !QUANTITY.test(value)) {
        errors.push({
          field: `resourceLimits.${key}`,
          message: 'must be a quantity such as "500m", "1", "512Mi" or "2Gi"',
        });
      }
    }
  }
  if (env !== undefined) {
    if (!isPlainObject(env)) {
      errors.push({
        field: 'env',
        message: 'must be an object of string values',
      });
    } else {
      for (const [key, value] of Object.entries(env)) {
        if (!ENV_NAME.test(key))
          errors.push({
            field: `env.${key}`,
            message: 'name must match [A-Za-z_][A-Za-z0-9_]*',
          });
        else if (typeof value !== 'string')
          errors.push({ field: `env.${key}`, message: 'must be a string' });
      }
    }
  }
  if (platform !== undefined) {
    if (
      !isPlainObject(platform) ||
      !['linux', 'windows'].includes(platform.os as string) ||
      !['amd64', 'arm64'].includes(platform.arch as string)
    ) {
      errors.push({
        field: 'platform',
        message: 'must be { os: linux|windows, arch: amd64|arm64 }',
      });
    }
  }
  errors.push(...validateMetadata(body.metadata));
  if (
    body.team !== undefined &&
    (typeof body.team !== 'string' ||
      !/^group:/i.test(body.team) ||
      !ENTITY_REF.test(body.team))
  ) {
    errors.push({
      field: 'team',
      message: 'must be a group entity ref such as group:default/team-a',
    });
  }
  if (
    body.server !== undefined &&
    (typeof body.server !== 'string' ||
      !/^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/.test(body.server))
  ) {
    errors.push({
      field: 'server',
      message: 'must be the name of an OpenSandbox server of the console',
    });
  }
  if (
    body.entityRef !== undefined &&
    (typeof body.entityRef !== 'string' || !ENTITY_REF.test(body.entityRef))
  ) {
    errors.push({
      field: 'entityRef',
      message: 'must be an entity ref such as component:default/payments-api',
    });
  }
  return errors;
}

/**
 * Validates the renew body `{ expiresAt, allowShorten? }`: `expiresAt` an RFC 3339 date-time with seconds and a time zone
 * (`2026-01-01T12:00:00Z`, `...+02:00`), a real calendar date, in the future relative to `now`
 * (milliseconds since the epoch, default `Date.now()`), and, when `maxTimeoutSeconds` is given, at
 * most that many seconds after `now`; `allowShorten` (optional boolean) lets a renewal move the expiry earlier.
 * @public
 */
export function validateRenewRequest(
  body: unknown,
  now: number = Date.now(),
  options: { maxTimeoutSeconds?: number } = {},
): FieldError[] {
  if (!isPlainObject(body))
    return [{ field: 'body', message: 'must be a JSON object' }];
  const errors: FieldError[] = [];
  for (const key of Object.keys(body)) {
    if (key !== 'expiresAt' && key !== 'allowShorten')
      errors.push({ field: key, message: 'is not a known field' });
  }
  if (
    body.allowShorten !== undefined &&
    typeof body.allowShorten !== 'boolean'
  ) {
    errors.push({ field: 'allowShorten', message: 'must be true or false' });
  }
  const { expiresAt } = body;
  const match =
    typeof expiresAt === 'string'
      ? /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.exec(
          expiresAt,
        )
      : null;
  const parsed = match ? Date.parse(expiresAt as string) : NaN;
  const [, y, mo, d, h, mi, sec] = match ?? [];
  const calendarOk =
    match !== null &&
    !Number.isNaN(parsed) &&
    Number(h) < 24 &&
    Number(mi) < 60 &&
    Number(sec) < 60 &&
    new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d))).getUTCDate() ===
      Number(d);
  if (!calendarOk) {
    errors.push({
      field: 'expiresAt',
      message:
        'must be an RFC 3339 date-time with seconds and a time zone, e.g. 2026-01-01T12:00:00Z',
    });
  } else if (parsed <= now) {
    errors.push({ field: 'expiresAt', message: 'must be in the future' });
  } else if (
    options.maxTimeoutSeconds !== undefined &&
    parsed > now + options.maxTimeoutSeconds * 1000
  ) {
    errors.push({
      field: 'expiresAt',
      message: `must be at most ${options.maxTimeoutSeconds} seconds from now`,
    });
  }
  return errors;
}

/** Formats field errors as one message: `image.uri is required; timeout must be ...`. @public */
export function formatFieldErrors(errors: FieldError[]): string {
  return errors.map(e => `${e.field} ${e.message}`).join('; ');
}
