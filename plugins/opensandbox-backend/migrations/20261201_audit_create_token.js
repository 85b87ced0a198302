// @ts-check

/**
 * The console-generated create token of a `sandbox.create` attempt (also stamped on the sandbox
 * as the `backstage.io/create-token` label). It finds the sandbox of a create whose outcome was
 * unknown (timeout, lost connection) and answers a retried create with the same Idempotency-Key.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('opensandbox_audit_events', table => {
    table
      .string('create_token', 64)
      .nullable()
      .comment(
        'Create token of sandbox.create attempts (label backstage.io/create-token)',
      );
    table.index(['create_token'], 'opensandbox_audit_events_create_token_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('opensandbox_audit_events', table => {
    table.dropIndex(
      ['create_token'],
      'opensandbox_audit_events_create_token_idx',
    );
    table.dropColumn('create_token');
  });
};
