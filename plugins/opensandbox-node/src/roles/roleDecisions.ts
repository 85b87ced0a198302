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
  opensandboxSandboxCreatePermission,
  opensandboxSandboxDeletePermission,
  opensandboxSandboxEndpointPermission,
  opensandboxSandboxHistoryReadPermission,
  opensandboxSandboxReadPermission,
  opensandboxSandboxUpdatePermission,
} from '@opensandbox-console/plugin-opensandbox-common';
import {
  createOpensandboxSandboxConditionalDecision,
  opensandboxSandboxConditions,
} from '../permissions/conditionExports';
import type { OpensandboxRole } from './roleConfig';

/** True for the permissions this plugin defines (`opensandbox.*`). @public */
export function isOpensandboxPermission(permission: Permission): boolean {
  return permission.name.startsWith('opensandbox.');
}

/** Whose sandboxes a viewer or operator may act on. @public */
export interface OpensandboxRoleScope {
  /** The user's entity ref (sandboxes it created); absent for services. */
  userEntityRef?: string;
  /** Entity refs whose sandboxes are in scope; only `group:` refs can own sandboxes. */
  teams: string[];
}

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
 * The role model's decision for one `opensandbox.*` permission:
 *
 * | permission | viewer | operator | admin |
 * | --- | --- | --- | --- |
 * | sandbox.read, sandbox.endpoint, sandbox.history.read | own/team sandboxes | own/team sandboxes | ALLOW |
 * | sandbox.create | DENY | ALLOW | ALLOW |
 * | sandbox.update, sandbox.delete | DENY | own/team sandboxes | ALLOW |
 * | audit.read | DENY | DENY | ALLOW |
 *
 * "own/team" is a conditional decision `anyOf[isOwner({claims:[user]}), isTeamMember({teams})]`;
 * sandboxes created outside the console (no ownership labels) are therefore visible to admins only.
 * No role: DENY.
 * @public
 */
export function decideOpensandboxPermission(
  permission: Permission,
  role: OpensandboxRole | undefined,
  scope: OpensandboxRoleScope,
): PolicyDecision {
  if (!role) return { result: AuthorizeResult.DENY };
  if (role === 'admin') return { result: AuthorizeResult.ALLOW };
  if (permission.name === opensandboxSandboxCreatePermission.name) {
    return {
      result:
        role === 'operator' ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
    };
  }
  if (permission.name === opensandboxAuditReadPermission.name)
    return { result: AuthorizeResult.DENY };
  const scoped =
    READ_LIKE.includes(permission.name) ||
    (role === 'operator' && WRITE_LIKE.includes(permission.name));
  if (
    !scoped ||
    !isResourcePermission(permission, OPENSANDBOX_SANDBOX_RESOURCE_TYPE)
  ) {
    return { result: AuthorizeResult.DENY };
  }
  const teams = scope.teams.filter(ref =>
    ref.toLocaleLowerCase('en-US').startsWith('group:'),
  );
  const criteria: PermissionCriteria<
    PermissionCondition<typeof OPENSANDBOX_SANDBOX_RESOURCE_TYPE>
  >[] = [];
  if (scope.userEntityRef)
    criteria.push(
      opensandboxSandboxConditions.isOwner({ claims: [scope.userEntityRef] }),
    );
  if (teams.length > 0)
    criteria.push(opensandboxSandboxConditions.isTeamMember({ teams }));
  if (criteria.length === 0) return { result: AuthorizeResult.DENY };
  return createOpensandboxSandboxConditionalDecision(permission, {
    anyOf: criteria,
  } as any);
}
