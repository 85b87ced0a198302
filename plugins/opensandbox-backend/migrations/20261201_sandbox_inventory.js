// @ts-check

/**
 * The sandbox inventory: a read model of every sandbox the console can see, kept by a periodic
 * full sync of each OpenSandbox server plus the console's own writes (see
 * src/inventory/SandboxInventoryStore.ts). Times are bigint epoch milliseconds (UTC).
 *
 * - `opensandbox_sandboxes`: one row per (server, sandbox id) with the filter/sort columns,
 *   derived from the body. `*_lower` columns and `owner`/`team`/`entity` are lower-cased by the
 *   store in JavaScript (`toLocaleLowerCase('en-US')`, exactly like the permission rules), never
 *   by SQL `lower()`, whose behaviour differs between SQLite (ASCII only) and PostgreSQL. Written
 *   only on a real change, so it stays compact and all-visible (index-only counts).
 * - `opensandbox_sandbox_bodies`: `body` (the whole ConsoleSandbox as canonical JSON, so a list
 *   page is served from the database) and `metadata`, 1:1 with the row above. Kept apart on
 *   purpose: they are ~75% of a row's bytes, and every count and every non-indexed filter (name
 *   search) scans the filter table; with the bodies inline that scan read 4x more pages (measured
 *   at 100,000 sandboxes: unfiltered count 35-75 ms instead of ~10 ms). Bodies are joined for
 *   the page rows only.
 * - `opensandbox_sandbox_sightings`: `last_seen_at` of each sandbox, apart for the same reason:
 *   every sync moves it for every sandbox (100,000 updates per sync at 100,000 sandboxes); in
 *   the filter table that churn bloated it and kept its pages from being all-visible (measured:
 *   admin first page 43 ms p50 / 81 ms p95 right after two resyncs, instead of ~15 ms). Here
 *   the updates are HOT updates of ~60-byte rows (PostgreSQL `fillfactor = 50`).
 * - `version`: a global, monotonically increasing change counter, bumped on every real change
 *   (insert, body change, removal). It comes from the one-row table
 *   `opensandbox_inventory_version`, locked by every writing transaction, so versions are unique
 *   and become visible in commit order (a reader polling `version > v` never misses a change).
 * - `opensandbox_sandbox_labels`: metadata as rows, for exact `key = value` filters (EXISTS).
 * - `opensandbox_sandbox_removals`: tombstones of removed sandboxes with the version of the
 *   removal (live status needs deletions too); pruned after a retention period.
 * - `opensandbox_inventory_syncs`: the last sync of each server.
 *
 * PostgreSQL also gets `DESC NULLS LAST` indexes for the descending expiry and name sorts
 * (SQLite cannot declare NULLS LAST in an index; it sorts instead) and, when the `pg_trgm`
 * extension is available, a trigram index for the substring search (measured at 100,000
 * sandboxes: search count 7 ms instead of 25 ms; a rare term 0.5 ms).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  const isPg = knex.client.config.client === 'pg';

  await knex.schema.createTable('opensandbox_sandboxes', table => {
    table.comment(
      'Sandbox inventory: last known state of every sandbox (read model)',
    );
    table
      .string('server', 64)
      .notNullable()
      .comment('Name of the OpenSandbox server');
    table.string('id', 255).notNullable().comment('Upstream sandbox id');
    table
      .string('id_lower', 255)
      .notNullable()
      .comment('id lower-cased, for search');
    table.text('name').nullable().comment('metadata.name');
    table.text('name_lower').nullable().comment('metadata.name lower-cased');
    table.text('image').nullable().comment('image.uri');
    table.text('state').nullable().comment('status.state as sent');
    table.text('state_lower').nullable().comment('status.state lower-cased');
    table.text('reason').nullable().comment('status.reason');
    table.text('message').nullable().comment('status.message');
    table
      .text('owner')
      .nullable()
      .comment('Decoded owner user ref, lower-case');
    table.text('team').nullable().comment('Decoded team group ref, lower-case');
    table
      .text('entity')
      .nullable()
      .comment('Decoded catalog entity ref, lower-case');
    table.bigInteger('created_at').notNullable().comment('Epoch ms, UTC');
    table
      .bigInteger('expires_at')
      .nullable()
      .comment('Epoch ms, UTC; null = manual cleanup');
    table.bigInteger('first_seen_at').notNullable().comment('Epoch ms, UTC');
    table
      .bigInteger('changed_at')
      .notNullable()
      .comment('Epoch ms, UTC; last real change');
    table
      .bigInteger('version')
      .notNullable()
      .comment('Global change counter at the last change');
    table.string('etag', 64).notNullable().comment('sha256 (hex) of body');
    table.primary(['server', 'id']);
  });

  const indexes = [
    // Default order: created_at DESC, server DESC, id DESC (a backward scan); ASC forward.
    ['opensandbox_sandboxes_created_idx', 'created_at, server, id'],
    ['opensandbox_sandboxes_expires_idx', 'expires_at, server, id'],
    ['opensandbox_sandboxes_name_idx', 'name_lower, server, id'],
    ['opensandbox_sandboxes_state_idx', 'state_lower, created_at, server, id'],
    ['opensandbox_sandboxes_owner_idx', 'owner, created_at'],
    ['opensandbox_sandboxes_team_idx', 'team, created_at'],
    ['opensandbox_sandboxes_entity_idx', 'entity, created_at'],
    ['opensandbox_sandboxes_version_idx', 'version'],
  ];
  if (isPg) {
    indexes.push(
      [
        'opensandbox_sandboxes_expires_desc_idx',
        'expires_at DESC NULLS LAST, server DESC, id DESC',
      ],
      [
        'opensandbox_sandboxes_name_desc_idx',
        'name_lower DESC NULLS LAST, server DESC, id DESC',
      ],
    );
  }
  for (const [name, columns] of indexes) {
    await knex.raw(
      `CREATE INDEX ${name} ON opensandbox_sandboxes (${columns})`,
    );
  }
  if (isPg) {
    // Substring search (`LIKE '%term%'` on name_lower / id_lower) through trigrams when the
    // pg_trgm extension can be used (a trusted extension since PostgreSQL 13: the database owner
    // may create it). Optional: without it the search scans the table, with the same results.
    // A nested transaction is a savepoint, so a refusal leaves the migration intact.
    try {
      await knex.transaction(async trx => {
        await trx.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm');
        await trx.raw(
          'CREATE INDEX opensandbox_sandboxes_search_trgm_idx ON opensandbox_sandboxes USING gin (name_lower gin_trgm_ops, id_lower gin_trgm_ops)',
        );
      });
    } catch {
      // pg_trgm not installed on the server or not allowed: search by sequential scan.
    }
  }

  await knex.schema.createTable('opensandbox_sandbox_sightings', table => {
    table.comment(
      'When each inventory sandbox was last seen (1:1 with opensandbox_sandboxes)',
    );
    table.string('server', 64).notNullable();
    table.string('id', 255).notNullable();
    table
      .bigInteger('last_seen_at')
      .notNullable()
      .comment(
        'Epoch ms, UTC: start of the upstream call that last returned the sandbox',
      );
    table.primary(['server', 'id']);
  });
  if (isPg) {
    await knex.raw(
      'ALTER TABLE opensandbox_sandbox_sightings SET (fillfactor = 50)',
    );
  }

  await knex.schema.createTable('opensandbox_sandbox_bodies', table => {
    table.comment(
      'Bodies of inventory sandboxes (1:1 with opensandbox_sandboxes)',
    );
    table.string('server', 64).notNullable();
    table.string('id', 255).notNullable();
    table
      .text('metadata')
      .nullable()
      .comment('JSON; null when upstream sent none');
    table
      .text('body')
      .notNullable()
      .comment('ConsoleSandbox as canonical JSON');
    table.primary(['server', 'id']);
  });

  await knex.schema.createTable('opensandbox_sandbox_labels', table => {
    table.comment(
      'Metadata of inventory sandboxes, one row per key (exact filters)',
    );
    table.string('server', 64).notNullable();
    table.string('id', 255).notNullable();
    table.text('key').notNullable();
    table.text('value').notNullable();
    table.primary(['server', 'id', 'key']);
    table.index(['key', 'value'], 'opensandbox_sandbox_labels_key_value_idx');
  });

  await knex.schema.createTable('opensandbox_sandbox_removals', table => {
    table.comment(
      'Tombstones of removed inventory sandboxes (for changedSince)',
    );
    table.bigInteger('version').notNullable().primary();
    table.string('server', 64).notNullable();
    table.string('id', 255).notNullable();
    table.bigInteger('removed_at').notNullable().comment('Epoch ms, UTC');
    table.index(['removed_at'], 'opensandbox_sandbox_removals_removed_at_idx');
  });

  await knex.schema.createTable('opensandbox_inventory_version', table => {
    table.comment('One row: the global inventory change counter');
    table.integer('id').notNullable().primary();
    table.bigInteger('value').notNullable().comment('Last version handed out');
    table
      .bigInteger('pruned_through')
      .notNullable()
      .comment('Removal tombstones with version <= this were pruned');
  });
  await knex('opensandbox_inventory_version').insert({
    id: 1,
    value: 0,
    pruned_through: 0,
  });

  await knex.schema.createTable('opensandbox_inventory_syncs', table => {
    table.comment('Last full inventory sync of each OpenSandbox server');
    table.string('server', 64).notNullable().primary();
    table
      .bigInteger('synced_at')
      .nullable()
      .comment('Epoch ms, UTC: start of the last successful sync');
    table
      .bigInteger('attempted_at')
      .notNullable()
      .comment('Epoch ms, UTC: start of the last sync');
    table.integer('duration_ms').notNullable().comment('Of the last sync');
    table.integer('upstream_calls').notNullable().comment('Of the last sync');
    table
      .integer('sandbox_count')
      .nullable()
      .comment('Sandboxes seen by the last successful sync');
    table
      .text('error')
      .nullable()
      .comment('Error of the last sync; null when it succeeded');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('opensandbox_inventory_syncs');
  await knex.schema.dropTable('opensandbox_inventory_version');
  await knex.schema.dropTable('opensandbox_sandbox_removals');
  await knex.schema.dropTable('opensandbox_sandbox_labels');
  await knex.schema.dropTable('opensandbox_sandbox_bodies');
  await knex.schema.dropTable('opensandbox_sandbox_sightings');
  await knex.schema.dropTable('opensandbox_sandboxes');
};
