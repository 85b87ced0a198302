import type {
  PermissionsService,
  PermissionsServiceRequestOptions,
} from '@backstage/backend-plugin-api';
import {
  AuthorizePermissionRequest,
  AuthorizePermissionResponse,
  AuthorizeResult,
  PolicyDecision,
  QueryPermissionRequest,
  QueryPermissionResponse,
} from '@backstage/plugin-permission-common';
import {
  configRoleBindings,
  decideForGrants,
  isOpensandboxPermission,
  matchRoleBindings,
  OpensandboxMatchedGrant,
  OpensandboxRoleCaller,
  OpensandboxRoleConfig,
} from '@opensandbox-console/plugin-opensandbox-node';
import { requestCredentials } from './requestCredentials';

function serviceSubject(
  options?: PermissionsServiceRequestOptions,
): string | undefined {
  const { principal } = requestCredentials(options);
  return principal?.type === 'service' ? principal.subject : undefined;
}

/**
 * A `PermissionsService` that also applies the role model (`opensandbox.permissionPolicy`) to
 * SERVICE principals. Backstage decides service principals from their `accessRestrictions` alone
 * and never asks the policy; with this wrapper an `opensandbox.*` permission is granted to a
 * service only when the framework allows it AND its roles do (the union of its configured entry
 * and its database role bindings, each scoped to its teams). Users are decided by the framework
 * (the policy) unchanged.
 */
export class ServiceRolePermissions implements PermissionsService {
  constructor(
    private readonly inner: PermissionsService,
    private readonly roles: OpensandboxRoleConfig,
    /** The grants of a caller from config AND database bindings; default: config only. */
    private readonly bindings?: {
      grantsOf(
        caller: OpensandboxRoleCaller,
      ): Promise<OpensandboxMatchedGrant[]>;
    },
  ) {}

  async #narrow<T extends PolicyDecision>(
    requests: Array<{ permission: AuthorizePermissionRequest['permission'] }>,
    decisions: T[],
    subject: string,
  ): Promise<T[]> {
    const caller = { type: 'service' as const, subject };
    const grants = this.bindings
      ? await this.bindings.grantsOf(caller)
      : matchRoleBindings(configRoleBindings(this.roles), caller);
    return decisions.map((decision, i) => {
      const permission = requests[i].permission;
      if (
        decision.result === AuthorizeResult.DENY ||
        !isOpensandboxPermission(permission)
      )
        return decision;
      return decideForGrants(permission, grants) as T;
    });
  }

  async authorize(
    requests: AuthorizePermissionRequest[],
    options: PermissionsServiceRequestOptions,
  ): Promise<AuthorizePermissionResponse[]> {
    const decisions = await this.inner.authorize(requests, options);
    const subject = serviceSubject(options);
    if (!subject) return decisions;
    // A basic-permission request never gets a conditional decision from the role model.
    return (
      await this.#narrow(requests, decisions as PolicyDecision[], subject)
    ).map(d =>
      d.result === AuthorizeResult.CONDITIONAL
        ? { result: AuthorizeResult.DENY }
        : d,
    ) as AuthorizePermissionResponse[];
  }

  async authorizeConditional(
    requests: QueryPermissionRequest[],
    options: PermissionsServiceRequestOptions,
  ): Promise<QueryPermissionResponse[]> {
    const decisions = await this.inner.authorizeConditional(requests, options);
    const subject = serviceSubject(options);
    if (!subject) return decisions;
    return this.#narrow(requests, decisions, subject);
  }
}
