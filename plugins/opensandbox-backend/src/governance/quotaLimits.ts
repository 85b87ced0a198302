/**
 * The quota and cap model of a team: which limits exist, how one layer of them is validated (the
 * config's `opensandbox.quotas` and the admin API use the same rules), and how layers merge.
 */
import {
  FieldError,
  MIN_TIMEOUT_SECONDS,
} from '@opensandbox-console/plugin-opensandbox-common';
import { parseQuantity } from './quantities';

/** The limits, in display order. */
export const QUOTA_LIMIT_KEYS = [
  'maxSandboxes',
  'maxTimeoutSeconds',
  'maxRenewSeconds',
  'allowedImageRegistries',
  'maxCpu',
  'maxMemory',
] as const;

/** One limit's name. */
export type QuotaLimitKey = (typeof QUOTA_LIMIT_KEYS)[number];

/**
 * One layer of limits (config default, config team, database default, database team). A field
 * that is absent inherits from the less specific layers; `null` (database layers only) means
 * "no limit" explicitly, overriding a less specific layer.
 */
export interface QuotaLimits {
  /** Concurrent non-terminated sandboxes of the team (integer ≥ 0; 0 blocks creates). */
  maxSandboxes?: number | null;
  /** Largest `timeout` at create, seconds (integer ≥ 60); also refuses "no expiration". */
  maxTimeoutSeconds?: number | null;
  /** Farthest a renewal may move the expiry, seconds from now (integer ≥ 60). */
  maxRenewSeconds?: number | null;
  /** Image reference prefixes (registries or paths on them) a sandbox's image must match. */
  allowedImageRegistries?: string[] | null;
  /** Largest `resourceLimits.cpu` per sandbox (a Kubernetes quantity: `500m`, `2`). */
  maxCpu?: string | null;
  /** Largest `resourceLimits.memory` per sandbox (a Kubernetes quantity: `512Mi`, `2Gi`). */
  maxMemory?: string | null;
}

/** Every limit resolved: `null` = no limit. */
export type ResolvedQuotaLimits = {
  [K in QuotaLimitKey]-?: Exclude<QuotaLimits[K], undefined>;
};

/** Where a resolved limit came from. */
export type QuotaSource =
  | 'database:team'
  | 'config:team'
  | 'database:default'
  | 'config:default'
  | 'none';

/** The quota key of the default layer (any other key is a lower-case group ref). */
export const DEFAULT_QUOTA_KEY = 'default';

const GROUP_REF =
  /^group:([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\/)?[a-z0-9]([-_.a-z0-9]{0,61}[a-z0-9])?$/;
const MAX_REGISTRIES = 100;

/**
 * A quota key: `default`, or a group ref (`group:default/team-a`, or `group:team-a` for the
 * default namespace), lower-cased. Undefined when `value` is neither.
 */
export function quotaKeyOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const lower = value.trim().toLocaleLowerCase('en-US');
  if (lower === DEFAULT_QUOTA_KEY) return lower;
  if (!GROUP_REF.test(lower)) return undefined;
  return lower.includes('/')
    ? lower
    : `group:default/${lower.slice('group:'.length)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates one layer of limits.
 * @param value - the layer (a JSON object).
 * @param path - the field prefix of error messages (`opensandbox.quotas.default`, or '' for a body).
 * @param allowNull - true for database layers, where `null` means "no limit".
 * @returns the layer (quantities kept as given, registries trimmed) and every invalid field.
 */
export function parseQuotaLimits(
  value: unknown,
  path = '',
  allowNull = true,
): { limits: QuotaLimits; errors: FieldError[] } {
  const field = (key: string) => (path ? `${path}.${key}` : key);
  if (!isPlainObject(value))
    return {
      limits: {},
      errors: [
        { field: path || 'body', message: 'must be an object of limits' },
      ],
    };
  const errors: FieldError[] = [];
  const limits: QuotaLimits = {};
  for (const key of Object.keys(value)) {
    if (!(QUOTA_LIMIT_KEYS as readonly string[]).includes(key)) {
      errors.push({
        field: field(key),
        message: `is not a limit (limits: ${QUOTA_LIMIT_KEYS.join(', ')})`,
      });
    }
  }
  for (const key of QUOTA_LIMIT_KEYS) {
    const v = value[key];
    if (v === undefined) continue;
    if (v === null) {
      if (allowNull) (limits as Record<string, unknown>)[key] = null;
      else
        errors.push({
          field: field(key),
          message: 'must be set to a limit (remove the key to inherit)',
        });
      continue;
    }
    switch (key) {
      case 'maxSandboxes':
        if (
          typeof v !== 'number' ||
          !Number.isInteger(v) ||
          v < 0 ||
          v > 1_000_000
        ) {
          errors.push({
            field: field(key),
            message: 'must be an integer from 0 to 1000000',
          });
        } else limits.maxSandboxes = v;
        break;
      case 'maxTimeoutSeconds':
      case 'maxRenewSeconds':
        if (
          typeof v !== 'number' ||
          !Number.isInteger(v) ||
          v < MIN_TIMEOUT_SECONDS ||
          v > 315_360_000
        ) {
          errors.push({
            field: field(key),
            message: `must be an integer number of seconds from ${MIN_TIMEOUT_SECONDS} to 315360000`,
          });
        } else limits[key] = v;
        break;
      case 'allowedImageRegistries':
        if (
          !Array.isArray(v) ||
          v.length > MAX_REGISTRIES ||
          v.some(
            e =>
              typeof e !== 'string' ||
              e.trim() === '' ||
              /\s/.test(e.trim()) ||
              // An image reference has no scheme: `https://ghcr.io` would never match anything.
              e.includes('://') ||
              e.trim().startsWith('/') ||
              e.length > 255,
          )
        ) {
          errors.push({
            field: field(key),
            message: `must be a list of at most ${MAX_REGISTRIES} image prefixes such as "registry.example.com" or "ghcr.io/acme/", without a scheme (an empty list allows no image)`,
          });
        } else
          limits.allowedImageRegistries = (v as string[]).map(e => e.trim());
        break;
      case 'maxCpu':
      case 'maxMemory': {
        const text = typeof v === 'number' ? String(v) : v;
        const parsed = parseQuantity(text);
        if (typeof text !== 'string' || parsed === undefined || parsed === 0n) {
          errors.push({
            field: field(key),
            message:
              'must be a positive Kubernetes quantity such as "500m", "2", "512Mi" or "2Gi"',
          });
        } else limits[key] = text.trim();
        break;
      }
      default:
        break;
    }
  }
  return { limits, errors };
}

/** The layers of one team's limits, most specific first. */
export interface QuotaLayers {
  databaseTeam?: QuotaLimits;
  configTeam?: QuotaLimits;
  databaseDefault?: QuotaLimits;
  configDefault?: QuotaLimits;
}

/**
 * Resolves each limit from the most specific layer that sets it: database team, config team,
 * database default, config default; `null` or no layer: no limit.
 */
export function resolveQuotaLimits(layers: QuotaLayers): {
  limits: ResolvedQuotaLimits;
  sources: Record<QuotaLimitKey, QuotaSource>;
} {
  const order: Array<[Exclude<QuotaSource, 'none'>, QuotaLimits | undefined]> =
    [
      ['database:team', layers.databaseTeam],
      ['config:team', layers.configTeam],
      ['database:default', layers.databaseDefault],
      ['config:default', layers.configDefault],
    ];
  const limits = {} as Record<QuotaLimitKey, unknown>;
  const sources = {} as Record<QuotaLimitKey, QuotaSource>;
  for (const key of QUOTA_LIMIT_KEYS) {
    const found = order.find(
      ([, layer]) => layer !== undefined && layer[key] !== undefined,
    );
    limits[key] = found ? found[1]![key] : null;
    sources[key] = found ? found[0] : 'none';
  }
  return { limits: limits as ResolvedQuotaLimits, sources };
}

/** How a team is named in messages: `team-a` for `group:default/team-a`, else `ns/name`. */
export function teamLabel(team: string): string {
  const ref = team.startsWith('group:') ? team.slice('group:'.length) : team;
  return ref.startsWith('default/') ? ref.slice('default/'.length) : ref;
}
