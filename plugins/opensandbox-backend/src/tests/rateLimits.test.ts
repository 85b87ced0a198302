/**
 * Mutation rate limits through the HTTP API on SQLite AND PostgreSQL (one backend; the replica
 * test is in governanceReplicas.test.ts): per user and per service principal, per-principal
 * overrides, mutating routes only (quota admin routes included), 429 with Retry-After.
 */
import type { Server } from 'node:http';
import { TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import { startSimulator } from '@opensandbox-console/opensandbox-simulator';
import {
  authHeader,
  startConsoleBackend,
  TEST_API_KEY,
} from '../__testUtils__/consoleBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())('rate limits on %s', databaseId => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let server: Server;

  beforeAll(async () => {
    const knex = await databases.init(databaseId);
    sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
    server = await startConsoleBackend({
      simulatorUrl: sim.url,
      knex,
      extraConfig: {
        rateLimits: {
          mutationsPerMinute: 3,
          serviceMutationsPerMinute: 2,
          principals: { 'user:default/bob': 4 },
        },
      },
    });
  });
  afterAll(() => sim.close());

  /** Statuses of `n` sequential deletes of a missing sandbox (404 when let through). */
  async function deletes(auth: string, n: number): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) {
      statuses.push(
        (
          await request(server)
            .delete('/api/opensandbox/sandboxes/missing')
            .set('Authorization', auth)
        ).status,
      );
    }
    return statuses;
  }

  it('limits each user, each service and per-principal overrides separately; reads are free', async () => {
    const started = Date.now();
    const ada = await deletes(authHeader('operatorOwnTeam'), 5);
    const bob = await deletes(authHeader('operatorOtherTeam'), 6);
    const service = await deletes(authHeader('service'), 4);
    // A token comes back every 60/n s; the assertions below hold while the test runs faster.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(ada).toEqual([404, 404, 404, 429, 429]);
    expect(bob).toEqual([404, 404, 404, 404, 429, 429]);
    expect(service).toEqual([404, 404, 429, 429]);
    for (let i = 0; i < 5; i++) {
      expect(
        (
          await request(server)
            .get('/api/opensandbox/sandboxes')
            .set('Authorization', authHeader('operatorOwnTeam'))
        ).status,
      ).toBe(200);
    }
  });

  it('answers 429 with Retry-After and the request id; the quota admin routes count too', async () => {
    const pat = authHeader('admin');
    const team = encodeURIComponent('group:default/team-c');
    const statuses: number[] = [];
    let last: request.Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await request(server)
        .put(`/api/opensandbox/admin/quotas/${team}`)
        .set('Authorization', pat)
        .set('X-Request-ID', `rate-limit-${i}-0000`)
        .send({ maxSandboxes: i });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    const retryAfter = Number(last!.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(20);
    expect(last!.headers['x-request-id']).toBe('rate-limit-3-0000');
    expect(last!.body.error).toMatchObject({
      name: 'RateLimitedError',
      requestId: 'rate-limit-3-0000',
    });
    expect(
      (
        await request(server)
          .get(`/api/opensandbox/admin/quotas/${team}`)
          .set('Authorization', pat)
      ).body.override.limits,
    ).toEqual({ maxSandboxes: 2 });
  });
});
