import type {
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { SandboxOperationPipeline } from './SandboxOperationPipeline';

/** Scheduler task id of the create reconciliation (scoped to the plugin). */
export const RECONCILE_CREATES_TASK_ID =
  'opensandbox-reconcile-unknown-creates';

/**
 * Schedules {@link SandboxOperationPipeline.reconcileUnknownCreates} every
 * `opensandbox.reconcileIntervalSeconds` (default 60 s, integer ≥ 5). The scheduler runs it on one
 * replica at a time.
 * @throws Error naming the key when the interval is invalid.
 */
export async function scheduleCreateReconciliation(options: {
  scheduler: SchedulerService;
  config: Config;
  logger: LoggerService;
  operations: Pick<SandboxOperationPipeline, 'reconcileUnknownCreates'>;
}): Promise<void> {
  const seconds =
    options.config.getOptionalNumber('opensandbox.reconcileIntervalSeconds') ??
    60;
  if (!Number.isInteger(seconds) || seconds < 5) {
    throw new Error(
      'opensandbox.reconcileIntervalSeconds must be an integer >= 5',
    );
  }
  await options.scheduler.scheduleTask({
    id: RECONCILE_CREATES_TASK_ID,
    frequency: { seconds },
    timeout: { seconds: Math.max(60, seconds * 5) },
    initialDelay: { seconds: Math.min(seconds, 30) },
    fn: async () => {
      try {
        await options.operations.reconcileUnknownCreates();
      } catch (error) {
        options.logger.warn(
          `Reconciliation of unknown creates failed; it runs again in ${seconds} s`,
          error as Error,
        );
      }
    },
  });
}
