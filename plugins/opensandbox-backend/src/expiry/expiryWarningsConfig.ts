import type { Config } from '@backstage/config';

/** Config key of the expiry warnings. */
export const EXPIRY_WARNINGS_KEY = 'opensandbox.expiryWarnings';

/** Defaults of `opensandbox.expiryWarnings`. */
export const EXPIRY_WARNING_DEFAULTS = {
  enabled: true,
  leadTimesMinutes: [60, 10],
  intervalSeconds: 60,
  linkBasePath: '/opensandbox',
  maxAttempts: 3,
} as const;

/** Longest lead time accepted: one week, in minutes. */
const MAX_LEAD_MINUTES = 7 * 24 * 60;

/** `opensandbox.expiryWarnings`, validated, with defaults filled in. */
export interface ExpiryWarningsConfig {
  /** Whether the task runs at all. */
  enabled: boolean;
  /** Lead times before `expiresAt`, minutes, distinct, LARGEST FIRST (`[60, 10]`). */
  leadTimesMinutes: number[];
  /** How often the task scans the inventory, seconds. */
  intervalSeconds: number;
  /**
   * The app path of the sandbox pages (where `OpenSandboxPage` / `page:opensandbox` is mounted),
   * used for the notification's link: `<linkBasePath>/servers/<server>/sandboxes/<id>?renew=1`.
   */
  linkBasePath: string;
  /** Send attempts of one warning when the notifications service fails. */
  maxAttempts: number;
}

function fail(key: string, message: string): never {
  throw new Error(`${EXPIRY_WARNINGS_KEY}.${key} ${message}`);
}

function optionalNumber(config: Config, key: string): number | undefined {
  try {
    return config.getOptionalNumber(key);
  } catch {
    return fail(key, 'must be a number');
  }
}

/**
 * Reads `opensandbox.expiryWarnings` (see config.d.ts).
 * @throws Error naming the key for a lead time that is not a whole number of minutes from 1 to
 *   10080, duplicate or no lead times, an interval that is not a whole number of seconds >= 1,
 *   a `linkBasePath` not starting with `/`, or `maxAttempts` outside 1..10.
 */
export function readExpiryWarningsConfig(root: Config): ExpiryWarningsConfig {
  const config = root.getOptionalConfig(EXPIRY_WARNINGS_KEY);
  if (!config)
    return {
      ...EXPIRY_WARNING_DEFAULTS,
      leadTimesMinutes: [...EXPIRY_WARNING_DEFAULTS.leadTimesMinutes],
    };
  let leads: number[] | undefined;
  try {
    leads = config.getOptional<number[]>('leadTimesMinutes');
  } catch {
    fail('leadTimesMinutes', 'must be a list of whole numbers of minutes');
  }
  const leadTimesMinutes = leads ?? [
    ...EXPIRY_WARNING_DEFAULTS.leadTimesMinutes,
  ];
  if (!Array.isArray(leadTimesMinutes) || leadTimesMinutes.length === 0)
    fail('leadTimesMinutes', 'must list at least one lead time');
  for (const lead of leadTimesMinutes) {
    if (!Number.isInteger(lead) || lead < 1 || lead > MAX_LEAD_MINUTES) {
      fail(
        'leadTimesMinutes',
        `must hold whole numbers of minutes from 1 to ${MAX_LEAD_MINUTES} (got ${JSON.stringify(
          lead,
        )})`,
      );
    }
  }
  if (new Set(leadTimesMinutes).size !== leadTimesMinutes.length)
    fail('leadTimesMinutes', 'must not repeat a lead time');
  const intervalSeconds =
    optionalNumber(config, 'intervalSeconds') ??
    EXPIRY_WARNING_DEFAULTS.intervalSeconds;
  if (!Number.isInteger(intervalSeconds) || intervalSeconds < 1)
    fail('intervalSeconds', 'must be a whole number of seconds >= 1');
  const maxAttempts =
    optionalNumber(config, 'maxAttempts') ??
    EXPIRY_WARNING_DEFAULTS.maxAttempts;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 10)
    fail('maxAttempts', 'must be a whole number from 1 to 10');
  let linkBasePath: string;
  try {
    linkBasePath =
      config.getOptionalString('linkBasePath') ??
      EXPIRY_WARNING_DEFAULTS.linkBasePath;
  } catch {
    return fail('linkBasePath', 'must be a string');
  }
  if (!linkBasePath.startsWith('/'))
    fail('linkBasePath', 'must be an app path starting with /');
  let enabled: boolean;
  try {
    enabled =
      config.getOptionalBoolean('enabled') ?? EXPIRY_WARNING_DEFAULTS.enabled;
  } catch {
    return fail('enabled', 'must be true or false');
  }
  return {
    enabled,
    leadTimesMinutes: [...leadTimesMinutes].sort((a, b) => b - a),
    intervalSeconds,
    linkBasePath: linkBasePath.replace(/\/+$/, ''),
    maxAttempts,
  };
}
