import {
  decodeOwnershipMetadata,
  encodeOwnershipMetadata,
  OWNER_NAME_KEY,
  TEAM_NAME_KEY,
} from './ownership';
import { validateMetadataKey, validateMetadataValue } from './validation';

const long63 = `a${'b'.repeat(61)}c`;

describe('ownership label encoding', () => {
  it('names the creating service in a label-safe value and reads it back', () => {
    const labels = encodeOwnershipMetadata({
      service: 'plugin:scaffolder',
      team: 'group:default/team-a',
    });
    expect(labels).toEqual({
      'backstage.io/created-by-service': 'plugin.scaffolder',
      'backstage.io/team': 'team-a',
      'backstage.io/team-namespace': 'default',
    });
    expect(decodeOwnershipMetadata(labels)).toEqual({
      service: 'plugin:scaffolder',
      team: 'group:default/team-a',
    });
    expect(encodeOwnershipMetadata({ service: 'external:ci bot/1' })).toEqual({
      'backstage.io/created-by-service': 'external.ci-bot-1',
    });
    expect(encodeOwnershipMetadata({ service: 'mcp-agent' })).toEqual({
      'backstage.io/created-by-service': 'mcp-agent',
    });
    expect(
      decodeOwnershipMetadata({
        'backstage.io/created-by-service': 'mcp-agent',
      }),
    ).toEqual({ service: 'mcp-agent' });
  });

  it.each([
    ['user:default/jane', 'group:default/team-a'],
    ['user:default/jane.doe', 'group:default/platform.core'],
    ['user:default/jane_doe', 'group:default/team_b'],
    [`user:${'n'.repeat(63)}/${long63}`, `group:${'m'.repeat(63)}/${long63}`],
    ['user:ops-eu/x', 'group:ops-eu/y.z_w-v'],
  ])('round-trips %s and %s with label-safe values', (owner, team) => {
    const labels = encodeOwnershipMetadata({ owner, team });
    for (const [key, value] of Object.entries(labels)) {
      expect([key, validateMetadataKey(key)]).toEqual([key, undefined]);
      expect([value, validateMetadataValue(value)]).toEqual([value, undefined]);
    }
    expect(decodeOwnershipMetadata(labels)).toEqual({ owner, team });
  });

  it('lower-cases refs (Backstage compares them case-insensitively)', () => {
    const labels = encodeOwnershipMetadata({
      owner: 'User:Default/Jane.Doe',
      team: 'GROUP:default/Team-A',
    });
    expect(labels).toEqual({
      'backstage.io/owner': 'jane.doe',
      'backstage.io/owner-namespace': 'default',
      'backstage.io/team': 'team-a',
      'backstage.io/team-namespace': 'default',
    });
    expect(decodeOwnershipMetadata(labels)).toEqual({
      owner: 'user:default/jane.doe',
      team: 'group:default/team-a',
    });
  });

  it('defaults a missing namespace to default', () => {
    expect(encodeOwnershipMetadata({ owner: 'user:jane' })).toEqual({
      'backstage.io/owner': 'jane',
      'backstage.io/owner-namespace': 'default',
    });
    expect(decodeOwnershipMetadata({ [TEAM_NAME_KEY]: 'team-a' })).toEqual({
      team: 'group:default/team-a',
    });
  });

  it('keeps dotted names unambiguous: the namespace is its own label', () => {
    const a = encodeOwnershipMetadata({ owner: 'user:a/b.c' });
    const b = encodeOwnershipMetadata({ owner: 'user:a.b/c' as string });
    expect(a).not.toEqual(b);
  });

  it('rejects refs of the wrong kind or with unsafe parts', () => {
    expect(() =>
      encodeOwnershipMetadata({ owner: 'group:default/team-a' }),
    ).toThrow('expected kind user');
    expect(() =>
      encodeOwnershipMetadata({ team: 'user:default/jane' }),
    ).toThrow('expected kind group');
    expect(() =>
      encodeOwnershipMetadata({ owner: 'user:default/has space' }),
    ).toThrow('not a valid label value');
    expect(() =>
      encodeOwnershipMetadata({ owner: `user:default/${long63}x` }),
    ).toThrow('not a valid label value');
    expect(() => encodeOwnershipMetadata({ owner: 'jane' })).toThrow(
      'Invalid entity ref',
    );
  });

  it('returns undefined for sandboxes created outside the console', () => {
    expect(decodeOwnershipMetadata(undefined)).toBeUndefined();
    expect(decodeOwnershipMetadata({ name: 'x' })).toBeUndefined();
    expect(decodeOwnershipMetadata({ [OWNER_NAME_KEY]: 'jane' })).toEqual({
      owner: 'user:default/jane',
    });
  });
});

describe('entity link encoding', () => {
  it.each([
    'component:default/payments-api',
    'system:ops-eu/search.core',
    `component:default/${long63}`,
    'resource:default/db_primary',
  ])('round-trips %s', entity => {
    const labels = encodeOwnershipMetadata({ entity });
    for (const value of Object.values(labels))
      expect(validateMetadataValue(value)).toBeUndefined();
    expect(decodeOwnershipMetadata(labels)).toEqual({ entity });
  });

  it('stores kind, namespace and name as separate lower-case labels', () => {
    expect(
      encodeOwnershipMetadata({ entity: 'Component:Default/Payments-API' }),
    ).toEqual({
      'backstage.io/entity': 'payments-api',
      'backstage.io/entity-namespace': 'default',
      'backstage.io/entity-kind': 'component',
    });
  });
});
