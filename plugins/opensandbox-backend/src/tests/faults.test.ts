/**
 * The console under OpenSandbox faults (the simulator's fault injection): down, slower than the
 * timeout, 5xx, malformed JSON, an HTML error page, a connection closed mid-response. Every route
 * answers 502/504 with a clear body naming the request id and never upstream's text or the key;
 * the backend stays up; mutations are audited `failed` (upstream answered an error) or `unknown`
 * (it may have happened) and are sent upstream exactly once (never retried blindly).
 *
 * The messages asserted here are the ones listed in docs/deployment.md (Troubleshooting).
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
import { simulatorControl } from '../__testUtils__/simulatorControl';

jest.setTimeout(60_000);

const body = {
  image: { uri: 'alpine:3' },
  entrypoint: ['sh'],
  timeout: 600,
  resourceLimits: { cpu: '1', memory: '1Gi' },
};
const ada = authHeader('operatorOwnTeam');
const admin = authHeader('admin');
/** An internal address and the key in upstream's error text: neither may reach a user. */
const INTERNAL = 'http://10.23.0.7:8080/internal';

type Mutation = {
  name: string;
  method: 'post' | 'delete';
  path: (id: string) => string;
  upstream: (id: string) => [string, RegExp];
  send?: unknown;
};
const MUTATIONS: Mutation[] = [
  {
    name: 'create',
    method: 'post',
    path: () => '/sandboxes',
    upstream: () => ['POST', /^\/v1\/sandboxes$/],
    send: body,
  },
  {
    name: 'renew',
    method: 'post',
    path: id => `/sandboxes/${id}/renew-expiration`,
    upstream: id => [
      'POST',
      new RegExp(`^/v1/sandboxes/${id}/renew-expiration$`),
    ],
    send: {},
  },
  {
    name: 'pause',
    method: 'post',
    path: id => `/sandboxes/${id}/pause`,
    upstream: id => ['POST', new RegExp(`^/v1/sandboxes/${id}/pause$`)],
  },
  {
    name: 'delete',
    method: 'delete',
    path: id => `/sandboxes/${id}`,
    upstream: id => ['DELETE', new RegExp(`^/v1/sandboxes/${id}$`)],
  },
];

/** The faults, each as a rule for a given method and path, and what the console answers. */
const FAULTS = [
  {
    kind: '500',
    rule: {
      status: 500,
      body: {
        code: 'DOCKER::INTERNAL',
        message: `engine at ${INTERNAL} failed; key ${TEST_API_KEY}`,
      },
    },
    status: 502,
    outcome: 'failed',
    message:
      /^OpenSandbox failed to .+ \(500 DOCKER::INTERNAL\); the details are in the audit log \(request id [\w-]+\)\.$/,
  },
  {
    kind: 'HTML error page',
    rule: {
      status: 502,
      rawBody: `<html><body><h1>502 Bad Gateway</h1>nginx ${INTERNAL}</body></html>`,
      contentType: 'text/html',
    },
    status: 502,
    outcome: 'failed',
    message:
      /^The OpenSandbox server, or a gateway in front of it, answered 502 without an OpenSandbox error; check opensandbox\.baseUrl \(request id [\w-]+\)\.$/,
  },
  {
    kind: 'malformed JSON',
    rule: {
      status: 200,
      rawBody: '{"id": "x", "status": {',
      contentType: 'application/json',
    },
    status: 502,
    outcome: 'unknown',
    message:
      /^OpenSandbox sent an answer the console could not read \(.+\)\.( The .+ may still have happened: the audit log records it as unknown( until the console finds the sandbox)?\.)? Request id [\w-]+\.$/,
  },
  {
    kind: 'connection closed mid-response',
    rule: { status: 200, body: { id: 'x' }, closeConnection: true },
    status: 502,
    outcome: 'unknown',
    message:
      /^OpenSandbox could not be reached \(.+\)\.( The .+ may still have happened: the audit log records it as unknown( until the console finds the sandbox)?\.)? Request id [\w-]+\.$/,
  },
  {
    kind: 'slower than the timeout',
    rule: { delayMs: 1500 },
    status: 504,
    outcome: 'unknown',
    message:
      /^OpenSandbox did not answer within 1 s \(.+\)\.( The .+ may still have happened: the audit log records it as unknown( until the console finds the sandbox)?\.)? Request id [\w-]+\.$/,
  },
] as const;

describe('faults', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let server: Server;
  let control: ReturnType<typeof simulatorControl>;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
    control = simulatorControl(sim.url);
    server = await startConsoleBackend({
      simulatorUrl: sim.url,
      extraConfig: { requestTimeoutSeconds: 1, createTimeoutSeconds: 1 },
    });
    await syncInventory(server);
  });
  afterAll(() => sim.close());
  afterEach(async () => {
    await control.faults([]);
    await control.createsSettled();
  });

  async function auditRow(requestId: string) {
    const res = await request(server)
      .get('/api/opensandbox/audit-events')
      .set('Authorization', admin);
    return (res.body.items as any[]).filter(r => r.requestId === requestId);
  }
  function expectClean(res: request.Response) {
    const all = JSON.stringify(res.body) + JSON.stringify(res.headers);
    expect(all).not.toContain(TEST_API_KEY);
    expect(all).not.toContain('10.23.0.7');
    expect(all).not.toContain('nginx');
  }

  describe.each(FAULTS)('OpenSandbox answers with $kind', fault => {
    it('reads answer a clear 502/504, the backend stays up', async () => {
      const id = await seedUpstreamSandbox(sim.url, {
        owner: 'ada',
        team: 'team-a',
      });
      await control.faults([
        { method: 'GET', path: `^/v1/sandboxes/${id}`, ...fault.rule },
      ]);
      for (const path of [
        `/sandboxes/${id}`,
        `/sandboxes/${id}/endpoints/8080`,
        `/sandboxes/${id}/diagnostics/logs`,
      ]) {
        const res = await request(server)
          .get(`/api/opensandbox${path}`)
          .set('Authorization', ada);
        expect([path, res.status]).toEqual([path, fault.status]);
        expect(res.body.error.message).toMatch(fault.message);
        expect(res.body.error.message).toContain(res.headers['x-request-id']);
        expectClean(res);
      }
      // The list is answered from the inventory: unaffected.
      const list = await request(server)
        .get('/api/opensandbox/sandboxes')
        .set('Authorization', ada);
      expect(list.status).toBe(200);
      expect(
        (await request(server).get('/api/opensandbox/health')).status,
      ).toBe(200);
    });

    // A 2xx pause or delete answer has no body the console reads: its content cannot be malformed.
    const mutations =
      fault.kind === 'malformed JSON'
        ? MUTATIONS.filter(m => m.name === 'create' || m.name === 'renew')
        : MUTATIONS;
    it.each(mutations)(
      '$name answers a clear error, is audited, and is sent upstream exactly once',
      async mutation => {
        const id = await seedUpstreamSandbox(sim.url, {
          owner: 'ada',
          team: 'team-a',
        });
        const [method, path] = mutation.upstream(id);
        await control.faults([{ method, path: path.source, ...fault.rule }]);
        await control.clearRequests();
        let send = mutation.send;
        if (mutation.name === 'renew')
          send = { expiresAt: new Date(Date.now() + 7200_000).toISOString() };
        const res = await (request(server) as any)
          [mutation.method](`/api/opensandbox${mutation.path(id)}`)
          .set('Authorization', ada)
          .send(send);
        const requestId = res.headers['x-request-id'];
        expect(res.status).toBe(fault.status);
        expect(res.body.error.message).toMatch(fault.message);
        expect(res.body.error.requestId).toBe(requestId);
        expectClean(res);

        // Exactly one upstream call of the mutation: never retried.
        const calls = (await control.requests()).filter(
          r => r.method === method && path.test(r.path),
        );
        expect(calls).toHaveLength(1);
        expect(calls[0].requestId).toBe(requestId);

        const rows = await auditRow(requestId);
        expect(rows.map(r => [r.outcome, r.httpStatus])).toEqual([
          [fault.outcome, fault.status],
        ]);
        expect(JSON.stringify(rows)).not.toContain(TEST_API_KEY);
        expect(
          (await request(server).get('/api/opensandbox/health')).status,
        ).toBe(200);
      },
    );
  });

  it('OpenSandbox down: reads and mutations answer 502 naming the request id; the create is audited unknown; nothing stays initiated', async () => {
    const down = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
    const id = await seedUpstreamSandbox(down.url, {
      owner: 'ada',
      team: 'team-a',
    });
    const backend = await startConsoleBackend({
      simulatorUrl: down.url,
      extraConfig: { requestTimeoutSeconds: 1, createTimeoutSeconds: 1 },
    });
    await syncInventory(backend);
    await down.close();

    const get = await request(backend)
      .get(`/api/opensandbox/sandboxes/${id}`)
      .set('Authorization', ada);
    expect(get.status).toBe(502);
    expect(get.body.error.message).toBe(
      `OpenSandbox could not be reached (read the sandbox). Request id ${get.headers['x-request-id']}.`,
    );
    const list = await request(backend)
      .get('/api/opensandbox/sandboxes')
      .set('Authorization', ada);
    expect(list.status).toBe(200);
    expect(list.body.items.map((s: any) => s.id)).toEqual([id]);

    const create = await request(backend)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', ada)
      .send(body);
    expect(create.status).toBe(502);
    expect(create.body.error.message).toBe(
      `OpenSandbox could not be reached (create). The create may still have happened: the audit log records it as unknown until the console finds the sandbox. Request id ${create.headers['x-request-id']}.`,
    );
    const pause = await request(backend)
      .post(`/api/opensandbox/sandboxes/${id}/pause`)
      .set('Authorization', ada);
    expect(pause.status).toBe(502);
    expect(pause.body.error.message).toBe(
      `OpenSandbox could not be reached (read the sandbox). Request id ${pause.headers['x-request-id']}.`,
    );

    const rows = (
      await request(backend)
        .get('/api/opensandbox/audit-events')
        .set('Authorization', admin)
    ).body.items as any[];
    expect(
      rows.map(r => [r.action, r.outcome, r.httpStatus, r.errorCode]).sort(),
    ).toEqual([
      ['sandbox.create', 'unknown', 502, 'UPSTREAM_UNREACHABLE'],
      ['sandbox.pause', 'failed', 502, 'UPSTREAM_UNREACHABLE'],
    ]);
    expect((await request(backend).get('/api/opensandbox/health')).status).toBe(
      200,
    );
  });

  it('OpenSandbox blocked by a create in progress: the list still answers, reads 504, the create 504 audited unknown', async () => {
    const id = await seedUpstreamSandbox(sim.url, {
      owner: 'ada',
      team: 'team-a',
    });
    await control.createOptions({
      createDelayMs: 2500,
      blockWhileCreating: true,
    });
    try {
      const creating = request(server)
        .post('/api/opensandbox/sandboxes')
        .set('Authorization', ada)
        .send(body)
        .then(r => r);
      await control.createInFlight();
      const read = await request(server)
        .get(`/api/opensandbox/sandboxes/${id}`)
        .set('Authorization', ada);
      expect(read.status).toBe(504);
      expect(read.body.error.message).toBe(
        `OpenSandbox did not answer within 1 s (read the sandbox). Request id ${read.headers['x-request-id']}.`,
      );
      const list = await request(server)
        .get('/api/opensandbox/sandboxes')
        .set('Authorization', ada);
      expect(list.status).toBe(200);
      const created = await creating;
      expect(created.status).toBe(504);
      expect(
        (await auditRow(created.headers['x-request-id'])).map(r => r.outcome),
      ).toEqual(['unknown']);
    } finally {
      await control.createsSettled();
      await control.createOptions({
        createDelayMs: 0,
        blockWhileCreating: false,
      });
    }
  });

  it('two concurrent pauses: the one Docker refuses as already paused answers 409, not 502', async () => {
    const id = await seedUpstreamSandbox(sim.url, {
      owner: 'ada',
      team: 'team-a',
    });
    const message = `Failed to pause sandbox container: 409 Client Error for http+docker://localhost/v1.47/containers/${'a'.repeat(
      64,
    )}/pause: Conflict ("Container ${'a'.repeat(64)} is already paused")`;
    await control.faults([
      {
        method: 'POST',
        path: `^/v1/sandboxes/${id}/pause$`,
        status: 500,
        body: { code: 'DOCKER::SANDBOX_PAUSE_FAILED', message },
      },
    ]);
    const res = await request(server)
      .post(`/api/opensandbox/sandboxes/${id}/pause`)
      .set('Authorization', ada);
    expect([res.status, res.body.error.message]).toEqual([
      409,
      `The sandbox is already paused: another request changed it first (request id ${res.headers['x-request-id']}).`,
    ]);
    expect(
      (await auditRow(res.headers['x-request-id'])).map(r => [
        r.outcome,
        r.httpStatus,
      ]),
    ).toEqual([['failed', 409]]);
  });

  it('leaves no audit row initiated after all the faults', async () => {
    const res = await request(server)
      .get('/api/opensandbox/audit-events')
      .query({ outcome: 'initiated' })
      .set('Authorization', admin);
    expect(res.body.items).toEqual([]);
  });
});
