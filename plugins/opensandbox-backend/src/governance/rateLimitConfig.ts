import type { Config } from '@backstage/config';

/** `opensandbox.rateLimits`: mutations per minute per principal. */
export interface RateLimitConfig {
  /** Each user's limit; undefined: users are not limited. */
  userPerMinute?: number;
  /** Each service principal's limit; undefined: services are not limited. */
  servicePerMinute?: number;
  /** Per principal (lower-case user ref or service subject): its own limit; 0 = not limited. */
  principals: Record<string, number>;
}

const MAX_PER_MINUTE = 6000;

function limit(
  config: Config,
  key: string,
  allowZero = false,
): number | undefined {
  const value = config.getOptionalNumber(key);
  if (value === undefined) return undefined;
  if (
    !Number.isInteger(value) ||
    value < (allowZero ? 0 : 1) ||
    value > MAX_PER_MINUTE
  ) {
    throw new Error(
      `Invalid ${key}: must be an integer from ${
        allowZero ? 0 : 1
      } to ${MAX_PER_MINUTE}`,
    );
  }
  return value;
}

/**
 * Reads `opensandbox.rateLimits`:
 * `mutationsPerMinute` (each user; absent: off), `serviceMutationsPerMinute` (each service
 * principal; absent: `mutationsPerMinute`) and `principals` (`{ '<user ref or service subject>': n }`,
 * 0 = not limited).
 * @throws Error naming an invalid key.
 */
export function readRateLimitConfig(config: Config): RateLimitConfig {
  const user = limit(config, 'opensandbox.rateLimits.mutationsPerMinute');
  const service =
    limit(config, 'opensandbox.rateLimits.serviceMutationsPerMinute') ?? user;
  const principals: Record<string, number> = {};
  // Read as one object: user refs and service subjects are not valid config key paths.
  const raw = config.getOptional('opensandbox.rateLimits.principals') ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(
      'Invalid opensandbox.rateLimits.principals: must be an object of principal: limit',
    );
  }
  for (const [key, value] of Object.entries(raw)) {
    if (
      typeof value !== 'number' ||
      !Number.isInteger(value) ||
      value < 0 ||
      value > MAX_PER_MINUTE
    ) {
      throw new Error(
        `Invalid opensandbox.rateLimits.principals.${key}: must be an integer from 0 to ${MAX_PER_MINUTE}`,
      );
    }
    principals[key.toLocaleLowerCase('en-US')] = value;
  }
  return { userPerMinute: user, servicePerMinute: service, principals };
}

/** The limit of one principal, or undefined when it is not limited. */
export function limitOf(
  config: RateLimitConfig,
  principal: { type: 'user' | 'service'; id: string },
): number | undefined {
  const own = config.principals[principal.id.toLocaleLowerCase('en-US')];
  if (own !== undefined) return own === 0 ? undefined : own;
  return principal.type === 'user'
    ? config.userPerMinute
    : config.servicePerMinute;
}
