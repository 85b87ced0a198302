import type { UserInfoService } from '@backstage/backend-plugin-api';
import { AuthorizeResult, PolicyDecision } from '@backstage/plugin-permission-common';
import type {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  decideOpensandboxPermission,
  isOpensandboxPermission,
  OpensandboxRoleConfig,
  resolveUserRole,
} from '@opensandbox-console/plugin-opensandbox-node';

/** Options of {@link OpensandboxRolePolicy}. @public */
export interface OpensandboxRolePolicyOptions {
  roles: OpensandboxRoleConfig;
  userInfo: UserInfoService;
  /**
   * Decides every non-`opensandbox.*` permission. Pass your existing policy here to keep its
   * rules; default: ALLOW or DENY per `roles.otherPermissions`.
   */
  fallback?: PermissionPolicy;
}

/**
 * A role-based permission policy for the OpenSandbox Console: viewer, operator and admin roles
 * mapped from users and groups (see `decideOpensandboxPermission` for the table), delegating
 * other plugins' permissions to a fallback policy.
 * @public
 */
export class OpensandboxRolePolicy implements PermissionPolicy {
  constructor(private readonly options: OpensandboxRolePolicyOptions) {}

  async handle(request: PolicyQuery, user?: PolicyQueryUser): Promise<PolicyDecision> {
    if (!isOpensandboxPermission(request.permission)) {
      if (this.options.fallback) return this.options.fallback.handle(request, user);
      return {
        result: this.options.roles.otherPermissions === 'allow' ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
      };
    }
    if (!user) return { result: AuthorizeResult.DENY };
    const { userEntityRef, ownershipEntityRefs } = await this.options.userInfo.getUserInfo(user.credentials);
    const role = resolveUserRole(this.options.roles, userEntityRef, ownershipEntityRefs);
    return decideOpensandboxPermission(request.permission, role, {
      userEntityRef,
      teams: ownershipEntityRefs,
    });
  }
}
