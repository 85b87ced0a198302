import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import type { PolicyQueryUser } from '@backstage/plugin-permission-node';
import type {
  OpensandboxRoleBinding,
  OpensandboxRoleConfig,
} from '@opensandbox-console/plugin-opensandbox-node';
import { OpensandboxRolePolicy } from './OpensandboxRolePolicy';

const roles: OpensandboxRoleConfig = {
  otherPermissions: 'deny',
  members: {
    admin: ['group:default/platform'],
    operator: [],
    viewer: ['group:default/viewers'],
  },
  services: [],
};
const userInfo = {
  getUserInfo: async () => ({
    userEntityRef: 'user:default/vic',
    ownershipEntityRefs: ['user:default/vic', 'group:default/viewers'],
  }),
};
const user = { credentials: {} } as unknown as PolicyQueryUser;
const create = {
  permission: createPermission({
    name: 'opensandbox.sandbox.create',
    attributes: { action: 'create' },
  }),
};
const operatorBinding: OpensandboxRoleBinding = {
  id: 'b1',
  source: 'database',
  subject: 'user:default/vic',
  subjectKind: 'user',
  role: 'operator',
  teams: [],
  exempt: false,
};

describe('OpensandboxRolePolicy with database role bindings', () => {
  it('adds the database bindings to the config entries', async () => {
    const configOnly = new OpensandboxRolePolicy({
      roles,
      userInfo: userInfo as any,
    });
    expect((await configOnly.handle(create, user)).result).toBe(
      AuthorizeResult.DENY,
    );
    const withBindings = new OpensandboxRolePolicy({
      roles,
      userInfo: userInfo as any,
      bindings: async () => [operatorBinding],
    });
    expect((await withBindings.handle(create, user)).result).toBe(
      AuthorizeResult.ALLOW,
    );
  });

  it('decides from the config alone when the bindings cannot be read (never more)', async () => {
    const failing = new OpensandboxRolePolicy({
      roles,
      userInfo: userInfo as any,
      bindings: async () => {
        throw new Error('opensandbox plugin unreachable');
      },
    });
    expect((await failing.handle(create, user)).result).toBe(
      AuthorizeResult.DENY,
    );
    expect(
      (
        await failing.handle(
          {
            permission: {
              type: 'basic',
              name: 'catalog.entity.create',
              attributes: {},
            },
          },
          user,
        )
      ).result,
    ).toBe(AuthorizeResult.DENY);
  });
});
