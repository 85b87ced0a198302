/**
 * Test wiring of the agent-action suites: the console plugin (which registers its actions), the
 * REAL permission backend with the role policy module, the MCP actions backend, and the simulator
 * as upstream. Plugin-to-plugin tokens behave like Backstage's: on behalf of a user they carry the
 * calling plugin as `actor`; on behalf of a SERVICE they are issued as the calling plugin itself
 * (`plugin:<id>`), so an MCP call by a service reaches the console as `plugin:mcp-actions`.
 */
import type { Server } from 'node:http';
import type { Knex } from 'knex';
import {
  AuthService,
  BackstageCredentials,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import permissionBackend from '@backstage/plugin-permission-backend';
import rolePolicyModule from '@opensandbox-console/plugin-opensandbox-backend-module-permission-policy';
import { opensandboxPlugin } from '../plugin';
import { TEST_API_KEY, USERS } from './consoleBackend';

/** `auth` whose plugin-to-plugin tokens name the calling plugin as real Backstage tokens do. */
export const realPluginTokensAuthFactory = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }): AuthService {
    const base = mockServices.auth({ pluginId: plugin.getId() });
    const self = mockCredentials.service(`plugin:${plugin.getId()}`);
    return {
      authenticate: (token, options) => base.authenticate(token, options),
      getNoneCredentials: () => base.getNoneCredentials(),
      getOwnServiceCredentials: () => base.getOwnServiceCredentials(),
      isPrincipal: ((credentials: any, type: any) =>
        base.isPrincipal(credentials, type)) as AuthService['isPrincipal'],
      getLimitedUserToken: credentials => base.getLimitedUserToken(credentials),
      listPublicServiceKeys: () => base.listPublicServiceKeys(),
      getPluginRequestToken: async options => {
        const principal = options.onBehalfOf.principal as {
          type: string;
          userEntityRef?: string;
        };
        if (principal.type === 'user' && principal.userEntityRef) {
          return {
            token: mockCredentials.user.token(principal.userEntityRef, {
              actor: { subject: `plugin:${plugin.getId()}` },
            }),
          };
        }
        if (principal.type === 'service') {
          return {
            token: mockCredentials.service.token({
              onBehalfOf: self,
              targetPluginId: options.targetPluginId,
            }),
          };
        }
        return base.getPluginRequestToken(options);
      },
    };
  },
});

/** The Authorization header of a service principal calling plugin `target` directly. */
export function serviceHeader(subject: string, target = 'opensandbox'): string {
  return mockCredentials.service.header({
    onBehalfOf: mockCredentials.service(subject),
    targetPluginId: target,
  });
}

/** The Authorization header of a user (any plugin may be called with it). */
export function userHeader(ref: string): string {
  return mockCredentials.user.header(ref);
}

/**
 * Starts the console backend with the MCP actions backend, exposing the `opensandbox` plugin's
 * actions (`backend.actions.pluginSources`). Roles: the demo's users; services `external:ci-bot`
 * (operator, team-a) and `plugin:mcp-actions` (operator, team-a: every service calling the MCP
 * endpoint, as in the demo app-config).
 */
export async function startAgentBackend(options: {
  simulatorUrl: string;
  knex?: Knex;
}): Promise<Server> {
  const { server } = await startTestBackend({
    features: [
      opensandboxPlugin,
      permissionBackend,
      rolePolicyModule,
      mcpActionsPlugin,
      realPluginTokensAuthFactory,
      ...(options.knex
        ? [mockServices.database.factory({ knex: options.knex })]
        : []),
      mockServices.userInfo.mock({
        getUserInfo: async (credentials: BackstageCredentials) => {
          const ref = (credentials.principal as { userEntityRef: string })
            .userEntityRef;
          return {
            userEntityRef: ref,
            ownershipEntityRefs: USERS[ref] ?? [ref],
          };
        },
      }).factory,
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://console.example.com' },
          backend: { actions: { pluginSources: ['opensandbox'] } },
          permission: { enabled: true },
          opensandbox: {
            baseUrl: options.simulatorUrl,
            apiKey: TEST_API_KEY,
            requestTimeoutSeconds: 5,
            maxTimeoutSeconds: 86400,
            inventory: { syncIntervalSeconds: 3600 },
            permissionPolicy: {
              defaultRole: 'none',
              otherPermissions: 'allow',
              roles: {
                admin: ['group:default/platform'],
                operator: ['group:default/sandbox-operators'],
                viewer: ['group:default/sandbox-viewers'],
              },
              services: [
                {
                  subject: 'external:ci-bot',
                  role: 'operator',
                  teams: ['group:default/team-a'],
                },
                {
                  subject: 'plugin:mcp-actions',
                  role: 'operator',
                  teams: ['group:default/team-a'],
                },
              ],
            },
          },
        },
      }),
    ],
  });
  return server;
}
