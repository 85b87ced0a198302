/**
 * Failure insights through the console: a failed sandbox's plain-text diagnostics
 * (`GET /sandboxes/{id}/diagnostics/{kind}`) for callers allowed to read it, 404 for the others,
 * `available: false` when the OpenSandbox server has none; and the create presets of
 * `GET /settings`.
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

const ada = authHeader('operatorOwnTeam');
const bob = authHeader('operatorOtherTeam');
const vic = authHeader('viewer');

const PRESETS = [
  {
    name: 'python-notebook',
    title: 'Python notebook',
    description: 'Python 3.12 with an HTTP server on port 8000.',
    image: 'python:3.12-slim',
    entrypoint: ['python', '-m', 'http.server', '8000'],
    resourceLimits: { cpu: '1', memory: '1Gi' },
    timeoutSeconds: 14400,
    metadata: { purpose: 'notebook' },
    env: { PYTHONUNBUFFERED: '1' },
  },
  {
    name: 'tiny',
    description: ' The smallest sandbox. ',
    resourceLimits: { memory: '128Mi' },
  },
];

describe('diagnostics through the console', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let server: Server;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
    server = await startConsoleBackend({
      simulatorUrl: sim.url,
      extraConfig: { maxTimeoutSeconds: 86400, presets: PRESETS },
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
  async function failedSandbox(): Promise<string> {
    const id = await seedUpstreamSandbox(sim.url, {
      owner: 'ada',
      team: 'team-a',
      name: 'oom-batch',
    });
    const res = await fetch(`${sim.url}/_simulator/sandboxes/${id}/fail`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        exitCode: 137,
        oomKilled: true,
        logs: ['loading rows', 'Killed'],
      }),
    });
    expect(res.status).toBe(200);
    return id;
  }
  async function upstreamCalls(): Promise<string[]> {
    const log = await (await fetch(`${sim.url}/_simulator/requests`)).json();
    return log.requests.map(
      (r: any) =>
        `${r.method} ${r.path}${
          Object.keys(r.query).length ? `?${new URLSearchParams(r.query)}` : ''
        }`,
    );
  }

  it('serves the logs and events of a failed sandbox to a caller who may read it', async () => {
    const id = await failedSandbox();
    const detail = await request(server)
      .get(`/api/opensandbox/sandboxes/${id}`)
      .set('Authorization', vic);
    expect(detail.body.status).toMatchObject({
      state: 'Failed',
      reason: 'CONTAINER_EXITED_ERROR',
      message: 'Sandbox container exited with code 137.',
    });
    await fetch(`${sim.url}/_simulator/requests`, { method: 'DELETE' });

    const logs = await request(server)
      .get(`/api/opensandbox/sandboxes/${id}/diagnostics/logs`)
      .set('Authorization', vic);
    expect(logs.status).toBe(200);
    expect(logs.body).toEqual({
      kind: 'logs',
      available: true,
      text: expect.stringMatching(/Z loading rows\n.*Z Killed\n$/),
    });
    const events = await request(server)
      .get(`/api/opensandbox/sandboxes/${id}/diagnostics/events`)
      .set('Authorization', ada);
    expect(events.body.text).toContain(
      'Event:      OOMKilled - container was killed due to out-of-memory',
    );
    expect(events.body.text).toContain('Event:      Exited with code 137');
    const inspect = await request(server)
      .get(
        `/api/opensandbox/servers/default/sandboxes/${id}/diagnostics/inspect`,
      )
      .set('Authorization', ada);
    expect(inspect.body).toMatchObject({ kind: 'inspect', available: true });
    expect(inspect.body.text).toContain('OOMKilled:      True');
    const summary = await request(server)
      .get(`/api/opensandbox/sandboxes/${id}/diagnostics/summary`)
      .set('Authorization', ada);
    expect(summary.body.text).toContain('SANDBOX DIAGNOSTICS SUMMARY');

    // Each read: the sandbox (for the decision), then its plain-text diagnostics (never ?scope=).
    expect(await upstreamCalls()).toEqual([
      `GET /v1/sandboxes/${id}`,
      `GET /v1/sandboxes/${id}/diagnostics/logs?tail=200`,
      `GET /v1/sandboxes/${id}`,
      `GET /v1/sandboxes/${id}/diagnostics/events`,
      `GET /v1/sandboxes/${id}`,
      `GET /v1/sandboxes/${id}/diagnostics/inspect`,
      `GET /v1/sandboxes/${id}`,
      `GET /v1/sandboxes/${id}/diagnostics/summary?tail=200`,
    ]);
  });

  it('answers 404 to a caller who may not read the sandbox, without reading its diagnostics', async () => {
    const id = await failedSandbox();
    await fetch(`${sim.url}/_simulator/requests`, { method: 'DELETE' });
    const res = await request(server)
      .get(`/api/opensandbox/sandboxes/${id}/diagnostics/logs`)
      .set('Authorization', bob);
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({
      name: 'NotFoundError',
      message: `Sandbox ${id} not found.`,
    });
    // The same answer as for a sandbox that does not exist.
    const missing = await request(server)
      .get('/api/opensandbox/sandboxes/nope/diagnostics/logs')
      .set('Authorization', ada);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe('Sandbox nope not found.');
    expect(
      (await upstreamCalls()).filter(c => c.includes('/diagnostics/')),
    ).toEqual([]);
    expect(
      (
        await request(server)
          .get(`/api/opensandbox/sandboxes/${id}/diagnostics/logs`)
          .set('Authorization', authHeader('none'))
      ).status,
    ).toBe(401);
  });

  it.each([
    [
      '404 (a server without the diagnostics routes)',
      404,
      { detail: 'Not Found' },
    ],
    [
      '501 (diagnostics not implemented)',
      501,
      {
        code: 'DIAGNOSTICS_NOT_IMPLEMENTED',
        message:
          'The stable Diagnostics API is not implemented by this OpenSandbox server.',
      },
    ],
    ['405', 405, { detail: 'Method Not Allowed' }],
  ])(
    'degrades to available: false when OpenSandbox answers %s',
    async (_name, status, body) => {
      const id = await failedSandbox();
      await faults([{ method: 'GET', path: '/diagnostics/', status, body }]);
      const res = await request(server)
        .get(`/api/opensandbox/sandboxes/${id}/diagnostics/events`)
        .set('Authorization', ada);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        kind: 'events',
        available: false,
        text: '',
        reason: 'This OpenSandbox server does not offer events diagnostics.',
      });
    },
  );

  it('maps other upstream failures like every read (502 with the request id, no upstream text)', async () => {
    const id = await failedSandbox();
    await faults([
      {
        method: 'GET',
        path: '/diagnostics/',
        status: 500,
        body: {
          code: 'DOCKER::SANDBOX_QUERY_FAILED',
          message: 'engine at unix:///var/run/docker.sock failed',
        },
      },
    ]);
    const res = await request(server)
      .get(`/api/opensandbox/sandboxes/${id}/diagnostics/logs`)
      .set('Authorization', ada);
    expect(res.status).toBe(502);
    expect(res.body.error.requestId).toBe(res.headers['x-request-id']);
    expect(JSON.stringify(res.body)).not.toContain('docker.sock');
  });

  it('refuses an unknown kind and query parameters with 400', async () => {
    const id = await failedSandbox();
    const kind = await request(server)
      .get(`/api/opensandbox/sandboxes/${id}/diagnostics/metrics`)
      .set('Authorization', ada);
    expect(kind.status).toBe(400);
    expect(kind.body.error.fields).toEqual([
      { field: 'kind', message: 'must be logs, events, inspect or summary' },
    ]);
    const query = await request(server)
      .get(`/api/opensandbox/sandboxes/${id}/diagnostics/logs?scope=container`)
      .set('Authorization', ada);
    expect(query.status).toBe(400);
  });

  it('serves the create presets of opensandbox.presets in GET /settings', async () => {
    const res = await request(server)
      .get('/api/opensandbox/settings')
      .set('Authorization', vic);
    expect(res.status).toBe(200);
    expect(res.body.presets).toEqual([
      PRESETS[0],
      {
        name: 'tiny',
        description: 'The smallest sandbox.',
        resourceLimits: { memory: '128Mi' },
      },
    ]);
  });
});

describe('create presets in config', () => {
  it('stops the backend at start when a preset is invalid, naming every problem', async () => {
    const sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
    try {
      await expect(
        startConsoleBackend({
          simulatorUrl: sim.url,
          extraConfig: {
            maxTimeoutSeconds: 3600,
            presets: [
              { ...PRESETS[0], name: 'Python' },
              { name: 'tiny', resourceLimits: { memory: 'lots' } },
            ],
          },
        }),
      ).rejects.toThrow(
        'Invalid opensandbox.presets: opensandbox.presets[0].name must be 1-63 lower-case letters, digits and -; opensandbox.presets[0].timeoutSeconds must be at most 3600 seconds; opensandbox.presets[1].resourceLimits.memory must be a quantity such as "500m", "1", "512Mi" or "2Gi"',
      );
    } finally {
      await sim.close();
    }
  });
});
