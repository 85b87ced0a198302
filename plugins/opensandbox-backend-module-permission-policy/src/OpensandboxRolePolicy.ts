import type { UserInfoService } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import type {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  configRoleBindings,
  decideForGrants,
  isOpensandboxPermission,
  matchRoleBindings,
  OpensandboxRoleBinding,
  OpensandboxRoleConfig,
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
  /**
   * The role bindings stored in the console's database (the module passes a cache of
   * `GET /api/opensandbox/internal/role-bindings`). They are added to the config's entries (a
   * union); when absent or failing, the config's entries alone decide.
   */
  bindings?: () => Promise<OpensandboxRoleBinding[]>;
}

/**
 * A role-based permission policy for the OpenSandbox Console: viewer, operator and admin roles
 * given to users and groups by `opensandbox.permissionPolicy` and by the console's database role
 * bindings (their union; see `decideForGrants` for the table), delegating other plugins'
 * permissions to a fallback policy.
 * @public
 */
export class OpensandboxRolePolicy implements PermissionPolicy {
  readonly #configBindings: OpensandboxRoleBinding[];

  constructor(private readonly options: OpensandboxRolePolicyOptions) {
    this.#configBindings = configRoleBindings(options.roles);
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!isOpensandboxPermission(request.permission)) {
      if (this.options.fallback)
        return this.options.fallback.handle(request, user);
      return {
        result:
          this.options.roles.otherPermissions === 'allow'
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
      };
    }
    if (!user) return { result: AuthorizeResult.DENY };
    const [{ userEntityRef, ownershipEntityRefs }, stored] = await Promise.all([
      this.options.userInfo.getUserInfo(user.credentials),
      this.#storedBindings(),
    ]);
    const grants = matchRoleBindings(
      [...this.#configBindings, ...stored],
      { type: 'user', userEntityRef, ownershipEntityRefs },
      this.options.roles.defaultRole,
    );
    return decideForGrants(request.permission, grants);
  }

  /** Database bindings; none when they cannot be read (config only: never more). */
  async #storedBindings(): Promise<OpensandboxRoleBinding[]> {
    if (!this.options.bindings) return [];
    try {
      return await this.options.bindings();
    } catch {
      return [];
    }
  }
}
