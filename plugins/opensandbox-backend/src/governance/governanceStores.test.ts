/**
 * The governance stores on SQLite and PostgreSQL with a fixed clock: the rate limiter's token
 * bucket, quota reservations (counting, create-token hand-over to the inventory, release, expiry)
 * and the quota overrides.
 */
import { TestDatabases } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import { QuotaReservations } from './QuotaReservations';
import { QuotaStore } from './QuotaStore';
import { RateLimiter } from './RateLimiter';

jest.setTimeout(60_000);

const directory = resolvePackagePath(
  '@opensandbox-console/plugin-opensandbox-backend',
  'migrations',
);
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const TEAM = 'group:default/team-a';

/** An inventory row of `team` carrying `token` (what the pipeline's write-through stores). */
async function inventorySandbox(
  knex: Knex,
  id: string,
  team: string,
  token: string,
  state = 'Running',
) {
  await knex('opensandbox_sandboxes').insert({
    server: 'default',
    id,
    id_lower: id,
    state,
    state_lower: state.toLowerCase(),
    team,
    created_at: 1,
    first_seen_at: 1,
    changed_at: 1,
    version: 1,
    etag: 'e',
  });
  await knex('opensandbox_sandbox_labels').insert({
    server: 'default',
    id,
    key: 'backstage.io/create-token',
    value: token,
  });
}

describe.each(databases.eachSupportedId())(
  'governance stores on %s',
  databaseId => {
    let knex: Knex;
    let now: number;
    const clock = () => now;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      await knex.migrate.latest({ directory });
    });
    beforeEach(() => {
      now = Date.parse('2026-12-10T10:00:00Z');
    });

    it('migrates up and down', async () => {
      for (const table of [
        'opensandbox_quotas',
        'opensandbox_quota_reservations',
        'opensandbox_rate_limits',
      ]) {
        expect(await knex.schema.hasTable(table)).toBe(true);
      }
      await knex.migrate.down({
        directory,
        name: '20261210_governance_quotas.js',
      });
      expect(await knex.schema.hasTable('opensandbox_quota_reservations')).toBe(
        false,
      );
      await knex.migrate.latest({ directory });
      expect(await knex.schema.hasTable('opensandbox_quota_reservations')).toBe(
        true,
      );
    });

    it('rate limiter: a bucket of n, refilled at n per minute, Retry-After exact', async () => {
      const limiter = new RateLimiter(knex, clock);
      const key = `user:user:default/rate-${databaseId}`;
      const answers = [];
      for (let i = 0; i < 7; i++) answers.push(await limiter.take(key, 5));
      expect(answers.filter(a => a.allowed)).toHaveLength(5);
      expect(answers[5]).toEqual({ allowed: false, retryAfterSeconds: 12 });
      now += 11_999;
      expect(await limiter.take(key, 5)).toEqual({
        allowed: false,
        retryAfterSeconds: 1,
      });
      now += 1;
      expect(await limiter.take(key, 5)).toEqual({ allowed: true });
      expect(await limiter.take(key, 5)).toEqual({
        allowed: false,
        retryAfterSeconds: 12,
      });
      // Another principal has its own bucket.
      expect(await limiter.take(`${key}-other`, 5)).toEqual({ allowed: true });
      now += 60_000;
      for (let i = 0; i < 5; i++)
        expect(await limiter.take(key, 5)).toEqual({ allowed: true });
      now += 2 * 86_400_000;
      expect(await limiter.deleteIdle()).toBeGreaterThanOrEqual(2);
    });

    it('rate limiter: concurrent takes never exceed the bucket', async () => {
      const limiter = new RateLimiter(knex, clock);
      const key = `service:ci-${databaseId}`;
      const answers = await Promise.all(
        Array.from({ length: 30 }, () => limiter.take(key, 10)),
      );
      expect(answers.filter(a => a.allowed)).toHaveLength(10);
    });

    it('reservations: count inventory and in-flight creates, hand over to the inventory, release and expire', async () => {
      const reservations = new QuotaReservations(knex, clock);
      const team = `${TEAM}-${databaseId.toLowerCase()}`;
      await inventorySandbox(knex, `outside-${databaseId}`, team, 'c-outside');
      await inventorySandbox(
        knex,
        `gone-${databaseId}`,
        team,
        'c-gone',
        'Terminated',
      );
      expect(await reservations.usage(team)).toEqual({
        sandboxes: 1,
        reserved: 0,
      });

      const input = { team, limit: 3, server: 'default', ttlMs: 240_000 };
      const a = await reservations.reserve({ ...input, createToken: 'c-a' });
      const b = await reservations.reserve({ ...input, createToken: 'c-b' });
      expect(a).toEqual({
        reservationId: expect.any(String),
        usage: { sandboxes: 1, reserved: 0 },
      });
      expect(b.usage).toEqual({ sandboxes: 1, reserved: 1 });
      const full = await reservations.reserve({ ...input, createToken: 'c-c' });
      expect(full).toEqual({ usage: { sandboxes: 1, reserved: 2 } });

      // a's sandbox reaches the inventory: it counts once (the reservation no longer does).
      await inventorySandbox(knex, `a-${databaseId}`, team, 'c-a');
      expect(await reservations.usage(team)).toEqual({
        sandboxes: 2,
        reserved: 1,
      });
      expect(await reservations.settle(a.reservationId!)).toBe(true);
      // b's create has no sandbox in the inventory: settle keeps it, release removes it.
      expect(await reservations.settle(b.reservationId!)).toBe(false);
      expect(await reservations.usage(team)).toEqual({
        sandboxes: 2,
        reserved: 1,
      });
      await reservations.release(b.reservationId!);
      expect(await reservations.usage(team)).toEqual({
        sandboxes: 2,
        reserved: 0,
      });

      // An exempt reservation (limit null) is made even when full; it expires after its ttl.
      const forced = await reservations.reserve({
        ...input,
        limit: null,
        createToken: 'c-d',
      });
      expect(forced.reservationId).toBeDefined();
      expect(
        await reservations.reserve({ ...input, createToken: 'c-e' }),
      ).toEqual({ usage: { sandboxes: 2, reserved: 1 } });
      now += 240_000;
      expect(await reservations.usage(team)).toEqual({
        sandboxes: 2,
        reserved: 0,
      });
      expect(await reservations.deleteExpired()).toBe(1);
    });

    it('reservations: concurrent reserves for one team never exceed the limit', async () => {
      const reservations = new QuotaReservations(knex, clock);
      const team = `group:default/race-${databaseId.toLowerCase()}`;
      const results = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          reservations.reserve({
            team,
            limit: 7,
            server: 'default',
            ttlMs: 60_000,
            createToken: `c-${i}`,
          }),
        ),
      );
      expect(results.filter(r => r.reservationId)).toHaveLength(7);
      expect(await reservations.usage(team)).toEqual({
        sandboxes: 0,
        reserved: 7,
      });
    });

    it('quota overrides: put replaces, delete removes, both answer the previous limits', async () => {
      const store = new QuotaStore(knex, clock);
      expect(
        await store.put(TEAM, { maxSandboxes: 5 }, 'user:default/pat'),
      ).toEqual({
        before: undefined,
        after: {
          team: TEAM,
          limits: { maxSandboxes: 5 },
          updatedAt: now,
          updatedBy: 'user:default/pat',
        },
      });
      const second = await store.put(
        TEAM,
        { maxCpu: null },
        'user:default/pat',
      );
      expect(second.before?.limits).toEqual({ maxSandboxes: 5 });
      expect(
        (await store.getMany([TEAM, 'default'])).get(TEAM)?.limits,
      ).toEqual({ maxCpu: null });
      expect((await store.delete(TEAM))?.limits).toEqual({ maxCpu: null });
      expect(await store.delete(TEAM)).toBeUndefined();
      expect(await store.list()).toEqual([]);
    });
  },
);
