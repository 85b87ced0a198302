/**
 * Every mutating route leaves exactly the expected audit rows (one per attempt, outcome right),
 * including denials and upstream failures, on SQLite AND PostgreSQL; a mutation while the audit
 * store is unavailable is refused with 503 and never reaches OpenSandbox.
 */
import type { Server } from 'node:http';
import { TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import { startSimulator } from '@opensandbox-console/opensandbox-simulator';
import {
  authHeader,
  seedUpstreamSandbox,
  startConsoleBackend,
  TEST_API_KEY,
} from '../__testUtils__/consoleBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const createBody = {
  image: {
    uri: 'registry.example.com/app:1',
    auth: { username: 'robot', password: 'registry-pass-123' },
  },
  entrypoint: ['app'],
  timeout: 600,
  resourceLimits: { cpu: '1', memory: '1Gi' },
  env: { TOKEN: 'env-secret-value' },
  metadata: { name: 'audited' },
};

async function upstreamCalls(simUrl: string) {
  const res = await fetch(`${simUrl}/_simulator/requests`);
  const body = await res.json();
  return (Array.isArray(body) ? body : body.requests).filter(
    (r: any) => !String(r.path).startsWith('/_simulator'),
  );
}

describe.each(databases.eachSupportedId())('audit trail on %s', databaseId => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let server: Server;
  let knex: Awaited<ReturnType<typeof databases.init>>;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
    server = await startConsoleBackend({ simulatorUrl: sim.url, knex });
  });

  afterAll(async () => {
    await sim.close();
  });

  async function events(query: Record<string, string> = {}) {
    const res = await request(server)
      .get('/api/opensandbox/audit-events')
      .query(query)
      .set('Authorization', authHeader('admin'));
    expect(res.status).toBe(200);
    return res.body.items as any[];
  }

  it('records every attempt with its outcome, actor, team, status and request id', async () => {
    const ada = authHeader('operatorOwnTeam');
    const created = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', ada)
      .send(createBody);
    expect(created.status).toBe(202);
    const id = created.body.id;
    const createRequestId = created.headers['x-request-id'];

    const expiresAt = new Date(
      Date.parse(created.body.expiresAt) + 3600_000,
    ).toISOString();
    expect(
      (
        await request(server)
          .post(`/api/opensandbox/sandboxes/${id}/renew-expiration`)
          .set('Authorization', ada)
          .send({ expiresAt })
      ).status,
    ).toBe(200);
    expect(
      (
        await request(server)
          .post(`/api/opensandbox/sandboxes/${id}/pause`)
          .set('Authorization', ada)
      ).status,
    ).toBe(202);
    expect(
      (
        await request(server)
          .post(`/api/opensandbox/sandboxes/${id}/pause`)
          .set('Authorization', ada)
      ).status,
    ).toBe(409);
    expect(
      (
        await request(server)
          .post(`/api/opensandbox/sandboxes/${id}/resume`)
          .set('Authorization', ada)
      ).status,
    ).toBe(202);
    expect(
      (
        await request(server)
          .patch(`/api/opensandbox/sandboxes/${id}/metadata`)
          .set('Authorization', ada)
          .send({ stage: 'qa', name: null })
      ).status,
    ).toBe(200);
    expect(
      (
        await request(server)
          .delete(`/api/opensandbox/sandboxes/${id}`)
          .set('Authorization', authHeader('viewer'))
      ).status,
    ).toBe(403);
    expect(
      (
        await request(server)
          .delete(`/api/opensandbox/sandboxes/${id}`)
          .set('Authorization', authHeader('operatorOtherTeam'))
      ).status,
    ).toBe(404);
    expect(
      (
        await request(server)
          .post('/api/opensandbox/sandboxes')
          .set('Authorization', authHeader('viewer'))
          .send(createBody)
      ).status,
    ).toBe(403);
    expect(
      (
        await request(server)
          .delete(`/api/opensandbox/sandboxes/${id}`)
          .set('Authorization', ada)
      ).status,
    ).toBe(204);

    const rows = await events({ sandboxId: id });
    expect(rows.map(r => [r.action, r.outcome, r.httpStatus, r.actor])).toEqual(
      [
        ['sandbox.delete', 'succeeded', 204, 'user:default/ada'],
        ['sandbox.delete', 'denied', 404, 'user:default/bob'],
        ['sandbox.delete', 'denied', 403, 'user:default/vic'],
        ['sandbox.metadata.update', 'succeeded', 200, 'user:default/ada'],
        ['sandbox.resume', 'succeeded', 202, 'user:default/ada'],
        ['sandbox.pause', 'failed', 409, 'user:default/ada'],
        ['sandbox.pause', 'succeeded', 202, 'user:default/ada'],
        ['sandbox.renew', 'succeeded', 200, 'user:default/ada'],
        ['sandbox.create', 'succeeded', 202, 'user:default/ada'],
      ],
    );
    expect(rows.every(r => r.team === 'group:default/team-a')).toBe(true);
    expect(rows.every(r => r.actorType === 'user')).toBe(true);

    const create = rows[8];
    expect(create.requestId).toBe(createRequestId);
    expect(create.details.request.image.auth).toEqual({
      username: '[REDACTED]',
      password: '[REDACTED]',
    });
    expect(create.details.request.env).toEqual({ TOKEN: '[REDACTED]' });
    expect(JSON.stringify(rows)).not.toContain('registry-pass-123');
    expect(JSON.stringify(rows)).not.toContain('robot');
    expect(JSON.stringify(rows)).not.toContain('env-secret-value');

    const renew = rows[7];
    expect(renew.details.before.expiresAt).toBe(created.body.expiresAt);
    expect(Date.parse(renew.details.after.expiresAt)).toBe(
      Date.parse(expiresAt),
    );
    expect(rows[5].errorCode).toBe('ConflictError');
    expect(rows[5].errorMessage).toBe(
      `Sandbox ${id} is Paused; pause needs a Running sandbox.`,
    );
    expect(rows[3].details.changedKeys).toEqual(['name', 'stage']);

    const viewerCreate = await events({
      actor: 'user:default/vic',
      action: 'sandbox.create',
    });
    expect(
      viewerCreate.map(r => [r.outcome, r.httpStatus, r.sandboxId, r.team]),
    ).toEqual([['denied', 403, null, 'group:default/team-a']]);
  });

  it('records upstream failures as failed with the mapped status', async () => {
    const id = await seedUpstreamSandbox(sim.url, {
      owner: 'ada',
      team: 'team-a',
    });
    await fetch(`${sim.url}/_simulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          method: 'DELETE',
          path: `^/v1/sandboxes/${id}$`,
          status: 500,
          body: { code: 'DOCKER::SANDBOX_DELETE_FAILED', message: 'boom' },
        },
      ]),
    });
    const res = await request(server)
      .delete(`/api/opensandbox/sandboxes/${id}`)
      .set('Authorization', authHeader('operatorOwnTeam'));
    expect(res.status).toBe(502);
    await fetch(`${sim.url}/_simulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[]',
    });
    const rows = await events({ sandboxId: id });
    expect(
      rows.map(r => [r.action, r.outcome, r.httpStatus, r.errorCode]),
    ).toEqual([
      ['sandbox.delete', 'failed', 502, 'DOCKER::SANDBOX_DELETE_FAILED'],
    ]);
  });

  it('refuses a mutation with 503 when the audit store is unavailable, before any upstream call', async () => {
    const id = await seedUpstreamSandbox(sim.url, {
      owner: 'ada',
      team: 'team-a',
    });
    await fetch(`${sim.url}/_simulator/requests`, { method: 'DELETE' });
    await knex.schema.renameTable(
      'opensandbox_audit_events',
      'opensandbox_audit_events_away',
    );
    try {
      const create = await request(server)
        .post('/api/opensandbox/sandboxes')
        .set('Authorization', authHeader('operatorOwnTeam'))
        .send(createBody);
      expect(create.status).toBe(503);
      expect(create.body.error.message).toBe(
        'audit log unavailable; the operation was not performed',
      );
      expect(await upstreamCalls(sim.url)).toEqual([]);

      const pause = await request(server)
        .post(`/api/opensandbox/sandboxes/${id}/pause`)
        .set('Authorization', authHeader('operatorOwnTeam'));
      expect(pause.status).toBe(503);
      const calls = await upstreamCalls(sim.url);
      expect(calls.map((c: any) => `${c.method} ${c.path}`)).toEqual([
        `GET /v1/sandboxes/${id}`,
      ]);
    } finally {
      await knex.schema.renameTable(
        'opensandbox_audit_events_away',
        'opensandbox_audit_events',
      );
    }
    const state = await fetch(`${sim.url}/v1/sandboxes/${id}`, {
      headers: { 'OPEN-SANDBOX-API-KEY': TEST_API_KEY },
    });
    expect((await state.json()).status.state).toBe('Running');
  });
});
