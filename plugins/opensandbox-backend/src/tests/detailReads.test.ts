/**
 * Repeated reads of one sandbox's detail through `GET /sandboxes/{id}` (the console backend with
 * the real permission backend and role policy, the simulator over HTTP, SQLite): the audit log
 * is read once for a burst of reads, a renewal through the console shows at once in the next
 * detail's `lastRenewal`, and a renewal elsewhere (the expiry moved) is read afresh.
 */
import type { Server } from 'node:http';
import request from 'supertest';
import { TestDatabases } from '@backstage/backend-test-utils';
import { startSimulator } from '@opensandbox-console/opensandbox-simulator';
import {
  authHeader,
  startConsoleBackend,
  TEST_API_KEY,
} from '../__testUtils__/consoleBackend';
import { AUDIT_TABLE } from '../audit/rowMapping';
import { simulatorControl } from '../__testUtils__/simulatorControl';
import type { Knex } from 'knex';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('sandbox detail reads', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let server: Server;
  let knex: Knex;
  const auditReads: string[] = [];

  beforeAll(async () => {
    knex = await databases.init('SQLITE_3');
    knex.on('query', (q: { sql: string }) => {
      if (q.sql.startsWith('select') && q.sql.includes(AUDIT_TABLE))
        auditReads.push(q.sql);
    });
    sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
    server = await startConsoleBackend({ simulatorUrl: sim.url, knex });
  });
  afterAll(() => sim.close());

  const ada = authHeader('operatorOwnTeam');
  const detail = (id: string) =>
    request(server)
      .get(`/api/opensandbox/sandboxes/${id}`)
      .set('Authorization', ada);
  const create = () =>
    request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', ada)
      .send({
        image: { uri: 'alpine:3' },
        entrypoint: ['sh'],
        timeout: 600,
        resourceLimits: { cpu: '1', memory: '1Gi' },
      });
  const renew = (id: string, expiresAt: string, who = ada) =>
    request(server)
      .post(`/api/opensandbox/sandboxes/${id}/renew-expiration`)
      .set('Authorization', who)
      .send({ expiresAt });

  it('reads the audit log once for a burst of reads, and again after a renewal', async () => {
    const created = await create();
    expect(created.status).toBe(202);
    const id = created.body.id as string;

    auditReads.length = 0;
    const first = await detail(id);
    const second = await detail(id);
    const third = await detail(id);
    expect([first.status, second.status, third.status]).toEqual([
      200, 200, 200,
    ]);
    expect(first.body.creation.actor).toBe('user:default/ada');
    expect(third.body.creation).toEqual(first.body.creation);
    expect(first.body.lastRenewal).toBeUndefined();
    expect(auditReads).toHaveLength(1);

    // A renewal through the console shows in the very next detail.
    const expiresAt = new Date(Date.now() + 2 * 3600_000).toISOString();
    expect((await renew(id, expiresAt)).status).toBe(200);
    const afterRenew = await detail(id);
    expect(afterRenew.body.lastRenewal).toMatchObject({
      actor: 'user:default/ada',
    });
    expect(auditReads).toHaveLength(2);

    // A renewal the console did not see (directly upstream) moves the expiry: read afresh.
    const later = new Date(Date.now() + 3 * 3600_000).toISOString();
    const direct = await fetch(
      `${sim.url}/v1/sandboxes/${id}/renew-expiration`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'OPEN-SANDBOX-API-KEY': TEST_API_KEY,
        },
        body: JSON.stringify({ expiresAt: later }),
      },
    );
    expect(direct.status).toBe(200);
    await detail(id);
    expect(auditReads).toHaveLength(3);
  });

  it('never keeps audit rows read before a renewal through the console finished', async () => {
    const created = await create();
    const id = created.body.id as string;
    const control = simulatorControl(sim.url);
    // A detail read whose upstream load is slow: its audit read happens before the renewal ...
    await control.faults([
      {
        method: 'GET',
        path: `^/v1/sandboxes/${id}$`,
        delayMs: 1000,
        times: 1,
      },
    ]);
    const slow = detail(id).then(r => r);
    for (
      let i = 0;
      i < 500 &&
      !(await control.requests()).some(
        r => r.method === 'GET' && r.path === `/v1/sandboxes/${id}`,
      );
      i++
    )
      await new Promise(r => setTimeout(r, 10));
    // ... and the renewal completes while the read still waits for OpenSandbox.
    const expiresAt = new Date(Date.now() + 2 * 3600_000).toISOString();
    expect((await renew(id, expiresAt)).status).toBe(200);
    await control.faults([]);
    const first = await slow;
    expect(first.status).toBe(200);
    // Whatever the slow read answered, the next detail shows the renewal.
    const next = await detail(id);
    expect(Date.parse(next.body.expiresAt)).toBe(Date.parse(expiresAt));
    expect(next.body.lastRenewal).toMatchObject({ actor: 'user:default/ada' });
  });
});
