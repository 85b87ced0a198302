import type {
  BackstageCredentials,
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
  decideOpensandboxPermission,
  isOpensandboxPermission,
  OpensandboxRoleConfig,
  resolveServiceRole,
} from '@opensandbox-console/plugin-opensandbox-node';

function serviceSubject(options?: PermissionsServiceRequestOptions): string | undefined {
  const credentials = (options as { credentials?: BackstageCredentials } | undefined)?.credentials;
  const principal = credentials?.principal as { type?: string; subject?: string } | undefined;
  return principal?.type === 'service' ? principal.subject : undefined;
}

/**
 * A `PermissionsService` that also applies the role model (`opensandbox.permissionPolicy`) to
 * SERVICE principals. Backstage decides service principals from their `accessRestrictions` alone
 * and never asks the policy; with this wrapper an `opensandbox.*` permission is granted to a
 * service only when the framework allows it AND its configured role does (scoped to its teams).
 * Users are decided by the framework (the policy) unchanged.
 */
export class ServiceRolePermissions implements PermissionsService {
  constructor(
    private readonly inner: PermissionsService,
    private readonly roles: OpensandboxRoleConfig,
  ) {}

  #narrow<T extends PolicyDecision>(
    requests: Array<{ permission: AuthorizePermissionRequest['permission'] }>,
    decisions: T[],
    subject: string,
  ): T[] {
    const service = resolveServiceRole(this.roles, subject);
    return decisions.map((decision, i) => {
      const permission = requests[i].permission;
      if (decision.result === AuthorizeResult.DENY || !isOpensandboxPermission(permission)) return decision;
      return decideOpensandboxPermission(permission, service?.role, { teams: service?.teams ?? [] }) as T;
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
    return this.#narrow(requests, decisions as PolicyDecision[], subject).map(d =>
      d.result === AuthorizeResult.CONDITIONAL ? { result: AuthorizeResult.DENY } : d,
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
