/**
 * When Backstage's own services cannot answer (typically: every plugin's PostgreSQL is down), the
 * console fails closed with a retryable 503 and its own message — never a 500 carrying another
 * service's error, never an allowed call: the permission backend failing answers 503
 * `PermissionServiceUnavailableError` on reads and mutations; user info failing answers 503 on
 * mutations. Nothing reaches OpenSandbox.
 */
import type { Server } from 'node:http';
import request from 'supertest';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { ResponseError } from '@backstage/errors';
import { startSimulator } from '@opensandbox-console/opensandbox-simulator';
import { opensandboxPlugin } from '../plugin';
import {
  seedUpstreamSandbox,
  TEST_API_KEY,
} from '../__testUtils__/consoleBackend';

jest.setTimeout(60_000);

/** A `ResponseError` as Backstage's clients throw it for a 500 of another backend plugin. */
async function internalError(): Promise<ResponseError> {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: 'Error', message: 'connect ECONNREFUSED 10.0.0.7:5432' },
        request: { method: 'GET', url: '/v1/userinfo' },
        response: { statusCode: 500 },
      }),
      { status: 500, headers: { 'content-type': 'application/json' } },
    ) as any,
  );
}

describe('Backstage services unavailable', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let server: Server;
  let id: string;
  const mode = { permissions: 'ok', userInfo: 'ok' };
  const ada = mockCredentials.user.header('user:default/ada');

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
    const allow = mockServices.permissions.mock();
    allow.authorize.mockImplementation(async reqs => {
      if (mode.permissions !== 'ok') throw await internalError();
      return reqs.map(() => ({ result: 'ALLOW' as any }));
    });
    allow.authorizeConditional.mockImplementation(async reqs => {
      if (mode.permissions !== 'ok') throw await internalError();
      return reqs.map(() => ({ result: 'ALLOW' as any }));
    });
    ({ server } = await startTestBackend({
      features: [
        opensandboxPlugin,
        allow.factory,
        mockServices.userInfo.mock({
          getUserInfo: async () => {
            if (mode.userInfo !== 'ok') throw await internalError();
            return {
              userEntityRef: 'user:default/ada',
              ownershipEntityRefs: ['user:default/ada', 'group:default/team-a'],
            };
          },
        }).factory,
        mockServices.rootConfig.factory({
          data: {
            opensandbox: {
              baseUrl: sim.url,
              apiKey: TEST_API_KEY,
              requestTimeoutSeconds: 5,
            },
          },
        }),
      ],
    }));
    id = await seedUpstreamSandbox(sim.url, { owner: 'ada', team: 'team-a' });
  });
  afterAll(() => sim.close());
  afterEach(() => {
    mode.permissions = 'ok';
    mode.userInfo = 'ok';
  });

  /** The upstream requests since the last clear, as `METHOD path` (reads of the sandbox may run
   * beside the decision; no change may). */
  async function upstreamRequests(): Promise<string[]> {
    const res = await fetch(`${sim.url}/_simulator/requests`);
    const log = await res.json();
    return (Array.isArray(log) ? log : log.requests).map(
      (r: { method: string; path: string }) => `${r.method} ${r.path}`,
    );
  }

  it('answers 503 naming the permission service when it fails, on reads and mutations', async () => {
    mode.permissions = 'down';
    await fetch(`${sim.url}/_simulator/requests`, { method: 'DELETE' });
    for (const call of [
      request(server).get(`/api/opensandbox/sandboxes/${id}`),
      request(server).post(`/api/opensandbox/sandboxes/${id}/pause`),
    ]) {
      const res = await call.set('Authorization', ada);
      expect(res.status).toBe(503);
      expect(res.body.error.name).toBe('PermissionServiceUnavailableError');
      expect(res.body.error.message).toMatch(
        /^The permission service could not decide opensandbox\.sandbox\.[a-z., ]+ right now, so access is denied; retry shortly/,
      );
      expect(JSON.stringify(res.body)).not.toMatch(
        /ECONNREFUSED|10\.0\.0\.7|userinfo/,
      );
    }
    expect(await upstreamRequests()).toEqual([
      `GET /v1/sandboxes/${id}`,
      `GET /v1/sandboxes/${id}`,
    ]);
  });

  it('answers 503 when user info fails, without passing on its error', async () => {
    mode.userInfo = 'down';
    await fetch(`${sim.url}/_simulator/requests`, { method: 'DELETE' });
    const res = await request(server)
      .post(`/api/opensandbox/sandboxes/${id}/pause`)
      .set('Authorization', ada);
    expect(res.status).toBe(503);
    expect(res.body.error.message).toBe(
      "The caller's identity could not be resolved right now (Backstage's user info did not answer); nothing was performed, retry shortly.",
    );
    expect(JSON.stringify(res.body)).not.toMatch(
      /ECONNREFUSED|10\.0\.0\.7|userinfo|cause/,
    );
    expect(
      (await upstreamRequests()).filter(r => !r.startsWith('GET ')),
    ).toEqual([]);
  });
});
