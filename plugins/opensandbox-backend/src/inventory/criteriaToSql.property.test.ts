/**
 * Property test: the SQL of a permission filter tree (criteriaToSql, through
 * SandboxInventoryStore.list) accepts exactly the sandboxes `matchesCriteria` accepts.
 *
 * Seed 20261201, 200 runs per database (SQLite 3 and PostgreSQL 15); each run generates one
 * random inventory (0-30 sandboxes: random owners/teams/entities in mixed case, absent or empty
 * ownership, random metadata, random states incl. case variants and the empty state) and
 * 4 random criteria trees (allOf / anyOf / not nested up to depth 3 over every leaf kind,
 * including empty refs/states lists and empty allOf/anyOf), so 800 filters per database.
 * Asserts the returned ids AND the exact `totalItems`.
 */
import { TestDatabases } from '@backstage/backend-test-utils';
import type { PermissionCriteria } from '@backstage/plugin-permission-common';
import type { ConsoleSandbox } from '@opensandbox-console/plugin-opensandbox-common';
import type { SandboxFilter } from '@opensandbox-console/plugin-opensandbox-node';
import fc from 'fast-check';
import { matchesCriteria } from '../permissions/listQueries';
import { compileCriteria } from './criteriaToSql';
import {
  BODIES_TABLE,
  LABELS_TABLE,
  SANDBOXES_TABLE,
  SIGHTINGS_TABLE,
} from './rowMapping';
import {
  T0,
  createInventoryStore,
  testClock,
} from '../__testUtils__/inventoryTestHelpers';

jest.setTimeout(300_000);

const SEED = 20261201;
const RUNS = 200;
const FILTERS_PER_RUN = 4;

const OWNERS = [
  'user:default/alice',
  'user:default/Bob',
  'user:default/bob',
  'user:other/carol',
  'user:default/dave',
];
const TEAMS = [
  'group:default/team-a',
  'group:default/Team-B',
  'group:default/team-b',
  'group:ops/sre',
];
const ENTITIES = [
  'component:default/api',
  'system:default/Shop',
  'component:default/web',
];
const STATES = [
  'Running',
  'running',
  'RUNNING',
  'Paused',
  'Pending',
  'Terminated',
  'Failed',
  '',
];
const KEYS = ['stage', 'name', 'backstage.io/team', 'tier', 'k'];
const VALUES = ['dev', 'prod', 'Dev', 'a', 'A', 'x y', '%', '_'];

/** An ownership ref: absent, empty, or one of the pool (sometimes in another case). */
const refOf = (pool: string[]) =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant('') },
    { weight: 5, arbitrary: fc.constantFrom(...pool) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...pool).map(r => r.toUpperCase()),
    },
  );

const sandboxArb = (index: number) =>
  fc
    .record({
      owner: refOf(OWNERS),
      team: refOf(TEAMS),
      entity: refOf(ENTITIES),
      hasOwnership: fc.boolean(),
      metadata: fc.option(
        fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), {
          maxKeys: 4,
        }),
        {
          nil: undefined,
        },
      ),
      state: fc.constantFrom(...STATES),
      createdOffset: fc.integer({ min: 0, max: 100 }),
    })
    .map(
      (r): ConsoleSandbox => ({
        id: `sbx-${index}`,
        status: { state: r.state },
        entrypoint: ['sleep', 'infinity'],
        createdAt: new Date(T0 - r.createdOffset * 1000).toISOString(),
        ...(r.metadata ? { metadata: r.metadata } : {}),
        ...(r.hasOwnership
          ? {
              ownership: {
                ...(r.owner !== undefined ? { owner: r.owner } : {}),
                ...(r.team !== undefined ? { team: r.team } : {}),
                ...(r.entity !== undefined ? { entity: r.entity } : {}),
              },
            }
          : {}),
      }),
    );

const inventoryArb: fc.Arbitrary<ConsoleSandbox[]> = fc
  .integer({ min: 0, max: 30 })
  .chain(n =>
    n === 0
      ? fc.constant<ConsoleSandbox[]>([])
      : fc
          .tuple(...Array.from({ length: n }, (_, i) => sandboxArb(i)))
          .map(list => [...list]),
  );

/** A refs list drawn from the pool with case variants; may be empty. */
const refsOf = (pool: string[]) =>
  fc.uniqueArray(
    fc.oneof(
      fc.constantFrom(...pool),
      fc.constantFrom(...pool).map(r => r.toUpperCase()),
    ),
    {
      maxLength: 3,
    },
  );

const leafArb: fc.Arbitrary<SandboxFilter> = fc.oneof(
  refsOf(OWNERS).map(refs => ({ property: 'owner' as const, refs })),
  refsOf(TEAMS).map(refs => ({ property: 'team' as const, refs })),
  refsOf(ENTITIES).map(refs => ({ property: 'entity' as const, refs })),
  fc
    .record({
      key: fc.constantFrom(...KEYS),
      value: fc.constantFrom(...VALUES),
    })
    .map(({ key, value }) => ({
      property: 'metadata' as const,
      key,
      value,
    })),
  fc
    .uniqueArray(fc.constantFrom(...STATES, 'paused', 'FAILED'), {
      maxLength: 3,
    })
    .map(states => ({
      property: 'state' as const,
      states,
    })),
);

const criteriaArb: fc.Arbitrary<PermissionCriteria<SandboxFilter>> = fc.letrec<{
  node: PermissionCriteria<SandboxFilter>;
  allOf: PermissionCriteria<SandboxFilter>;
  anyOf: PermissionCriteria<SandboxFilter>;
  not: PermissionCriteria<SandboxFilter>;
}>(tie => ({
  // maxDepth 3: at most three levels of allOf/anyOf/not above a leaf.
  node: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'criteria' },
    leafArb,
    tie('allOf'),
    tie('anyOf'),
    tie('not'),
  ),
  allOf: fc
    .array(tie('node'), { maxLength: 3 })
    .map(children => ({ allOf: children } as any)),
  anyOf: fc
    .array(tie('node'), { maxLength: 3 })
    .map(children => ({ anyOf: children } as any)),
  not: tie('node').map(child => ({ not: child })),
})).node;

function depth(c: PermissionCriteria<SandboxFilter>): number {
  if ('not' in c) return 1 + depth(c.not);
  if ('allOf' in c) return 1 + Math.max(0, ...c.allOf.map(depth));
  if ('anyOf' in c) return 1 + Math.max(0, ...c.anyOf.map(depth));
  return 0;
}

describe('criteriaToSql agrees with matchesCriteria', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  it('generates trees up to depth 3 with every leaf kind and NOT', () => {
    const samples = fc.sample(criteriaArb, { seed: SEED, numRuns: 2000 });
    const depths = samples.map(depth);
    expect(Math.max(...depths)).toBe(3);
    const text = JSON.stringify(samples);
    for (const fragment of [
      '"not"',
      '"allOf"',
      '"anyOf"',
      '"owner"',
      '"team"',
      '"entity"',
      '"metadata"',
      '"state"',
      '"refs":[]',
    ]) {
      expect(text).toContain(fragment);
    }
    // Compiles every sample (bindings count matches placeholders).
    for (const c of samples) {
      const { sql, bindings } = compileCriteria(c);
      expect(sql.split('?').length - 1).toBe(bindings.length);
    }
  });

  it.each(databases.eachSupportedId())(
    `returns exactly the matching sandboxes (seed ${SEED}, ${RUNS} runs x ${FILTERS_PER_RUN} filters) on %p`,
    async id => {
      const knex = await databases.init(id);
      const store = await createInventoryStore(knex, testClock().fn);
      let runs = 0;
      let filters = 0;
      let nonTrivial = 0;
      await fc.assert(
        fc.asyncProperty(
          inventoryArb,
          fc.array(criteriaArb, {
            minLength: FILTERS_PER_RUN,
            maxLength: FILTERS_PER_RUN,
          }),
          async (inventory, criteriaList) => {
            await knex(LABELS_TABLE).delete();
            await knex(BODIES_TABLE).delete();
            await knex(SIGHTINGS_TABLE).delete();
            await knex(SANDBOXES_TABLE).delete();
            await store.upsertPage('main', inventory, T0);
            runs++;
            for (const filter of criteriaList) {
              filters++;
              const expected = inventory
                .filter(s => matchesCriteria(filter, s))
                .map(s => s.id)
                .sort();
              if (expected.length > 0 && expected.length < inventory.length)
                nonTrivial++;
              const result = await store.list({ filter, pageSize: 200 });
              expect(result.items.map(s => s.id).sort()).toEqual(expected);
              expect(result.pagination.totalItems).toBe(expected.length);
            }
          },
        ),
        { seed: SEED, numRuns: RUNS },
      );
      expect(runs).toBeGreaterThanOrEqual(RUNS);
      expect(filters).toBeGreaterThanOrEqual(RUNS * FILTERS_PER_RUN);
      // The generator is not degenerate: many filters split the inventory.
      expect(nonTrivial).toBeGreaterThan(filters / 4);
    },
  );
});
