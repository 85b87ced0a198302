// @ts-check

/**
 * Governance: team quotas and caps, quota reservations, rate limits (docs/governance.md). Times
 * are bigint epoch milliseconds (UTC).
 *
 * - `opensandbox_quotas`: the database overrides of `opensandbox.quotas` (admin API), one row per
 *   quota key (`default` or a lower-case group ref); `limits` is a JSON object of the limits the
 *   row sets (`null` values: explicitly no limit).
 * - `opensandbox_quota_reservations`: one row per create in flight that passed a team's
 *   `maxSandboxes`, inserted under a per-team lock before the upstream create. It counts until
 *   the inventory holds a sandbox with its create token, it is released, or it expires.
 * - `opensandbox_rate_limits`: one row per principal: the theoretical arrival time of the generic
 *   cell rate algorithm (a token bucket in one number).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('opensandbox_quotas', table => {
    table.comment(
      'Quota and cap overrides per team (admin API), over opensandbox.quotas',
    );
    table
      .string('team', 255)
      .notNullable()
      .primary()
      .comment('"default" or a lower-case group ref');
    table
      .text('limits')
      .notNullable()
      .comment('JSON object of limits; null values: no limit');
    table.bigInteger('updated_at').notNullable().comment('Epoch ms, UTC');
    table
      .string('updated_by', 255)
      .notNullable()
      .comment('Actor of the last change');
  });

  await knex.schema.createTable('opensandbox_quota_reservations', table => {
    table.comment(
      'Sandbox creates in flight, counted against their team quota',
    );
    table.string('id', 64).notNullable().primary();
    table.string('team', 255).notNullable().comment('Lower-case group ref');
    table
      .string('create_token', 64)
      .notNullable()
      .comment('backstage.io/create-token of the create');
    table.string('server', 64).notNullable();
    table.bigInteger('created_at').notNullable().comment('Epoch ms, UTC');
    table
      .bigInteger('expires_at')
      .notNullable()
      .comment('Epoch ms, UTC: created_at + create timeout + 60 s');
    table.index(
      ['team', 'expires_at'],
      'opensandbox_quota_reservations_team_idx',
    );
    table.index(['expires_at'], 'opensandbox_quota_reservations_expires_idx');
  });

  await knex.schema.createTable('opensandbox_rate_limits', table => {
    table.comment(
      'Rate limit state per principal (GCRA theoretical arrival time)',
    );
    table
      .string('key', 300)
      .notNullable()
      .primary()
      .comment('user:<ref> or service:<subject>');
    table
      .bigInteger('tat_us')
      .notNullable()
      .comment('Epoch microseconds, UTC: theoretical arrival time');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('opensandbox_rate_limits');
  await knex.schema.dropTable('opensandbox_quota_reservations');
  await knex.schema.dropTable('opensandbox_quotas');
};
