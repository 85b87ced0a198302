import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { opensandboxPermissions } from '@opensandbox-console/plugin-opensandbox-common';
import {
  createLifecycleClientFromConfig,
  opensandboxSandboxPermissionResourceRef,
  opensandboxSandboxRules,
  readOpensandboxRoleConfig,
} from '@opensandbox-console/plugin-opensandbox-node';
import { createAuditEventsRouter } from './audit/auditEventsRouter';
import { scheduleAuditMaintenance } from './audit/auditMaintenance';
import { DatabaseAuditRecorder } from './audit/DatabaseAuditRecorder';
import { DatabaseAuditStore } from './audit/DatabaseAuditStore';
import { AuthorizedSandboxLister } from './permissions/AuthorizedSandboxLister';
import { SandboxAuthorizer } from './permissions/SandboxAuthorizer';
import { ServiceRolePermissions } from './permissions/ServiceRolePermissions';
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
        database: coreServices.database,
        scheduler: coreServices.scheduler,
      },
      async init({
        config,
        logger,
        httpRouter,
        httpAuth,
        userInfo,
        auditor,
        permissions,
        permissionsRegistry,
        database,
        scheduler,
      }) {
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

        const roles = readOpensandboxRoleConfig(config);
        const decider = roles ? new ServiceRolePermissions(permissions, roles) : permissions;
        const authorizer = new SandboxAuthorizer(decider, permissionsRegistry);
        const lister = new AuthorizedSandboxLister(sandboxes, authorizer, permissionsRegistry, logger);
        const auditStore = await DatabaseAuditStore.create({ database });
        const audit = new DatabaseAuditRecorder({ store: auditStore, auditor, logger, config });
        await scheduleAuditMaintenance({ scheduler, store: auditStore, config, logger });
        httpRouter.use(
          await createRouter({
            sandboxes,
            lister,
            authorizer,
            audit,
            httpAuth,
            userInfo,
            extraRouters: [createAuditEventsRouter({ store: auditStore, httpAuth, permissions: decider })],
            roleGroups: new Set(
              Object.values(roles?.members ?? {}).flat().filter(ref => ref.startsWith('group:')),
            ),
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        logger.info(`OpenSandbox lifecycle API at ${config.getString('opensandbox.baseUrl')}`);
      },
    });
  },
});
