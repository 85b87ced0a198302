/**
 * `X-OpenSandbox-Channel` names the audit channel only for plugin-to-plugin calls (a user token
 * issued by a backend plugin, or a `plugin:` service token) and only as `scaffolder` or `mcp`;
 * everyone else is recorded on channel `http` whatever they send.
 */
import type { Server } from 'node:http';
import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import { startSimulator } from '@opensandbox-console/opensandbox-simulator';
import {
  authHeader,
  startConsoleBackend,
  TEST_API_KEY,
} from '../__testUtils__/consoleBackend';

jest.setTimeout(60_000);

const body = (name: string) => ({
  image: { uri: 'alpine:3' },
  entrypoint: ['sleep', 'infinity'],
  timeout: 600,
  resourceLimits: { cpu: '1', memory: '1Gi' },
  team: 'group:default/team-a',
  metadata: { name },
});

describe('the audit channel header', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let server: Server;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
    server = await startConsoleBackend({
      simulatorUrl: sim.url,
      extraConfig: {
        permissionPolicy: {
          defaultRole: 'none',
          otherPermissions: 'allow',
          roles: {
            admin: ['group:default/platform'],
            operator: ['group:default/sandbox-operators'],
          },
          services: [
            {
              subject: 'external:ci-bot',
              role: 'operator',
              teams: ['group:default/team-a'],
            },
            {
              subject: 'plugin:scaffolder',
              role: 'operator',
              teams: ['group:default/team-a'],
            },
          ],
        },
      },
    });
  });

  afterAll(async () => {
    await sim.close();
  });

  const viaScaffolder = `Bearer ${mockCredentials.user.token(
    'user:default/ada',
    { actor: { subject: 'plugin:scaffolder' } },
  )}`;
  const scaffolderItself = mockCredentials.service.header({
    onBehalfOf: mockCredentials.service('plugin:scaffolder'),
    targetPluginId: 'opensandbox',
  });

  it.each([
    ['a user through a plugin', viaScaffolder, 'scaffolder', 'scaffolder'],
    ['a user through a plugin', viaScaffolder, 'mcp', 'mcp'],
    ['a plugin service token', scaffolderItself, 'scaffolder', 'scaffolder'],
    ['a user through a plugin, unknown value', viaScaffolder, 'bulk', 'http'],
    [
      'a user from the browser',
      authHeader('operatorOwnTeam'),
      'scaffolder',
      'http',
    ],
    ['an external service', authHeader('service'), 'mcp', 'http'],
  ])(
    '%s sending %s=%s is recorded on channel %s',
    async (_who, auth, sent, recorded) => {
      const name = `channel-${sent}-${Math.random().toString(36).slice(2, 8)}`;
      const res = await request(server)
        .post('/api/opensandbox/sandboxes')
        .set('Authorization', auth)
        .set('X-OpenSandbox-Channel', sent)
        .send(body(name));
      expect(res.status).toBe(202);
      const audit = await request(server)
        .get('/api/opensandbox/audit-events')
        .query({ sandboxId: res.body.id })
        .set('Authorization', authHeader('admin'));
      expect(audit.body.items.map((r: any) => [r.action, r.channel])).toEqual([
        ['sandbox.create', recorded],
      ]);
    },
  );
});
