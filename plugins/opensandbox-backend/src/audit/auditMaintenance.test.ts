import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { SchedulerServiceTaskFunction } from '@backstage/backend-plugin-api';
import {
  AUDIT_TASK_IDS,
  readAuditMaintenanceSettings,
  scheduleAuditMaintenance,
} from './auditMaintenance';
import {
  T0,
  attemptInput,
  createTestStore,
  testClock,
} from '../__testUtils__/auditTestHelpers';

jest.setTimeout(60_000);

const DAY = 86_400_000;

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

describe('audit maintenance', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  it('reads defaults and validates config', () => {
    expect(readAuditMaintenanceSettings(new ConfigReader({}))).toEqual({
      staleInitiatedMinutes: 15,
      retentionDays: 365,
    });
    expect(
      readAuditMaintenanceSettings(
        new ConfigReader({
          opensandbox: {
            audit: { retentionDays: 0, staleInitiatedMinutes: 30 },
          },
        }),
      ),
    ).toEqual({ staleInitiatedMinutes: 30, retentionDays: 0 });
    expect(() =>
      readAuditMaintenanceSettings(
        new ConfigReader({ opensandbox: { audit: { retentionDays: -1 } } }),
      ),
    ).toThrow(
      'opensandbox.audit.retentionDays must be an integer >= 0 (0 keeps forever)',
    );
    expect(() =>
      readAuditMaintenanceSettings(
        new ConfigReader({
          opensandbox: { audit: { staleInitiatedMinutes: 0 } },
        }),
      ),
    ).toThrow(
      'opensandbox.audit.staleInitiatedMinutes must be an integer >= 1',
    );
  });

  it('does not schedule retention when retentionDays is 0, and warns on a short stale age', async () => {
    const { scheduler, tasks } = captureScheduler();
    const logger = mockServices.logger.mock();
    const store = { markStaleInitiated: jest.fn(), deleteOlderThan: jest.fn() };
    await scheduleAuditMaintenance({
      scheduler,
      store,
      logger,
      config: new ConfigReader({
        opensandbox: { audit: { retentionDays: 0, staleInitiatedMinutes: 3 } },
      }),
    });
    expect([...tasks.keys()]).toEqual([AUDIT_TASK_IDS.markStale]);
    expect(logger.warn).toHaveBeenCalledWith(
      'opensandbox.audit.staleInitiatedMinutes (3) is not longer than the create timeout (180s): slow creates may be marked unknown',
    );
  });

  it.each(databases.eachSupportedId())(
    'runs the reaper and retention tasks on %p',
    async id => {
      const knex = await databases.init(id);
      const clock = testClock();
      const store = await createTestStore(knex, clock.fn);
      const { scheduler, tasks } = captureScheduler();
      const logger = mockServices.logger.mock();

      clock.now = T0 - 400 * DAY;
      const ancient = await store.insertInitiated(attemptInput());
      clock.now = T0 - 20 * 60_000;
      const stale = await store.insertInitiated(attemptInput());
      clock.now = T0 - 5 * 60_000;
      const fresh = await store.insertInitiated(attemptInput());
      clock.now = T0;

      await scheduleAuditMaintenance({
        scheduler,
        store,
        logger,
        clock: clock.fn,
        config: new ConfigReader({
          opensandbox: { audit: { retentionDays: 365 } },
        }),
      });
      expect(tasks.get(AUDIT_TASK_IDS.markStale)!.def).toMatchObject({
        frequency: { minutes: 5 },
        scope: 'global',
      });
      expect(tasks.get(AUDIT_TASK_IDS.retention)!.def).toMatchObject({
        frequency: { hours: 24 },
        scope: 'global',
      });

      await run(tasks.get(AUDIT_TASK_IDS.markStale)!.fn);
      const outcomes = async () =>
        Object.fromEntries(
          (await store.query({}, { limit: 10 })).items.map(r => [
            r.id,
            r.outcome,
          ]),
        );
      expect(await outcomes()).toEqual({
        [ancient.id]: 'unknown',
        [stale.id]: 'unknown',
        [fresh.id]: 'initiated',
      });
      expect(logger.warn).toHaveBeenCalledWith(
        'Marked 2 audit event(s) left initiated as unknown',
      );

      await run(tasks.get(AUDIT_TASK_IDS.retention)!.fn);
      expect(await outcomes()).toEqual({
        [stale.id]: 'unknown',
        [fresh.id]: 'initiated',
      });
      expect(logger.info).toHaveBeenCalledWith(
        `Audit retention: deleted 1 event(s) older than ${new Date(
          T0 - 365 * DAY,
        ).toISOString()}`,
      );
    },
  );
});
