/**
 * Regression tests for an adversarial review: resource caps, existence leaks, lifetime caps,
 * malformed upstream answers, key scrubbing.
 */
import type { Server } from 'node:http';
import { gzipSync } from 'node:zlib';
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
    expect(text.status).toBe(415);
    expect(text.body.error).toMatchObject({
      name: 'UnsupportedMediaTypeError',
      message:
        'body must be JSON sent with Content-Type: application/json (got Content-Type: text/plain)',
      fields: [
        {
          field: 'body',
          message:
            'must be JSON sent with Content-Type: application/json (got Content-Type: text/plain)',
        },
      ],
    });
    // No body at all (and no Content-Type): the metadata route still names the missing body.
    const none = await request(server)
      .patch(`/api/opensandbox/sandboxes/${id}/metadata`)
      .set('Authorization', authHeader('operatorOwnTeam'));
    expect(none.status).toBe(400);
    expect(none.body.error).toMatchObject({
      name: 'InputError',
      message: 'body must be a JSON object (Content-Type: application/json)',
      fields: [
        {
          field: 'body',
          message: 'must be a JSON object (Content-Type: application/json)',
        },
      ],
    });
    const nul = await request(server)
      .get('/api/opensandbox/audit-events')
      .query({ sandboxId: '\u0000' })
      .set('Authorization', authHeader('admin'));
    expect(nul.status).toBe(400);
    expect(nul.body.error.message).toBe(
      'sandboxId must be at most 255 characters without control characters',
    );
    expect(nul.body.error.fields).toEqual([
      {
        field: 'sandboxId',
        message: 'must be at most 255 characters without control characters',
      },
    ]);
  });

  it('answers 415 naming the body for every JSON route sent another Content-Type, before any upstream call', async () => {
    const id = await seedUpstreamSandbox(sim.url, {
      owner: 'ada',
      team: 'team-a',
    });
    await fetch(`${sim.url}/_simulator/requests`, { method: 'DELETE' });
    const ada = authHeader('operatorOwnTeam');
    const admin = authHeader('admin');
    const json = JSON.stringify(body);
    const cases: Array<[string, string, string, string, string]> = [
      ['post', '/sandboxes', 'text/plain', json, ada],
      [
        'post',
        '/sandboxes',
        'application/x-www-form-urlencoded',
        'image=alpine',
        ada,
      ],
      ['post', '/servers/default/sandboxes', 'text/plain', json, ada],
      [
        'post',
        `/sandboxes/${id}/renew-expiration`,
        'text/plain',
        '{"expiresAt":"2030-01-01T00:00:00Z"}',
        ada,
      ],
      [
        'post',
        `/sandboxes/${id}/renew-expiration`,
        'application/x-www-form-urlencoded',
        'expiresAt=2030-01-01T00%3A00%3A00Z',
        ada,
      ],
      ['patch', `/sandboxes/${id}/metadata`, 'text/plain', '{"a":"b"}', ada],
      [
        'post',
        '/bulk/pause',
        'text/plain',
        JSON.stringify({ sandboxIds: [id] }),
        ada,
      ],
      [
        'post',
        '/bulk/delete',
        'application/x-www-form-urlencoded',
        `sandboxIds=${id}`,
        ada,
      ],
      [
        'put',
        '/admin/quotas/team-a',
        'text/plain',
        '{"maxSandboxes":3}',
        admin,
      ],
      [
        'post',
        '/admin/role-bindings',
        'text/plain',
        '{"subject":"user:default/x","role":"viewer"}',
        admin,
      ],
    ];
    for (const [method, path, contentType, raw, auth] of cases) {
      const res = await (request(server) as any)
        [method](`/api/opensandbox${path}`)
        .set('Authorization', auth)
        .set('Content-Type', contentType)
        .send(raw);
      const message = `must be JSON sent with Content-Type: application/json (got Content-Type: ${contentType})`;
      expect({
        route: `${method} ${path} as ${contentType}`,
        status: res.status,
        name: res.body.error?.name,
        message: res.body.error?.message,
        fields: res.body.error?.fields,
        requestId: typeof res.body.error?.requestId,
      }).toEqual({
        route: `${method} ${path} as ${contentType}`,
        status: 415,
        name: 'UnsupportedMediaTypeError',
        message: `body ${message}`,
        fields: [{ field: 'body', message }],
        requestId: 'string',
      });
    }
    // A JSON body without any Content-Type (fetch sends none for raw bytes) is refused the same way.
    const { port } = server.address() as { port: number };
    const bare = await fetch(
      `http://127.0.0.1:${port}/api/opensandbox/sandboxes`,
      {
        method: 'POST',
        headers: { Authorization: ada },
        body: new TextEncoder().encode(json),
      },
    );
    expect(bare.status).toBe(415);
    expect((await bare.json()).error).toMatchObject({
      name: 'UnsupportedMediaTypeError',
      message:
        'body must be JSON sent with Content-Type: application/json (got no Content-Type)',
      fields: [
        {
          field: 'body',
          message:
            'must be JSON sent with Content-Type: application/json (got no Content-Type)',
        },
      ],
    });
    const calls = await (await fetch(`${sim.url}/_simulator/requests`)).json();
    expect(Array.isArray(calls) ? calls : calls.requests).toEqual([]);

    // Routes whose body is optional keep working without a body or Content-Type (fetch sends
    // `Content-Length: 0` for a bodiless POST; supertest sends neither header).
    const paused = await fetch(
      `http://127.0.0.1:${port}/api/opensandbox/sandboxes/${id}/pause`,
      { method: 'POST', headers: { Authorization: ada } },
    );
    expect(paused.status).toBe(202);
    const resumed = await request(server)
      .post(`/api/opensandbox/sandboxes/${id}/resume`)
      .set('Authorization', ada);
    expect(resumed.status).toBe(202);
    const deleted = await request(server)
      .delete(`/api/opensandbox/sandboxes/${id}`)
      .set('Authorization', ada);
    expect(deleted.status).toBe(204);
  });

  it('answers 400 naming the body for a body that does not match its Content-Encoding, and accepts real gzip', async () => {
    const ada = authHeader('operatorOwnTeam');
    const bad = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', ada)
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .send(JSON.stringify(body));
    expect(bad.status).toBe(400);
    const message =
      'could not be decoded: it does not match its Content-Encoding (send plain UTF-8 JSON, or valid gzip/deflate/br)';
    expect(bad.body.error).toMatchObject({
      name: 'InputError',
      message: `body ${message}`,
      fields: [{ field: 'body', message }],
    });
    expect(bad.text).not.toContain('Z_DATA_ERROR');
    expect(bad.text).not.toContain('errno');

    const { port } = server.address() as { port: number };
    const gzipped = await fetch(
      `http://127.0.0.1:${port}/api/opensandbox/sandboxes`,
      {
        method: 'POST',
        headers: {
          Authorization: ada,
          'Content-Type': 'application/json',
          'Content-Encoding': 'gzip',
        },
        body: gzipSync(JSON.stringify(body)),
      },
    );
    expect(gzipped.status).toBe(202);
    expect((await gzipped.json()).image).toEqual({ uri: 'alpine:3' });
  });
});
