import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { startSimulator } from '@opensandbox-console/opensandbox-simulator';
import { opensandboxPlugin } from './plugin';
import { syncInventory } from './__testUtils__/consoleBackend';
import { taskTriggerModule } from './__testUtils__/taskTrigger';

const API_KEY = 'route-test-secret-key-7f3a';

type Simulator = Awaited<ReturnType<typeof startSimulator>>;

async function startBackend(
  simulatorUrl: string,
  extra: Record<string, unknown> = {},
) {
  const { server } = await startTestBackend({
    features: [
      opensandboxPlugin,
      taskTriggerModule,
      mockServices.rootConfig.factory({
        data: {
          opensandbox: {
            baseUrl: simulatorUrl,
            apiKey: API_KEY,
            requestTimeoutSeconds: 5,
            inventory: { syncIntervalSeconds: 3600 },
            ...extra,
          },
        },
      }),
    ],
  });
  return server;
}

const validBody = {
  image: { uri: 'python:3.11-slim' },
  entrypoint: ['python', '-m', 'http.server', '8000'],
  timeout: 3600,
  resourceLimits: { cpu: '500m', memory: '512Mi' },
  env: { LOG_LEVEL: 'info' },
  metadata: { name: 'demo-api' },
};

async function upstreamCalls(
  sim: Simulator,
): Promise<Array<{ method: string; path: string }>> {
  const res = await fetch(`${sim.url}/_simulator/requests`);
  const body = await res.json();
  return (Array.isArray(body) ? body : body.requests).filter(
    (r: any) => !String(r.path).startsWith('/_simulator'),
  );
}

describe('opensandbox backend routes against the simulator', () => {
  let sim: Simulator;
  let server: Awaited<ReturnType<typeof startBackend>>;

  beforeAll(async () => {
    // No start-up delay: GET's createdAt is then the create time, so a sync right after a reset
    // removes the sandboxes of earlier tests (it keeps those created after it started).
    sim = await startSimulator({ port: 0, apiKey: API_KEY, startupMs: 0 });
    server = await startBackend(sim.url);
  });

  afterAll(async () => {
    await sim.close();
  });

  beforeEach(async () => {
    await fetch(`${sim.url}/_simulator/reset`, { method: 'POST' });
    await syncInventory(server);
    await fetch(`${sim.url}/_simulator/requests`, { method: 'DELETE' });
  });

  async function create(body: Record<string, unknown> = validBody) {
    const res = await request(server)
      .post('/api/opensandbox/sandboxes')
      .send(body);
    expect(res.status).toBe(202);
    return res.body;
  }

  it('creates a sandbox stamped with the caller as owner, then gets and lists it', async () => {
    const created = await create();
    expect(created.status.state).toBe('Running');
    expect(created.metadata).toEqual({
      name: 'demo-api',
      'backstage.io/owner': 'mock',
      'backstage.io/owner-namespace': 'default',
      'backstage.io/create-token': expect.stringMatching(/^c[0-9a-f]{32}$/),
    });
    expect(created.ownership).toEqual({ owner: 'user:default/mock' });
    expect(created.expiresAt).toBeDefined();

    const got = await request(server).get(
      `/api/opensandbox/sandboxes/${created.id}`,
    );
    expect(got.status).toBe(200);
    expect(got.body.id).toBe(created.id);
    expect(got.body.image).toEqual({ uri: 'python:3.11-slim' });
    expect(got.body.ownership).toEqual({ owner: 'user:default/mock' });

    const list = await request(server)
      .get('/api/opensandbox/sandboxes')
      .query({ state: 'running' });
    expect(list.status).toBe(200);
    expect(list.body.items.map((s: any) => s.id)).toEqual([created.id]);
    expect(list.body.pagination).toEqual({
      page: 1,
      pageSize: 20,
      totalItems: 1,
      totalPages: 1,
      hasNextPage: false,
    });
  });

  it('never takes ownership metadata from the request body', async () => {
    const res = await request(server)
      .post('/api/opensandbox/sandboxes')
      .send({
        ...validBody,
        metadata: { 'backstage.io/owner': 'someone-else' },
      });
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
    expect(res.body.error.message).toBe(
      'metadata.backstage.io/owner is set by the console from your identity and cannot be given',
    );
    expect(await upstreamCalls(sim)).toEqual([]);
  });

  it('with permissions disabled, lets a user name any team (the role matrix covers enforcement)', async () => {
    const res = await request(server)
      .post('/api/opensandbox/sandboxes')
      .send({ ...validBody, team: 'group:default/team-b' });
    expect(res.status).toBe(202);
    expect(res.body.ownership).toEqual({
      owner: 'user:default/mock',
      team: 'group:default/team-b',
    });
  });

  it.each([
    [{ ...validBody, image: undefined }, 'image.uri is required'],
    [{ ...validBody, timeout: 30 }, 'timeout must be at least 60 seconds'],
    [
      { ...validBody, timeout: 315360001 },
      'timeout must be at most 315360000 seconds',
    ],
    [
      { ...validBody, entrypoint: [] },
      'entrypoint must be a non-empty array of strings',
    ],
    [
      { ...validBody, resourceLimits: undefined },
      'resourceLimits is required (for example cpu and memory)',
    ],
    [
      { ...validBody, resourceLimits: { cpu: 'lots' } },
      'resourceLimits.cpu must be a quantity such as "500m", "1", "512Mi" or "2Gi"',
    ],
    [
      { ...validBody, metadata: { name: 'has spaces' } },
      'metadata.name value must be at most 63 characters of letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
    ],
    [
      { ...validBody, metadata: { 'opensandbox.io/id': 'x' } },
      'metadata.opensandbox.io/id keys with the opensandbox.io/ prefix are reserved',
    ],
    [{ ...validBody, colour: 'red' }, 'colour is not a known field'],
  ])(
    'answers 400 naming the field before any upstream call (%#)',
    async (body, message) => {
      const res = await request(server)
        .post('/api/opensandbox/sandboxes')
        .send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(message);
      expect(await upstreamCalls(sim)).toEqual([]);
    },
  );

  it('answers 400 for malformed JSON', async () => {
    const res = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('content-type', 'application/json')
      .send('{"image":');
    expect(res.status).toBe(400);
    expect(await upstreamCalls(sim)).toEqual([]);
  });

  it.each([
    [{ pageSize: '500' }, 'pageSize must be an integer from 1 to 200'],
    [{ page: '0' }, 'page must be an integer from 1 to 1000000'],
    [{ metadata: 'novalue' }, 'metadata must be key=value pairs joined by &'],
    [
      { metadata: 'team=a b' },
      'metadata.team value must be at most 63 characters of letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
    ],
    [
      { state: 'Run ning' },
      'state must be state names such as Running or Paused',
    ],
    [{ sort: 'size' }, 'sort must be one of createdAt, expiresAt, name, state'],
    [{ order: 'up' }, 'order must be asc or desc'],
    [
      { expiringWithinSeconds: '-5' },
      'expiringWithinSeconds must be a whole number of seconds >= 0',
    ],
    [
      { search: 'a'.repeat(101) },
      'search must be at most 100 characters without control characters',
    ],
    [
      { server: 'Bad Name' },
      'server must be the name of an OpenSandbox server of the console',
    ],
    [
      { server: 'elsewhere' },
      'server is not an OpenSandbox server of the console (default)',
    ],
    [{ limit: '5' }, 'limit is not a known query parameter'],
  ])('validates list query parameters (%#)', async (query, message) => {
    const res = await request(server)
      .get('/api/opensandbox/sandboxes')
      .query(query);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(message);
    expect(await upstreamCalls(sim)).toEqual([]);
  });

  it('filters, sorts and searches the list from the inventory, without upstream calls', async () => {
    const a = await create({
      ...validBody,
      metadata: { name: 'alpha', purpose: 'demo' },
    });
    const b = await create({
      ...validBody,
      metadata: { name: 'bravo', purpose: 'demo' },
    });
    await create({
      ...validBody,
      metadata: { name: 'charlie', purpose: 'other' },
    });
    expect(
      (await request(server).post(`/api/opensandbox/sandboxes/${a.id}/pause`))
        .status,
    ).toBe(202);

    const demo = await request(server)
      .get('/api/opensandbox/sandboxes')
      .query({ metadata: 'purpose=demo' });
    expect(demo.body.items.map((s: any) => s.id).sort()).toEqual(
      [b.id, a.id].sort(),
    );

    const pausedDemo = await request(server)
      .get('/api/opensandbox/sandboxes')
      .query({
        metadata: 'purpose=demo&backstage.io/owner=mock',
        state: ['Paused'],
      });
    expect(pausedDemo.body.items.map((s: any) => s.id)).toEqual([a.id]);

    const paged = await request(server)
      .get('/api/opensandbox/sandboxes')
      .query({ page: 2, pageSize: 2 });
    expect(paged.body.items).toHaveLength(1);
    expect(paged.body.pagination).toEqual({
      page: 2,
      pageSize: 2,
      totalItems: 3,
      totalPages: 2,
      hasNextPage: false,
    });
    expect(typeof paged.body.syncedAt).toBe('string');

    const byName = await request(server)
      .get('/api/opensandbox/sandboxes')
      .query({ sort: 'name', order: 'desc' });
    expect(byName.body.items.map((s: any) => s.metadata.name)).toEqual([
      'charlie',
      'bravo',
      'alpha',
    ]);
    const search = await request(server)
      .get('/api/opensandbox/sandboxes')
      .query({ search: 'RAVO' });
    expect(search.body.items.map((s: any) => s.id)).toEqual([b.id]);
    const byState = await request(server)
      .get('/api/opensandbox/sandboxes')
      .query({ sort: 'state', order: 'asc' });
    expect(byState.body.items[0].id).toBe(a.id);
    const lists = (await upstreamCalls(sim)).filter(
      (c: any) => c.method === 'GET' && c.path === '/v1/sandboxes',
    );
    expect(lists).toEqual([]);
  });

  it('renews, pauses, resumes, gets an endpoint and deletes', async () => {
    const created = await create();
    const expiresAt = new Date(
      Date.parse(created.expiresAt) + 3600_000,
    ).toISOString();

    const renewed = await request(server)
      .post(`/api/opensandbox/sandboxes/${created.id}/renew-expiration`)
      .send({ expiresAt });
    expect(renewed.status).toBe(200);
    expect(Date.parse(renewed.body.expiresAt)).toBe(Date.parse(expiresAt));
    const after = await request(server).get(
      `/api/opensandbox/sandboxes/${created.id}`,
    );
    expect(Date.parse(after.body.expiresAt)).toBe(Date.parse(expiresAt));

    expect(
      (
        await request(server).post(
          `/api/opensandbox/sandboxes/${created.id}/pause`,
        )
      ).status,
    ).toBe(202);
    expect(
      (await request(server).get(`/api/opensandbox/sandboxes/${created.id}`))
        .body.status.state,
    ).toBe('Paused');
    const again = await request(server).post(
      `/api/opensandbox/sandboxes/${created.id}/pause`,
    );
    expect(again.status).toBe(409);
    expect(again.body.error.name).toBe('ConflictError');
    expect(again.body.error.message).toBe(
      `Sandbox ${created.id} is Paused; pause needs a Running sandbox.`,
    );
    expect(
      (
        await request(server).post(
          `/api/opensandbox/sandboxes/${created.id}/resume`,
        )
      ).status,
    ).toBe(202);
    expect(
      (await request(server).get(`/api/opensandbox/sandboxes/${created.id}`))
        .body.status.state,
    ).toBe('Running');

    const endpoint = await request(server)
      .get(`/api/opensandbox/sandboxes/${created.id}/endpoints/8000`)
      .query({ use_server_proxy: 'true' });
    expect(endpoint.status).toBe(200);
    expect(endpoint.body.endpoint).toMatch(
      new RegExp(`^127\\.0\\.0\\.1:\\d+/sandboxes/${created.id}/proxy/8000$`),
    );

    expect(
      (await request(server).delete(`/api/opensandbox/sandboxes/${created.id}`))
        .status,
    ).toBe(204);
    const gone = await request(server).get(
      `/api/opensandbox/sandboxes/${created.id}`,
    );
    expect(gone.status).toBe(404);
    expect(gone.body.error.name).toBe('NotFoundError');
  });

  it('validates renew, endpoint and id inputs before any upstream call', async () => {
    const cases: Array<[request.Test, string]> = [
      [
        request(server)
          .post('/api/opensandbox/sandboxes/abc/renew-expiration')
          .send({ expiresAt: '2000-01-01T00:00:00Z' }),
        'expiresAt must be in the future',
      ],
      [
        request(server)
          .post('/api/opensandbox/sandboxes/abc/renew-expiration')
          .send({ expiresAt: 'tomorrow' }),
        'expiresAt must be an RFC 3339 date-time with seconds and a time zone, e.g. 2026-01-01T12:00:00Z',
      ],
      [
        request(server).get('/api/opensandbox/sandboxes/abc/endpoints/70000'),
        'port must be an integer from 1 to 65535',
      ],
      [
        request(server)
          .get('/api/opensandbox/sandboxes/abc/endpoints/80')
          .query({ use_server_proxy: 'yes' }),
        'use_server_proxy must be true or false',
      ],
      [
        request(server).get('/api/opensandbox/sandboxes/%20bad'),
        'sandboxId must be 1-128 letters, digits, "-", "_" or "."',
      ],
    ];
    for (const [req, message] of cases) {
      const res = await req;
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(message);
    }
    expect(await upstreamCalls(sim)).toEqual([]);
  });

  it('answers 409 itself for renewing a sandbox without expiration', async () => {
    const created = await create({ ...validBody, timeout: null });
    expect(created.expiresAt).toBeUndefined();
    const res = await request(server)
      .post(`/api/opensandbox/sandboxes/${created.id}/renew-expiration`)
      .send({ expiresAt: new Date(Date.now() + 3600_000).toISOString() });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(
      `Sandbox ${created.id} has no expiration (manual cleanup); there is nothing to renew.`,
    );
  });

  it('sends the API key and a request id upstream, and never returns the key', async () => {
    const res = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('X-Request-ID', 'req-0123456789abcdef')
      .send(validBody);
    expect(res.status).toBe(202);
    expect(res.headers['x-request-id']).toBe('req-0123456789abcdef');
    const calls = await upstreamCalls(sim);
    expect(calls).toHaveLength(1);
    expect((calls[0] as any).headers['x-request-id']).toBe(
      'req-0123456789abcdef',
    );
    expect(
      JSON.stringify(res.headers) + JSON.stringify(res.body),
    ).not.toContain(API_KEY);
  });

  it('requires Backstage credentials on every route but /health', async () => {
    const none = mockCredentials.none.header();
    for (const [method, path] of [
      ['get', '/api/opensandbox/sandboxes'],
      ['post', '/api/opensandbox/sandboxes'],
      ['get', '/api/opensandbox/sandboxes/x'],
      ['delete', '/api/opensandbox/sandboxes/x'],
      ['post', '/api/opensandbox/sandboxes/x/renew-expiration'],
      ['post', '/api/opensandbox/sandboxes/x/pause'],
      ['post', '/api/opensandbox/sandboxes/x/resume'],
      ['get', '/api/opensandbox/sandboxes/x/endpoints/80'],
    ] as const) {
      const res = await (request(server) as any)
        [method](path)
        .set('Authorization', none);
      expect([method, path, res.status]).toEqual([method, path, 401]);
    }
    expect(
      (
        await request(server)
          .get('/api/opensandbox/health')
          .set('Authorization', none)
      ).status,
    ).toBe(200);
    expect(await upstreamCalls(sim)).toEqual([]);
  });

  it('links a sandbox to a catalog entity and lists by entity, owner and team', async () => {
    const linked = await create({
      ...validBody,
      entityRef: 'Component:default/Payments-API',
      team: 'group:default/team-b',
    });
    expect(linked.ownership).toEqual({
      owner: 'user:default/mock',
      team: 'group:default/team-b',
      entity: 'component:default/payments-api',
    });
    expect(linked.metadata['backstage.io/entity-kind']).toBe('component');
    const other = await create();

    const byEntity = await request(server)
      .get('/api/opensandbox/sandboxes')
      .query({ entity: 'component:default/payments-api' });
    expect(byEntity.body.items.map((s: any) => s.id)).toEqual([linked.id]);
    const byOwner = await request(server)
      .get('/api/opensandbox/sandboxes')
      .query({ owner: 'user:default/mock' });
    expect(byOwner.body.items.map((s: any) => s.id).sort()).toEqual(
      [other.id, linked.id].sort(),
    );
    const byTeams = await request(server)
      .get('/api/opensandbox/sandboxes')
      .query({ team: ['group:default/team-b', 'group:default/nobody'] });
    expect(byTeams.body.items.map((s: any) => s.id)).toEqual([linked.id]);
    expect(byTeams.body.pagination.totalItems).toBe(1);

    const bad = await request(server)
      .get('/api/opensandbox/sandboxes')
      .query({ team: 'user:default/mock' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe(
      'team must be group entity refs such as group:default/team-a',
    );
    const badEntity = await request(server)
      .post('/api/opensandbox/sandboxes')
      .send({ ...validBody, entityRef: 'not a ref' });
    expect(badEntity.status).toBe(400);
    expect(badEntity.body.error.message).toBe(
      'entityRef must be an entity ref such as component:default/payments-api',
    );
    const reserved = await request(server)
      .post('/api/opensandbox/sandboxes')
      .send({ ...validBody, metadata: { 'backstage.io/entity': 'x' } });
    expect(reserved.status).toBe(400);
  });

  it("lists the caller's candidate teams", async () => {
    const res = await request(server).get('/api/opensandbox/teams');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ teams: [] });
    const bad = await request(server)
      .get('/api/opensandbox/teams')
      .query({ all: 'true' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('all is not a known query parameter');
  });

  it('lets a service principal create without an owner label', async () => {
    const res = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set(
        'Authorization',
        mockCredentials.service.header({
          onBehalfOf: mockCredentials.service('external:ci-bot'),
          targetPluginId: 'opensandbox',
        }),
      )
      .send({ ...validBody, team: 'group:default/team-b' });
    expect(res.status).toBe(202);
    // No owner: the service is named as the creator instead.
    expect(res.body.ownership).toEqual({
      team: 'group:default/team-b',
      service: 'external:ci-bot',
    });
    expect(res.body.metadata['backstage.io/owner']).toBeUndefined();
  });
});

describe('opensandbox backend upstream failures', () => {
  it('answers 502 when OpenSandbox is unreachable', async () => {
    const sim = await startSimulator({ port: 0, apiKey: API_KEY });
    const url = sim.url;
    await sim.close();
    const server = await startBackend(url);
    const res = await request(server).get('/api/opensandbox/sandboxes/sbx-1');
    expect(res.status).toBe(502);
    expect(res.body.error.message).toBe(
      `OpenSandbox could not be reached (read the sandbox). Request id ${res.headers['x-request-id']}.`,
    );
    // Lists are answered from the inventory even while OpenSandbox is down.
    const list = await request(server).get('/api/opensandbox/sandboxes');
    expect(list.status).toBe(200);
    expect(list.body.syncedAt).toBeNull();
  });

  it('answers 502 without leaking the key when OpenSandbox refuses the key', async () => {
    const sim = await startSimulator({ port: 0, apiKey: 'another-key' });
    try {
      const server = await startBackend(sim.url);
      const res = await request(server).get('/api/opensandbox/sandboxes/sbx-1');
      expect(res.status).toBe(502);
      expect(res.body.error.message).toBe(
        `OpenSandbox refused the console backend's credentials; an administrator must check opensandbox.apiKey (request id ${res.headers['x-request-id']}).`,
      );
      expect(JSON.stringify(res.body)).not.toContain(API_KEY);
    } finally {
      await sim.close();
    }
  });

  it('answers 502 for upstream 5xx and 504 when OpenSandbox is too slow', async () => {
    const sim = await startSimulator({ port: 0, apiKey: API_KEY });
    try {
      const server = await startBackend(sim.url, {
        requestTimeoutSeconds: 0.2,
      });
      await fetch(`${sim.url}/_simulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([
          {
            method: 'GET',
            path: '^/v1/sandboxes/sbx-1$',
            status: 500,
            body: {
              code: 'DOCKER::SANDBOX_QUERY_FAILED',
              message: 'docker down',
            },
          },
        ]),
      });
      const failed = await request(server).get(
        '/api/opensandbox/sandboxes/sbx-1',
      );
      expect(failed.status).toBe(502);
      expect(failed.body.error.message).toBe(
        `OpenSandbox failed to read the sandbox (500 DOCKER::SANDBOX_QUERY_FAILED); the details are in the audit log (request id ${failed.headers['x-request-id']}).`,
      );
      expect(JSON.stringify(failed.body)).not.toContain('docker down');

      await fetch(`${sim.url}/_simulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ path: '^/v1/sandboxes/slow$', delayMs: 5000 }]),
      });
      const slow = await request(server).get('/api/opensandbox/sandboxes/slow');
      expect(slow.status).toBe(504);
      expect(slow.body.error.message).toBe(
        `OpenSandbox did not answer within 0.2 s (read the sandbox). Request id ${slow.headers['x-request-id']}.`,
      );
    } finally {
      await sim.close();
    }
  });
});
