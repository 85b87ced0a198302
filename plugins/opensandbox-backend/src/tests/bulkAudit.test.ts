/**
 * The audit rows of a batch, on SQLite AND PostgreSQL: one row for the batch itself (action
 * `bulk.<action>`, who, how many, the selection, counts per outcome) and one row per item written
 * by the pipeline, all sharing the batch id (`GET /audit-events?batchId=`) with channel `bulk`.
 */
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import { startSimulator } from '@opensandbox-console/opensandbox-simulator';
import {
  authHeader,
  seedUpstreamSandbox,
  startConsoleBackend,
  syncInventory,
  TEST_API_KEY,
} from '../__testUtils__/consoleBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'bulk audit rows on %s',
  databaseId => {
    let sim: Awaited<ReturnType<typeof startSimulator>>;
    let server: Server;

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
      server = await startConsoleBackend({ simulatorUrl: sim.url, knex });
    });

    afterAll(async () => {
      await sim.close();
    });

    async function auditRows(query: Record<string, string>) {
      const res = await request(server)
        .get('/api/opensandbox/audit-events')
        .query({ limit: '200', ...query })
        .set('Authorization', authHeader('admin'));
      expect(res.status).toBe(200);
      return res.body.items as any[];
    }

    it('writes one batch row and one row per item, all with the batch id', async () => {
      const name = `bulk-audit-${randomUUID().slice(0, 8)}`;
      const running = [
        await seedUpstreamSandbox(sim.url, {
          owner: 'ada',
          team: 'team-a',
          name,
        }),
        await seedUpstreamSandbox(sim.url, {
          owner: 'ada',
          team: 'team-a',
          name,
        }),
      ];
      const paused = await seedUpstreamSandbox(sim.url, {
        owner: 'ada',
        team: 'team-a',
        name,
        paused: true,
      });
      await syncInventory(server);
      const requestId = randomUUID();
      const filter = { search: name };
      const res = await request(server)
        .post('/api/opensandbox/bulk/pause')
        .set('Authorization', authHeader('operatorOwnTeam'))
        .set('X-Request-ID', requestId)
        .send({ filter, dryRun: false });
      expect(res.status).toBe(200);
      expect(res.headers['x-request-id']).toBe(requestId);
      expect(res.body.counts).toEqual({
        succeeded: 2,
        failed: 0,
        denied: 0,
        skipped: 1,
      });
      const { batchId } = res.body;

      const rows = await auditRows({ batchId });
      expect(rows).toHaveLength(4);
      expect(
        rows.every(
          r =>
            r.batchId === batchId &&
            r.channel === 'bulk' &&
            r.actor === 'user:default/ada',
        ),
      ).toBe(true);
      const batch = rows.filter(r => r.action === 'bulk.pause');
      expect(batch).toEqual([
        expect.objectContaining({
          outcome: 'succeeded',
          httpStatus: 200,
          sandboxId: null,
          requestId,
          details: {
            selection: { filter },
            requested: 3,
            counts: { succeeded: 2, failed: 0, denied: 0, skipped: 1 },
            cancelled: false,
          },
        }),
      ]);
      const items = rows
        .filter(r => r.action === 'sandbox.pause')
        .map(r => [r.sandboxId, r.outcome, r.httpStatus]);
      expect(items.sort()).toEqual(
        [
          [running[0], 'succeeded', 202],
          [running[1], 'succeeded', 202],
          // A state conflict is the console's own refusal: audited failed (409), reported skipped.
          [paused, 'failed', 409],
        ].sort(),
      );
      // Each item's row carries the request id reported for it.
      for (const item of res.body.items) {
        expect(rows.find(r => r.sandboxId === item.id)?.requestId).toBe(
          item.requestId,
        );
      }
      // The batch filter also finds the batch in the action filter and nothing else under its id.
      expect(
        (await auditRows({ action: 'bulk.pause', batchId })).map(r => r.id),
      ).toEqual(batch.map(r => r.id));
    });

    it('records a delete batch of explicit sandboxes (ids in the batch row) and a denied item', async () => {
      const mine = await seedUpstreamSandbox(sim.url, {
        owner: 'ada',
        team: 'team-a',
      });
      const otherTeam = await seedUpstreamSandbox(sim.url, {
        owner: 'bob',
        team: 'team-b',
      });
      const items = [{ id: mine }, { id: otherTeam }];
      // multi reads team-a as a viewer (and is in team-c): it may not delete; bob's sandbox is not readable.
      const dry = await request(server)
        .post('/api/opensandbox/bulk/delete')
        .set('Authorization', authHeader('user:default/multi'))
        .send({ items });
      expect(dry.body.items.map((i: any) => i.outcome)).toEqual([
        'denied',
        'not-found',
      ]);
      const run = await request(server)
        .post('/api/opensandbox/bulk/delete')
        .set('Authorization', authHeader('user:default/multi'))
        .send({
          items,
          dryRun: false,
          confirmationToken: dry.body.confirmationToken,
        });
      expect(run.status).toBe(200);
      expect(run.body.counts).toEqual({
        succeeded: 0,
        failed: 0,
        denied: 1,
        skipped: 1,
      });
      const rows = await auditRows({ batchId: run.body.batchId });
      expect(rows.map(r => [r.action, r.sandboxId, r.outcome]).sort()).toEqual(
        [
          ['bulk.delete', null, 'succeeded'],
          ['sandbox.delete', mine, 'denied'],
          ['sandbox.delete', otherTeam, 'denied'],
        ].sort(),
      );
      expect(rows.find(r => r.action === 'bulk.delete').details).toMatchObject({
        selection: { items: [`default/${mine}`, `default/${otherTeam}`] },
        requested: 2,
      });
    });
  },
);
