import type {
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { QuotaReservations } from './QuotaReservations';
import type { RateLimiter } from './RateLimiter';

/** Scheduler task id of the governance clean-up (scoped to the plugin). */
export const GOVERNANCE_MAINTENANCE_TASK_ID =
  'opensandbox-governance-maintenance';

/**
 * Every 5 minutes (one replica at a time): deletes expired quota reservations (they already no
 * longer count) and rate-limit rows idle for a day (their buckets are full). Housekeeping only:
 * no count depends on it.
 */
export async function scheduleGovernanceMaintenance(options: {
  scheduler: SchedulerService;
  logger: LoggerService;
  reservations: Pick<QuotaReservations, 'deleteExpired'>;
  limiter: Pick<RateLimiter, 'deleteIdle'>;
}): Promise<void> {
  await options.scheduler.scheduleTask({
    id: GOVERNANCE_MAINTENANCE_TASK_ID,
    frequency: { minutes: 5 },
    timeout: { minutes: 2 },
    initialDelay: { minutes: 1 },
    fn: async () => {
      try {
        const expired = await options.reservations.deleteExpired();
        const idle = await options.limiter.deleteIdle();
        if (expired + idle > 0)
          options.logger.info(
            `Governance clean-up: ${expired} expired quota reservations, ${idle} idle rate-limit rows deleted`,
          );
      } catch (error) {
        options.logger.warn(
          'Governance clean-up failed; it runs again in 5 minutes',
          error as Error,
        );
      }
    },
  });
}
