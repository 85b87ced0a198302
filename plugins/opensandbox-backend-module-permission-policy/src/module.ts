import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  OpensandboxRoleBinding,
  opensandboxRoleBindingsSignalServiceRef,
  readOpensandboxRoleBindingsSettings,
  readOpensandboxRoleConfig,
  RoleBindingsCache,
} from '@opensandbox-console/plugin-opensandbox-node';
import { OpensandboxRolePolicy } from './OpensandboxRolePolicy';
import { fetchOpensandboxRoleBindings } from './roleBindingsClient';

/**
 * Installs {@link OpensandboxRolePolicy} as the permission policy, configured from
 * `opensandbox.permissionPolicy` plus the role bindings stored in the console's database (read
 * from the `opensandbox` plugin over HTTP and cached for
 * `opensandbox.permissionPolicy.roleBindings.cacheSeconds`, default 10). Use it instead of the
 * allow-all policy module.
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
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        signal: opensandboxRoleBindingsSignalServiceRef,
      },
      async init({
        policy,
        config,
        userInfo,
        logger,
        discovery,
        auth,
        signal,
      }) {
        const roles = readOpensandboxRoleConfig(config) ?? {
          otherPermissions: 'allow' as const,
          members: { viewer: [], operator: [], admin: [] },
          services: [],
        };
        const settings = readOpensandboxRoleBindingsSettings(config);
        let bindings: (() => Promise<OpensandboxRoleBinding[]>) | undefined;
        if (settings.enabled) {
          const cache = new RoleBindingsCache<OpensandboxRoleBinding[]>({
            load: abort =>
              fetchOpensandboxRoleBindings({ discovery, auth, signal: abort }),
            ttlMs: settings.cacheSeconds * 1000,
            staleIfErrorMs: settings.staleIfErrorSeconds * 1000,
            fallback: [],
            onError: error =>
              logger.warn(
                `Could not load the OpenSandbox role bindings from the opensandbox plugin; deciding from opensandbox.permissionPolicy alone until they load: ${error.message}`,
              ),
          });
          signal.subscribe(() => cache.invalidate());
          bindings = () => cache.get();
        }
        const counts = Object.entries(roles.members)
          .map(([role, refs]) => `${role}: ${refs.length}`)
          .join(', ');
        logger.info(
          `OpenSandbox role policy installed (${counts}; default role ${
            roles.defaultRole ?? 'none'
          }; database role bindings ${
            settings.enabled ? `cached ${settings.cacheSeconds} s` : 'disabled'
          })`,
        );
        policy.setPolicy(
          new OpensandboxRolePolicy({ roles, userInfo, bindings }),
        );
      },
    });
  },
});
