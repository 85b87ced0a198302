// @ts-check

/**
 * Bulk actions (docs/operations.md):
 *
 * - `opensandbox_audit_events_batch_idx` on `(batch_id, occurred_at, seq)`: the audit log's
 *   `batchId` filter is an index range scan in keyset order, like the other filters.
 * - `opensandbox_secrets`: per-deployment random keys shared by every replica. The row named
 *   `bulk-confirmation` holds the HMAC key of bulk delete confirmation tokens when
 *   `opensandbox.bulk.confirmationSecret` is not configured; the first replica to need it inserts
 *   it (insert-if-absent), every replica then reads the same value.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('opensandbox_audit_events', table => {
    table.index(
      ['batch_id', 'occurred_at', 'seq'],
      'opensandbox_audit_events_batch_idx',
    );
  });
  await knex.schema.createTable('opensandbox_secrets', table => {
    table.comment(
      'Per-deployment random keys of the OpenSandbox Console, shared by all replicas',
    );
    table
      .string('name', 64)
      .notNullable()
      .primary()
      .comment('e.g. bulk-confirmation');
    table.text('secret').notNullable().comment('base64url, 32 random bytes');
    table.bigInteger('created_at').notNullable().comment('Epoch ms, UTC');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('opensandbox_secrets');
  await knex.schema.alterTable('opensandbox_audit_events', table => {
    table.dropIndex(
      ['batch_id', 'occurred_at', 'seq'],
      'opensandbox_audit_events_batch_idx',
    );
  });
};
