import { parse } from 'yaml';
import { RoleBinding } from '@opensandbox-console/plugin-opensandbox-common';
import {
  parseRoleBindingsYaml,
  planRoleBindingsImport,
  toRoleBindingsYaml,
} from './roleBindingsYaml';

const stored = (overrides: Partial<RoleBinding>): RoleBinding => ({
  id: 'id-1',
  subject: 'user:default/vic',
  subjectKind: 'user',
  role: 'operator',
  teams: [],
  exempt: false,
  description: null,
  createdAt: '2026-12-10T09:00:00.000Z',
  createdBy: 'user:default/pat',
  ...overrides,
});

describe('role bindings YAML', () => {
  it('round-trips: export, parse, no changes planned', () => {
    const bindings = [
      stored({
        id: 'b',
        subject: 'user:default/vic',
        exempt: true,
        description: 'on call',
      }),
      stored({
        id: 'a',
        subject: 'group:default/team-a',
        subjectKind: 'group',
        role: 'viewer',
        teams: ['group:default/team-a', 'group:default/team-b'],
      }),
    ];
    const text = toRoleBindingsYaml(bindings);
    expect(text.startsWith('# OpenSandbox Console role bindings')).toBe(true);
    expect(parse(text)).toEqual({
      apiVersion: 'opensandbox.console/v1',
      kind: 'RoleBindings',
      bindings: [
        {
          subject: 'group:default/team-a',
          role: 'viewer',
          teams: ['group:default/team-a', 'group:default/team-b'],
        },
        {
          subject: 'user:default/vic',
          role: 'operator',
          exempt: true,
          description: 'on call',
        },
      ],
    });
    const parsed = parseRoleBindingsYaml(text);
    expect(parsed.errors).toEqual([]);
    expect(
      planRoleBindingsImport(bindings, parsed.bindings!, 'replace'),
    ).toEqual({ create: [], delete: [], unchanged: 2 });
  });

  it('appends the config entries when asked (to migrate them into the database)', () => {
    const text = toRoleBindingsYaml(
      [],
      [
        {
          source: 'config',
          subject: 'group:default/platform',
          subjectKind: 'group',
          role: 'admin',
          teams: [],
        },
      ],
    );
    expect(parse(text).bindings).toEqual([
      {
        subject: 'group:default/platform',
        role: 'admin',
        description: 'from app-config opensandbox.permissionPolicy',
      },
    ]);
  });

  it('normalises refs and refuses invalid documents, naming every problem', () => {
    expect(
      parseRoleBindingsYaml(
        'bindings:\n  - { subject: "User:Vic", role: viewer, teams: ["group:Team-B", "group:default/team-b"] }\n',
      ),
    ).toEqual({
      bindings: [
        {
          subject: 'user:default/vic',
          subjectKind: 'user',
          role: 'viewer',
          teams: ['group:default/team-b'],
          exempt: false,
          description: null,
        },
      ],
      errors: [],
    });
    expect(
      parseRoleBindingsYaml(
        'apiVersion: v2\nkind: Other\nextra: 1\nbindings: {}\n',
      ).errors.map(e => e.field),
    ).toEqual(['extra', 'apiVersion', 'kind', 'bindings']);
    expect(parseRoleBindingsYaml('- just a list').errors).toEqual([
      { field: 'body', message: 'must be a YAML mapping with a bindings list' },
    ]);
    expect(parseRoleBindingsYaml('a: 1\na: 2\n').errors[0].message).toMatch(
      /^is not valid YAML/,
    );
    // Aliases (billion laughs) are refused.
    expect(() =>
      parseRoleBindingsYaml('x: &a [1]\nbindings: [*a]\n'),
    ).toThrow();
  });

  it('plans merge and replace', () => {
    const current = [
      stored({ id: '1', subject: 'user:default/a' }),
      stored({ id: '2', subject: 'user:default/b' }),
    ];
    const wanted = parseRoleBindingsYaml(
      'bindings:\n  - { subject: user:default/b, role: operator, exempt: true }\n  - { subject: user:default/c, role: viewer }\n',
    ).bindings!;
    const merge = planRoleBindingsImport(current, wanted, 'merge');
    expect(merge.create.map(b => b.subject)).toEqual([
      'user:default/b',
      'user:default/c',
    ]);
    expect(merge.delete.map(b => b.id)).toEqual(['2']);
    const replace = planRoleBindingsImport(current, wanted, 'replace');
    expect(replace.delete.map(b => b.id)).toEqual(['2', '1']);
    expect(replace.unchanged).toBe(0);
  });
});
