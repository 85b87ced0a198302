import { createHash, randomUUID } from 'node:crypto';
import { FieldError } from '@opensandbox-console/plugin-opensandbox-common';

/** Idempotency keys: 1-255 visible ASCII characters (as the IETF Idempotency-Key draft suggests). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Checks an `Idempotency-Key`; returns the field error, or undefined when absent or valid. */
export function idempotencyKeyError(key: unknown): FieldError | undefined {
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
    return {
      field: 'Idempotency-Key',
      message: 'must be 1-255 visible ASCII characters, e.g. a UUID',
    };
  }
  return undefined;
}

/**
 * The create token stamped on a sandbox as `backstage.io/create-token` (a label value: 41
 * characters of `[a-z0-9]`). With an idempotency key it is derived from the caller and the key
 * (`i` + 40 hex of SHA-256), so a retry finds the first attempt's sandbox; without one it is
 * random (`c` + 32 hex).
 */
export function createTokenFor(
  actor: string,
  idempotencyKey: string | undefined,
): string {
  if (idempotencyKey === undefined) return `c${randomUUID().replace(/-/g, '')}`;
  return `i${createHash('sha256')
    .update(`${actor}\n${idempotencyKey}`)
    .digest('hex')
    .slice(0, 40)}`;
}
