/**
 * The decision cache (`opensandbox.permissionDecisions.cacheSeconds`), through the HTTP routes
 * against the REAL permission backend with a policy that counts how often it is asked and whose
 * answer the test switches: ALLOW and CONDITIONAL decisions are reused per principal and
 * permission, a DENY or a failing policy never is, different users are decided separately, 0 asks
 * on every request, a bad value stops the start, and a role binding change drops the cache at once.
 */
import type { Server } from 'node:http';
import request from 'supertest';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { createBackendModule } from '@backstage/backend-plugin-api';
import permissionBackend from '@backstage/plugin-permission-backend';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { startSimulator } from '@opensandbox-console/opensandbox-simulator';
import { opensandboxPlugin } from '../plugin';
import {
  authHeader,
  demoUserInfoFactory,
  seedUpstreamSandbox,
  startConsoleBackend,
  syncInventory,
  TEST_API_KEY,
  USERS,
} from '../__testUtils__/consoleBackend';
import { fakeCatalogPlugin } from '../__testUtils__/fakeCatalog';
import { pluginRequestAuthFactory } from '../__testUtils__/pluginRequestAuth';

jest.setTimeout(60_000);

type Answer = 'allow' | 'team-a' | 'deny' | 'throw';

/** The policy under test's control: its answer per user, and how often it was asked. */
const policyState = {
  answers: new Map<string, Answer>(),
  asked: [] as string[],
  /** While set, the policy takes its answer, then waits for this before giving it. */
  gate: undefined as Promise<void> | undefined,
};

const switchablePolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'switchable-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy({
          async handle(req, user) {
            const ref = user?.info.userEntityRef ?? 'unknown';
            if (!req.permission.name.startsWith('opensandbox.'))
              return { result: AuthorizeResult.ALLOW };
            policyState.asked.push(`${ref} ${req.permission.name}`);
            const answer = policyState.answers.get(ref) ?? 'deny';
            if (policyState.gate) await policyState.gate;
            if (answer === 'throw') throw new Error('policy store offline');
            if (answer === 'deny') return { result: AuthorizeResult.DENY };
            if (answer === 'team-a' && req.permission.type === 'resource')
              return {
                result: AuthorizeResult.CONDITIONAL,
                pluginId: 'opensandbox',
                resourceType: 'opensandbox-sandbox',
                conditions: {
                  rule: 'IS_TEAM_MEMBER',
                  resourceType: 'opensandbox-sandbox',
                  params: { teams: ['group:default/team-a'] },
                },
              };
            return { result: AuthorizeResult.ALLOW };
          },
        });
      },
    });
  },
});

async function startWithPolicy(
  simulatorUrl: string,
  opensandbox: Record<string, unknown> = {},
) {
  const { server } = await startTestBackend({
    features: [
      opensandboxPlugin,
      permissionBackend,
      switchablePolicy,
      pluginRequestAuthFactory,
      demoUserInfoFactory(),
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: true },
          opensandbox: {
            baseUrl: simulatorUrl,
            apiKey: TEST_API_KEY,
            requestTimeoutSeconds: 5,
            inventory: { syncIntervalSeconds: 3600 },
            ...opensandbox,
          },
        },
      }),
    ],
  });
  return server;
}

const ada = mockCredentials.user.header('user:default/ada');
const bob = mockCredentials.user.header('user:default/bob');
const READ = 'opensandbox.sandbox.read';

describe('the permission decision cache', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let cached: Server;
  let uncached: Server;
  let teamA: string;
  let teamB: string;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
    teamA = await seedUpstreamSandbox(sim.url, {
      owner: 'ada',
      team: 'team-a',
    });
    teamB = await seedUpstreamSandbox(sim.url, {
      owner: 'bob',
      team: 'team-b',
    });
    cached = await startWithPolicy(sim.url);
    uncached = await startWithPolicy(sim.url, {
      permissionDecisions: { cacheSeconds: 0 },
    });
    await syncInventory(cached).catch(() => undefined);
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    policyState.answers.clear();
    policyState.asked.length = 0;
  });

  const get = (server: Server, id: string, who: string) =>
    request(server)
      .get(`/api/opensandbox/sandboxes/${id}`)
      .set('Authorization', who);

  it('asks the policy once for a burst of reads by one user (default 5 s), and on every read with cacheSeconds 0', async () => {
    policyState.answers.set('user:default/ada', 'team-a');
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await get(cached, teamA, ada)).status);
    statuses.push((await get(cached, teamB, ada)).status);
    expect(statuses).toEqual([200, 200, 200, 404]);
    expect(policyState.asked).toEqual([`user:default/ada ${READ}`]);

    policyState.asked.length = 0;
    for (let i = 0; i < 3; i++)
      expect((await get(uncached, teamA, ada)).status).toBe(200);
    expect(policyState.asked).toEqual([
      `user:default/ada ${READ}`,
      `user:default/ada ${READ}`,
      `user:default/ada ${READ}`,
    ]);
  });

  it('never reuses a DENY: a role granted afterwards applies to the next request', async () => {
    // A sandbox the caller may not read is not found (its existence is not revealed).
    policyState.answers.set('user:default/bob', 'deny');
    expect((await get(cached, teamB, bob)).status).toBe(404);
    expect((await get(cached, teamB, bob)).status).toBe(404);
    policyState.answers.set('user:default/bob', 'allow');
    expect((await get(cached, teamB, bob)).status).toBe(200);
    expect(policyState.asked).toEqual([
      `user:default/bob ${READ}`,
      `user:default/bob ${READ}`,
      `user:default/bob ${READ}`,
    ]);
  });

  it("decides each user for themselves: one user's cached ALLOW is not another's", async () => {
    const pat = mockCredentials.user.header('user:default/pat');
    const vic = mockCredentials.user.header('user:default/vic');
    policyState.answers.set('user:default/pat', 'allow');
    policyState.answers.set('user:default/vic', 'deny');
    expect((await get(cached, teamB, pat)).status).toBe(200);
    expect((await get(cached, teamB, vic)).status).toBe(404);
    expect((await get(cached, teamB, pat)).status).toBe(200);
    expect(policyState.asked).toEqual([
      `user:default/pat ${READ}`,
      `user:default/vic ${READ}`,
    ]);
  });

  it('never reuses a failure: a policy that throws is refused (fail closed), the next request asks again', async () => {
    const carl = mockCredentials.user.header('user:default/carl');
    policyState.answers.set('user:default/carl', 'throw');
    const refused = await get(cached, teamA, carl);
    expect(refused.status).toBeGreaterThanOrEqual(403);
    expect(refused.status).not.toBe(500);
    policyState.answers.set('user:default/carl', 'allow');
    expect((await get(cached, teamA, carl)).status).toBe(200);
    expect(policyState.asked).toEqual([
      `user:default/carl ${READ}`,
      `user:default/carl ${READ}`,
    ]);
  });

  it('does not keep an answer that was being decided when a role binding changed', async () => {
    const carol = mockCredentials.user.header('user:default/carol');
    const pat = mockCredentials.user.header('user:default/pat');
    policyState.answers.set('user:default/pat', 'allow');
    policyState.answers.set('user:default/carol', 'allow');
    let open!: () => void;
    policyState.gate = new Promise<void>(resolve => {
      open = resolve;
    });
    // carol's read is being decided (the policy already chose ALLOW) ...
    const inFlight = get(cached, teamB, carol).then(r => r);
    for (let i = 0; i < 200 && policyState.asked.length === 0; i++)
      await new Promise(r => setImmediate(r));
    expect(policyState.asked).toEqual([`user:default/carol ${READ}`]);
    // ... when her role is revoked and a role binding changes on this replica.
    policyState.answers.set('user:default/carol', 'deny');
    policyState.gate = undefined;
    const binding = request(cached)
      .post('/api/opensandbox/admin/role-bindings')
      .set('Authorization', pat)
      .send({ subject: 'user:default/vic', role: 'viewer' });
    expect((await binding).status).toBe(201);
    open();
    expect((await inFlight).status).toBe(200);
    // The answer given before the change is not reused: she is asked again, and refused.
    expect((await get(cached, teamB, carol)).status).toBe(404);
    expect(
      policyState.asked.filter(a => a.startsWith('user:default/carol')),
    ).toEqual([`user:default/carol ${READ}`, `user:default/carol ${READ}`]);
  });

  it('refuses to start with a cacheSeconds outside 0..60, naming the key', async () => {
    await expect(
      startWithPolicy(sim.url, { permissionDecisions: { cacheSeconds: 61 } }),
    ).rejects.toThrow(
      'opensandbox.permissionDecisions.cacheSeconds must be a number of seconds from 0 to 60, got 61',
    );
  });
});

describe('the decision cache and role bindings', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let server: Server;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
    server = await startConsoleBackend({
      simulatorUrl: sim.url,
      extraFeatures: [fakeCatalogPlugin(USERS)],
      // Long enough that only the binding change itself can drop ada's cached decision.
      extraConfig: { permissionDecisions: { cacheSeconds: 60 } },
    });
  });
  afterAll(() => sim.close());

  it('drops cached decisions at once when a binding is added or removed on this replica', async () => {
    const teamB = await seedUpstreamSandbox(sim.url, {
      owner: 'bob',
      team: 'team-b',
    });
    const operator = authHeader('operatorOwnTeam');
    const read = () =>
      request(server)
        .get(`/api/opensandbox/sandboxes/${teamB}`)
        .set('Authorization', operator);
    // ada (operator of team-a) may not read team-b's sandbox; her CONDITIONAL decision is cached.
    expect((await read()).status).toBe(404);
    const added = await request(server)
      .post('/api/opensandbox/admin/role-bindings')
      .set('Authorization', authHeader('admin'))
      .send({ subject: 'user:default/ada', role: 'admin' });
    expect(added.status).toBe(201);
    expect((await read()).status).toBe(200);
    const removed = await request(server)
      .delete(`/api/opensandbox/admin/role-bindings/${added.body.id}`)
      .set('Authorization', authHeader('admin'));
    expect(removed.status).toBe(204);
    expect((await read()).status).toBe(404);
  });
});
