/**
 * Redaction of audit details before they are persisted or logged (defence in depth: the router
 * already redacts).
 */

/** The replacement of redacted values. */
export const REDACTED = '[REDACTED]';

/** Keys whose values are secrets wherever they appear. */
const SECRET_KEY =
  /pass(word|wd)|secret|token|api[-_]?key|authorization|credential|private[-_]?key|cookie/i;

/** Options of {@link redactDetails}. */
export interface RedactOptions {
  /** Keep the values of `env` maps (`opensandbox.audit.recordEnvValues`). Default false. */
  recordEnvValues?: boolean;
}

/**
 * A deep copy of `details` with secrets replaced by `"[REDACTED]"`:
 * - the value of any key named like password/passwd/secret/token/apiKey/authorization/
 *   credential/privateKey/cookie, at any depth;
 * - every value under a key named `auth` (registry credentials: the username too), keys kept;
 * - the values of every `env` map (keys are kept), unless `recordEnvValues`; an `env` given
 *   as a list of `{ name, value }` has its `value`s redacted.
 */
export function redactDetails(
  details: Record<string, unknown>,
  options: RedactOptions = {},
): Record<string, unknown> {
  return redactObject(details, options.recordEnvValues === true);
}

function redactObject(
  obj: Record<string, unknown>,
  keepEnv: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (SECRET_KEY.test(key)) {
      out[key] = value === undefined || value === null ? value : REDACTED;
    } else if (key.toLowerCase() === 'auth') {
      // Registry credentials (`image.auth`): the account name is redacted with the password.
      out[key] = redactLeaves(value);
    } else if (key === 'env' && !keepEnv) {
      out[key] = redactEnv(value);
    } else {
      out[key] = redactValue(value, keepEnv);
    }
  }
  return out;
}

/** Every leaf value replaced by {@link REDACTED} (keys kept); null and undefined stay. */
function redactLeaves(value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (Array.isArray(value)) return value.map(redactLeaves);
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        redactLeaves(v),
      ]),
    );
  }
  return REDACTED;
}

function redactValue(value: unknown, keepEnv: boolean): unknown {
  if (Array.isArray(value)) return value.map(v => redactValue(v, keepEnv));
  if (value && typeof value === 'object') {
    return redactObject(value as Record<string, unknown>, keepEnv);
  }
  return value;
}

function redactEnv(env: unknown): unknown {
  if (Array.isArray(env)) {
    return env.map(entry =>
      entry && typeof entry === 'object' && 'value' in entry
        ? {
            ...redactObject(entry as Record<string, unknown>, false),
            value: REDACTED,
          }
        : REDACTED,
    );
  }
  if (env && typeof env === 'object') {
    return Object.fromEntries(Object.keys(env).map(k => [k, REDACTED]));
  }
  return env === undefined || env === null ? env : REDACTED;
}
