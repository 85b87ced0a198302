/**
 * Test wiring shared by the route suites: the console plugin, the REAL permission backend with the
 * ready role policy module, demo personas, and the simulator as upstream.
 */
import type { Server } from 'node:http';
import request from 'supertest';
import type { Knex } from 'knex';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import permissionBackend from '@backstage/plugin-permission-backend';
import rolePolicyModule from '@opensandbox-console/plugin-opensandbox-backend-module-permission-policy';
import { opensandboxPlugin } from '../plugin';
import { pluginRequestAuthFactory } from './pluginRequestAuth';
import { taskTriggerModule } from './taskTrigger';

export const TEST_API_KEY = 'console-test-key';

/** Personas of the role matrix. */
export type Persona =
  | 'none'
  | 'viewer'
  | 'operatorOwnTeam'
  | 'operatorOtherTeam'
  | 'admin'
  | 'service';
export const PERSONAS: Persona[] = [
  'none',
  'viewer',
  'operatorOwnTeam',
  'operatorOtherTeam',
  'admin',
  'service',
];

/** Ownership refs per demo user, as the catalog would give them. */
export const USERS: Record<string, string[]> = {
  'user:default/vic': [
    'user:default/vic',
    'group:default/team-a',
    'group:default/sandbox-viewers',
  ],
  'user:default/ada': [
    'user:default/ada',
    'group:default/team-a',
    'group:default/sandbox-operators',
  ],
  'user:default/bob': [
    'user:default/bob',
    'group:default/team-b',
    'group:default/sandbox-operators',
  ],
  'user:default/pat': ['user:default/pat', 'group:default/platform'],
  'user:default/multi': [
    'user:default/multi',
    'group:default/team-a',
    'group:default/team-c',
    'group:default/sandbox-viewers',
  ],
};

/** The Authorization header of a persona. */
export function authHeader(persona: Persona | string): string {
  switch (persona) {
    case 'none':
      return mockCredentials.none.header();
    case 'viewer':
      return mockCredentials.user.header('user:default/vic');
    case 'operatorOwnTeam':
      return mockCredentials.user.header('user:default/ada');
    case 'operatorOtherTeam':
      return mockCredentials.user.header('user:default/bob');
    case 'admin':
      return mockCredentials.user.header('user:default/pat');
    case 'service':
      return mockCredentials.service.header({
        onBehalfOf: mockCredentials.service('external:ci-bot'),
        targetPluginId: 'opensandbox',
      });
    default:
      return mockCredentials.user.header(persona);
  }
}

/** The user info service of the demo personas: ownership refs from {@link USERS}. */
export function demoUserInfoFactory() {
  return mockServices.userInfo.mock({
    getUserInfo: async (credentials: BackstageCredentials) => {
      const ref = (credentials.principal as { userEntityRef: string })
        .userEntityRef;
      return {
        userEntityRef: ref,
        ownershipEntityRefs: USERS[ref] ?? [ref],
      };
    },
  }).factory;
}

/** Starts the console backend against the simulator at `simulatorUrl` (optionally on `knex`). */
export async function startConsoleBackend(options: {
  simulatorUrl: string;
  knex?: Knex;
  extraConfig?: Record<string, unknown>;
  /** More backend features (e.g. a test module of the opensandbox plugin). */
  extraFeatures?: Parameters<typeof startTestBackend>[0]['features'];
}): Promise<Server> {
  const { server } = await startTestBackend({
    features: [
      opensandboxPlugin,
      permissionBackend,
      rolePolicyModule,
      pluginRequestAuthFactory,
      taskTriggerModule,
      ...(options.extraFeatures ?? []),
      ...(options.knex
        ? [mockServices.database.factory({ knex: options.knex })]
        : []),
      demoUserInfoFactory(),
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: true },
          opensandbox: {
            baseUrl: options.simulatorUrl,
            apiKey: TEST_API_KEY,
            requestTimeoutSeconds: 5,
            // Tests run the sync when they need it (syncInventory); keep the background one rare.
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
              ],
            },
            ...options.extraConfig,
          },
        },
      }),
    ],
  });
  return server;
}

/** Creates a sandbox directly upstream, labelled as the console would for `owner` and `team`. */
export async function seedUpstreamSandbox(
  simulatorUrl: string,
  options: {
    owner?: string;
    team?: string;
    paused?: boolean;
    name?: string;
  } = { owner: 'ada', team: 'team-a' },
): Promise<string> {
  const metadata: Record<string, string> = {};
  if (options.owner)
    Object.assign(metadata, {
      'backstage.io/owner': options.owner,
      'backstage.io/owner-namespace': 'default',
    });
  if (options.team)
    Object.assign(metadata, {
      'backstage.io/team': options.team,
      'backstage.io/team-namespace': 'default',
    });
  if (options.name) metadata.name = options.name;
  const res = await fetch(`${simulatorUrl}/v1/sandboxes`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'OPEN-SANDBOX-API-KEY': TEST_API_KEY,
    },
    body: JSON.stringify({
      image: { uri: 'alpine:3' },
      entrypoint: ['sleep', 'infinity'],
      timeout: 3600,
      resourceLimits: { cpu: '1', memory: '1Gi' },
      metadata,
    }),
  });
  const { id } = await res.json();
  if (options.paused) {
    await fetch(`${simulatorUrl}/v1/sandboxes/${id}/pause`, {
      method: 'POST',
      headers: { 'OPEN-SANDBOX-API-KEY': TEST_API_KEY },
    });
  }
  return id;
}

/**
 * Runs the console's inventory sync of `server` now (through the test module) and waits for it:
 * sandboxes created directly upstream are listed after this.
 */
export async function syncInventory(
  server: Server,
  name = 'default',
): Promise<void> {
  const res = await request(server).post(
    `/api/opensandbox/__test/inventory-sync/${name}`,
  );
  if (res.status !== 204)
    throw new Error(`inventory sync of ${name} answered ${res.status}`);
}
