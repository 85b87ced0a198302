import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { readOpensandboxRoleConfig } from '@opensandbox-console/plugin-opensandbox-node';
import { OpensandboxRolePolicy } from './OpensandboxRolePolicy';

/**
 * Installs {@link OpensandboxRolePolicy} as the permission policy, configured from
 * `opensandbox.permissionPolicy`. Use it instead of the allow-all policy module.
 * @public
 */
export const opensandboxPermissionPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'opensandbox-role-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        userInfo: coreServices.userInfo,
        logger: coreServices.logger,
      },
      async init({ policy, config, userInfo, logger }) {
        const roles = readOpensandboxRoleConfig(config) ?? {
          otherPermissions: 'allow' as const,
          members: { viewer: [], operator: [], admin: [] },
          services: [],
        };
        const counts = Object.entries(roles.members).map(([role, refs]) => `${role}: ${refs.length}`).join(', ');
        logger.info(`OpenSandbox role policy installed (${counts}; default role ${roles.defaultRole ?? 'none'})`);
        policy.setPolicy(new OpensandboxRolePolicy({ roles, userInfo }));
      },
    });
  },
});
