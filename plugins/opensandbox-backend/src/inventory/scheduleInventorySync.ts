import type {
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';

/** Default of `opensandbox.inventory.syncIntervalSeconds`. */
export const DEFAULT_SYNC_INTERVAL_SECONDS = 15;

/** Config key of the sync interval (seconds). */
export const SYNC_INTERVAL_KEY = 'opensandbox.inventory.syncIntervalSeconds';

/** Scheduler task id of the inventory sync of server `name`. */
export const inventorySyncTaskId = (name: string): string =>
  `opensandbox-inventory-sync-${name}`;

/** Most time one sync may run before the scheduler considers it dead and frees its lock. */
const SYNC_TIMEOUT_SECONDS = 600;

/** One server to keep in sync. */
export interface InventorySyncTarget {
  /** Server name (the inventory's `server`; also in the task id). */
  name: string;
  /** One full sync of that server (normally `() => syncServer({...})`). Errors are logged. */
  sync: () => Promise<unknown>;
}

/** Options of {@link scheduleInventorySync}. */
export interface ScheduleInventorySyncOptions {
  scheduler: SchedulerService;
  /** Root config: reads `opensandbox.inventory.syncIntervalSeconds`. */
  config: Config;
  logger: LoggerService;
  servers: InventorySyncTarget[];
}

/**
 * Reads `opensandbox.inventory.syncIntervalSeconds`: default 15, an integer ≥ 1 (seconds).
 * @throws Error naming the key when the value is not an integer ≥ 1 (or not a number).
 */
export function readSyncIntervalSeconds(config: Config): number {
  let value: number | undefined;
  try {
    value = config.getOptionalNumber(SYNC_INTERVAL_KEY);
  } catch {
    throw new Error(`${SYNC_INTERVAL_KEY} must be an integer >= 1 (seconds)`);
  }
  const seconds = value ?? DEFAULT_SYNC_INTERVAL_SECONDS;
  if (!Number.isInteger(seconds) || seconds < 1) {
    throw new Error(`${SYNC_INTERVAL_KEY} must be an integer >= 1 (seconds)`);
  }
  return seconds;
}

/**
 * Schedules one task per server, `opensandbox-inventory-sync-<name>`, every
 * `opensandbox.inventory.syncIntervalSeconds` seconds with scope `global`: under the scheduler's
 * distributed lock, so one replica syncs a server at a time (and a slow sync is never overlapped
 * by the next run). Timeout 10 minutes. A failing sync is logged (warn) and retried at the next
 * interval.
 *
 * @returns the interval in effect, seconds.
 * @throws Error for an invalid interval (see {@link readSyncIntervalSeconds}) or duplicate
 *   server names.
 */
export async function scheduleInventorySync(
  options: ScheduleInventorySyncOptions,
): Promise<{ intervalSeconds: number }> {
  const { scheduler, config, logger, servers } = options;
  const intervalSeconds = readSyncIntervalSeconds(config);
  const names = new Set<string>();
  for (const { name } of servers) {
    if (names.has(name))
      throw new Error(`Duplicate inventory server name "${name}"`);
    names.add(name);
  }
  for (const target of servers) {
    await scheduler.scheduleTask({
      id: inventorySyncTaskId(target.name),
      frequency: { seconds: intervalSeconds },
      // The first sync after a start happens on demand, with the first list (the pipeline syncs a
      // server that never was); the scheduled runs follow one interval later.
      initialDelay: { seconds: intervalSeconds },
      timeout: { seconds: SYNC_TIMEOUT_SECONDS },
      scope: 'global',
      fn: async () => {
        try {
          await target.sync();
        } catch (error) {
          logger.warn(
            `Inventory sync of OpenSandbox server ${target.name} failed: ${
              error instanceof Error ? error.message : String(error)
            }`,
          );
        }
      },
    });
  }
  return { intervalSeconds };
}
