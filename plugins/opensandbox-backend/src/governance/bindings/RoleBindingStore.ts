import { createHash, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import {
  NormalizedRoleBinding,
  RoleBinding,
  roleBindingKey,
  RoleBindingRole,
  RoleBindingSubjectKind,
} from '@opensandbox-console/plugin-opensandbox-common';
import { migrateLatest } from '../../migrateLatest';

const MIGRATIONS_DIR = resolvePackagePath(
  '@opensandbox-console/plugin-opensandbox-backend',
  'migrations',
);

/** The table (migration `20261210_role_bindings.js`). */
export const ROLE_BINDINGS_TABLE = 'opensandbox_role_bindings';

interface Row {
  id: string;
  binding_key: string;
  subject: string;
  subject_kind: string;
  role: string;
  teams: string;
  exempt: boolean | number;
  description: string | null;
  created_at: number | string;
  created_by: string;
}

/** A change set of {@link RoleBindingStore.apply}. */
export interface RoleBindingChanges {
  create: NormalizedRoleBinding[];
  /** Ids of stored bindings to remove. */
  delete: string[];
}

function hashKey(binding: NormalizedRoleBinding): string {
  return createHash('sha256').update(roleBindingKey(binding)).digest('hex');
}

function fromRow(row: Row): RoleBinding {
  return {
    id: row.id,
    subject: row.subject,
    subjectKind: row.subject_kind as RoleBindingSubjectKind,
    role: row.role as RoleBindingRole,
    teams: JSON.parse(row.teams),
    exempt: row.exempt === true || row.exempt === 1,
    description: row.description,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    createdBy: row.created_by,
  };
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed/.test(e?.message ?? '')
  );
}

/**
 * The role bindings table `opensandbox_role_bindings` (Knex; SQLite and PostgreSQL). Bindings are
 * added and removed, never edited: a change of `exempt` or `description` is a removal and an
 * addition (two audit events). Inputs must be normalised (`validateRoleBindingInput`).
 */
export class RoleBindingStore {
  /**
   * Connects and, unless skipped, runs the plugin's migrations.
   * @throws whatever Knex throws when the database is unreachable or a migration fails.
   */
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
    /** Epoch ms; default `Date.now`. */
    clock?: () => number;
  }): Promise<RoleBindingStore> {
    const knex = await options.database.getClient();
    if (!options.skipMigrations && !options.database.migrations?.skip) {
      await migrateLatest(knex, MIGRATIONS_DIR);
    }
    return new RoleBindingStore(knex, options.clock ?? Date.now);
  }

  private constructor(
    private readonly knex: Knex,
    private readonly clock: () => number,
  ) {}

  /** Every binding, oldest first. */
  async list(): Promise<RoleBinding[]> {
    const rows = await this.knex<Row>(ROLE_BINDINGS_TABLE)
      .select()
      .orderBy([
        { column: 'created_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ]);
    return rows.map(fromRow);
  }

  /** One binding, or undefined. */
  async get(id: string): Promise<RoleBinding | undefined> {
    const row = await this.knex<Row>(ROLE_BINDINGS_TABLE).where({ id }).first();
    return row ? fromRow(row) : undefined;
  }

  /**
   * Stores a binding.
   * @throws ConflictError when the same subject already has this role with these teams.
   */
  async add(
    binding: NormalizedRoleBinding,
    actor: string,
  ): Promise<RoleBinding> {
    const [created] = await this.knex.transaction(trx =>
      this.#insert(trx, [binding], actor, true),
    );
    return created;
  }

  /** Removes a binding. @returns the removed binding, or undefined when there was none. */
  async remove(id: string): Promise<RoleBinding | undefined> {
    return this.knex.transaction(async trx => {
      const row = await trx<Row>(ROLE_BINDINGS_TABLE).where({ id }).first();
      if (!row) return undefined;
      await trx(ROLE_BINDINGS_TABLE).where({ id }).delete();
      return fromRow(row);
    });
  }

  /**
   * Applies a change set in ONE transaction (an import): every removal and addition, or none.
   * @returns the stored additions and the removed bindings.
   * @throws ConflictError when a binding to remove is gone, or an addition exists already
   *   (another change got there first; nothing was written).
   */
  async apply(
    changes: RoleBindingChanges,
    actor: string,
  ): Promise<{ created: RoleBinding[]; deleted: RoleBinding[] }> {
    return this.knex.transaction(async trx => {
      const deleted: RoleBinding[] = [];
      for (const id of changes.delete) {
        const row = await trx<Row>(ROLE_BINDINGS_TABLE).where({ id }).first();
        const count = row
          ? await trx(ROLE_BINDINGS_TABLE).where({ id }).delete()
          : 0;
        if (!row || count !== 1)
          throw new ConflictError(
            `role binding ${id} was removed meanwhile; nothing was changed, retry the import`,
          );
        deleted.push(fromRow(row));
      }
      const created = await this.#insert(trx, changes.create, actor);
      return { created, deleted };
    });
  }

  async #insert(
    trx: Knex.Transaction,
    bindings: NormalizedRoleBinding[],
    actor: string,
    single = false,
  ): Promise<RoleBinding[]> {
    const now = this.clock();
    const rows: Row[] = bindings.map(binding => ({
      id: randomUUID(),
      binding_key: hashKey(binding),
      subject: binding.subject,
      subject_kind: binding.subjectKind,
      role: binding.role,
      teams: JSON.stringify(binding.teams),
      exempt: binding.exempt,
      description: binding.description,
      created_at: now,
      created_by: actor.slice(0, 255),
    }));
    try {
      // In chunks: SQLite limits the number of bound variables of one statement.
      for (let i = 0; i < rows.length; i += 50)
        await trx(ROLE_BINDINGS_TABLE).insert(rows.slice(i, i + 50));
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictError(
          single
            ? `${bindings[0].subject} already has the role ${bindings[0].role}${
                bindings[0].teams.length
                  ? ` for ${bindings[0].teams.join(', ')}`
                  : ''
              }`
            : 'one of the bindings exists already (added meanwhile); nothing was changed, retry the import',
        );
      }
      throw error;
    }
    return rows.map(fromRow);
  }
}
