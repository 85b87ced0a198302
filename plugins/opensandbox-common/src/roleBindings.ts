/**
 * Role bindings stored in the console's database (`/api/opensandbox/admin/role-bindings`): wire
 * types shared by the backend and the admin page, and the one validation/normalisation of a
 * binding (see docs/governance.md, "Role bindings").
 *
 * @packageDocumentation
 */
import type { FieldError } from './validation';

/** The roles a binding can give, from least to most privileged. @public */
export const ROLE_BINDING_ROLES = ['viewer', 'operator', 'admin'] as const;

/** One of {@link ROLE_BINDING_ROLES}. @public */
export type RoleBindingRole = (typeof ROLE_BINDING_ROLES)[number];

/**
 * What a binding's subject is: a user or group entity ref (`user:default/vic`,
 * `group:default/team-a`), or a service principal's subject (`external:ci-bot`, a static token's
 * configured subject).
 * @public
 */
export type RoleBindingSubjectKind = 'user' | 'group' | 'service';

/** Most teams one binding may be scoped to. @public */
export const MAX_ROLE_BINDING_TEAMS = 20;
/** Longest description of a binding. @public */
export const MAX_ROLE_BINDING_DESCRIPTION = 500;

/** A binding as sent to `POST /admin/role-bindings` (and one entry of the YAML document). @public */
export interface RoleBindingInput {
  /** `user:<ns>/<name>`, `group:<ns>/<name>` (namespace defaults to `default`) or a service subject. */
  subject: string;
  role: RoleBindingRole;
  /**
   * Group refs the role is scoped to: the binding then covers the subject's own sandboxes and
   * those of these teams, instead of those of the caller's own groups. Absent or empty: unscoped.
   * Admin bindings cannot be scoped.
   */
  teams?: string[];
  /** Exempt from team quotas and caps (docs/governance.md). Default false. */
  exempt?: boolean;
  /** Free text shown on the admin page (why the binding exists, a ticket). */
  description?: string;
}

/** A binding after validation: normalised refs, teams sorted and deduplicated. @public */
export interface NormalizedRoleBinding {
  subject: string;
  subjectKind: RoleBindingSubjectKind;
  role: RoleBindingRole;
  teams: string[];
  exempt: boolean;
  description: string | null;
}

/** A stored binding, as served by the API. @public */
export interface RoleBinding extends NormalizedRoleBinding {
  /** uuid */
  id: string;
  /** ISO 8601, UTC. */
  createdAt: string;
  /** Who added it (user entity ref or service subject; `import` batches name the importer). */
  createdBy: string;
}

/**
 * A role entry of `opensandbox.permissionPolicy` (app-config), shown beside the stored bindings;
 * read-only through the API. @public
 */
export interface ConfigRoleBinding {
  source: 'config';
  subject: string;
  subjectKind: RoleBindingSubjectKind;
  role: RoleBindingRole;
  teams: string[];
}

/** `GET /admin/role-bindings`. @public */
export interface RoleBindingList {
  /** The database bindings, oldest first. */
  items: RoleBinding[];
  /** The app-config entries (always in force, see docs/governance.md). */
  config: ConfigRoleBinding[];
  /** `opensandbox.permissionPolicy.defaultRole`, null for none. */
  defaultRole: RoleBindingRole | null;
  /** How long a change may take to be in force on every replica, in seconds. */
  cacheSeconds: number;
}

/** How one binding contributes to one permission. @public */
export interface RoleBindingGrant {
  /** The database binding's id; absent for config entries and the default role. */
  bindingId?: string;
  source: 'config' | 'database' | 'default';
  subject: string;
  role: RoleBindingRole;
  /** `all`: every sandbox (or the basic permission); `scoped`: own sandboxes and `teams`'. */
  grants: 'all' | 'scoped';
  /** For `scoped`: the teams whose sandboxes are covered. */
  teams?: string[];
}

/** The decision of one permission in an explanation. @public */
export interface RoleBindingPermissionExplanation {
  permission: string;
  /** `allow` (everything), `conditional` (own and `teams`' sandboxes) or `deny`. */
  decision: 'allow' | 'conditional' | 'deny';
  /** For `conditional`: whose sandboxes. */
  scope?: { owner?: string; teams: string[] };
  /** Every binding that contributes (empty for `deny`). */
  grantedBy: RoleBindingGrant[];
}

/** `GET /admin/role-bindings/explain?user=...`: what the ready role policy lets a user do. @public */
export interface RoleBindingExplanation {
  user: string;
  /** The user ref and its groups, as the sign-in resolver would give them. */
  ownershipEntityRefs: string[];
  /** Where the groups came from: the catalog, or nowhere (user unknown or catalog unreachable). */
  groupsSource: 'catalog' | 'not-in-catalog' | 'catalog-unavailable';
  /** The bindings and config entries naming the user or one of its groups. */
  matched: RoleBindingGrant[];
  /** Exempt from quotas through a matched database binding. */
  exempt: boolean;
  permissions: RoleBindingPermissionExplanation[];
}

/** What an import does (or would do, with `dryRun`). @public */
export interface RoleBindingImportResult {
  dryRun: boolean;
  /** `merge`: add what is missing; `replace`: also remove stored bindings absent from the file. */
  mode: 'merge' | 'replace';
  created: NormalizedRoleBinding[];
  deleted: RoleBinding[];
  /** Bindings of the file already stored, unchanged. */
  unchanged: number;
}

const ENTITY_REF =
  /^(user|group):(?:([a-z0-9][a-z0-9._-]{0,62})\/)?([a-z0-9][a-z0-9._-]{0,62})$/;
const SERVICE_SUBJECT = /^[A-Za-z0-9][A-Za-z0-9:._@/+-]{0,254}$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A user or group entity ref, lower-cased, with the namespace `default` when none is given, or
 * undefined when `value` is not one.
 * @public
 */
export function normalizeRoleBindingEntityRef(
  value: string,
): string | undefined {
  const match = ENTITY_REF.exec(value.trim().toLocaleLowerCase('en-US'));
  if (!match) return undefined;
  return `${match[1]}:${match[2] ?? 'default'}/${match[3]}`;
}

/**
 * Validates and normalises one binding: entity refs lower-cased (namespace `default` when absent),
 * service subjects kept verbatim, teams as sorted, deduplicated group refs. Unknown keys are
 * refused. `field` prefixes the error fields (e.g. `bindings[3]`).
 * @public
 */
export function validateRoleBindingInput(
  input: unknown,
  field = '',
): { value?: NormalizedRoleBinding; errors: FieldError[] } {
  const at = (name: string) => (field ? `${field}.${name}` : name);
  if (!isPlainObject(input))
    return {
      errors: [{ field: field || 'body', message: 'must be an object' }],
    };
  const errors: FieldError[] = [];
  for (const key of Object.keys(input)) {
    if (!['subject', 'role', 'teams', 'exempt', 'description'].includes(key)) {
      errors.push({
        field: at(key),
        message:
          'is not a known field (subject, role, teams, exempt, description)',
      });
    }
  }
  let subject = '';
  let subjectKind: RoleBindingSubjectKind = 'service';
  if (typeof input.subject !== 'string' || input.subject.trim() === '') {
    errors.push({
      field: at('subject'),
      message:
        'is required: user:<namespace>/<name>, group:<namespace>/<name> or a service subject',
    });
  } else if (/^(user|group):/i.test(input.subject.trim())) {
    const ref = normalizeRoleBindingEntityRef(input.subject);
    if (!ref)
      errors.push({
        field: at('subject'),
        message: `"${input.subject}" is not a valid user or group entity ref`,
      });
    else {
      subject = ref;
      subjectKind = ref.startsWith('user:') ? 'user' : 'group';
    }
  } else if (!SERVICE_SUBJECT.test(input.subject.trim())) {
    errors.push({
      field: at('subject'),
      message: `"${input.subject}" is neither a user/group entity ref nor a service subject`,
    });
  } else subject = input.subject.trim();

  const role = input.role;
  if (
    typeof role !== 'string' ||
    !(ROLE_BINDING_ROLES as readonly string[]).includes(role)
  ) {
    errors.push({
      field: at('role'),
      message: `must be one of ${ROLE_BINDING_ROLES.join(', ')}`,
    });
  }

  const teams = new Set<string>();
  if (input.teams !== undefined && input.teams !== null) {
    if (!Array.isArray(input.teams))
      errors.push({
        field: at('teams'),
        message: 'must be a list of group refs',
      });
    else {
      input.teams.forEach((team, i) => {
        const ref =
          typeof team === 'string'
            ? normalizeRoleBindingEntityRef(team)
            : undefined;
        if (!ref || !ref.startsWith('group:')) {
          errors.push({
            field: at(`teams[${i}]`),
            message: `${JSON.stringify(
              team,
            )} is not a group ref (group:<namespace>/<name>)`,
          });
        } else teams.add(ref);
      });
      if (teams.size > MAX_ROLE_BINDING_TEAMS) {
        errors.push({
          field: at('teams'),
          message: `may name at most ${MAX_ROLE_BINDING_TEAMS} teams`,
        });
      }
    }
  }
  if (role === 'admin' && teams.size > 0) {
    errors.push({
      field: at('teams'),
      message:
        'admin bindings cannot be scoped to teams (an admin acts on every sandbox)',
    });
  }
  if (input.exempt !== undefined && typeof input.exempt !== 'boolean') {
    errors.push({ field: at('exempt'), message: 'must be true or false' });
  }
  let description: string | null = null;
  if (input.description !== undefined && input.description !== null) {
    if (typeof input.description !== 'string')
      errors.push({ field: at('description'), message: 'must be a string' });
    else if (input.description.length > MAX_ROLE_BINDING_DESCRIPTION) {
      errors.push({
        field: at('description'),
        message: `must be at most ${MAX_ROLE_BINDING_DESCRIPTION} characters`,
      });
    } else description = input.description.trim() || null;
  }
  if (errors.length > 0) return { errors };
  return {
    value: {
      subject,
      subjectKind,
      role: role as RoleBindingRole,
      teams: [...teams].sort(),
      exempt: input.exempt === true,
      description,
    },
    errors,
  };
}

/**
 * The identity of a binding: two bindings with the same subject, role and teams are the same
 * binding (`exempt` and `description` are attributes of it).
 * @public
 */
export function roleBindingKey(
  binding: Pick<NormalizedRoleBinding, 'subject' | 'role' | 'teams'>,
): string {
  return JSON.stringify([
    binding.subject,
    binding.role,
    [...binding.teams].sort(),
  ]);
}
