// @ts-check

/**
 * Expiry warnings (src/expiry/): one row per warning the console decided to send, keyed by the
 * sandbox (server, id), the expiry it warns about and the lead time. The row is inserted BEFORE
 * the notification is sent; the primary key makes that insert the claim, so two replicas, two
 * overlapping runs or a restarted backend never send the same warning twice. A renewal gives the
 * sandbox a new `expires_at`, so its warnings are due again. Times are bigint epoch ms (UTC).
 *
 * - `status`: `sending` (claimed, being sent; a process that died here never retries it: at most
 *   once), `sent`, or `failed` (the notification service refused; retried by a later run while
 *   `attempts` is below the limit and the sandbox has not expired).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('opensandbox_expiry_warnings', table => {
    table.comment(
      'Expiry warnings claimed or sent (one per sandbox, expiry and lead time)',
    );
    table
      .string('server', 64)
      .notNullable()
      .comment('Name of the OpenSandbox server');
    table
      .string('sandbox_id', 255)
      .notNullable()
      .comment('Upstream sandbox id');
    table
      .bigInteger('expires_at')
      .notNullable()
      .comment('Epoch ms, UTC: the expiry warned about');
    table
      .integer('lead_minutes')
      .notNullable()
      .comment('Lead time of the warning, minutes');
    table.string('status', 16).notNullable().comment('sending | sent | failed');
    table.integer('attempts').notNullable().comment('Send attempts so far');
    table
      .bigInteger('claimed_at')
      .notNullable()
      .comment('Epoch ms, UTC: last claim');
    table.bigInteger('sent_at').nullable().comment('Epoch ms, UTC');
    table
      .text('recipients')
      .nullable()
      .comment('JSON array of the entity refs notified');
    table.text('error').nullable().comment('Last send error');
    table.primary(['server', 'sandbox_id', 'expires_at', 'lead_minutes']);
    table.index(['expires_at'], 'opensandbox_expiry_warnings_expires_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('opensandbox_expiry_warnings');
};
