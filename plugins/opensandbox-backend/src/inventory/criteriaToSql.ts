import type { Knex } from 'knex';
import type { PermissionCriteria } from '@backstage/plugin-permission-common';
import {
  isAndCriteria,
  isNotCriteria,
  isOrCriteria,
} from '@backstage/plugin-permission-node';
import type { SandboxFilter } from '@opensandbox-console/plugin-opensandbox-node';
import { LABELS_TABLE, SANDBOXES_TABLE, lower } from './rowMapping';

/** A SQL boolean expression with `?` placeholders and its bindings, in placeholder order. */
export interface SqlFragment {
  sql: string;
  bindings: Knex.Value[];
}

const TRUE: SqlFragment = { sql: '1 = 1', bindings: [] };
const FALSE: SqlFragment = { sql: '1 = 0', bindings: [] };

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

function inList(
  column: string,
  values: string[],
  negated: boolean,
): SqlFragment {
  if (values.length === 0) return FALSE;
  const unique = [...new Set(values)];
  const test =
    unique.length === 1
      ? `${column} = ?`
      : `${column} IN (${unique.map(() => '?').join(', ')})`;
  // Under an odd number of NOTs the leaf must be two-valued: `NULL IN (...)` is NULL and
  // `NOT NULL` is NULL again, which would drop a sandbox `matchesCriteria` accepts.
  return {
    sql: negated ? `(${column} IS NOT NULL AND ${test})` : test,
    bindings: unique,
  };
}

function leafToSql(
  leaf: SandboxFilter,
  table: string,
  negated: boolean,
): SqlFragment {
  const column = (name: string) => `${quote(table)}.${quote(name)}`;
  switch (leaf?.property) {
    case 'owner':
    case 'team':
    case 'entity':
      return inList(
        column(leaf.property),
        (leaf.refs ?? []).map(lower),
        negated,
      );
    case 'state':
      return inList(
        column('state_lower'),
        (leaf.states ?? []).map(lower),
        negated,
      );
    case 'metadata':
      return {
        sql: `EXISTS (SELECT 1 FROM ${quote(LABELS_TABLE)} l WHERE l.${quote(
          'server',
        )} = ${column('server')} AND l.${quote('id')} = ${column(
          'id',
        )} AND l.${quote('key')} = ? AND l.${quote('value')} = ?)`,
        bindings: [String(leaf.key), String(leaf.value)],
      };
    default:
      return FALSE; // unknown leaves match nothing, like matchesCriteria
  }
}

function compile(
  criteria: PermissionCriteria<SandboxFilter>,
  table: string,
  negated: boolean,
): SqlFragment {
  if (isNotCriteria(criteria)) {
    const inner = compile(criteria.not, table, !negated);
    return { sql: `NOT (${inner.sql})`, bindings: inner.bindings };
  }
  const join = (
    children: PermissionCriteria<SandboxFilter>[],
    op: 'AND' | 'OR',
    empty: SqlFragment,
  ) => {
    if (children.length === 0) return empty;
    const parts = children.map(c => compile(c, table, negated));
    if (parts.length === 1) return parts[0];
    return {
      sql: parts.map(p => `(${p.sql})`).join(` ${op} `),
      bindings: parts.flatMap(p => p.bindings),
    };
  };
  if (isOrCriteria(criteria)) return join(criteria.anyOf, 'OR', FALSE);
  if (isAndCriteria(criteria)) return join(criteria.allOf, 'AND', TRUE);
  return leafToSql(criteria as SandboxFilter, table, negated);
}

/**
 * Compiles a sandbox filter tree (`allOf` / `anyOf` / `not`, any nesting, leaves as produced by
 * the rules' `toQuery`) into one SQL boolean expression over the inventory table, with exactly the
 * semantics of `matchesCriteria` (src/permissions/listQueries.ts):
 *
 * - `owner` / `team` / `entity`: the lower-cased column is one of the lower-cased `refs`; a
 *   sandbox without that ref never matches; an empty `refs` list matches nothing.
 * - `state`: the lower-cased state is one of the lower-cased `states` (empty list: nothing).
 * - `metadata`: an EXISTS on the labels table (`key` and `value` compared exactly).
 * - `allOf: []` is true, `anyOf: []` is false; unknown leaves are false.
 * - `not`: two-valued logic. Leaves under an odd number of `not`s get an `IS NOT NULL` guard, so
 *   `not owner in (...)` includes sandboxes with no owner, exactly like `!matchesCriteria(...)`.
 *
 * Lower-casing happens here, in JavaScript (`toLocaleLowerCase('en-US')`), against columns the
 * store lower-cased the same way.
 *
 * @param table - the name (or alias) the inventory table has in the query. Default
 *   `opensandbox_sandboxes`.
 * @returns the expression and its bindings, for `whereRaw`.
 */
export function compileCriteria(
  criteria: PermissionCriteria<SandboxFilter>,
  table: string = SANDBOXES_TABLE,
): SqlFragment {
  return compile(criteria, table, false);
}

/**
 * {@link compileCriteria} as a Knex where-builder: `query.where(criteriaToSql(filter))`.
 * `undefined` criteria add no condition (everything matches).
 *
 * @example
 * knex('opensandbox_sandboxes').where(criteriaToSql({ anyOf: [ownerLeaf, teamLeaf] }))
 */
export function criteriaToSql(
  criteria: PermissionCriteria<SandboxFilter> | undefined,
  table: string = SANDBOXES_TABLE,
): (builder: Knex.QueryBuilder) => void {
  return builder => {
    if (criteria === undefined) return;
    const { sql, bindings } = compileCriteria(criteria, table);
    builder.whereRaw(sql, bindings);
  };
}
