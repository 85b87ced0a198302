import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { NormalizedRoleBinding } from '@opensandbox-console/plugin-opensandbox-common';
import { ROLE_BINDINGS_TABLE, RoleBindingStore } from './RoleBindingStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const T0 = Date.UTC(2026, 11, 10, 9, 0, 0);

const binding = (
  overrides: Partial<NormalizedRoleBinding> = {},
): NormalizedRoleBinding => ({
  subject: 'user:default/vic',
  subjectKind: 'user',
  role: 'operator',
  teams: [],
  exempt: false,
  description: null,
  ...overrides,
});

describe.each(databases.eachSupportedId())(
  'RoleBindingStore on %s',
  databaseId => {
    async function setup() {
      const knex = await databases.init(databaseId);
      const clock = { now: T0 };
      const store = await RoleBindingStore.create({
        database: mockServices.database({ knex }),
        clock: () => clock.now,
      });
      return { knex, clock, store };
    }

    it('migrates up and down', async () => {
      const knex = await databases.init(databaseId);
      const directory = resolvePackagePath(
        '@opensandbox-console/plugin-opensandbox-backend',
        'migrations',
      );
      await knex.migrate.latest({ directory });
      expect(
        Object.keys(await knex(ROLE_BINDINGS_TABLE).columnInfo()).sort(),
      ).toEqual([
        'binding_key',
        'created_at',
        'created_by',
        'description',
        'exempt',
        'id',
        'role',
        'subject',
        'subject_kind',
        'teams',
      ]);
      await knex.migrate.down({ directory, name: '20261210_role_bindings.js' });
      expect(await knex.schema.hasTable(ROLE_BINDINGS_TABLE)).toBe(false);
      await knex.migrate.latest({ directory });
      expect(await knex.schema.hasTable(ROLE_BINDINGS_TABLE)).toBe(true);
    });

    it('adds, lists (oldest first), gets and removes bindings; the same grant cannot be stored twice', async () => {
      const { clock, store } = await setup();
      const a = await store.add(
        binding({ exempt: true, description: 'on call' }),
        'user:default/pat',
      );
      clock.now += 1000;
      const b = await store.add(
        binding({
          subject: 'group:default/team-b',
          subjectKind: 'group',
          role: 'viewer',
          teams: ['group:default/team-b'],
        }),
        'user:default/pat',
      );
      expect(a).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        subject: 'user:default/vic',
        subjectKind: 'user',
        role: 'operator',
        teams: [],
        exempt: true,
        description: 'on call',
        createdAt: '2026-12-10T09:00:00.000Z',
        createdBy: 'user:default/pat',
      });
      expect((await store.list()).map(x => x.id)).toEqual([a.id, b.id]);
      expect(await store.get(b.id)).toEqual(b);
      // Same subject, role and teams (exempt differs): the same binding.
      await expect(store.add(binding(), 'user:default/pat')).rejects.toThrow(
        'user:default/vic already has the role operator',
      );
      // Another role or other teams: another binding.
      clock.now += 1000;
      await store.add(binding({ role: 'viewer' }), 'x');
      clock.now += 1000;
      await store.add(binding({ teams: ['group:default/team-c'] }), 'x');
      expect(await store.remove(a.id)).toEqual(a);
      expect(await store.remove(a.id)).toBeUndefined();
      expect(
        (await store.list()).map(x => `${x.subject} ${x.role} ${x.teams}`),
      ).toEqual([
        'group:default/team-b viewer group:default/team-b',
        'user:default/vic viewer ',
        'user:default/vic operator group:default/team-c',
      ]);
    });

    it('applies a change set in one transaction: all of it, or nothing', async () => {
      const { store } = await setup();
      const a = await store.add(binding(), 'x');
      const b = await store.add(binding({ role: 'viewer' }), 'x');
      const applied = await store.apply(
        { create: [binding({ subject: 'user:default/ada' })], delete: [a.id] },
        'user:default/pat',
      );
      expect(applied.deleted).toEqual([a]);
      expect(applied.created.map(x => x.subject)).toEqual(['user:default/ada']);
      // A binding to remove that is gone: nothing changes (the creation is rolled back too).
      await expect(
        store.apply(
          {
            create: [binding({ subject: 'user:default/bob' })],
            delete: [a.id],
          },
          'x',
        ),
      ).rejects.toThrow('removed meanwhile');
      // An addition that exists: nothing changes (the removal is rolled back too).
      await expect(
        store.apply(
          {
            create: [binding({ subject: 'user:default/ada' })],
            delete: [b.id],
          },
          'x',
        ),
      ).rejects.toThrow('exists already');
      expect(
        (await store.list()).map(x => `${x.subject} ${x.role}`).sort(),
      ).toEqual(['user:default/ada operator', 'user:default/vic viewer']);
      // Many at once (chunked inserts).
      const many = Array.from({ length: 120 }, (_, i) =>
        binding({ subject: `user:default/u${i}` }),
      );
      expect(
        (await store.apply({ create: many, delete: [] }, 'x')).created,
      ).toHaveLength(120);
      expect(await store.list()).toHaveLength(122);
    });
  },
);
