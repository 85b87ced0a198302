/**
 * Governance across replicas: TWO console backends on ONE PostgreSQL database (the same `knex`)
 * in front of one OpenSandbox.
 * - 40 concurrent creates for a team with quota 10, spread over both backends, while upstream
 *   takes a while to answer each create: exactly 10 sandboxes upstream, 30 refusals naming the
 *   quota, 40 audit rows, no reservation left behind.
 * - A mutation rate limit holds across both backends (429 with Retry-After), per principal.
 */
import type { Server } from 'node:http';
import { TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import { startSimulator } from '@opensandbox-console/opensandbox-simulator';
import {
  authHeader,
  startConsoleBackend,
  TEST_API_KEY,
} from '../__testUtils__/consoleBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
const ids = databases.eachSupportedId();
const body = {
  image: { uri: 'alpine:3' },
  entrypoint: ['sh'],
  timeout: 3600,
  resourceLimits: { cpu: '1', memory: '1Gi' },
};
const ada = authHeader('operatorOwnTeam'); // team-a
const admin = authHeader('admin');

(ids.length > 0 ? describe.each(ids) : describe.skip.each([['POSTGRES_15']]))(
  'two backends on one %s',
  databaseId => {
    describe('quota', () => {
      let sim: Awaited<ReturnType<typeof startSimulator>>;
      let replicas: Server[];
      let knex: Awaited<ReturnType<typeof databases.init>>;

      beforeAll(async () => {
        knex = await databases.init(databaseId as 'POSTGRES_15');
        sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
        const extraConfig = {
          quotas: { teams: { 'group:default/team-a': { maxSandboxes: 10 } } },
        };
        // One after the other: both run the migrations on the same database.
        const first = await startConsoleBackend({
          simulatorUrl: sim.url,
          knex,
          extraConfig,
        });
        const second = await startConsoleBackend({
          simulatorUrl: sim.url,
          knex,
          extraConfig,
        });
        replicas = [first, second];
      });
      afterAll(() => sim.close());

      it('40 concurrent creates for a team with quota 10: exactly 10 sandboxes upstream, 30 refusals, 40 audit rows', async () => {
        // Every create takes 300 ms upstream, so creates overlap on both replicas.
        const options = await fetch(`${sim.url}/_simulator/create-options`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ createDelayMs: 300 }),
        });
        expect(options.ok).toBe(true);

        const answers = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            request(replicas[i % 2])
              .post('/api/opensandbox/sandboxes')
              .set('Authorization', ada)
              .send({ ...body, metadata: { name: `race-${i}` } }),
          ),
        );
        const accepted = answers.filter(a => a.status === 202);
        const refused = answers.filter(a => a.status === 403);
        expect(accepted).toHaveLength(10);
        expect(refused).toHaveLength(30);
        for (const res of refused) {
          expect(res.body.error).toMatchObject({
            name: 'QuotaExceededError',
            message:
              'team-a has 10 of 10 sandboxes (quota maxSandboxes = 10); delete sandboxes the team no longer needs, or ask an administrator to raise the quota.',
          });
        }

        // Upstream: exactly 10 sandboxes of team-a.
        expect(sim.state.store.size).toBe(10);
        expect(await upstreamTeamCount(sim.url, 'team-a')).toBe(10);

        // 40 audit rows: 10 succeeded, 30 denied.
        const rows = await auditRows(replicas[0], {
          action: 'sandbox.create',
          actor: 'user:default/ada',
        });
        expect(rows).toHaveLength(40);
        expect(rows.filter(r => r.outcome === 'succeeded')).toHaveLength(10);
        expect(
          rows.filter(
            r =>
              r.outcome === 'denied' &&
              r.httpStatus === 403 &&
              r.errorCode === 'QuotaExceededError',
          ),
        ).toHaveLength(30);

        // Nothing double counted, nothing leaked: the sandboxes count, no reservation is left.
        expect(
          await knex('opensandbox_quota_reservations').count({ n: '*' }),
        ).toEqual([{ n: '0' }]);
        for (const replica of replicas) {
          const status = await request(replica)
            .get('/api/opensandbox/quotas')
            .set('Authorization', ada);
          expect(status.body).toMatchObject({
            usage: { sandboxes: 10, reserved: 0 },
            remaining: 0,
          });
        }

        // A deleted sandbox frees its place on every replica at once.
        const victim = accepted[0].body.id;
        expect(
          (
            await request(replicas[1])
              .delete(`/api/opensandbox/sandboxes/${victim}`)
              .set('Authorization', ada)
          ).status,
        ).toBe(204);
        await fetch(`${sim.url}/_simulator/create-options`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ createDelayMs: 0 }),
        });
        const again = await Promise.all(
          replicas.map(r =>
            request(r)
              .post('/api/opensandbox/sandboxes')
              .set('Authorization', ada)
              .send(body),
          ),
        );
        expect(again.map(a => a.status).sort()).toEqual([202, 403]);
      });

      it('releases the reservation of a create that failed upstream', async () => {
        const quota = await request(replicas[0])
          .put(
            `/api/opensandbox/admin/quotas/${encodeURIComponent(
              'group:default/team-b',
            )}`,
          )
          .set('Authorization', admin)
          .send({ maxSandboxes: 1 });
        expect(quota.status).toBe(200);
        const bob = authHeader('operatorOtherTeam');
        const failed = await request(replicas[0])
          .post('/api/opensandbox/sandboxes')
          .set('Authorization', bob)
          .send({ ...body, image: { uri: 'alpine:does-not-exist' } });
        expect(failed.status).toBe(400);
        expect(
          await knex('opensandbox_quota_reservations').count({ n: '*' }),
        ).toEqual([{ n: '0' }]);
        // The place is free again: on the other replica, one create fits.
        expect(
          (
            await request(replicas[1])
              .post('/api/opensandbox/sandboxes')
              .set('Authorization', bob)
              .send(body)
          ).status,
        ).toBe(202);
        expect(
          (
            await request(replicas[0])
              .post('/api/opensandbox/sandboxes')
              .set('Authorization', bob)
              .send(body)
          ).status,
        ).toBe(403);
      });
    });

    describe('rate limit', () => {
      let sim: Awaited<ReturnType<typeof startSimulator>>;
      let replicas: Server[];

      beforeAll(async () => {
        const knex = await databases.init(databaseId as 'POSTGRES_15');
        sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
        const extraConfig = {
          rateLimits: {
            mutationsPerMinute: 5,
            principals: { 'user:default/pat': 0 },
          },
        };
        replicas = [
          await startConsoleBackend({
            simulatorUrl: sim.url,
            knex,
            extraConfig,
          }),
          await startConsoleBackend({
            simulatorUrl: sim.url,
            knex,
            extraConfig,
          }),
        ];
      });
      afterAll(() => sim.close());

      it('holds across both backends: 5 mutations per minute per user, then 429 with Retry-After', async () => {
        const started = Date.now();
        // Deletes of a sandbox that does not exist: each is a mutation request (404 when let through).
        const answers = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            request(replicas[i % 2])
              .delete('/api/opensandbox/sandboxes/no-such-sandbox')
              .set('Authorization', ada),
          ),
        );
        const elapsed = Date.now() - started;
        const through = answers.filter(a => a.status === 404);
        const limited = answers.filter(a => a.status === 429);
        // One token comes back every 12 s: exactly 5 unless the burst itself took that long.
        expect(through.length).toBeGreaterThanOrEqual(5);
        expect(through.length).toBeLessThanOrEqual(
          5 + Math.floor(elapsed / 12_000),
        );
        expect(through.length + limited.length).toBe(12);
        for (const res of limited) {
          const retryAfter = Number(res.headers['retry-after']);
          expect(
            Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 12,
          ).toBe(true);
          expect(res.body.error).toMatchObject({
            name: 'RateLimitedError',
            message: `Too many changes: at most 5 per minute per caller (opensandbox.rateLimits); retry in ${retryAfter} seconds.`,
            requestId: res.headers['x-request-id'],
          });
        }
        // Reads are not limited; other users have their own budget; pat is exempt by config.
        expect(
          (
            await request(replicas[0])
              .get('/api/opensandbox/sandboxes')
              .set('Authorization', ada)
          ).status,
        ).toBe(200);
        expect(
          (
            await request(replicas[1])
              .delete('/api/opensandbox/sandboxes/no-such-sandbox')
              .set('Authorization', authHeader('operatorOtherTeam'))
          ).status,
        ).toBe(404);
        const pat = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            request(replicas[i % 2])
              .delete('/api/opensandbox/sandboxes/no-such-sandbox')
              .set('Authorization', admin),
          ),
        );
        expect(pat.map(a => a.status)).toEqual(Array(8).fill(404));
      });
    });
  },
);

async function upstreamTeamCount(
  simUrl: string,
  team: string,
): Promise<number> {
  const res = await fetch(
    `${simUrl}/v1/sandboxes?metadata=${encodeURIComponent(
      `backstage.io/team=${team}`,
    )}&pageSize=200`,
    {
      headers: { 'OPEN-SANDBOX-API-KEY': TEST_API_KEY },
    },
  );
  const page = await res.json();
  return page.pagination.totalItems;
}

async function auditRows(server: Server, query: Record<string, string>) {
  const res = await request(server)
    .get('/api/opensandbox/audit-events')
    .query({ ...query, limit: '200' })
    .set('Authorization', admin);
  expect(res.status).toBe(200);
  return res.body.items as any[];
}
