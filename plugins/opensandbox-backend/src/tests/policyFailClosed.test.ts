/**
 * Decisions fail closed: a permission policy whose conditional decision names a rule the plugin
 * does not have, or gives a rule invalid parameters — anywhere in the tree, also beside valid
 * rules — denies on every route with an answer that says the policy could not be evaluated, leaks
 * no sandbox, audits refused mutations as `denied`, and logs the bad rule for the administrator.
 */
import type { Server } from 'node:http';
import request from 'supertest';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  coreServices,
  createBackendModule,
  createServiceFactory,
  LoggerService,
} from '@backstage/backend-plugin-api';
import permissionBackend from '@backstage/plugin-permission-backend';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  AuthorizeResult,
  PermissionCriteria,
  PermissionCondition,
} from '@backstage/plugin-permission-common';
import { startSimulator } from '@opensandbox-console/opensandbox-simulator';
import { opensandboxPlugin } from '../plugin';
import {
  seedUpstreamSandbox,
  TEST_API_KEY,
} from '../__testUtils__/consoleBackend';
import { pluginRequestAuthFactory } from '../__testUtils__/pluginRequestAuth';

jest.setTimeout(60_000);

const rt = 'opensandbox-sandbox';
const valid: PermissionCondition = {
  resourceType: rt,
  rule: 'IS_OWNER',
  params: { claims: ['user:default/ada'] },
};
const BROKEN: Array<[string, PermissionCriteria<PermissionCondition>, string]> =
  [
    [
      'an unknown rule beside a valid one in anyOf',
      {
        anyOf: [valid, { resourceType: rt, rule: 'NO_SUCH_RULE', params: {} }],
      },
      'unknown rule NO_SUCH_RULE',
    ],
    [
      'invalid parameters inside allOf',
      {
        allOf: [
          valid,
          {
            resourceType: rt,
            rule: 'IS_TEAM_MEMBER',
            params: { teams: 'group:default/team-a' } as any,
          },
        ],
      },
      'rule IS_TEAM_MEMBER has invalid parameters',
    ],
    [
      'invalid parameters under not',
      {
        not: {
          resourceType: rt,
          rule: 'HAS_METADATA',
          params: { key: 1 } as any,
        },
      },
      'rule HAS_METADATA has invalid parameters',
    ],
  ];

function recordingLogger(lines: string[]): LoggerService {
  const logger: LoggerService = {
    error: (message: string) => void lines.push(`error ${message}`),
    warn: (message: string) => void lines.push(`warn ${message}`),
    info: () => {},
    debug: () => {},
    child: () => logger,
  };
  return logger;
}

describe.each(BROKEN)('a policy with %s', (_name, conditions, logged) => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let server: Server;
  const lines: string[] = [];
  const ada = mockCredentials.user.header('user:default/ada');

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
    const brokenPolicy = createBackendModule({
      pluginId: 'permission',
      moduleId: 'broken-policy',
      register(reg) {
        reg.registerInit({
          deps: { policy: policyExtensionPoint },
          async init({ policy }) {
            policy.setPolicy({
              async handle(req) {
                if (req.permission.type === 'resource') {
                  return {
                    result: AuthorizeResult.CONDITIONAL,
                    pluginId: 'opensandbox',
                    resourceType: rt,
                    conditions,
                  };
                }
                return { result: AuthorizeResult.ALLOW };
              },
            });
          },
        });
      },
    });
    ({ server } = await startTestBackend({
      features: [
        opensandboxPlugin,
        permissionBackend,
        brokenPolicy,
        pluginRequestAuthFactory,
        createServiceFactory({
          service: coreServices.logger,
          deps: {},
          factory: () => recordingLogger(lines),
        }),
        mockServices.userInfo.mock({
          getUserInfo: async () => ({
            userEntityRef: 'user:default/ada',
            ownershipEntityRefs: ['user:default/ada', 'group:default/team-a'],
          }),
        }).factory,
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            opensandbox: {
              baseUrl: sim.url,
              apiKey: TEST_API_KEY,
              requestTimeoutSeconds: 5,
            },
          },
        }),
      ],
    }));
  });
  afterAll(() => sim.close());

  it('denies every route, leaks nothing, audits refused mutations and logs the bad rule', async () => {
    const id = await seedUpstreamSandbox(sim.url, {
      owner: 'ada',
      team: 'team-a',
    });
    await fetch(`${sim.url}/_simulator/requests`, { method: 'DELETE' });
    const future = new Date(Date.now() + 7200_000).toISOString();
    const calls: Array<[string, request.Test]> = [
      ['list', request(server).get('/api/opensandbox/sandboxes')],
      ['get', request(server).get(`/api/opensandbox/sandboxes/${id}`)],
      [
        'endpoint',
        request(server).get(`/api/opensandbox/sandboxes/${id}/endpoints/8080`),
      ],
      [
        'create for another team',
        request(server)
          .post('/api/opensandbox/sandboxes')
          .send({
            image: { uri: 'alpine:3' },
            entrypoint: ['sh'],
            timeout: 600,
            resourceLimits: { cpu: '1' },
            team: 'group:default/team-b',
          }),
      ],
      [
        'renew',
        request(server)
          .post(`/api/opensandbox/sandboxes/${id}/renew-expiration`)
          .send({ expiresAt: future }),
      ],
      ['pause', request(server).post(`/api/opensandbox/sandboxes/${id}/pause`)],
      [
        'resume',
        request(server).post(`/api/opensandbox/sandboxes/${id}/resume`),
      ],
      [
        'patch',
        request(server)
          .patch(`/api/opensandbox/sandboxes/${id}/metadata`)
          .send({ stage: 'qa' }),
      ],
      ['delete', request(server).delete(`/api/opensandbox/sandboxes/${id}`)],
    ];
    for (const [name, call] of calls) {
      const res = await call.set('Authorization', ada);
      expect([name, res.status, res.body.error?.name]).toEqual([
        name,
        403,
        'PermissionPolicyError',
      ]);
      expect(res.body.error.message).toMatch(
        /^The permission policy could not be evaluated for opensandbox\.sandbox\.[a-z., ]+, so access is denied\. An administrator must fix the policy \(the backend log names the problem\)\.$/,
      );
      expect(JSON.stringify(res.body.error)).not.toContain(id);
      expect(res.body.items).toBeUndefined();
    }
    // Only the loads of the sandbox reached upstream; nothing was changed or listed.
    const log = await (await fetch(`${sim.url}/_simulator/requests`)).json();
    const upstream = (Array.isArray(log) ? log : log.requests)
      .map((r: any) => `${r.method} ${r.path}`)
      .filter((p: string) => !p.includes('/_simulator'));
    expect(upstream.every((p: string) => p === `GET /v1/sandboxes/${id}`)).toBe(
      true,
    );
    const audit = await request(server)
      .get('/api/opensandbox/audit-events')
      .set('Authorization', ada);
    expect(audit.status).toBe(200);
    expect(
      audit.body.items.map((r: any) => [
        r.action,
        r.outcome,
        r.httpStatus,
        r.errorCode,
      ]),
    ).toEqual(
      [
        'sandbox.delete',
        'sandbox.metadata.update',
        'sandbox.resume',
        'sandbox.pause',
        'sandbox.renew',
        'sandbox.create',
      ].map(a => [a, 'denied', 403, 'PermissionPolicyError']),
    );
    expect(lines.some(l => l.startsWith('error ') && l.includes(logged))).toBe(
      true,
    );
    const state = await (
      await fetch(`${sim.url}/v1/sandboxes/${id}`, {
        headers: { 'OPEN-SANDBOX-API-KEY': TEST_API_KEY },
      })
    ).json();
    expect(state.status.state).toBe('Running');
  });
});
