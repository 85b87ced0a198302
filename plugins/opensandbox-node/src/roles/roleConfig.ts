import type { Config } from '@backstage/config';

/** The console's roles, from least to most privileged. @public */
export type OpensandboxRole = 'viewer' | 'operator' | 'admin';

const ROLES: OpensandboxRole[] = ['viewer', 'operator', 'admin'];

/** A service principal (Backstage service token / external access subject) and its role. @public */
export interface OpensandboxServiceRole {
  /** The service subject, e.g. `external:ci-bot`. */
  subject: string;
  role: OpensandboxRole;
  /** Group entity refs the service acts for (its scope as a viewer or operator). */
  teams: string[];
}

/**
 * The role model read from `opensandbox.permissionPolicy`:
 *
 * ```yaml
 * opensandbox:
 *   permissionPolicy:
 *     defaultRole: none            # none | viewer | operator | admin, for users matching no entry
 *     otherPermissions: allow      # allow | deny: the decision for non-opensandbox permissions
 *     roles:
 *       admin: [group:default/platform]
 *       operator: [group:default/sandbox-operators, user:default/guest]
 *       viewer: [group:default/sandbox-viewers]
 *     services:
 *       - { subject: external:ci-bot, role: operator, teams: [group:default/team-a] }
 * ```
 * @public
 */
export interface OpensandboxRoleConfig {
  defaultRole?: OpensandboxRole;
  otherPermissions: 'allow' | 'deny';
  /** Lower-case user or group entity refs per role. */
  members: Record<OpensandboxRole, string[]>;
  services: OpensandboxServiceRole[];
}

function readRole(
  value: string | undefined,
  key: string,
): OpensandboxRole | undefined {
  if (value === undefined || value === 'none') return undefined;
  if (!ROLES.includes(value as OpensandboxRole)) {
    throw new Error(
      `Invalid ${key} "${value}", expected one of none, ${ROLES.join(', ')}`,
    );
  }
  return value as OpensandboxRole;
}

const lower = (s: string) => s.toLocaleLowerCase('en-US');

/**
 * Reads `opensandbox.permissionPolicy`.
 * @returns undefined when the block is absent.
 * @throws Error naming the key when a role or decision is invalid.
 * @public
 */
export function readOpensandboxRoleConfig(
  config: Config,
): OpensandboxRoleConfig | undefined {
  const block = config.getOptionalConfig('opensandbox.permissionPolicy');
  if (!block) return undefined;
  const other = block.getOptionalString('otherPermissions') ?? 'allow';
  if (other !== 'allow' && other !== 'deny') {
    throw new Error(
      `Invalid opensandbox.permissionPolicy.otherPermissions "${other}", expected allow or deny`,
    );
  }
  const roles = block.getOptionalConfig('roles');
  const members = {} as Record<OpensandboxRole, string[]>;
  for (const role of ROLES)
    members[role] = (roles?.getOptionalStringArray(role) ?? []).map(lower);
  const services = (block.getOptionalConfigArray('services') ?? []).map(
    (s, i) => ({
      subject: s.getString('subject'),
      role:
        readRole(
          s.getString('role'),
          `opensandbox.permissionPolicy.services[${i}].role`,
        ) ?? 'viewer',
      teams: (s.getOptionalStringArray('teams') ?? []).map(lower),
    }),
  );
  return {
    defaultRole: readRole(
      block.getOptionalString('defaultRole'),
      'opensandbox.permissionPolicy.defaultRole',
    ),
    otherPermissions: other,
    members,
    services,
  };
}

/**
 * The highest role whose members include the user ref or one of its ownership refs, else the
 * default role (undefined: no role, everything denied).
 * @public
 */
export function resolveUserRole(
  config: OpensandboxRoleConfig,
  userEntityRef: string,
  ownershipEntityRefs: string[],
): OpensandboxRole | undefined {
  const refs = new Set([userEntityRef, ...ownershipEntityRefs].map(lower));
  for (const role of [...ROLES].reverse()) {
    if (config.members[role].some(member => refs.has(member))) return role;
  }
  return config.defaultRole;
}

/** The configured role of a service subject, if any. @public */
export function resolveServiceRole(
  config: OpensandboxRoleConfig,
  subject: string,
): OpensandboxServiceRole | undefined {
  return config.services.find(s => s.subject === subject);
}
