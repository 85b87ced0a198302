/**
 * The console's PostgreSQL database becomes unavailable (connections to the test database refused
 * and the open ones terminated — the server and every other database stay up), then returns:
 * - reads of a sandbox (detail, endpoint, diagnostics) keep working from OpenSandbox; the list,
 *   which is read from the inventory in the database, answers a clear 503;
 * - mutations are refused with 503 before any upstream call (the simulator's log proves it);
 * - the console recovers by itself when the database returns: no restart.
 */
import type { Server } from 'node:http';
import { TestDatabases } from '@backstage/backend-test-utils';
import knexFactory, { Knex } from 'knex';
import request from 'supertest';
import { startSimulator } from '@opensandbox-console/opensandbox-simulator';
import {
  authHeader,
  seedUpstreamSandbox,
  startConsoleBackend,
  syncInventory,
  TEST_API_KEY,
} from '../__testUtils__/consoleBackend';
import { simulatorControl } from '../__testUtils__/simulatorControl';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
const ids = databases.eachSupportedId();
const body = {
  image: { uri: 'alpine:3' },
  entrypoint: ['sh'],
  timeout: 600,
  resourceLimits: { cpu: '1', memory: '1Gi' },
};
const ada = authHeader('operatorOwnTeam');

(ids.length > 0 ? describe.each(ids) : describe.skip.each([['POSTGRES_15']]))(
  'database unavailable (%s)',
  databaseId => {
    let sim: Awaited<ReturnType<typeof startSimulator>>;
    let server: Server;
    let knex: Knex;
    let admin: Knex;
    let database: string;

    beforeAll(async () => {
      knex = await databases.init(databaseId as 'POSTGRES_15');
      database = (knex.client.config.connection as { database: string })
        .database;
      const { database: _omit, ...connection } = knex.client.config
        .connection as Record<string, unknown>;
      admin = knexFactory({
        client: 'pg',
        connection: { ...connection, database: 'postgres' },
        pool: { min: 0, max: 1 },
      });
      sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
      server = await startConsoleBackend({ simulatorUrl: sim.url, knex });
      await syncInventory(server);
    });
    afterAll(async () => {
      await admin
        .raw(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`)
        .catch(() => undefined);
      await admin.destroy();
      await sim.close();
    });

    /** Refuses new connections to the console's database and ends the open ones. */
    async function stopDatabase() {
      await admin.raw(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS false`);
      await admin.raw(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()',
        [database],
      );
    }
    async function startDatabase() {
      await admin.raw(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`);
    }

    it('keeps reads working, refuses mutations with 503 before any upstream call, and recovers without a restart', async () => {
      const control = simulatorControl(sim.url);
      const id = await seedUpstreamSandbox(sim.url, {
        owner: 'ada',
        team: 'team-a',
      });
      const before = await request(server)
        .get(`/api/opensandbox/sandboxes/${id}`)
        .set('Authorization', ada);
      expect(before.status).toBe(200);

      await stopDatabase();
      try {
        // Reads of a sandbox come from OpenSandbox.
        const get = await request(server)
          .get(`/api/opensandbox/sandboxes/${id}`)
          .set('Authorization', ada);
        expect([get.status, get.body.id]).toEqual([200, id]);
        const endpoint = await request(server)
          .get(`/api/opensandbox/sandboxes/${id}/endpoints/8080`)
          .set('Authorization', ada);
        expect(endpoint.status).toBe(200);
        const logs = await request(server)
          .get(`/api/opensandbox/sandboxes/${id}/diagnostics/logs`)
          .set('Authorization', ada);
        expect(logs.status).toBe(200);
        expect(
          (await request(server).get('/api/opensandbox/health')).status,
        ).toBe(200);
        // The list lives in the database: a clear 503, not a 500.
        const list = await request(server)
          .get('/api/opensandbox/sandboxes')
          .set('Authorization', ada);
        expect([list.status, list.body.error.message]).toEqual([
          503,
          'The sandbox list is read from the console database, which does not answer right now; retry shortly (a sandbox can still be opened by its id).',
        ]);

        // Mutations: 503, and OpenSandbox never hears of them.
        await control.clearRequests();
        const attempts = [
          request(server)
            .post('/api/opensandbox/sandboxes')
            .set('Authorization', ada)
            .send(body),
          request(server)
            .post('/api/opensandbox/sandboxes')
            .set('Authorization', ada)
            .set('Idempotency-Key', 'db-down-1')
            .send(body),
          request(server)
            .post(`/api/opensandbox/sandboxes/${id}/pause`)
            .set('Authorization', ada),
          request(server)
            .post(`/api/opensandbox/sandboxes/${id}/renew-expiration`)
            .set('Authorization', ada)
            .send({ expiresAt: new Date(Date.now() + 7200_000).toISOString() }),
          request(server)
            .patch(`/api/opensandbox/sandboxes/${id}/metadata`)
            .set('Authorization', ada)
            .send({ stage: 'dev' }),
          request(server)
            .delete(`/api/opensandbox/sandboxes/${id}`)
            .set('Authorization', ada),
        ];
        for (const res of await Promise.all(attempts)) {
          expect([res.status, res.body.error?.message]).toEqual([
            503,
            'audit log unavailable; the operation was not performed',
          ]);
          expect(res.body.error.requestId).toBe(res.headers['x-request-id']);
        }
        expect(await control.requests()).toEqual([]);
      } finally {
        await startDatabase();
      }

      // Back by itself: the same backend performs and audits mutations again.
      let paused: request.Response | undefined;
      for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
        paused = await request(server)
          .post(`/api/opensandbox/sandboxes/${id}/pause`)
          .set('Authorization', ada);
        if (paused.status !== 503) break;
        await new Promise(r => setTimeout(r, 100));
      }
      expect(paused?.status).toBe(202);
      const rows = await request(server)
        .get('/api/opensandbox/audit-events')
        .query({ action: 'sandbox.pause', outcome: 'succeeded' })
        .set('Authorization', authHeader('admin'));
      expect(rows.body.items.map((r: any) => r.sandboxId)).toEqual([id]);
      const list = await request(server)
        .get('/api/opensandbox/sandboxes')
        .set('Authorization', ada);
      expect(list.status).toBe(200);
      expect(list.body.items.find((s: any) => s.id === id)?.status.state).toBe(
        'Paused',
      );
      const initiated = await request(server)
        .get('/api/opensandbox/audit-events')
        .query({ outcome: 'initiated' })
        .set('Authorization', authHeader('admin'));
      expect(initiated.body.items).toEqual([]);
    });
  },
);
