import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { opensandboxPermissions } from '@opensandbox-console/plugin-opensandbox-common';
import {
  createLifecycleClientFromConfig,
  opensandboxSandboxPermissionResourceRef,
  opensandboxSandboxRules,
} from '@opensandbox-console/plugin-opensandbox-node';
import { AuditorEventRecorder } from './audit/AuditorEventRecorder';
import { AuthorizedSandboxLister } from './permissions/AuthorizedSandboxLister';
import { SandboxAuthorizer } from './permissions/SandboxAuthorizer';
import { createRouter } from './service/router';
import { SandboxService } from './service/SandboxService';

/**
 * The OpenSandbox Console backend plugin (plugin id `opensandbox`): serves `/api/opensandbox`,
 * performing every lifecycle call server-side with the configured API key, enforcing the
 * sandbox permissions on every route.
 * @public
 */
export const opensandboxPlugin = createBackendPlugin({
  pluginId: 'opensandbox',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        userInfo: coreServices.userInfo,
        auditor: coreServices.auditor,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
      },
      async init({ config, logger, httpRouter, httpAuth, userInfo, auditor, permissions, permissionsRegistry }) {
        const client = createLifecycleClientFromConfig(config);
        const sandboxes = new SandboxService(client, {
          maxTimeoutSeconds: config.getOptionalNumber('opensandbox.maxTimeoutSeconds'),
        });
        permissionsRegistry.addResourceType({
          resourceRef: opensandboxSandboxPermissionResourceRef,
          permissions: opensandboxPermissions.filter(p => p.type === 'resource'),
          rules: Object.values(opensandboxSandboxRules),
          getResources: async sandboxIds =>
            Promise.all(
              sandboxIds.map(id => sandboxes.getForPermissionCheck(id)),
            ),
        });
        permissionsRegistry.addPermissions(opensandboxPermissions.filter(p => p.type === 'basic'));

        const authorizer = new SandboxAuthorizer(permissions, permissionsRegistry);
        const lister = new AuthorizedSandboxLister(sandboxes, authorizer, permissionsRegistry, logger);
        const audit = new AuditorEventRecorder(auditor);
        httpRouter.use(
          await createRouter({ sandboxes, lister, authorizer, audit, httpAuth, userInfo }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        logger.info(`OpenSandbox lifecycle API at ${config.getString('opensandbox.baseUrl')}`);
      },
    });
  },
});
