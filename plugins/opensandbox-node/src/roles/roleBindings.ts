import type { Config } from '@backstage/config';
import {
  AuthorizeResult,
  isResourcePermission,
  Permission,
  PermissionCondition,
  PermissionCriteria,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  OPENSANDBOX_SANDBOX_RESOURCE_TYPE,
  opensandboxAuditReadPermission,
  opensandboxAdminManagePermission,
  opensandboxPermissions,
  opensandboxSandboxCreatePermission,
  opensandboxSandboxDeletePermission,
  opensandboxSandboxEndpointPermission,
  opensandboxSandboxHistoryReadPermission,
  opensandboxSandboxReadPermission,
  opensandboxSandboxUpdatePermission,
  RoleBindingExplanation,
  RoleBindingGrant,
  RoleBindingPermissionExplanation,
  RoleBindingSubjectKind,
} from '@opensandbox-console/plugin-opensandbox-common';
import {
  createOpensandboxSandboxConditionalDecision,
  opensandboxSandboxConditions,
} from '../permissions/conditionExports';
import type { OpensandboxRole, OpensandboxRoleConfig } from './roleConfig';

/**
 * One grant of a role to a subject, from app-config (`opensandbox.permissionPolicy`) or from the
 * console's database (role bindings). The role model decides a caller from the UNION of the
 * bindings naming it (docs/governance.md).
 * @public
 */
export interface OpensandboxRoleBinding {
  /** The database id; absent for config entries. */
  id?: string;
  source: 'config' | 'database';
  /** Lower-case user/group entity ref, or a service subject (verbatim). */
  subject: string;
  subjectKind: RoleBindingSubjectKind;
  role: OpensandboxRole;
  /** Lower-case group refs; empty = unscoped. */
  teams: string[];
  /** Quota exemption (database bindings only). */
  exempt: boolean;
}

const lower = (s: string) => s.toLocaleLowerCase('en-US');

/** The config's role entries and services as bindings (source `config`). @public */
export function configRoleBindings(
  config: OpensandboxRoleConfig | undefined,
): OpensandboxRoleBinding[] {
  if (!config) return [];
  const out: OpensandboxRoleBinding[] = [];
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    for (const subject of config.members[role]) {
      const ref = lower(subject);
      out.push({
        source: 'config',
        subject: ref,
        subjectKind: ref.startsWith('group:') ? 'group' : 'user',
        role,
        teams: [],
        exempt: false,
      });
    }
  }
  for (const service of config.services) {
    out.push({
      source: 'config',
      subject: service.subject,
      subjectKind: 'service',
      role: service.role,
      teams: service.teams.map(lower),
      exempt: false,
    });
  }
  return out;
}

/** Who is asking: a user (with its ownership refs) or a service principal. @public */
export type OpensandboxRoleCaller =
  | { type: 'user'; userEntityRef: string; ownershipEntityRefs: string[] }
  | { type: 'service'; subject: string };

/** A binding that applies to a caller, or the default role of a user no binding names. @public */
export interface OpensandboxMatchedGrant {
  binding?: OpensandboxRoleBinding;
  source: 'config' | 'database' | 'default';
  subject: string;
  role: OpensandboxRole;
  /** Whose sandboxes the role covers: the owner (users) and these teams. */
  owner?: string;
  teams: string[];
}

/**
 * The grants of a caller: every binding naming the user (its ref or one of its ownership refs) or
 * the service subject. An unscoped user binding covers the user's own sandboxes and its groups';
 * a scoped one its own and the binding's teams'; a service binding its teams'. A user no binding
 * names gets `defaultRole` (scoped like an unscoped binding), if any.
 * @public
 */
export function matchRoleBindings(
  bindings: OpensandboxRoleBinding[],
  caller: OpensandboxRoleCaller,
  defaultRole?: OpensandboxRole,
): OpensandboxMatchedGrant[] {
  if (caller.type === 'service') {
    return bindings
      .filter(b => b.subjectKind === 'service' && b.subject === caller.subject)
      .map(b => ({
        binding: b,
        source: b.source,
        subject: b.subject,
        role: b.role,
        teams: b.teams,
      }));
  }
  const user = lower(caller.userEntityRef);
  const refs = new Set([user, ...caller.ownershipEntityRefs.map(lower)]);
  const groups = [...refs].filter(ref => ref.startsWith('group:'));
  const matched = bindings
    .filter(b => b.subjectKind !== 'service' && refs.has(b.subject))
    .map<OpensandboxMatchedGrant>(b => ({
      binding: b,
      source: b.source,
      subject: b.subject,
      role: b.role,
      owner: user,
      teams: b.teams.length > 0 ? b.teams : groups,
    }));
  if (matched.length === 0 && defaultRole) {
    return [
      {
        source: 'default',
        subject: user,
        role: defaultRole,
        owner: user,
        teams: groups,
      },
    ];
  }
  return matched;
}

/** Scoped for viewers and operators: reading a sandbox, its endpoints and its history. */
const READ_LIKE = [
  opensandboxSandboxReadPermission.name,
  opensandboxSandboxEndpointPermission.name,
  opensandboxSandboxHistoryReadPermission.name,
];
const WRITE_LIKE = [
  opensandboxSandboxUpdatePermission.name,
  opensandboxSandboxDeletePermission.name,
];

/**
 * What a role gives for one `opensandbox.*` permission: `all`, `scoped` (own and team sandboxes)
 * or `none`. The table of `decideOpensandboxPermission`; `opensandbox.admin.manage` and
 * `opensandbox.audit.read` are admin-only.
 * @public
 */
export function roleGrantFor(
  permission: Permission,
  role: OpensandboxRole,
): 'all' | 'scoped' | 'none' {
  if (role === 'admin') return 'all';
  if (permission.name === opensandboxSandboxCreatePermission.name)
    return role === 'operator' ? 'all' : 'none';
  if (permission.name === opensandboxAuditReadPermission.name) return 'none';
  if (permission.name === opensandboxAdminManagePermission.name) return 'none';
  if (!isResourcePermission(permission, OPENSANDBOX_SANDBOX_RESOURCE_TYPE))
    return 'none';
  if (READ_LIKE.includes(permission.name)) return 'scoped';
  if (role === 'operator' && WRITE_LIKE.includes(permission.name))
    return 'scoped';
  return 'none';
}

/**
 * The decision for one `opensandbox.*` permission from a caller's grants (their union): ALLOW when
 * any grant gives `all`; else a conditional decision `anyOf[isOwner, isTeamMember(∪ teams)]` over
 * the scoped grants; else DENY. With one unscoped grant this is exactly
 * `decideOpensandboxPermission`.
 * @public
 */
export function decideForGrants(
  permission: Permission,
  grants: OpensandboxMatchedGrant[],
): PolicyDecision {
  let owner: string | undefined;
  const teams = new Set<string>();
  let scoped = false;
  for (const grant of grants) {
    const kind = roleGrantFor(permission, grant.role);
    if (kind === 'all') return { result: AuthorizeResult.ALLOW };
    if (kind === 'scoped') {
      scoped = true;
      if (grant.owner) owner = grant.owner;
      for (const team of grant.teams)
        if (lower(team).startsWith('group:')) teams.add(team);
    }
  }
  if (
    !scoped ||
    !isResourcePermission(permission, OPENSANDBOX_SANDBOX_RESOURCE_TYPE)
  ) {
    return { result: AuthorizeResult.DENY };
  }
  const criteria: PermissionCriteria<
    PermissionCondition<typeof OPENSANDBOX_SANDBOX_RESOURCE_TYPE>
  >[] = [];
  if (owner)
    criteria.push(opensandboxSandboxConditions.isOwner({ claims: [owner] }));
  if (teams.size > 0)
    criteria.push(
      opensandboxSandboxConditions.isTeamMember({ teams: [...teams] }),
    );
  if (criteria.length === 0) return { result: AuthorizeResult.DENY };
  return createOpensandboxSandboxConditionalDecision(permission, {
    anyOf: criteria,
  } as any);
}

/** True when one of the caller's matched database bindings is marked `exempt`. @public */
export function isExemptByGrants(grants: OpensandboxMatchedGrant[]): boolean {
  return grants.some(g => g.binding?.source === 'database' && g.binding.exempt);
}

function grantJson(
  grant: OpensandboxMatchedGrant,
  kind?: 'all' | 'scoped',
): RoleBindingGrant {
  return {
    ...(grant.binding?.id ? { bindingId: grant.binding.id } : {}),
    source: grant.source,
    subject: grant.subject,
    role: grant.role,
    grants: kind ?? (grant.role === 'admin' ? 'all' : 'scoped'),
    ...(kind === 'scoped' || (!kind && grant.role !== 'admin')
      ? { teams: grant.teams }
      : {}),
  };
}

/**
 * "Explain": for every `opensandbox.*` permission, the decision the role model gives `user` and
 * which bindings give it. The same functions decide the policy, so the preview cannot disagree
 * with it (given the same bindings).
 * @public
 */
export function explainRoleBindings(options: {
  bindings: OpensandboxRoleBinding[];
  defaultRole?: OpensandboxRole;
  userEntityRef: string;
  ownershipEntityRefs: string[];
  groupsSource: RoleBindingExplanation['groupsSource'];
}): RoleBindingExplanation {
  const user = lower(options.userEntityRef);
  const ownership = [
    ...new Set([user, ...options.ownershipEntityRefs.map(lower)]),
  ];
  const grants = matchRoleBindings(
    options.bindings,
    { type: 'user', userEntityRef: user, ownershipEntityRefs: ownership },
    options.defaultRole,
  );
  const permissions =
    opensandboxPermissions.map<RoleBindingPermissionExplanation>(permission => {
      const decision = decideForGrants(permission, grants);
      const grantedBy = grants.flatMap(grant => {
        const kind = roleGrantFor(permission, grant.role);
        return kind === 'none' ? [] : [grantJson(grant, kind)];
      });
      if (decision.result === AuthorizeResult.ALLOW) {
        return {
          permission: permission.name,
          decision: 'allow',
          grantedBy: grantedBy.filter(g => g.grants === 'all'),
        };
      }
      if (decision.result === AuthorizeResult.DENY)
        return { permission: permission.name, decision: 'deny', grantedBy: [] };
      const teams = [...new Set(grantedBy.flatMap(g => g.teams ?? []))].sort();
      return {
        permission: permission.name,
        decision: 'conditional',
        scope: { owner: user, teams },
        grantedBy,
      };
    });
  return {
    user,
    ownershipEntityRefs: ownership,
    groupsSource: options.groupsSource,
    matched: grants.map(grant => grantJson(grant)),
    exempt: isExemptByGrants(grants),
    permissions,
  };
}

/** How database role bindings are read and cached (`opensandbox.permissionPolicy.roleBindings`). @public */
export interface OpensandboxRoleBindingsSettings {
  /** Read bindings from the console's database at all. Default true. */
  enabled: boolean;
  /** Staleness bound: a change is in force on every replica within this many seconds. Default 10. */
  cacheSeconds: number;
  /** Serve the last bindings this much longer while they cannot be reloaded. Default 0. */
  staleIfErrorSeconds: number;
}

/** Default of `opensandbox.permissionPolicy.roleBindings.cacheSeconds`. @public */
export const DEFAULT_ROLE_BINDINGS_CACHE_SECONDS = 10;

/**
 * Reads `opensandbox.permissionPolicy.roleBindings` (`enabled`, `cacheSeconds` 0-300,
 * `staleIfErrorSeconds` 0-3600).
 * @throws Error naming the key when a value is out of range.
 * @public
 */
export function readOpensandboxRoleBindingsSettings(
  config: Config,
): OpensandboxRoleBindingsSettings {
  const block = config.getOptionalConfig(
    'opensandbox.permissionPolicy.roleBindings',
  );
  const number = (key: string, fallback: number, max: number) => {
    const value = block?.getOptionalNumber(key) ?? fallback;
    if (!Number.isFinite(value) || value < 0 || value > max) {
      throw new Error(
        `Invalid opensandbox.permissionPolicy.roleBindings.${key} ${value}, expected 0 to ${max}`,
      );
    }
    return value;
  };
  return {
    enabled: block?.getOptionalBoolean('enabled') ?? true,
    cacheSeconds: number(
      'cacheSeconds',
      DEFAULT_ROLE_BINDINGS_CACHE_SECONDS,
      300,
    ),
    staleIfErrorSeconds: number('staleIfErrorSeconds', 0, 3600),
  };
}

const ROLES = ['viewer', 'operator', 'admin'];

/**
 * The database bindings of a `GET /api/opensandbox/internal/role-bindings` answer. Entries that
 * are not well-formed are dropped (never granted).
 * @public
 */
export function parseRoleBindingsPayload(
  body: unknown,
): OpensandboxRoleBinding[] {
  const items = (body as { bindings?: unknown })?.bindings;
  if (!Array.isArray(items))
    throw new Error('role bindings answer has no bindings list');
  return items.flatMap((item: any): OpensandboxRoleBinding[] => {
    if (
      typeof item?.subject !== 'string' ||
      !['user', 'group', 'service'].includes(item.subjectKind) ||
      !ROLES.includes(item.role) ||
      !Array.isArray(item.teams) ||
      !item.teams.every((t: unknown) => typeof t === 'string')
    ) {
      return [];
    }
    return [
      {
        id: typeof item.id === 'string' ? item.id : undefined,
        source: 'database',
        subject:
          item.subjectKind === 'service' ? item.subject : lower(item.subject),
        subjectKind: item.subjectKind,
        role: item.role,
        teams: item.teams.map(lower),
        exempt: item.exempt === true,
      },
    ];
  });
}
