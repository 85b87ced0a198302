import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  opensandboxAdminManagePermission,
  opensandboxAuditReadPermission,
  opensandboxPermissions,
  opensandboxSandboxCreatePermission,
  opensandboxSandboxDeletePermission,
  opensandboxSandboxReadPermission,
} from '@opensandbox-console/plugin-opensandbox-common';
import {
  configRoleBindings,
  decideForGrants,
  explainRoleBindings,
  matchRoleBindings,
  OpensandboxRoleBinding,
  parseRoleBindingsPayload,
  readOpensandboxRoleBindingsSettings,
} from './roleBindings';
import { decideOpensandboxPermission } from './roleDecisions';
import { OpensandboxRoleConfig } from './roleConfig';
import { ConfigReader } from '@backstage/config';

const config: OpensandboxRoleConfig = {
  otherPermissions: 'allow',
  members: {
    admin: ['group:default/platform'],
    operator: ['group:default/ops'],
    viewer: ['group:default/viewers'],
  },
  services: [
    {
      subject: 'external:ci-bot',
      role: 'operator',
      teams: ['group:default/team-a'],
    },
  ],
};
const kindOf = (subject: string): OpensandboxRoleBinding['subjectKind'] => {
  if (subject.startsWith('user:')) return 'user';
  return subject.startsWith('group:') ? 'group' : 'service';
};
const db = (
  b: Partial<OpensandboxRoleBinding> &
    Pick<OpensandboxRoleBinding, 'subject' | 'role'>,
): OpensandboxRoleBinding => ({
  id: `id-${b.subject}-${b.role}`,
  source: 'database',
  subjectKind: kindOf(b.subject),
  teams: [],
  exempt: false,
  ...b,
});
const vic = {
  type: 'user' as const,
  userEntityRef: 'user:default/vic',
  ownershipEntityRefs: [
    'user:default/vic',
    'group:default/team-a',
    'group:default/viewers',
  ],
};

describe('role bindings model', () => {
  it('decides exactly like decideOpensandboxPermission for one unscoped config role', () => {
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      const grants = matchRoleBindings(
        configRoleBindings({
          ...config,
          members: {
            viewer: [],
            operator: [],
            admin: [],
            [role]: ['user:default/vic'],
          },
        }),
        vic,
      );
      for (const permission of opensandboxPermissions) {
        expect(decideForGrants(permission, grants)).toEqual(
          decideOpensandboxPermission(permission, role, {
            userEntityRef: 'user:default/vic',
            teams: vic.ownershipEntityRefs,
          }),
        );
      }
    }
  });

  it('decides from the union of config entries and database bindings', () => {
    const bindings = [
      ...configRoleBindings(config),
      db({
        subject: 'user:default/vic',
        role: 'operator',
        teams: ['group:default/team-b'],
      }),
    ];
    const grants = matchRoleBindings(bindings, vic);
    expect(grants.map(g => [g.source, g.role, g.teams])).toEqual([
      ['config', 'viewer', ['group:default/team-a', 'group:default/viewers']],
      ['database', 'operator', ['group:default/team-b']],
    ]);
    expect(
      decideForGrants(opensandboxSandboxCreatePermission, grants).result,
    ).toBe(AuthorizeResult.ALLOW);
    // Read: own + own groups (viewer) ∪ team-b (scoped operator).
    expect(
      decideForGrants(opensandboxSandboxReadPermission, grants),
    ).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      conditions: {
        anyOf: [
          { rule: 'IS_OWNER', params: { claims: ['user:default/vic'] } },
          {
            rule: 'IS_TEAM_MEMBER',
            params: {
              teams: [
                'group:default/team-a',
                'group:default/viewers',
                'group:default/team-b',
              ],
            },
          },
        ],
      },
    });
    // Delete: only the scoped operator binding gives it: own + team-b.
    expect(
      decideForGrants(opensandboxSandboxDeletePermission, grants),
    ).toMatchObject({
      conditions: {
        anyOf: [
          { rule: 'IS_OWNER' },
          {
            rule: 'IS_TEAM_MEMBER',
            params: { teams: ['group:default/team-b'] },
          },
        ],
      },
    });
    expect(
      decideForGrants(opensandboxAdminManagePermission, grants).result,
    ).toBe(AuthorizeResult.DENY);
    expect(decideForGrants(opensandboxAuditReadPermission, grants).result).toBe(
      AuthorizeResult.DENY,
    );
    const admin = matchRoleBindings(
      [db({ subject: 'group:default/team-a', role: 'admin' })],
      vic,
    );
    expect(
      decideForGrants(opensandboxAdminManagePermission, admin).result,
    ).toBe(AuthorizeResult.ALLOW);
  });

  it('applies the default role only to users no binding names', () => {
    const nobody = {
      type: 'user' as const,
      userEntityRef: 'user:default/x',
      ownershipEntityRefs: ['group:default/team-z'],
    };
    expect(
      matchRoleBindings([], nobody, 'viewer').map(g => [
        g.source,
        g.role,
        g.teams,
      ]),
    ).toEqual([['default', 'viewer', ['group:default/team-z']]]);
    expect(
      matchRoleBindings(
        [db({ subject: 'user:default/x', role: 'operator' })],
        nobody,
        'viewer',
      ).map(g => g.source),
    ).toEqual(['database']);
  });

  it('matches services by exact subject; service grants are scoped to their teams only', () => {
    const bindings = [
      ...configRoleBindings(config),
      db({
        subject: 'external:ci-bot',
        role: 'viewer',
        teams: ['group:default/team-b'],
      }),
    ];
    const grants = matchRoleBindings(bindings, {
      type: 'service',
      subject: 'external:ci-bot',
    });
    expect(
      decideForGrants(opensandboxSandboxReadPermission, grants),
    ).toMatchObject({
      conditions: {
        anyOf: [
          {
            rule: 'IS_TEAM_MEMBER',
            params: { teams: ['group:default/team-a', 'group:default/team-b'] },
          },
        ],
      },
    });
    expect(
      matchRoleBindings(bindings, {
        type: 'service',
        subject: 'External:ci-bot',
      }),
    ).toEqual([]);
    // A user ref never matches a service binding and vice versa.
    expect(
      matchRoleBindings([db({ subject: 'external:ci-bot', role: 'admin' })], {
        ...vic,
        ownershipEntityRefs: ['external:ci-bot'],
      }),
    ).toEqual([]);
  });

  it('explains which binding gives which permission, and the exemption', () => {
    const explanation = explainRoleBindings({
      bindings: [
        ...configRoleBindings(config),
        db({ subject: 'group:default/team-a', role: 'operator', exempt: true }),
      ],
      userEntityRef: 'User:default/Vic',
      ownershipEntityRefs: ['group:default/team-a', 'group:default/viewers'],
      groupsSource: 'catalog',
    });
    expect(explanation.user).toBe('user:default/vic');
    expect(explanation.exempt).toBe(true);
    const create = explanation.permissions.find(
      p => p.permission === 'opensandbox.sandbox.create',
    );
    expect(create).toEqual({
      permission: 'opensandbox.sandbox.create',
      decision: 'allow',
      grantedBy: [
        {
          bindingId: 'id-group:default/team-a-operator',
          source: 'database',
          subject: 'group:default/team-a',
          role: 'operator',
          grants: 'all',
        },
      ],
    });
    const read = explanation.permissions.find(
      p => p.permission === 'opensandbox.sandbox.read',
    )!;
    expect(read.decision).toBe('conditional');
    expect(read.scope).toEqual({
      owner: 'user:default/vic',
      teams: ['group:default/team-a', 'group:default/viewers'],
    });
    expect(read.grantedBy.map(g => g.role)).toEqual(['viewer', 'operator']);
    expect(explanation.permissions.map(p => p.permission)).toEqual(
      opensandboxPermissions.map(p => p.name),
    );
  });

  it('reads the cache settings with defaults and bounds', () => {
    expect(readOpensandboxRoleBindingsSettings(new ConfigReader({}))).toEqual({
      enabled: true,
      cacheSeconds: 10,
      staleIfErrorSeconds: 0,
    });
    expect(
      readOpensandboxRoleBindingsSettings(
        new ConfigReader({
          opensandbox: {
            permissionPolicy: {
              roleBindings: {
                enabled: false,
                cacheSeconds: 3,
                staleIfErrorSeconds: 30,
              },
            },
          },
        }),
      ),
    ).toEqual({ enabled: false, cacheSeconds: 3, staleIfErrorSeconds: 30 });
    expect(() =>
      readOpensandboxRoleBindingsSettings(
        new ConfigReader({
          opensandbox: {
            permissionPolicy: { roleBindings: { cacheSeconds: 301 } },
          },
        }),
      ),
    ).toThrow('opensandbox.permissionPolicy.roleBindings.cacheSeconds');
  });

  it('drops malformed entries of the internal answer instead of granting them', () => {
    expect(
      parseRoleBindingsPayload({
        bindings: [
          {
            id: 'a',
            subject: 'User:default/Vic',
            subjectKind: 'user',
            role: 'operator',
            teams: [],
            exempt: false,
          },
          {
            id: 'b',
            subject: 'user:default/x',
            subjectKind: 'user',
            role: 'owner',
            teams: [],
          },
          {
            id: 'c',
            subject: 'group:default/g',
            subjectKind: 'group',
            role: 'admin',
          },
        ],
      }),
    ).toEqual([
      {
        id: 'a',
        source: 'database',
        subject: 'user:default/vic',
        subjectKind: 'user',
        role: 'operator',
        teams: [],
        exempt: false,
      },
    ]);
    expect(() => parseRoleBindingsPayload({})).toThrow('no bindings list');
  });
});
