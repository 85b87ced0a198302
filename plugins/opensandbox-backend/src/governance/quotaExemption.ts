import type {
  BackstageCredentials,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { opensandboxAdminManagePermission } from '@opensandbox-console/plugin-opensandbox-common';
import type { OpensandboxRoleCaller } from '@opensandbox-console/plugin-opensandbox-node';

/** What the quota exemption needs of the role bindings (`governance/bindings`). */
export interface ExemptBindings {
  /** True when a database binding naming the caller (or one of its groups) is marked `exempt`. */
  isQuotaExempt(caller: OpensandboxRoleCaller): Promise<boolean>;
}

/**
 * Who is exempt from team quotas and caps: a caller whose decision for `opensandbox.admin.manage`
 * is ALLOW (the console's administrators), or one named by a database role binding marked
 * `exempt` (directly, or through one of its groups). Failures count as "not exempt" (logged).
 */
export function createQuotaExemption(options: {
  permissions: PermissionsService;
  userInfo: UserInfoService;
  bindings?: ExemptBindings;
  logger: LoggerService;
}): (credentials: BackstageCredentials) => Promise<boolean> {
  const { permissions, userInfo, bindings, logger } = options;
  return async credentials => {
    try {
      const [decision] = await permissions.authorize(
        [{ permission: opensandboxAdminManagePermission }],
        { credentials },
      );
      if (decision.result === AuthorizeResult.ALLOW) return true;
      if (!bindings) return false;
      const principal = credentials.principal as {
        type: string;
        subject?: string;
      };
      if (principal.type === 'service' && principal.subject)
        return await bindings.isQuotaExempt({
          type: 'service',
          subject: principal.subject,
        });
      if (principal.type !== 'user') return false;
      const info = await userInfo.getUserInfo(credentials);
      return await bindings.isQuotaExempt({
        type: 'user',
        userEntityRef: info.userEntityRef,
        ownershipEntityRefs: info.ownershipEntityRefs,
      });
    } catch (error) {
      logger.warn(
        'Could not decide the quota exemption; quotas apply',
        error as Error,
      );
      return false;
    }
  };
}
