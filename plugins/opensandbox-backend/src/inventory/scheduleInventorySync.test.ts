import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { SchedulerServiceTaskFunction } from '@backstage/backend-plugin-api';
import {
  DEFAULT_SYNC_INTERVAL_SECONDS,
  inventorySyncTaskId,
  readSyncIntervalSeconds,
  scheduleInventorySync,
} from './scheduleInventorySync';

function captureScheduler() {
  const tasks = new Map<
    string,
    { fn: SchedulerServiceTaskFunction; def: any }
  >();
  const scheduler = mockServices.scheduler.mock({
    scheduleTask: jest.fn(async def => {
      tasks.set(def.id, { fn: def.fn, def });
    }),
  });
  return { scheduler, tasks };
}

const run = (fn: SchedulerServiceTaskFunction) =>
  (fn as any)(new AbortController().signal);

describe('scheduleInventorySync', () => {
  it('reads the interval: default 15, integer >= 1, errors name the key', () => {
    expect(readSyncIntervalSeconds(new ConfigReader({}))).toBe(
      DEFAULT_SYNC_INTERVAL_SECONDS,
    );
    expect(DEFAULT_SYNC_INTERVAL_SECONDS).toBe(15);
    expect(
      readSyncIntervalSeconds(
        new ConfigReader({
          opensandbox: { inventory: { syncIntervalSeconds: 60 } },
        }),
      ),
    ).toBe(60);
    for (const bad of [0, -5, 1.5, 'often']) {
      expect(() =>
        readSyncIntervalSeconds(
          new ConfigReader({
            opensandbox: { inventory: { syncIntervalSeconds: bad } },
          }),
        ),
      ).toThrow(
        'opensandbox.inventory.syncIntervalSeconds must be an integer >= 1 (seconds)',
      );
    }
  });

  it('schedules one global task per server that runs its sync and logs failures', async () => {
    const { scheduler, tasks } = captureScheduler();
    const logger = mockServices.logger.mock();
    const syncA = jest.fn(async () => ({ added: 1 }));
    const syncB = jest.fn(async () => {
      throw new Error('upstream 502');
    });
    const result = await scheduleInventorySync({
      scheduler,
      logger,
      config: new ConfigReader({
        opensandbox: { inventory: { syncIntervalSeconds: 30 } },
      }),
      servers: [
        { name: 'main', sync: syncA },
        { name: 'eu', sync: syncB },
      ],
    });
    expect(result).toEqual({ intervalSeconds: 30 });
    expect([...tasks.keys()]).toEqual([
      'opensandbox-inventory-sync-main',
      'opensandbox-inventory-sync-eu',
    ]);
    expect(inventorySyncTaskId('main')).toBe('opensandbox-inventory-sync-main');
    const def = tasks.get('opensandbox-inventory-sync-main')!.def;
    expect(def).toMatchObject({
      frequency: { seconds: 30 },
      initialDelay: { seconds: 30 },
      timeout: { seconds: 600 },
      scope: 'global',
    });

    await run(tasks.get('opensandbox-inventory-sync-main')!.fn);
    expect(syncA).toHaveBeenCalledTimes(1);
    expect(syncB).not.toHaveBeenCalled();
    await run(tasks.get('opensandbox-inventory-sync-eu')!.fn); // does not throw
    expect(syncB).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(
      'Inventory sync of OpenSandbox server eu failed: upstream 502',
    );
  });

  it('refuses invalid config and duplicate server names before scheduling anything', async () => {
    const { scheduler, tasks } = captureScheduler();
    const logger = mockServices.logger.mock();
    await expect(
      scheduleInventorySync({
        scheduler,
        logger,
        config: new ConfigReader({
          opensandbox: { inventory: { syncIntervalSeconds: 0 } },
        }),
        servers: [{ name: 'main', sync: jest.fn() }],
      }),
    ).rejects.toThrow('opensandbox.inventory.syncIntervalSeconds');
    await expect(
      scheduleInventorySync({
        scheduler,
        logger,
        config: new ConfigReader({}),
        servers: [
          { name: 'main', sync: jest.fn() },
          { name: 'main', sync: jest.fn() },
        ],
      }),
    ).rejects.toThrow('Duplicate inventory server name "main"');
    expect(tasks.size).toBe(0);
  });
});
