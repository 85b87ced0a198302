import { createHash, randomUUID } from 'node:crypto';
import { FieldError } from '@opensandbox-console/plugin-opensandbox-common';
import { canonicalJson } from '../inventory/rowMapping';
import { redactDetails } from '../audit/redact';

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

/**
 * The digest of a create request's body (SHA-256 hex of its JSON with keys sorted), kept in the
 * `initiated` audit row of a create with an idempotency key, so a retry with the same key but
 * another body is told apart (422) from a true retry (replayed). Taken over the body as the audit
 * log stores it (secrets and env values redacted), so the digest reveals nothing the row does not
 * already show; two bodies that differ only in redacted values count as the same.
 */
export function createRequestDigest(body: unknown): string {
  const redacted = redactDetails({ request: body });
  return createHash('sha256').update(canonicalJson(redacted)).digest('hex');
}
