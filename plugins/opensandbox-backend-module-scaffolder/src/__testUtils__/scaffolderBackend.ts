/**
 * A test backend with the scaffolder (and this module), the OpenSandbox Console plugin, the REAL
 * permission backend with the role policy, an in-memory catalog, and the simulator as upstream.
 * Plugin-to-plugin tokens behave like Backstage's: on behalf of a user they carry the calling
 * plugin as `actor` (here `plugin:scaffolder`).
 */
import type { Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
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
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import permissionBackend from '@backstage/plugin-permission-backend';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
// The test backend runs the console plugin the template actions call (a dev dependency only).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import opensandboxPlugin from '@opensandbox-console/plugin-opensandbox-backend';
import rolePolicyModule from '@opensandbox-console/plugin-opensandbox-backend-module-permission-policy';
import opensandboxScaffolderModule from '../index';

export const TEST_API_KEY = 'scaffolder-test-key';

/** The example template of the demo catalog (`examples/templates/sandbox-for-component.yaml`). */
export function exampleTemplate(): Entity {
  return parseYaml(
    readFileSync(
      join(
        __dirname,
        '../../../../examples/templates/sandbox-for-component.yaml',
      ),
      'utf8',
    ),
  );
}

/** The demo catalog's components (`examples/components.yaml`). */
export function exampleComponents(): Entity[] {
  return readFileSync(
    join(__dirname, '../../../../examples/components.yaml'),
    'utf8',
  )
    .split(/^---$/m)
    .map(doc => parseYaml(doc))
    .filter(Boolean);
}

/** A test-only template: renews, reads the endpoint of, and deletes a given sandbox. */
export const MAINTENANCE_TEMPLATE: Entity = {
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: { name: 'sandbox-maintenance', title: 'Sandbox maintenance' },
  spec: {
    owner: 'group:default/platform',
    type: 'sandbox',
    parameters: [
      {
        required: ['sandboxId'],
        properties: {
          sandboxId: { type: 'string' },
          expiresInSeconds: { type: 'integer', default: 7200 },
        },
      },
    ],
    steps: [
      {
        id: 'renew',
        action: 'opensandbox:sandbox:renew',
        input: {
          sandboxId: '${{ parameters.sandboxId }}',
          expiresInSeconds: '${{ parameters.expiresInSeconds }}',
        },
      },
      {
        id: 'endpoint',
        action: 'opensandbox:sandbox:get-endpoint',
        input: { sandboxId: '${{ parameters.sandboxId }}', port: 9000 },
      },
      {
        id: 'delete',
        action: 'opensandbox:sandbox:delete',
        input: { sandboxId: '${{ parameters.sandboxId }}' },
      },
      {
        id: 'again',
        action: 'opensandbox:sandbox:delete',
        input: {
          sandboxId: '${{ parameters.sandboxId }}',
          ignoreMissing: true,
        },
      },
    ],
    output: {
      expiresAt: '${{ steps.renew.output.expiresAt }}',
      url: '${{ steps.endpoint.output.url }}',
      deleted: '${{ steps.delete.output.deleted }}',
      deletedAgain: '${{ steps.again.output.deleted }}',
    },
  },
};

const USERS: Record<string, string[]> = {
  'user:default/ada': [
    'user:default/ada',
    'group:default/team-a',
    'group:default/sandbox-operators',
  ],
  'user:default/vic': [
    'user:default/vic',
    'group:default/team-a',
    'group:default/sandbox-viewers',
  ],
  'user:default/pat': ['user:default/pat', 'group:default/platform'],
};

const pluginTokensAuthFactory = createServiceFactory({
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

/** Starts the backend; the catalog holds the example template and components. */
export async function startScaffolderBackend(options: {
  simulatorUrl: string;
}): Promise<Server> {
  const { server } = await startTestBackend({
    features: [
      scaffolderPlugin,
      opensandboxScaffolderModule,
      opensandboxPlugin,
      permissionBackend,
      rolePolicyModule,
      pluginTokensAuthFactory,
      catalogServiceMock.factory({
        entities: [
          exampleTemplate(),
          MAINTENANCE_TEMPLATE,
          ...exampleComponents(),
        ],
      }),
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
          permission: { enabled: true },
          opensandbox: {
            baseUrl: options.simulatorUrl,
            apiKey: TEST_API_KEY,
            requestTimeoutSeconds: 5,
            inventory: { syncIntervalSeconds: 3600 },
            permissionPolicy: {
              defaultRole: 'none',
              otherPermissions: 'allow',
              roles: {
                admin: ['group:default/platform'],
                operator: ['group:default/sandbox-operators'],
                viewer: ['group:default/sandbox-viewers'],
              },
            },
          },
        },
      }),
    ],
  });
  return server;
}
