// @ts-check

/**
 * Live status: a removal tombstone keeps the removed sandbox's last body (the ConsoleSandbox as
 * canonical JSON, as `opensandbox_sandbox_bodies.body` held it), so `GET /changes` can apply the
 * caller's read conditions to a removal too and never tells a caller that a sandbox it could not
 * read went away. Null for tombstones written before this migration (then only callers whose read
 * decision is ALLOW learn of them).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('opensandbox_sandbox_removals', table => {
    table
      .text('body')
      .nullable()
      .comment(
        'Last body of the removed sandbox (JSON), for permission checks',
      );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('opensandbox_sandbox_removals', table => {
    table.dropColumn('body');
  });
};
