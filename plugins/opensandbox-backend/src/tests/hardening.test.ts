/**
 * Regression tests for an adversarial review: resource caps, existence leaks, lifetime caps,
 * malformed upstream answers, key scrubbing.
 */
import type { Server } from 'node:http';
import request from 'supertest';
import { startSimulator } from '@opensandbox-console/opensandbox-simulator';
import {
  authHeader,
  seedUpstreamSandbox,
  startConsoleBackend,
  syncInventory,
  TEST_API_KEY,
} from '../__testUtils__/consoleBackend';

const body = {
  image: { uri: 'alpine:3' },
  entrypoint: ['sh'],
  timeout: 600,
  resourceLimits: { cpu: '1', memory: '1Gi' },
};

describe('hardening', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let server: Server;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
    server = await startConsoleBackend({
      simulatorUrl: sim.url,
      extraConfig: { maxTimeoutSeconds: 3600 },
    });
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    await fetch(`${sim.url}/_simulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[]',
    });
    await fetch(`${sim.url}/_simulator/requests`, { method: 'DELETE' });
  });

  async function faults(rules: unknown[]) {
    await fetch(`${sim.url}/_simulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(rules),
    });
  }
  /** Upstream calls made on behalf of the console request with this id. */
  async function upstreamCallsOf(requestId: string) {
    const res = await fetch(`${sim.url}/_simulator/requests`);
    const log = await res.json();
    return (Array.isArray(log) ? log : log.requests).filter(
      (r: any) => r.requestId === requestId,
    ).length;
  }
  const refs = (kind: string, n: number) =>
    Array.from({ length: n }, (_, i) => `${kind}:default/u${i}`);

  it('caps repeated list filters and answers wide filters in one inventory query, without upstream calls', async () => {
    const tooMany = await request(server)
      .get('/api/opensandbox/sandboxes')
      .query({ owner: refs('user', 21) })
      .set('Authorization', authHeader('viewer'));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toBe(
      'owner may be given at most 20 times',
    );

    const started = Date.now();
    const wide = await request(server)
      .get('/api/opensandbox/sandboxes')
      .query({
        owner: refs('user', 20),
        team: refs('group', 20),
        entity: refs('component', 20),
      })
      .set('Authorization', authHeader('admin'))
      .set('X-Request-ID', 'wide-list-0001');
    expect(wide.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await upstreamCallsOf('wide-list-0001')).toBe(0);
  });

  it('answers a refused read exactly like a missing sandbox', async () => {
    const id = await seedUpstreamSandbox(sim.url, {
      owner: 'ada',
      team: 'team-a',
    });
    for (const [method, path] of [
      ['get', ''],
      ['delete', ''],
      ['get', '/endpoints/80'],
    ] as const) {
      const hidden = await (request(server) as any)
        [method](`/api/opensandbox/sandboxes/${id}${path}`)
        .set('Authorization', authHeader('operatorOtherTeam'));
      const missing = await (request(server) as any)
        [method](`/api/opensandbox/sandboxes/missing-id${path}`)
        .set('Authorization', authHeader('operatorOtherTeam'));
      expect(hidden.status).toBe(404);
      expect(missing.status).toBe(404);
      expect(Object.keys(hidden.body.error).sort()).toEqual(
        Object.keys(missing.body.error).sort(),
      );
      expect(hidden.body.error.message).toBe(`Sandbox ${id} not found.`);
      expect(missing.body.error.message).toBe('Sandbox missing-id not found.');
    }
  });

  it('enforces maxTimeoutSeconds on create (no unexpiring sandboxes) and on renew', async () => {
    const ada = authHeader('operatorOwnTeam');
    const noExpiry = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', ada)
      .send({ ...body, timeout: null });
    expect(noExpiry.status).toBe(400);
    expect(noExpiry.body.error.message).toBe(
      'timeout is required: sandboxes must expire within 3600 seconds',
    );
    const id = await seedUpstreamSandbox(sim.url, {
      owner: 'ada',
      team: 'team-a',
    });
    const far = await request(server)
      .post(`/api/opensandbox/sandboxes/${id}/renew-expiration`)
      .set('Authorization', ada)
      .send({ expiresAt: '9999-12-31T23:59:59Z' });
    expect(far.status).toBe(400);
    expect(far.body.error.message).toBe(
      'expiresAt must be at most 3600 seconds from now',
    );
    const feb30 = await request(server)
      .post(`/api/opensandbox/sandboxes/${id}/renew-expiration`)
      .set('Authorization', ada)
      .send({ expiresAt: '2030-02-30T00:00:00Z' });
    expect(feb30.status).toBe(400);
  });

  it('refuses malformed team refs with 400 before authorization and audit', async () => {
    const res = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', authHeader('operatorOtherTeam'))
      .send({ ...body, team: 'group:default/team-b\u0000' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      'team must be a group entity ref such as group:default/team-a',
    );
    const service = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', authHeader('service'))
      .send(body);
    expect(service.status).toBe(400);
    expect(service.body.error.message).toBe(
      'team is required when a service creates a sandbox (services have no groups)',
    );
  });

  it('answers 502 for malformed upstream success bodies; a sync that reads a bad list keeps the inventory', async () => {
    const id = await seedUpstreamSandbox(sim.url, {
      owner: 'ada',
      team: 'team-a',
    });
    await syncInventory(server);
    await faults([
      { method: 'GET', path: '^/v1/sandboxes/[^/]+$', status: 204 },
    ]);
    const get = await request(server)
      .get(`/api/opensandbox/sandboxes/${id}`)
      .set('Authorization', authHeader('admin'));
    expect(get.status).toBe(502);
    expect(get.body.error.message).toBe(
      `OpenSandbox sent an answer the console could not read (read the sandbox). Request id ${get.headers['x-request-id']}.`,
    );

    for (const bad of [
      {},
      {
        items: [],
        pagination: {
          page: 1,
          pageSize: 200,
          totalItems: 0,
          totalPages: 1,
          hasNextPage: true,
        },
      },
    ]) {
      await faults([
        { method: 'GET', path: '^/v1/sandboxes$', status: 200, body: bad },
      ]);
      await syncInventory(server).catch(() => undefined);
      const list = await request(server)
        .get('/api/opensandbox/sandboxes')
        .query({ pageSize: 200 })
        .set('Authorization', authHeader('admin'));
      expect(list.status).toBe(200);
      expect(list.body.items.map((s: any) => s.id)).toContain(id);
    }
  });

  it('keeps upstream messages (and the key) out of answers and passes 429 on with Retry-After', async () => {
    await faults([
      {
        method: 'GET',
        path: '^/v1/sandboxes/sbx-9$',
        status: 500,
        body: {
          code: 'X',
          message: `echo OPEN-SANDBOX-API-KEY=${TEST_API_KEY}`,
        },
      },
    ]);
    const leaked = await request(server)
      .get('/api/opensandbox/sandboxes/sbx-9')
      .set('Authorization', authHeader('admin'));
    expect(leaked.status).toBe(502);
    expect(leaked.body.error.message).toBe(
      `OpenSandbox failed to read the sandbox (500 X); the details are in the audit log (request id ${leaked.headers['x-request-id']}).`,
    );
    expect(JSON.stringify(leaked.body)).not.toContain(TEST_API_KEY);
    await faults([
      {
        method: 'GET',
        path: '^/v1/sandboxes/sbx-9$',
        status: 429,
        body: { code: 'RATE', message: 'slow down' },
      },
    ]);
    const busy = await request(server)
      .get('/api/opensandbox/sandboxes/sbx-9')
      .set('Authorization', authHeader('admin'));
    expect(busy.status).toBe(429);
    expect(busy.headers['retry-after']).toBe('30');
  });

  it('refuses a metadata PATCH without a JSON body and NUL characters in audit filters', async () => {
    const id = await seedUpstreamSandbox(sim.url, {
      owner: 'ada',
      team: 'team-a',
    });
    const text = await request(server)
      .patch(`/api/opensandbox/sandboxes/${id}/metadata`)
      .set('Authorization', authHeader('operatorOwnTeam'))
      .set('content-type', 'text/plain')
      .send('hello');
    expect(text.status).toBe(400);
    expect(text.body.error.message).toBe(
      'body must be a JSON object (Content-Type: application/json)',
    );
    const nul = await request(server)
      .get('/api/opensandbox/audit-events')
      .query({ sandboxId: '\u0000' })
      .set('Authorization', authHeader('admin'));
    expect(nul.status).toBe(400);
    expect(nul.body.error.message).toBe(
      'sandboxId must be at most 255 characters without control characters',
    );
  });
});
