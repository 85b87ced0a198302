import type {
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { DatabaseAuditStore } from './DatabaseAuditStore';

/** Defaults of the `opensandbox.audit` config block. */
export const AUDIT_DEFAULTS = {
  retentionDays: 365,
  staleInitiatedMinutes: 15,
} as const;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Task ids (scheduler tasks are scoped to the plugin). */
export const AUDIT_TASK_IDS = {
  markStale: 'opensandbox-audit-mark-stale',
  retention: 'opensandbox-audit-retention',
} as const;

/** Options of {@link scheduleAuditMaintenance}. */
export interface AuditMaintenanceOptions {
  scheduler: SchedulerService;
  store: Pick<DatabaseAuditStore, 'markStaleInitiated' | 'deleteOlderThan'>;
  /** Root config: `opensandbox.audit.{staleInitiatedMinutes,retentionDays}`. */
  config: Config;
  logger: LoggerService;
  /** Current time in epoch ms. Default `Date.now`. */
  clock?: () => number;
}

/** The validated maintenance settings. */
export interface AuditMaintenanceSettings {
  /** Age (minutes) after which an `initiated` row is marked `unknown`. */
  staleInitiatedMinutes: number;
  /** Days kept; 0 = keep forever (no retention task). */
  retentionDays: number;
}

/**
 * Reads `opensandbox.audit.staleInitiatedMinutes` (default 15, integer ≥ 1) and
 * `opensandbox.audit.retentionDays` (default 365 when absent; 0 keeps rows forever).
 * @throws Error naming the key for a negative, fractional or out-of-range value.
 */
export function readAuditMaintenanceSettings(
  config: Config,
): AuditMaintenanceSettings {
  const stale =
    config.getOptionalNumber('opensandbox.audit.staleInitiatedMinutes') ??
    AUDIT_DEFAULTS.staleInitiatedMinutes;
  if (!Number.isInteger(stale) || stale < 1) {
    throw new Error(
      'opensandbox.audit.staleInitiatedMinutes must be an integer >= 1',
    );
  }
  const retention =
    config.getOptionalNumber('opensandbox.audit.retentionDays') ??
    AUDIT_DEFAULTS.retentionDays;
  if (!Number.isInteger(retention) || retention < 0) {
    throw new Error(
      'opensandbox.audit.retentionDays must be an integer >= 0 (0 keeps forever)',
    );
  }
  return { staleInitiatedMinutes: stale, retentionDays: retention };
}

/**
 * Schedules the audit log housekeeping with `scheduler.scheduleTask` (scope `global`: one replica
 * at a time, under the scheduler's distributed lock):
 *
 * - `opensandbox-audit-mark-stale`, every 5 minutes: `initiated` rows older than
 *   `staleInitiatedMinutes` become `unknown`.
 * - `opensandbox-audit-retention`, daily: rows older than `retentionDays` days are deleted; not
 *   scheduled when `retentionDays` is 0.
 *
 * @returns the settings in effect.
 * @throws Error for invalid config (see {@link readAuditMaintenanceSettings}).
 */
export async function scheduleAuditMaintenance(
  options: AuditMaintenanceOptions,
): Promise<AuditMaintenanceSettings> {
  const { scheduler, store, config, logger } = options;
  const clock = options.clock ?? Date.now;
  const settings = readAuditMaintenanceSettings(config);

  const createTimeoutSeconds =
    config.getOptionalNumber('opensandbox.createTimeoutSeconds') ?? 180;
  if (settings.staleInitiatedMinutes * 60 <= createTimeoutSeconds) {
    logger.warn(
      `opensandbox.audit.staleInitiatedMinutes (${settings.staleInitiatedMinutes}) is not longer than the create timeout (${createTimeoutSeconds}s): slow creates may be marked unknown`,
    );
  }

  await scheduler.scheduleTask({
    id: AUDIT_TASK_IDS.markStale,
    frequency: { minutes: 5 },
    timeout: { minutes: 4 },
    scope: 'global',
    fn: async () => {
      const count = await store.markStaleInitiated(
        settings.staleInitiatedMinutes * MINUTE_MS,
      );
      if (count > 0) {
        logger.warn(`Marked ${count} audit event(s) left initiated as unknown`);
      }
    },
  });

  if (settings.retentionDays > 0) {
    await scheduler.scheduleTask({
      id: AUDIT_TASK_IDS.retention,
      frequency: { hours: 24 },
      timeout: { hours: 1 },
      initialDelay: { minutes: 1 },
      scope: 'global',
      fn: async () => {
        const cutoff = clock() - settings.retentionDays * DAY_MS;
        const count = await store.deleteOlderThan(cutoff);
        logger.info(
          `Audit retention: deleted ${count} event(s) older than ${new Date(
            cutoff,
          ).toISOString()}`,
        );
      },
    });
  } else {
    logger.info(
      'Audit retention disabled (opensandbox.audit.retentionDays = 0): keeping forever',
    );
  }
  return settings;
}
