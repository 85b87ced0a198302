import type { Config } from '@backstage/config';

/** `opensandbox.bulk` (see config.d.ts), with defaults applied. */
export interface BulkConfig {
  /** Most sandboxes one batch may select; more is refused with 400 before anything runs. */
  maxItems: number;
  /** Most items of one batch in flight at once (each item's upstream calls run one after another). */
  concurrency: number;
  /** How long a delete confirmation token stays valid, seconds. */
  confirmationTtlSeconds: number;
  /** The configured HMAC secret of confirmation tokens; absent: a random key in the database. */
  confirmationSecret?: string;
}

export const BULK_DEFAULTS = {
  maxItems: 100,
  concurrency: 4,
  confirmationTtlSeconds: 600,
} as const;

function integer(
  config: Config | undefined,
  key: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = config?.getOptionalNumber(key);
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(
      `opensandbox.bulk.${key} must be an integer from ${min} to ${max}, got ${value}`,
    );
  }
  return value;
}

/**
 * Reads `opensandbox.bulk`.
 * @throws Error naming the key for out-of-range values (the backend refuses to start).
 */
export function readBulkConfig(root: Config | undefined): BulkConfig {
  const config = root?.getOptionalConfig('opensandbox.bulk');
  const secret = config?.getOptionalString('confirmationSecret');
  if (secret !== undefined && secret.length < 16) {
    throw new Error(
      'opensandbox.bulk.confirmationSecret must be at least 16 characters',
    );
  }
  return {
    maxItems: integer(config, 'maxItems', BULK_DEFAULTS.maxItems, 1, 1000),
    concurrency: integer(
      config,
      'concurrency',
      BULK_DEFAULTS.concurrency,
      1,
      32,
    ),
    confirmationTtlSeconds: integer(
      config,
      'confirmationTtlSeconds',
      BULK_DEFAULTS.confirmationTtlSeconds,
      30,
      86400,
    ),
    ...(secret !== undefined ? { confirmationSecret: secret } : {}),
  };
}
