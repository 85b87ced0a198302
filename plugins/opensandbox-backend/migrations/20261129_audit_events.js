// @ts-check

/**
 * The audit log of mutating sandbox operations (see docs/audit.md).
 *
 * - `seq` (bigint auto-increment) is the physical primary key and the keyset tiebreaker: pages
 *   are ordered by `(occurred_at DESC, seq DESC)`, which is total and stable even for rows written
 *   in the same millisecond. `id` (uuid) is the public identifier.
 * - Times are bigint epoch milliseconds (UTC): identical on SQLite and PostgreSQL, no time zone or
 *   precision differences between drivers.
 * - Every filter index ends with `(occurred_at, seq)` so a filtered page is an index range scan
 *   in keyset order.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('opensandbox_audit_events', table => {
    table.comment('Audit log of mutating OpenSandbox operations (append-only)');
    table.bigIncrements('seq').comment('Insertion order; keyset tiebreaker');
    table
      .string('id', 36)
      .notNullable()
      .unique()
      .comment('Public uuid of the event');
    table.bigInteger('occurred_at').notNullable().comment('Epoch ms, UTC');
    table
      .string('actor', 255)
      .notNullable()
      .comment('User entity ref or service subject');
    table.string('actor_type', 16).notNullable().comment('user | service');
    table.string('action', 64).notNullable().comment('e.g. sandbox.create');
    table.string('sandbox_id', 255).nullable();
    table.string('team', 255).nullable().comment('Owning team entity ref');
    table
      .string('outcome', 16)
      .notNullable()
      .comment('initiated | succeeded | failed | denied | unknown');
    table.integer('http_status').nullable();
    table.string('error_code', 255).nullable();
    table.text('error_message').nullable();
    table.string('request_id', 255).notNullable();
    table.string('client_ip', 64).nullable();
    table.text('user_agent').nullable();
    table.string('batch_id', 255).nullable();
    table.text('details').notNullable().comment('JSON, secrets redacted');
    table.bigInteger('updated_at').notNullable().comment('Epoch ms, UTC');

    table.index(['occurred_at', 'seq'], 'opensandbox_audit_events_time_idx');
    table.index(
      ['actor', 'occurred_at', 'seq'],
      'opensandbox_audit_events_actor_idx',
    );
    table.index(
      ['sandbox_id', 'occurred_at', 'seq'],
      'opensandbox_audit_events_sandbox_idx',
    );
    table.index(
      ['team', 'occurred_at', 'seq'],
      'opensandbox_audit_events_team_idx',
    );
    table.index(
      ['action', 'occurred_at', 'seq'],
      'opensandbox_audit_events_action_idx',
    );
    table.index(
      ['outcome', 'occurred_at', 'seq'],
      'opensandbox_audit_events_outcome_idx',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('opensandbox_audit_events');
};
