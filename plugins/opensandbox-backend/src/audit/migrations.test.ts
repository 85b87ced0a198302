import { TestDatabases } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';

const directory = resolvePackagePath(
  '@opensandbox-console/plugin-opensandbox-backend',
  'migrations',
);

jest.setTimeout(60_000);

describe('audit migrations', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  it('runs PostgreSQL whenever CI is set (no silent skip)', () => {
    const required = process.env.CI
      ? ['SQLITE_3', 'POSTGRES_15']
      : ['SQLITE_3'];
    expect(
      required.filter(
        id => !databases.supports(id as 'SQLITE_3' | 'POSTGRES_15'),
      ),
    ).toEqual([]);
  });

  it.each(databases.eachSupportedId())(
    'migrates up and down step by step on %p',
    async id => {
      const knex = await databases.init(id);

      await knex.migrate.up({ directory });
      expect(await knex.schema.hasTable('opensandbox_audit_events')).toBe(true);
      const columns = Object.keys(
        await knex('opensandbox_audit_events').columnInfo(),
      ).sort();
      expect(columns).toEqual(
        [
          'seq',
          'id',
          'occurred_at',
          'actor',
          'actor_type',
          'action',
          'sandbox_id',
          'team',
          'outcome',
          'http_status',
          'error_code',
          'error_message',
          'request_id',
          'client_ip',
          'user_agent',
          'batch_id',
          'details',
          'updated_at',
        ].sort(),
      );
      await knex('opensandbox_audit_events').insert({
        id: '00000000-0000-4000-8000-000000000001',
        occurred_at: 1764410400123,
        actor: 'user:default/alice',
        actor_type: 'user',
        action: 'sandbox.create',
        outcome: 'initiated',
        request_id: 'req-1',
        details: '{}',
        updated_at: 1764410400123,
      });
      const [row] = await knex('opensandbox_audit_events').select(
        'seq',
        'occurred_at',
      );
      expect(Number(row.seq)).toBe(1);
      expect(Number(row.occurred_at)).toBe(1764410400123);
      // Unique public id. (Awaited via then(): `expect(builder).rejects` was flaky on SQLite.)
      const duplicate = await knex('opensandbox_audit_events')
        .insert({
          id: '00000000-0000-4000-8000-000000000001',
          occurred_at: 1,
          actor: 'a',
          actor_type: 'user',
          action: 'sandbox.create',
          outcome: 'initiated',
          request_id: 'r',
          details: '{}',
          updated_at: 1,
        })
        .then(
          () => 'inserted',
          () => 'refused',
        );
      expect(duplicate).toBe('refused');

      await knex.migrate.down({ directory });
      expect(await knex.schema.hasTable('opensandbox_audit_events')).toBe(
        false,
      );
      expect(await knex.migrate.currentVersion({ directory })).toBe('none');

      await knex.migrate.up({ directory });
      expect(await knex.schema.hasTable('opensandbox_audit_events')).toBe(true);
    },
  );
});
