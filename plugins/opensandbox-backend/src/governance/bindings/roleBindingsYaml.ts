import { parseDocument, stringify } from 'yaml';
import {
  ConfigRoleBinding,
  FieldError,
  NormalizedRoleBinding,
  RoleBinding,
  roleBindingKey,
  validateRoleBindingInput,
} from '@opensandbox-console/plugin-opensandbox-common';

/** `apiVersion` and `kind` of the GitOps document. */
export const ROLE_BINDINGS_API_VERSION = 'opensandbox.console/v1';
export const ROLE_BINDINGS_KIND = 'RoleBindings';
/** Most bindings one document may hold. */
export const MAX_IMPORTED_BINDINGS = 5000;

/**
 * The GitOps document of role bindings (`GET .../export`, `POST .../import`):
 *
 * ```yaml
 * apiVersion: opensandbox.console/v1
 * kind: RoleBindings
 * bindings:
 *   - subject: group:default/team-a
 *     role: operator
 *   - subject: user:default/vic
 *     role: operator
 *     teams: [group:default/team-b]
 *     exempt: true
 *     description: on-call for team-b
 * ```
 *
 * Only the fields of a binding's identity and attributes are written (no ids, no timestamps), in
 * a stable order, so the file diffs cleanly in Git. `config` entries (app-config) are appended
 * when given, marked by a comment, for migrating them into the database.
 */
export function toRoleBindingsYaml(
  bindings: RoleBinding[],
  config: ConfigRoleBinding[] = [],
): string {
  const entry = (b: {
    subject: string;
    role: string;
    teams: string[];
    exempt?: boolean;
    description?: string | null;
  }) => ({
    subject: b.subject,
    role: b.role,
    ...(b.teams.length > 0 ? { teams: b.teams } : {}),
    ...(b.exempt ? { exempt: true } : {}),
    ...(b.description ? { description: b.description } : {}),
  });
  const sorted = [...bindings].sort((a, b) =>
    roleBindingKey(a).localeCompare(roleBindingKey(b)),
  );
  const doc = {
    apiVersion: ROLE_BINDINGS_API_VERSION,
    kind: ROLE_BINDINGS_KIND,
    bindings: [
      ...sorted.map(entry),
      ...config.map(c =>
        entry({
          ...c,
          description: 'from app-config opensandbox.permissionPolicy',
        }),
      ),
    ],
  };
  return `# OpenSandbox Console role bindings (docs/governance.md). Import with\n# POST /api/opensandbox/admin/role-bindings/import?mode=replace|merge[&dryRun=true]\n${stringify(
    doc,
  )}`;
}

/**
 * Parses and validates a GitOps document: every binding normalised, duplicates refused.
 * @returns the bindings, or every problem (field paths like `bindings[2].role`).
 */
export function parseRoleBindingsYaml(text: string): {
  bindings?: NormalizedRoleBinding[];
  errors: FieldError[];
} {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      errors: doc.errors.slice(0, 5).map(e => ({
        field: 'body',
        message: `is not valid YAML: ${e.message.split('\n')[0]}`,
      })),
    };
  }
  const value = doc.toJS({ maxAliasCount: 0 }) as unknown;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      errors: [
        {
          field: 'body',
          message: 'must be a YAML mapping with a bindings list',
        },
      ],
    };
  }
  const root = value as Record<string, unknown>;
  const errors: FieldError[] = [];
  for (const key of Object.keys(root)) {
    if (!['apiVersion', 'kind', 'bindings'].includes(key))
      errors.push({
        field: key,
        message: 'is not a known field (apiVersion, kind, bindings)',
      });
  }
  if (
    root.apiVersion !== undefined &&
    root.apiVersion !== ROLE_BINDINGS_API_VERSION
  ) {
    errors.push({
      field: 'apiVersion',
      message: `must be ${ROLE_BINDINGS_API_VERSION}`,
    });
  }
  if (root.kind !== undefined && root.kind !== ROLE_BINDINGS_KIND)
    errors.push({ field: 'kind', message: `must be ${ROLE_BINDINGS_KIND}` });
  const list = root.bindings ?? [];
  if (!Array.isArray(list))
    return {
      errors: [...errors, { field: 'bindings', message: 'must be a list' }],
    };
  if (list.length > MAX_IMPORTED_BINDINGS) {
    return {
      errors: [
        ...errors,
        {
          field: 'bindings',
          message: `may hold at most ${MAX_IMPORTED_BINDINGS} bindings`,
        },
      ],
    };
  }
  const bindings: NormalizedRoleBinding[] = [];
  const seen = new Map<string, number>();
  list.forEach((item, i) => {
    const result = validateRoleBindingInput(item, `bindings[${i}]`);
    errors.push(...result.errors);
    if (!result.value) return;
    const key = roleBindingKey(result.value);
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({
        field: `bindings[${i}]`,
        message: `repeats bindings[${first}] (same subject, role and teams)`,
      });
      return;
    }
    seen.set(key, i);
    bindings.push(result.value);
  });
  return errors.length > 0 ? { errors } : { bindings, errors };
}

/** What an import changes: additions, and removals of stored bindings (by id). */
export interface RoleBindingImportPlan {
  create: NormalizedRoleBinding[];
  delete: RoleBinding[];
  unchanged: number;
}

/**
 * The changes that make the stored bindings match the document. A binding is identified by its
 * subject, role and teams; one whose `exempt` or `description` differ is removed and added again.
 * `merge` keeps stored bindings the document does not name; `replace` removes them.
 */
export function planRoleBindingsImport(
  stored: RoleBinding[],
  wanted: NormalizedRoleBinding[],
  mode: 'merge' | 'replace',
): RoleBindingImportPlan {
  const byKey = new Map(stored.map(b => [roleBindingKey(b), b]));
  const wantedKeys = new Set<string>();
  const plan: RoleBindingImportPlan = { create: [], delete: [], unchanged: 0 };
  for (const binding of wanted) {
    const key = roleBindingKey(binding);
    wantedKeys.add(key);
    const existing = byKey.get(key);
    if (!existing) plan.create.push(binding);
    else if (
      existing.exempt !== binding.exempt ||
      (existing.description ?? null) !== (binding.description ?? null)
    ) {
      plan.delete.push(existing);
      plan.create.push(binding);
    } else plan.unchanged++;
  }
  if (mode === 'replace') {
    for (const [key, binding] of byKey)
      if (!wantedKeys.has(key)) plan.delete.push(binding);
  }
  return plan;
}
