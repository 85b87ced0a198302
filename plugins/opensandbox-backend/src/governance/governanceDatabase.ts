import type { Knex } from 'knex';
import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { migrateLatest } from '../migrateLatest';

const MIGRATIONS_DIR = resolvePackagePath(
  '@opensandbox-console/plugin-opensandbox-backend',
  'migrations',
);

/** The governance tables (migration `20261210_governance_quotas.js`). */
export const QUOTAS_TABLE = 'opensandbox_quotas';
export const RESERVATIONS_TABLE = 'opensandbox_quota_reservations';
export const RATE_LIMITS_TABLE = 'opensandbox_rate_limits';

/**
 * The plugin's database client with its migrations run (unless `database.migrations.skip`), for
 * the governance stores.
 */
export async function governanceDatabase(
  database: DatabaseService,
  skipMigrations = false,
): Promise<Knex> {
  const knex = await database.getClient();
  if (!skipMigrations && !database.migrations?.skip) {
    await migrateLatest(knex, MIGRATIONS_DIR);
  }
  return knex;
}

/** True on PostgreSQL (row and advisory locks); SQLite serialises writers itself. */
export function isPostgres(knex: Knex): boolean {
  return knex.client.config.client === 'pg';
}

/** Numbers come back as strings from `pg` bigint columns. */
export const num = (v: number | string): number => Number(v);
