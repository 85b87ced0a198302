/**
 * The operation pipeline against the simulator behaving like the real OpenSandbox server: state
 * conflicts answered by the console, upstream failures explained without internals, audit rows
 * that record what upstream did, renewals that never shorten silently, case-insensitive entity
 * refs, forged ownership labels audited, the settings the browser needs.
 */
import type { Server } from 'node:http';
import request from 'supertest';
import { startSimulator } from '@opensandbox-console/opensandbox-simulator';
import {
  authHeader,
  seedUpstreamSandbox,
  startConsoleBackend,
  TEST_API_KEY,
} from '../__testUtils__/consoleBackend';

jest.setTimeout(60_000);

const body = {
  image: { uri: 'alpine:3' },
  entrypoint: ['sh'],
  timeout: 3600,
  resourceLimits: { cpu: '1', memory: '1Gi' },
};
const ada = authHeader('operatorOwnTeam');
const admin = authHeader('admin');

describe('operation pipeline', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let server: Server;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
    server = await startConsoleBackend({
      simulatorUrl: sim.url,
      extraConfig: { maxTimeoutSeconds: 86400 },
    });
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    await faults([]);
    await fetch(`${sim.url}/_simulator/requests`, { method: 'DELETE' });
  });

  async function faults(rules: unknown[]) {
    const res = await fetch(`${sim.url}/_simulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(rules),
    });
    expect(res.ok).toBe(true);
  }
  async function upstreamCalls(): Promise<string[]> {
    const log = await (await fetch(`${sim.url}/_simulator/requests`)).json();
    return (Array.isArray(log) ? log : log.requests)
      .filter((r: any) => !String(r.path).startsWith('/_simulator'))
      .map((r: any) => `${r.method} ${r.path}`);
  }
  async function events(query: Record<string, string>) {
    const res = await request(server)
      .get('/api/opensandbox/audit-events')
      .query(query)
      .set('Authorization', admin);
    expect(res.status).toBe(200);
    return res.body.items as any[];
  }

  it('answers pause of a Paused sandbox and resume of a Running one with 409 before any upstream mutation', async () => {
    const paused = await seedUpstreamSandbox(sim.url, {
      owner: 'ada',
      team: 'team-a',
      paused: true,
    });
    const running = await seedUpstreamSandbox(sim.url, {
      owner: 'ada',
      team: 'team-a',
    });
    await fetch(`${sim.url}/_simulator/requests`, { method: 'DELETE' });

    const pause = await request(server)
      .post(`/api/opensandbox/sandboxes/${paused}/pause`)
      .set('Authorization', ada);
    expect(pause.status).toBe(409);
    expect(pause.body.error).toMatchObject({
      name: 'ConflictError',
      message: `Sandbox ${paused} is Paused; pause needs a Running sandbox.`,
    });
    const resume = await request(server)
      .post(`/api/opensandbox/sandboxes/${running}/resume`)
      .set('Authorization', ada);
    expect(resume.status).toBe(409);
    expect(resume.body.error.message).toBe(
      `Sandbox ${running} is Running; resume needs a Paused sandbox.`,
    );
    expect(await upstreamCalls()).toEqual([
      `GET /v1/sandboxes/${paused}`,
      `GET /v1/sandboxes/${running}`,
    ]);

    const rows = await events({ sandboxId: paused });
    expect(
      rows.map(r => [r.action, r.outcome, r.httpStatus, r.errorCode]),
    ).toEqual([['sandbox.pause', 'failed', 409, 'ConflictError']]);
  });

  it('explains an image that cannot be pulled next to the field, keeping the engine text in the audit log only', async () => {
    const engine =
      'Failed to pull image ghcr.io/example/does-not-exist:latest: 500 Server Error for http+docker://localhost/v1.47/images/create?tag=latest&fromImage=ghcr.io%2Fexample%2Fdoes-not-exist: Internal Server Error ("denied")';
    await faults([
      {
        method: 'POST',
        path: '^/v1/sandboxes$',
        status: 500,
        body: { code: 'DOCKER::SANDBOX_IMAGE_PULL_FAILED', message: engine },
      },
    ]);
    const res = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', ada)
      .send({
        ...body,
        image: { uri: 'ghcr.io/example/does-not-exist:latest' },
      });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      name: 'InputError',
      fields: [
        {
          field: 'image.uri',
          message:
            'could not be pulled by OpenSandbox: check the image name, tag and registry credentials',
        },
      ],
      upstreamCode: 'DOCKER::SANDBOX_IMAGE_PULL_FAILED',
      requestId: res.headers['x-request-id'],
    });
    expect(JSON.stringify(res.body)).not.toContain('http+docker');
    const rows = (
      await events({ action: 'sandbox.create', outcome: 'failed' })
    ).filter(r => r.requestId === res.headers['x-request-id']);
    expect(
      rows.map(r => [r.outcome, r.httpStatus, r.errorCode, r.errorMessage]),
    ).toEqual([['failed', 400, 'DOCKER::SANDBOX_IMAGE_PULL_FAILED', engine]]);
  });

  it('maps a namespace quota refusal to 403 for the user and pool exhaustion to 429 with Retry-After', async () => {
    await faults([
      {
        method: 'POST',
        path: '^/v1/sandboxes$',
        status: 403,
        times: 1,
        body: {
          code: 'KUBERNETES::QUOTA_EXCEEDED',
          message:
            'exceeded quota: compute-resources, requested: limits.cpu=1, used: limits.cpu=8, limited: limits.cpu=8',
        },
      },
    ]);
    const quota = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', ada)
      .send(body);
    expect(quota.status).toBe(403);
    expect(quota.body.error.name).toBe('QuotaExceededError');
    expect(quota.body.error.message).toBe(
      `The OpenSandbox namespace quota refused this sandbox: free resources by deleting sandboxes you no longer need, or ask the platform team for a larger quota. (request id ${quota.headers['x-request-id']})`,
    );
    expect(JSON.stringify(quota.body)).not.toContain('compute-resources');

    await faults([
      {
        method: 'POST',
        path: '^/v1/sandboxes$',
        status: 429,
        times: 1,
        body: {
          code: 'KUBERNETES::POOL_CAPACITY_EXHAUSTED',
          message: 'pool p1 exhausted',
        },
      },
    ]);
    const pool = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', ada)
      .send(body);
    expect(pool.status).toBe(429);
    expect(pool.body.error.name).toBe('CapacityExhaustedError');
    expect(pool.headers['retry-after']).toBe('30');
  });

  it("treats a 404 that is not in OpenSandbox's error shape as a gateway problem (502), not a missing sandbox", async () => {
    const id = await seedUpstreamSandbox(sim.url, {
      owner: 'ada',
      team: 'team-a',
    });
    await faults([
      {
        method: 'GET',
        path: `^/v1/sandboxes/${id}$`,
        status: 404,
        body: { detail: 'Not Found' },
      },
    ]);
    const res = await request(server)
      .get(`/api/opensandbox/sandboxes/${id}`)
      .set('Authorization', ada);
    expect(res.status).toBe(502);
    expect(res.body.error.message).toBe(
      `The OpenSandbox server, or a gateway in front of it, answered 404 without an OpenSandbox error; check opensandbox.baseUrl (request id ${res.headers['x-request-id']}).`,
    );
  });

  it("explains the simulator's own unpullable image like the real server's (no fault injected)", async () => {
    const res = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', ada)
      .send({
        ...body,
        image: { uri: 'ghcr.io/example/does-not-exist:latest' },
      });
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual([
      {
        field: 'image.uri',
        message:
          'could not be pulled by OpenSandbox: check the image name, tag and registry credentials',
      },
    ]);
    expect(JSON.stringify(res.body)).not.toMatch(
      /http\+docker|ghcr\.io\/v2|denied/,
    );
  });

  it("passes upstream's Retry-After on, and answers a gateway's HTML 404 page with 502", async () => {
    await faults([
      {
        method: 'POST',
        path: '^/v1/sandboxes$',
        status: 429,
        times: 1,
        headers: { 'Retry-After': '17' },
        body: {
          code: 'KUBERNETES::POOL_CAPACITY_EXHAUSTED',
          message: 'no capacity',
        },
      },
    ]);
    const pool = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', ada)
      .send(body);
    expect([
      pool.status,
      pool.headers['retry-after'],
      pool.body.error.retryAfterSeconds,
    ]).toEqual([429, '17', 17]);

    const id = await seedUpstreamSandbox(sim.url, {
      owner: 'ada',
      team: 'team-a',
    });
    await faults([
      {
        method: 'DELETE',
        path: `^/v1/sandboxes/${id}$`,
        status: 404,
        contentType: 'text/html',
        rawBody:
          '<html><body><center><h1>404 Not Found</h1></center><hr><center>nginx/1.25.3</center></body></html>',
      },
    ]);
    const del = await request(server)
      .delete(`/api/opensandbox/sandboxes/${id}`)
      .set('Authorization', ada);
    expect(del.status).toBe(502);
    expect(JSON.stringify(del.body)).not.toContain('nginx');
    const [row] = await events({ sandboxId: id, action: 'sandbox.delete' });
    expect([row.outcome, row.httpStatus, row.errorCode]).toEqual([
      'failed',
      502,
      'HTTP_404',
    ]);
    expect(row.errorMessage).toContain('nginx/1.25.3');
  });

  it('audits a mutation whose answer was cut mid-response as unknown', async () => {
    const id = await seedUpstreamSandbox(sim.url, {
      owner: 'ada',
      team: 'team-a',
    });
    await faults([
      {
        method: 'PATCH',
        path: `^/v1/sandboxes/${id}/metadata$`,
        closeConnection: true,
      },
    ]);
    const res = await request(server)
      .patch(`/api/opensandbox/sandboxes/${id}/metadata`)
      .set('Authorization', ada)
      .send({ stage: 'qa' });
    expect(res.status).toBe(502);
    const [row] = await events({
      sandboxId: id,
      action: 'sandbox.metadata.update',
    });
    expect([row.outcome, row.httpStatus]).toEqual(['unknown', 502]);
  });

  it('records the metadata upstream had before and answered after, not the request', async () => {
    const created = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', ada)
      .send({ ...body, metadata: { name: 'm1', stage: 'dev' } });
    const id = created.body.id;
    const patched = await request(server)
      .patch(`/api/opensandbox/sandboxes/${id}/metadata`)
      .set('Authorization', ada)
      .send({ stage: 'qa' });
    expect(patched.status).toBe(200);
    const [row] = await events({
      sandboxId: id,
      action: 'sandbox.metadata.update',
    });
    // (label values under keys named like secrets, such as the create token, are redacted)
    const redactedToken = { 'backstage.io/create-token': '[REDACTED]' };
    expect(row.details.before).toEqual({
      ...created.body.metadata,
      ...redactedToken,
    });
    expect(row.details.after).toEqual({
      ...patched.body.metadata,
      ...redactedToken,
    });
    expect(Object.keys(row.details.before).sort()).toEqual([
      'backstage.io/create-token',
      'backstage.io/owner',
      'backstage.io/owner-namespace',
      'backstage.io/team',
      'backstage.io/team-namespace',
      'name',
      'stage',
    ]);
    expect(row.details.after.name).toBe('m1');
    expect(row.details.after.stage).toBe('qa');
  });

  it('refuses a renewal that shortens the sandbox unless allowShorten is given, and audits it', async () => {
    const created = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', ada)
      .send(body);
    const id = created.body.id;
    await fetch(`${sim.url}/_simulator/requests`, { method: 'DELETE' });
    const earlier = new Date(
      Date.parse(created.body.expiresAt) - 1800_000,
    ).toISOString();
    const refused = await request(server)
      .post(`/api/opensandbox/sandboxes/${id}/renew-expiration`)
      .set('Authorization', ada)
      .send({ expiresAt: earlier });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields).toEqual([
      {
        field: 'expiresAt',
        message: `is earlier than the current expiration ${created.body.expiresAt}; send allowShorten: true to shorten the sandbox's life`,
      },
    ]);
    expect(await upstreamCalls()).toEqual([`GET /v1/sandboxes/${id}`]);

    const bad = await request(server)
      .post(`/api/opensandbox/sandboxes/${id}/renew-expiration`)
      .set('Authorization', ada)
      .send({ expiresAt: earlier, allowShorten: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('allowShorten must be true or false');

    const shortened = await request(server)
      .post(`/api/opensandbox/sandboxes/${id}/renew-expiration`)
      .set('Authorization', ada)
      .send({ expiresAt: earlier, allowShorten: true });
    expect(shortened.status).toBe(200);
    expect(Date.parse(shortened.body.expiresAt)).toBe(Date.parse(earlier));
    const rows = await events({ sandboxId: id, action: 'sandbox.renew' });
    expect(
      rows.map(r => [r.outcome, r.httpStatus, r.details.shortened ?? null]),
    ).toEqual([
      ['succeeded', 200, true],
      ['failed', 400, null],
    ]);
    expect(rows[0].details.request).toEqual({
      expiresAt: earlier,
      allowShorten: true,
    });
  });

  it('accepts entity refs with any case in kind and namespace, in create bodies and list filters', async () => {
    const created = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', ada)
      .send({
        ...body,
        team: 'Group:Default/team-a',
        entityRef: 'Component:Default/payments-api',
      });
    expect(created.status).toBe(202);
    expect(created.body.ownership).toEqual({
      owner: 'user:default/ada',
      team: 'group:default/team-a',
      entity: 'component:default/payments-api',
    });
    const list = await request(server)
      .get('/api/opensandbox/sandboxes')
      .query({
        team: 'GROUP:DEFAULT/team-a',
        entity: 'Component:Default/payments-api',
      })
      .set('Authorization', ada);
    expect(list.status).toBe(200);
    expect(list.body.items.map((s: any) => s.id)).toContain(created.body.id);
  });

  it('refuses a create that sets console-owned labels and records it as denied', async () => {
    const res = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', ada)
      .send({
        ...body,
        metadata: {
          'backstage.io/owner': 'pat',
          'backstage.io/create-token': 'cabc',
        },
      });
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual([
      {
        field: 'metadata.backstage.io/owner',
        message: 'is set by the console from your identity and cannot be given',
      },
      {
        field: 'metadata.backstage.io/create-token',
        message: 'is set by the console from your identity and cannot be given',
      },
    ]);
    expect(await upstreamCalls()).toEqual([]);
    const rows = (
      await events({
        action: 'sandbox.create',
        outcome: 'denied',
        actor: 'user:default/ada',
      })
    ).filter(r => r.requestId === res.headers['x-request-id']);
    expect(rows.map(r => [r.outcome, r.httpStatus, r.team])).toEqual([
      ['denied', 400, 'group:default/team-a'],
    ]);
  });

  it('serves the settings forms need', async () => {
    const res = await request(server)
      .get('/api/opensandbox/settings')
      .set('Authorization', authHeader('viewer'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      maxTimeoutSeconds: 86400,
      minTimeoutSeconds: 60,
      requestBodyLimitBytes: 1048576,
      servers: ['default'],
      expiringSoonSeconds: 3600,
      presets: [],
    });
    expect(
      (
        await request(server)
          .get('/api/opensandbox/settings')
          .set('Authorization', authHeader('none'))
      ).status,
    ).toBe(401);
  });
});
