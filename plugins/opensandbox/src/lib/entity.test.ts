import type { Entity } from '@backstage/catalog-model';
import {
  createParamsForEntity,
  filterRef,
  isOpensandboxAvailable,
  normalizeEntityRef,
  ownerGroupRefs,
  ownGroupRefs,
  sameEntityRef,
  sandboxFilterForEntity,
} from './entity';
import { readAnnotationDefaults } from './annotations';

function entity(
  kind: string,
  name: string,
  extra: Partial<Entity> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name, namespace: 'default' },
    spec: {},
    ...extra,
  };
}

describe('entity helpers', () => {
  it('offers the tab for groups, components and systems only', () => {
    expect(
      [
        'Group',
        'Component',
        'System',
        'component',
        'User',
        'API',
        'Resource',
      ].map(k => isOpensandboxAvailable(entity(k, 'x'))),
    ).toEqual([true, true, true, true, false, false, false]);
  });

  it('filters by team for a group and by entity otherwise, lower-case', () => {
    expect(sandboxFilterForEntity(entity('Group', 'Team-A'))).toEqual({
      team: ['group:default/team-a'],
    });
    expect(sandboxFilterForEntity(entity('Component', 'Payments-API'))).toEqual(
      { entity: ['component:default/payments-api'] },
    );
    expect(
      sandboxFilterForEntity(
        entity('System', 'payments', {
          metadata: { name: 'payments', namespace: 'Prod' },
        }),
      ),
    ).toEqual({
      entity: ['system:prod/payments'],
    });
    expect(sandboxFilterForEntity(entity('User', 'jane'))).toBeUndefined();
  });

  it('reads the owner group from relations, else from spec.owner', () => {
    expect(
      ownerGroupRefs(
        entity('Component', 'x', {
          relations: [
            { type: 'ownedBy', targetRef: 'group:default/team-a' },
            { type: 'partOf', targetRef: 'system:default/s' },
          ],
          spec: { owner: 'team-b' },
        }),
      ),
    ).toEqual(['group:default/team-a']);
    expect(
      ownerGroupRefs(entity('Component', 'x', { spec: { owner: 'team-b' } })),
    ).toEqual(['group:default/team-b']);
    expect(
      ownerGroupRefs(
        entity('Component', 'x', { spec: { owner: 'user:jane' } }),
      ),
    ).toEqual([]);
    expect(ownerGroupRefs(entity('Component', 'x'))).toEqual([]);
  });

  it('builds the create query: team for a group, entity plus the owner group the user is in', () => {
    const mine = ['user:default/jane', 'group:default/Team-A'];
    expect(
      createParamsForEntity(entity('Group', 'team-b'), mine).toString(),
    ).toBe('team=group%3Adefault%2Fteam-b');
    const payments = entity('Component', 'payments-api', {
      spec: { owner: 'group:default/team-a' },
    });
    expect(createParamsForEntity(payments, mine).toString()).toBe(
      'entityRef=component%3Adefault%2Fpayments-api&team=group%3Adefault%2Fteam-a',
    );
    const search = entity('Component', 'search-indexer', {
      spec: { owner: 'team-b' },
    });
    expect(createParamsForEntity(search, mine).toString()).toBe(
      'entityRef=component%3Adefault%2Fsearch-indexer',
    );
  });
});

describe('readAnnotationDefaults', () => {
  const annotated = (annotations: Record<string, string>) =>
    entity('Component', 'x', { metadata: { name: 'x', annotations } });

  it('reads valid annotations', () => {
    expect(
      readAnnotationDefaults(
        annotated({
          'opensandbox.backstage.io/default-image': 'python:3.12-slim',
          'opensandbox.backstage.io/default-entrypoint':
            'python -m http.server 8000',
          'opensandbox.backstage.io/default-cpu': '250m',
          'opensandbox.backstage.io/default-memory': '1Gi',
          'opensandbox.backstage.io/default-timeout': '5400',
          'backstage.io/techdocs-ref': 'dir:.',
        }),
      ),
    ).toEqual({
      defaults: {
        imageUri: 'python:3.12-slim',
        entrypoint: 'python -m http.server 8000',
        entrypointArgs: ['python', '-m', 'http.server', '8000'],
        cpu: '250m',
        memory: '1Gi',
        timeoutSeconds: 5400,
      },
      warnings: [],
    });
    expect(readAnnotationDefaults(entity('Component', 'x'))).toEqual({
      defaults: {},
      warnings: [],
    });
    expect(readAnnotationDefaults(undefined)).toEqual({
      defaults: {},
      warnings: [],
    });
  });

  it('reports invalid annotations with the shared validation messages and leaves them out', () => {
    expect(
      readAnnotationDefaults(
        annotated({
          'opensandbox.backstage.io/default-image': 'python 3',
          'opensandbox.backstage.io/default-entrypoint': "python -c 'print(1)",
          'opensandbox.backstage.io/default-cpu': 'two cores',
          'opensandbox.backstage.io/default-memory': '',
          'opensandbox.backstage.io/default-timeout': '30',
        }),
      ),
    ).toEqual({
      defaults: {},
      warnings: [
        {
          annotation: 'opensandbox.backstage.io/default-image',
          message:
            'Annotation opensandbox.backstage.io/default-image: must not contain spaces',
        },
        {
          annotation: 'opensandbox.backstage.io/default-entrypoint',
          message:
            "Annotation opensandbox.backstage.io/default-entrypoint: has an unterminated ' quote",
        },
        {
          annotation: 'opensandbox.backstage.io/default-cpu',
          message:
            'Annotation opensandbox.backstage.io/default-cpu: must be a quantity such as "500m", "1", "512Mi" or "2Gi"',
        },
        {
          annotation: 'opensandbox.backstage.io/default-memory',
          message:
            'Annotation opensandbox.backstage.io/default-memory: must not be empty',
        },
        {
          annotation: 'opensandbox.backstage.io/default-timeout',
          message:
            'Annotation opensandbox.backstage.io/default-timeout: must be at least 60 seconds',
        },
      ],
    });
    expect(
      readAnnotationDefaults(
        annotated({ 'opensandbox.backstage.io/default-timeout': '1h' }),
      ).warnings[0].message,
    ).toBe(
      'Annotation opensandbox.backstage.io/default-timeout: must be a whole number of seconds, e.g. 3600',
    );
  });

  it('normalises typed entity refs case-insensitively, with the default namespace', () => {
    expect(normalizeEntityRef('Group:Default/Team-A')).toBe(
      'group:default/team-a',
    );
    expect(normalizeEntityRef(' group:team-a ')).toBe('group:default/team-a');
    expect(normalizeEntityRef('Component:Prod/Payments-API')).toBe(
      'component:prod/payments-api',
    );
    expect(normalizeEntityRef('team-a')).toBeUndefined();
    expect(normalizeEntityRef('team-a', { defaultKind: 'group' })).toBe(
      'group:default/team-a',
    );
    expect(normalizeEntityRef('Prod/Team-A', { defaultKind: 'group' })).toBe(
      'group:prod/team-a',
    );
    expect(normalizeEntityRef('a:b:c')).toBeUndefined();
    expect(normalizeEntityRef('group:a/b/c')).toBeUndefined();
    expect(normalizeEntityRef('group:')).toBeUndefined();
    expect(normalizeEntityRef('')).toBeUndefined();
    expect(normalizeEntityRef(undefined)).toBeUndefined();
  });

  it('compares refs like Backstage does', () => {
    expect(filterRef('Group:Default/Team-A')).toBe('group:default/team-a');
    expect(filterRef('GROUP:team-a')).toBe('group:default/team-a');
    expect(filterRef(' Not A Ref ')).toBe('not a ref');
    expect(sameEntityRef('Group:Default/Team-A', 'group:team-a')).toBe(true);
    expect(sameEntityRef('group:default/team-a', 'group:prod/team-a')).toBe(
      false,
    );
    expect(sameEntityRef(undefined, 'group:team-a')).toBe(false);
    expect(
      ownGroupRefs([
        'Group:Default/Team-A',
        'group:team-a',
        'group:default/team-b',
      ]),
    ).toEqual(['Group:Default/Team-A', 'group:default/team-b']);
  });

  it('builds the create query for a mixed-case membership', () => {
    const payments = entity('Component', 'payments-api', {
      spec: { owner: 'group:default/team-a' },
    });
    expect(createParamsForEntity(payments, ['GROUP:Team-A']).get('team')).toBe(
      'group:default/team-a',
    );
  });
});
