import type { Config } from '@backstage/config';
import { formatFieldErrors } from '@opensandbox-console/plugin-opensandbox-common';
import { parseQuotaLimits, QuotaLimits, quotaKeyOf } from './quotaLimits';

/** `opensandbox.quotas`: the config layers of the quotas. */
export interface QuotaConfig {
  /** `opensandbox.quotas.default`: every team. */
  default?: QuotaLimits;
  /** `opensandbox.quotas.teams`, keyed by lower-case group ref. */
  teams: Record<string, QuotaLimits>;
}

/**
 * Reads `opensandbox.quotas` (`default: {...}`, `teams: { 'group:default/team-a': {...} }`).
 * @throws Error naming every invalid key and limit (the backend does not start).
 */
export function readQuotaConfig(config: Config): QuotaConfig {
  const block = config.getOptionalConfig('opensandbox.quotas');
  if (!block) return { teams: {} };
  const problems: string[] = [];
  for (const key of block.keys()) {
    if (key !== 'default' && key !== 'teams')
      problems.push(
        `opensandbox.quotas.${key} is not a known key (default, teams)`,
      );
  }
  const out: QuotaConfig = { teams: {} };
  const raw = block.getOptional('default');
  if (raw !== undefined) {
    const { limits, errors } = parseQuotaLimits(
      raw,
      'opensandbox.quotas.default',
      false,
    );
    if (errors.length > 0) problems.push(formatFieldErrors(errors));
    out.default = limits;
  }
  const teams = block.getOptional('teams');
  if (teams !== undefined) {
    if (typeof teams !== 'object' || teams === null || Array.isArray(teams)) {
      problems.push(
        'opensandbox.quotas.teams must be an object keyed by group ref',
      );
    } else {
      for (const [ref, value] of Object.entries(teams)) {
        const key = quotaKeyOf(ref);
        if (!key || key === 'default') {
          problems.push(
            `opensandbox.quotas.teams.${ref} is not a group ref such as group:default/team-a`,
          );
          continue;
        }
        const { limits, errors } = parseQuotaLimits(
          value,
          `opensandbox.quotas.teams.${ref}`,
          false,
        );
        if (errors.length > 0) problems.push(formatFieldErrors(errors));
        out.teams[key] = limits;
      }
    }
  }
  if (problems.length > 0)
    throw new Error(`Invalid opensandbox.quotas: ${problems.join('; ')}`);
  return out;
}
