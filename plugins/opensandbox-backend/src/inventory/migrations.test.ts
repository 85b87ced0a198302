import { TestDatabases } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';

const directory = resolvePackagePath(
  '@opensandbox-console/plugin-opensandbox-backend',
  'migrations',
);

jest.setTimeout(60_000);

const TABLES = [
  'opensandbox_sandboxes',
  'opensandbox_sandbox_bodies',
  'opensandbox_sandbox_sightings',
  'opensandbox_sandbox_labels',
  'opensandbox_sandbox_removals',
  'opensandbox_inventory_version',
  'opensandbox_inventory_syncs',
];

describe('inventory migration', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  it.each(databases.eachSupportedId())(
    'migrates up and down on %p',
    async id => {
      const knex = await databases.init(id);
      await knex.migrate.latest({ directory });
      for (const table of TABLES)
        expect(await knex.schema.hasTable(table)).toBe(true);
      expect(
        Object.keys(await knex('opensandbox_sandboxes').columnInfo()).sort(),
      ).toEqual(
        [
          'server',
          'id',
          'id_lower',
          'name',
          'name_lower',
          'image',
          'state',
          'state_lower',
          'reason',
          'message',
          'owner',
          'team',
          'entity',
          'created_at',
          'expires_at',
          'first_seen_at',
          'changed_at',
          'version',
          'etag',
        ].sort(),
      );
      expect(
        await knex('opensandbox_inventory_version').select(
          'id',
          'value',
          'pruned_through',
        ),
      ).toEqual([
        { id: 1, value: expect.anything(), pruned_through: expect.anything() },
      ]);
      const row = {
        server: 'main',
        id: 'sbx-1',
        id_lower: 'sbx-1',
        created_at: 1764410400123,
        first_seen_at: 1,
        changed_at: 1,
        version: 9007199254740991,
        etag: 'e',
      };
      await knex('opensandbox_sandboxes').insert(row);
      const stored = await knex('opensandbox_sandboxes').first(
        'created_at',
        'version',
      );
      expect(Number(stored.created_at)).toBe(1764410400123);
      expect(Number(stored.version)).toBe(Number.MAX_SAFE_INTEGER);
      const duplicate = await knex('opensandbox_sandboxes')
        .insert(row)
        .then(
          () => 'inserted',
          () => 'refused',
        );
      expect(duplicate).toBe('refused');
      await knex('opensandbox_sandboxes').insert({ ...row, server: 'other' });
      expect(
        Object.keys(
          await knex('opensandbox_sandbox_bodies').columnInfo(),
        ).sort(),
      ).toEqual(['body', 'id', 'metadata', 'server']);
      expect(
        Object.keys(
          await knex('opensandbox_sandbox_sightings').columnInfo(),
        ).sort(),
      ).toEqual(['id', 'last_seen_at', 'server']);

      // PostgreSQL only: DESC NULLS LAST indexes, and the optional trigram search index (pg_trgm
      // is available on the test server).
      const pgIndexes =
        id === 'POSTGRES_15'
          ? await knex('pg_indexes')
              .where({ tablename: 'opensandbox_sandboxes' })
              .pluck('indexname')
          : [
              'opensandbox_sandboxes_search_trgm_idx',
              'opensandbox_sandboxes_expires_desc_idx',
            ];
      expect(pgIndexes).toEqual(
        expect.arrayContaining([
          'opensandbox_sandboxes_search_trgm_idx',
          'opensandbox_sandboxes_expires_desc_idx',
        ]),
      );

      // By name: later migrations (governance, ...) stay; this one alone is rolled back.
      await knex.migrate.down({
        directory,
        name: '20261201_sandbox_inventory.js',
      });
      for (const table of TABLES)
        expect(await knex.schema.hasTable(table)).toBe(false);
      expect(await knex.schema.hasTable('opensandbox_audit_events')).toBe(true);
      await knex.migrate.latest({ directory });
      expect(await knex.schema.hasTable('opensandbox_sandboxes')).toBe(true);
    },
  );
});
