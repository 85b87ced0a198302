/**
 * Governance of the console (docs/governance.md): team quotas and caps enforced by the operation
 * pipeline, quota reservations that hold across replicas, mutation rate limits, and their routes.
 */
import type {
  BackstageCredentials,
  DatabaseService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { opensandboxAdminManagePermission } from '@opensandbox-console/plugin-opensandbox-common';
import { governanceDatabase } from './governanceDatabase';
import { readQuotaConfig } from './quotaConfig';
import { QuotaEnforcer } from './QuotaEnforcer';
import { QuotaReservations } from './QuotaReservations';
import { QuotaStore } from './QuotaStore';
import { RateLimiter } from './RateLimiter';
import { readRateLimitConfig } from './rateLimitConfig';

export { createQuotasRouter } from './quotasRouter';
export { createRateLimitMiddleware } from './rateLimitMiddleware';
export { scheduleGovernanceMaintenance } from './governanceMaintenance';
export { createQuotaExemption } from './quotaExemption';
export type {
  Exemption,
  QuotaEnforcer,
  QuotaReservation,
  QuotaStatus,
} from './QuotaEnforcer';

/**
 * Reads `opensandbox.quotas` and `opensandbox.rateLimits` (throwing on invalid values, so the
 * backend does not start with a broken quota) and builds the governance parts on the plugin's
 * database (migrations run).
 */
export async function createGovernance(options: {
  database: DatabaseService;
  config: Config;
  logger: LoggerService;
  clock?: () => number;
}) {
  const quotaConfig = readQuotaConfig(options.config);
  const rateLimitConfig = readRateLimitConfig(options.config);
  const knex = await governanceDatabase(options.database);
  const store = new QuotaStore(knex, options.clock);
  const reservations = new QuotaReservations(knex, options.clock);
  const limiter = new RateLimiter(knex, options.clock);
  const enforcer = new QuotaEnforcer({
    config: quotaConfig,
    store,
    reservations,
    logger: options.logger,
  });
  return {
    quotaConfig,
    rateLimitConfig,
    store,
    reservations,
    limiter,
    enforcer,
  };
}

/**
 * The admin check of the quota routes: the caller's decision for `opensandbox.admin.manage` is
 * ALLOW (false for DENY, conditional answers and failures of the permission service).
 */
export function adminCheck(
  permissions: PermissionsService,
): (credentials: BackstageCredentials) => Promise<boolean> {
  return async credentials => {
    try {
      const [decision] = await permissions.authorize(
        [{ permission: opensandboxAdminManagePermission }],
        { credentials },
      );
      return decision.result === AuthorizeResult.ALLOW;
    } catch {
      return false;
    }
  };
}
