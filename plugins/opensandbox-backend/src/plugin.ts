import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { opensandboxPermissions } from '@opensandbox-console/plugin-opensandbox-common';
import { createLifecycleClientFromConfig } from '@opensandbox-console/plugin-opensandbox-node';
import { createRouter } from './service/router';
import { SandboxService } from './service/SandboxService';

/**
 * The OpenSandbox Console backend plugin (plugin id `opensandbox`): serves `/api/opensandbox`,
 * performing every lifecycle call server-side with the configured API key.
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
        permissionsRegistry: coreServices.permissionsRegistry,
      },
      async init({ config, logger, httpRouter, httpAuth, userInfo, auditor, permissionsRegistry }) {
        permissionsRegistry.addPermissions(opensandboxPermissions);
        const client = createLifecycleClientFromConfig(config);
        const sandboxes = new SandboxService(client, {
          maxTimeoutSeconds: config.getOptionalNumber('opensandbox.maxTimeoutSeconds'),
        });
        httpRouter.use(await createRouter({ sandboxes, httpAuth, userInfo, auditor, logger }));
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        logger.info(`OpenSandbox lifecycle API at ${config.getString('opensandbox.baseUrl')}`);
      },
    });
  },
});
