/**
 * Expiry warnings on SQLite and PostgreSQL: who is notified, at which lead time, with which
 * payload; never twice — not across two concurrent runs (two instances, on PostgreSQL two
 * connection pools like two replicas), not after a restart; a renewal makes the warning due again;
 * failed sends are retried up to the limit.
 */
import knexFactory, { Knex } from 'knex';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { ConfigReader } from '@backstage/config';
import {
  createInventoryStore,
  sandbox,
  T0,
  testClock,
} from '../__testUtils__/inventoryTestHelpers';
import {
  dueLeadMinutes,
  EXPIRY_WARNINGS_TASK_ID,
  ExpiryWarnings,
  ExpiryWarningStore,
  formatDuration,
  readExpiryWarningsConfig,
  renewLink,
  scheduleExpiryWarnings,
} from '.';

jest.setTimeout(60_000);

const MIN = 60_000;
const ADA = 'user:default/ada';
const TEAM_A = 'group:default/team-a';
const config = readExpiryWarningsConfig(new ConfigReader({}));

/** A notification service that records what it is asked to send. */
function recordingNotifications(
  fail?: (options: NotificationSendOptions) => boolean,
) {
  const sent: NotificationSendOptions[] = [];
  return {
    sent,
    send: jest.fn(async (options: NotificationSendOptions) => {
      if (fail?.(options)) throw new Error('notifications backend unavailable');
      sent.push(options);
    }),
  };
}

describe('expiry warnings', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
  const extraClients: Knex[] = [];
  afterAll(async () => {
    await Promise.all(extraClients.map(k => k.destroy()));
  });

  async function setup(dbId: Parameters<typeof databases.init>[0]) {
    const knex = await databases.init(dbId);
    const clock = testClock();
    const inventory = await createInventoryStore(knex, clock.fn);
    const database = mockServices.database({ knex });
    /** One backend instance: its own store (and, on PostgreSQL, its own connection pool). */
    const instance = async (
      notifications = recordingNotifications(),
      options: { ownPool?: boolean; maxAttempts?: number } = {},
    ) => {
      let client = knex;
      if (options.ownPool && dbId === 'POSTGRES_15') {
        client = knexFactory(knex.client.config);
        extraClients.push(client);
      }
      const store = await ExpiryWarningStore.create({
        database: mockServices.database({ knex: client }),
        clock: clock.fn,
      });
      const warnings = new ExpiryWarnings({
        inventory,
        store,
        notifications,
        config: {
          ...config,
          maxAttempts: options.maxAttempts ?? config.maxAttempts,
        },
        logger: mockServices.logger.mock(),
        clock: clock.fn,
      });
      return { warnings, store, notifications };
    };
    return { knex, clock, inventory, database, instance };
  }

  it.each(databases.eachSupportedId())(
    'notifies owner and team at the due lead time, once, on %p',
    async dbId => {
      const { clock, inventory, instance } = await setup(dbId);
      const created = T0 - 120 * MIN;
      await inventory.upsertPage('main', [
        sandbox('in-45', {
          name: 'notebook',
          owner: ADA,
          team: TEAM_A,
          createdAt: created,
          expiresAt: T0 + 45 * MIN,
        }),
        sandbox('in-5', {
          owner: 'user:default/Bob',
          team: 'group:default/team-b',
          createdAt: created,
          expiresAt: T0 + 5 * MIN,
        }),
        sandbox('team-only', {
          team: TEAM_A,
          createdAt: created,
          expiresAt: T0 + 30 * MIN,
        }),
        sandbox('in-2h', {
          owner: ADA,
          team: TEAM_A,
          createdAt: created,
          expiresAt: T0 + 120 * MIN,
        }),
        sandbox('nobody', { createdAt: created, expiresAt: T0 + 20 * MIN }),
        sandbox('terminated', {
          owner: ADA,
          team: TEAM_A,
          state: 'Terminated',
          createdAt: created,
          expiresAt: T0 + 5 * MIN,
        }),
        sandbox('expired', {
          owner: ADA,
          team: TEAM_A,
          createdAt: created,
          expiresAt: T0 - MIN,
        }),
        sandbox('manual', {
          owner: ADA,
          team: TEAM_A,
          createdAt: created,
          expiresAt: null,
        }),
      ]);
      const { warnings, notifications, store } = await instance();

      expect(await warnings.run()).toEqual({
        scanned: 4,
        sent: 3,
        alreadyClaimed: 0,
        skipped: 1,
        failed: 0,
      });
      // Soonest expiry first; exact recipients (lower-case refs), links that open the renew dialog.
      expect(notifications.sent).toEqual([
        {
          recipients: {
            type: 'entity',
            entityRef: ['user:default/bob', 'group:default/team-b'],
          },
          payload: {
            title: 'Sandbox in-5 expires in 5 minutes',
            description: expect.stringContaining(
              `expires at ${new Date(T0 + 5 * MIN).toISOString()}`,
            ),
            link: '/opensandbox/servers/main/sandboxes/in-5?renew=1',
            severity: 'high',
            topic: 'Sandbox expiry',
            scope: 'opensandbox:expiry:main/in-5',
            metadata: {
              server: 'main',
              sandboxId: 'in-5',
              expiresAt: new Date(T0 + 5 * MIN).toISOString(),
              leadMinutes: 10,
            },
          },
        },
        expect.objectContaining({
          recipients: { type: 'entity', entityRef: [TEAM_A] },
          payload: expect.objectContaining({
            title: 'Sandbox team-only expires in 30 minutes',
            severity: 'normal',
          }),
        }),
        expect.objectContaining({
          recipients: { type: 'entity', entityRef: [ADA, TEAM_A] },
          payload: expect.objectContaining({
            title: 'Sandbox notebook expires in 45 minutes',
            link: '/opensandbox/servers/main/sandboxes/in-45?renew=1',
            severity: 'normal',
            metadata: expect.objectContaining({ leadMinutes: 60 }),
          }),
        }),
      ]);
      expect(
        (await store.list()).map(r => [
          r.sandboxId,
          r.leadMinutes,
          r.status,
          r.attempts,
          r.recipients,
        ]),
      ).toEqual([
        ['in-5', 10, 'sent', 1, ['user:default/bob', 'group:default/team-b']],
        ['team-only', 60, 'sent', 1, [TEAM_A]],
        ['in-45', 60, 'sent', 1, [ADA, TEAM_A]],
      ]);

      // The next run sends nothing new.
      clock.now = T0 + MIN;
      expect(await warnings.run()).toMatchObject({
        sent: 0,
        alreadyClaimed: 3,
      });

      // 40 minutes later the notebook is 5 minutes from its expiry: the 10-minute warning is due.
      clock.now = T0 + 40 * MIN;
      notifications.sent.length = 0;
      expect(await warnings.run()).toMatchObject({ sent: 1 });
      expect(
        notifications.sent.map(n => [
          n.payload.title,
          n.payload.severity,
          n.payload.metadata?.leadMinutes,
        ]),
      ).toEqual([['Sandbox notebook expires in 5 minutes', 'high', 10]]);
      // team-only (expired at T0+30) is no longer scanned; in-2h is 80 minutes away.
    },
  );

  it.each(databases.eachSupportedId())(
    'never sends a warning twice: two concurrent instances, then a restart, on %p',
    async dbId => {
      const { inventory, instance } = await setup(dbId);
      const due = Array.from({ length: 40 }, (_, i) =>
        sandbox(`sbx-${String(i).padStart(2, '0')}`, {
          owner: ADA,
          team: TEAM_A,
          createdAt: T0 - 60 * MIN,
          expiresAt: T0 + (5 + i) * MIN,
        }),
      );
      await inventory.upsertPage('main', due);
      const first = await instance(recordingNotifications(), { ownPool: true });
      const second = await instance(recordingNotifications(), {
        ownPool: true,
      });

      const [a, b] = await Promise.all([
        first.warnings.run(),
        second.warnings.run(),
      ]);
      expect(a.sent + b.sent).toBe(40);
      expect(a.alreadyClaimed + b.alreadyClaimed).toBe(40);
      const keys = [
        ...first.notifications.sent,
        ...second.notifications.sent,
      ].map(
        n =>
          `${n.payload.metadata?.sandboxId}@${n.payload.metadata?.leadMinutes}`,
      );
      expect(new Set(keys).size).toBe(40);
      expect(keys).toHaveLength(40);

      // A restarted backend (new store, new task object) sends nothing again.
      const restarted = await instance(recordingNotifications(), {
        ownPool: true,
      });
      expect(await restarted.warnings.run()).toMatchObject({
        sent: 0,
        alreadyClaimed: 40,
      });
      expect(restarted.notifications.send).not.toHaveBeenCalled();
    },
  );

  it.each(databases.eachSupportedId())(
    'a renewal (a new expiresAt) makes the warning due again, on %p',
    async dbId => {
      const { clock, inventory, instance } = await setup(dbId);
      const s = sandbox('renewed', {
        owner: ADA,
        team: TEAM_A,
        createdAt: T0 - 60 * MIN,
        expiresAt: T0 + 8 * MIN,
      });
      await inventory.upsert('main', s);
      const { warnings, notifications } = await instance();
      expect(await warnings.run()).toMatchObject({ sent: 1 });

      // Renewed by 50 minutes: 58 minutes left, the 60-minute warning of the new expiry is due.
      clock.now = T0 + MIN;
      await inventory.upsert('main', {
        ...s,
        expiresAt: new Date(T0 + 58 * MIN).toISOString(),
      });
      expect(await warnings.run()).toMatchObject({ sent: 1 });
      expect(
        notifications.sent.map(n => [
          n.payload.metadata?.expiresAt,
          n.payload.metadata?.leadMinutes,
          n.payload.scope,
        ]),
      ).toEqual([
        [
          new Date(T0 + 8 * MIN).toISOString(),
          10,
          'opensandbox:expiry:main/renewed',
        ],
        [
          new Date(T0 + 58 * MIN).toISOString(),
          60,
          'opensandbox:expiry:main/renewed',
        ],
      ]);
      expect(await warnings.run()).toMatchObject({
        sent: 0,
        alreadyClaimed: 1,
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'retries a failed send up to maxAttempts, on %p',
    async dbId => {
      const { clock, inventory, instance } = await setup(dbId);
      await inventory.upsert(
        'main',
        sandbox('flaky', {
          owner: ADA,
          createdAt: T0 - 60 * MIN,
          expiresAt: T0 + 30 * MIN,
        }),
      );
      let failing = true;
      const notifications = recordingNotifications(() => failing);
      const { warnings, store } = await instance(notifications, {
        maxAttempts: 2,
      });

      expect(await warnings.run()).toMatchObject({ sent: 0, failed: 1 });
      expect(
        (await store.list()).map(r => [r.status, r.attempts, r.error]),
      ).toEqual([['failed', 1, 'notifications backend unavailable']]);
      clock.now = T0 + MIN;
      expect(await warnings.run()).toMatchObject({ failed: 1 });
      // Out of attempts: not claimed again, even once the notifications backend is back.
      failing = false;
      clock.now = T0 + 2 * MIN;
      expect(await warnings.run()).toMatchObject({
        sent: 0,
        failed: 0,
        alreadyClaimed: 1,
      });
      expect(notifications.send).toHaveBeenCalledTimes(2);

      // A failed warning is retried while attempts remain.
      await inventory.upsert(
        'main',
        sandbox('flaky-2', {
          owner: ADA,
          createdAt: T0 - 60 * MIN,
          expiresAt: T0 + 30 * MIN,
        }),
      );
      failing = true;
      expect(await warnings.run()).toMatchObject({ failed: 1 });
      failing = false;
      clock.now = T0 + 3 * MIN;
      expect(await warnings.run()).toMatchObject({ sent: 1 });
      expect(
        (await store.list()).find(r => r.sandboxId === 'flaky-2'),
      ).toMatchObject({ status: 'sent', attempts: 2, error: null });
    },
  );

  it.each(databases.eachSupportedId())(
    'claims are unique per sandbox, expiry and lead time, on %p',
    async dbId => {
      const { clock, database } = await setup(dbId);
      const store = await ExpiryWarningStore.create({
        database,
        clock: clock.fn,
      });
      const key = {
        server: 'main',
        sandboxId: 'x',
        expiresAt: T0,
        leadMinutes: 10,
      };
      const claims = await Promise.all(
        Array.from({ length: 8 }, () => store.claim(key, 3)),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await store.claim({ ...key, leadMinutes: 60 }, 3)).toBe(true);
      expect(await store.claim({ ...key, expiresAt: T0 + 1 }, 3)).toBe(true);
      expect(await store.claim({ ...key, server: 'other' }, 3)).toBe(true);
      // Rows of expiries long gone are pruned.
      expect(await store.prune(T0 + 1)).toBe(3);
      expect((await store.list()).map(r => r.expiresAt)).toEqual([T0 + 1]);
    },
  );
});

describe('expiry warning helpers', () => {
  it('picks the smallest lead time that covers the remaining time', () => {
    expect(dueLeadMinutes([60, 10], 45 * MIN)).toBe(60);
    expect(dueLeadMinutes([60, 10], 60 * MIN)).toBe(60);
    expect(dueLeadMinutes([60, 10], 10 * MIN)).toBe(10);
    expect(dueLeadMinutes([60, 10], 1)).toBe(10);
    expect(dueLeadMinutes([60, 10], 61 * MIN)).toBeUndefined();
    expect(dueLeadMinutes([1440, 60, 10], 300 * MIN)).toBe(1440);
  });

  it('formats durations and links', () => {
    expect([1, 25, 60, 90, 120].map(formatDuration)).toEqual([
      '1 minute',
      '25 minutes',
      '1 hour',
      '1 hour 30 minutes',
      '2 hours',
    ]);
    expect(renewLink('/sandboxes', 'eu west', 'a/b')).toBe(
      '/sandboxes/servers/eu%20west/sandboxes/a%2Fb?renew=1',
    );
  });

  it('reads opensandbox.expiryWarnings with defaults and validation', () => {
    expect(config).toEqual({
      enabled: true,
      leadTimesMinutes: [60, 10],
      intervalSeconds: 60,
      linkBasePath: '/opensandbox',
      maxAttempts: 3,
    });
    const read = (expiryWarnings: unknown) =>
      readExpiryWarningsConfig(
        new ConfigReader({ opensandbox: { expiryWarnings } } as any),
      );
    expect(
      read({
        leadTimesMinutes: [5, 1440, 30],
        linkBasePath: '/sandboxes/',
        intervalSeconds: 30,
        enabled: false,
      }),
    ).toEqual({
      enabled: false,
      leadTimesMinutes: [1440, 30, 5],
      intervalSeconds: 30,
      linkBasePath: '/sandboxes',
      maxAttempts: 3,
    });
    expect(() => read({ leadTimesMinutes: [] })).toThrow(
      /leadTimesMinutes must list at least one/,
    );
    expect(() => read({ leadTimesMinutes: [10, 10] })).toThrow(
      /must not repeat/,
    );
    expect(() => read({ leadTimesMinutes: [0] })).toThrow(
      /opensandbox.expiryWarnings.leadTimesMinutes/,
    );
    expect(() => read({ leadTimesMinutes: [1.5] })).toThrow(/whole numbers/);
    expect(() => read({ intervalSeconds: 0 })).toThrow(/intervalSeconds/);
    expect(() => read({ linkBasePath: 'opensandbox' })).toThrow(/linkBasePath/);
  });

  it('schedules one global task at the configured interval, none when disabled', async () => {
    const scheduler = mockServices.scheduler.mock();
    const warnings = { run: jest.fn() };
    await scheduleExpiryWarnings({
      scheduler,
      logger: mockServices.logger.mock(),
      config: { ...config, intervalSeconds: 30 },
      warnings,
    });
    expect(scheduler.scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({
        id: EXPIRY_WARNINGS_TASK_ID,
        frequency: { seconds: 30 },
        scope: 'global',
      }),
    );
    const disabled = mockServices.scheduler.mock();
    await scheduleExpiryWarnings({
      scheduler: disabled,
      logger: mockServices.logger.mock(),
      config: { ...config, enabled: false },
      warnings,
    });
    expect(disabled.scheduleTask).not.toHaveBeenCalled();
  });
});
