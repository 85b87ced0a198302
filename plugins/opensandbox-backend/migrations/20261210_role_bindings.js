// @ts-check

/**
 * Role bindings managed in the console (docs/governance.md, "Role bindings"): a role (viewer,
 * operator, admin) given to a user or group entity ref, or to a service subject, optionally
 * scoped to teams, with a quota exemption flag. The app-config's `opensandbox.permissionPolicy`
 * entries are NOT copied here: they stay in force beside these rows (a union).
 *
 * - `binding_key` (sha256 hex of the canonical `[subject, role, sorted teams]`) is unique: the
 *   same grant cannot be stored twice; `exempt` and `description` are attributes of it.
 * - `subject` and `teams` are lower-cased entity refs (service subjects verbatim), normalised by
 *   the store in JavaScript, never by SQL.
 * - `teams` is a JSON array (bindings are read whole, never filtered by team).
 * - Times are bigint epoch milliseconds (UTC), like the other tables of the plugin.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('opensandbox_role_bindings', table => {
    table.comment(
      'Role bindings of the OpenSandbox Console (added to opensandbox.permissionPolicy)',
    );
    table.string('id', 36).notNullable().primary().comment('Public uuid');
    table
      .string('binding_key', 64)
      .notNullable()
      .unique()
      .comment('sha256 hex of [subject, role, sorted teams]');
    table
      .string('subject', 255)
      .notNullable()
      .comment('Lower-case user/group entity ref, or a service subject');
    table
      .string('subject_kind', 16)
      .notNullable()
      .comment('user | group | service');
    table.string('role', 16).notNullable().comment('viewer | operator | admin');
    table
      .text('teams')
      .notNullable()
      .comment('JSON array of lower-case group refs; [] = unscoped');
    table
      .boolean('exempt')
      .notNullable()
      .defaultTo(false)
      .comment('Exempt from team quotas and caps');
    table.text('description').nullable();
    table.bigInteger('created_at').notNullable().comment('Epoch ms, UTC');
    table
      .string('created_by', 255)
      .notNullable()
      .comment('User entity ref or service subject');
    table.index(['subject'], 'opensandbox_role_bindings_subject_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('opensandbox_role_bindings');
};
