import type { Knex } from 'knex';

/** How long a start waits for another replica's migrations, ms. */
const LOCK_WAIT_MS = 120_000;

/**
 * Runs the plugin's Knex migrations (`knex.migrate.latest`). When another replica is running them
 * at the same moment (several replicas started together on one database), Knex refuses with
 * `MigrationLocked` instead of waiting, or fails creating its `knex_migrations` tables that the
 * other replica just created: this waits (backoff 100 ms doubling to 2 s, up to 2 minutes) and
 * runs again, which then finds the migrations done. Each migration runs once.
 * @throws the migration error, or `MigrationLocked` when the lock is held for 2 minutes.
 */
export async function migrateLatest(
  knex: Knex,
  directory: string,
): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    try {
      await knex.migrate.latest({ directory });
      return;
    } catch (error) {
      if (!lostMigrationRace(error) || Date.now() + delay > deadline)
        throw error;
      await new Promise(resolve => setTimeout(resolve, delay));
    }
  }
}

/** True for the errors of two replicas migrating at the same moment (the lock, the lock tables). */
function lostMigrationRace(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  if (e?.name === 'MigrationLocked') return true;
  return (
    /knex_migrations/.test(e?.message ?? '') &&
    /already exists|duplicate key/.test(e?.message ?? '')
  );
}
