// @ts-check

/**
 * The channel an audited attempt came through: `http` (the console's HTTP API: browser or
 * automation token), `bulk` (an item of a bulk operation), `mcp` (an agent through the actions
 * registry) or `scaffolder` (a software template). Older rows have none.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('opensandbox_audit_events', table => {
    table
      .string('channel', 32)
      .nullable()
      .comment('http | bulk | mcp | scaffolder');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('opensandbox_audit_events', table => {
    table.dropColumn('channel');
  });
};
