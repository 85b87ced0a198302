import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { opensandboxPermissions } from '@opensandbox-console/plugin-opensandbox-common';
import {
  opensandboxSandboxPermissionResourceRef,
  opensandboxSandboxRules,
  readOpensandboxRoleConfig,
  opensandboxRoleBindingsSignalServiceRef,
  readOpenSandboxServers,
} from '@opensandbox-console/plugin-opensandbox-node';
import { registerSandboxActions } from './actions';
import { createAuditEventsRouter } from './audit/auditEventsRouter';
import { SandboxHistory } from './audit/SandboxHistory';
import {
  BulkOperations,
  ConfirmationTokens,
  createBulkRouter,
  readBulkConfig,
} from './bulk';
import { scheduleAuditMaintenance } from './audit/auditMaintenance';
import { DatabaseAuditRecorder } from './audit/DatabaseAuditRecorder';
import { DatabaseAuditStore } from './audit/DatabaseAuditStore';
import {
  createRoleBindings,
  createRoleBindingsRouter,
} from './governance/bindings';
import {
  adminCheck,
  createGovernance,
  createQuotaExemption,
  createQuotasRouter,
  createRateLimitMiddleware,
  scheduleGovernanceMaintenance,
} from './governance';
import { createRouter } from './http/router';
import {
  ExpiryWarnings,
  ExpiryWarningStore,
  readExpiryWarningsConfig,
  scheduleExpiryWarnings,
} from './expiry';
import {
  createChangesRouter,
  LiveStatusPublisher,
  SandboxChanges,
} from './live';
import { SandboxInventoryStore } from './inventory/SandboxInventoryStore';
import { scheduleInventorySync } from './inventory/scheduleInventorySync';
import { scheduleCreateReconciliation } from './operations/reconcileCreates';
import { SandboxOperationPipeline } from './operations/SandboxOperationPipeline';
import { readSandboxPresets } from './operations/presets';
import { SandboxDecisions } from './permissions/SandboxDecisions';
import { ServiceRolePermissions } from './permissions/ServiceRolePermissions';
import {
  DecisionCache,
  readDecisionCacheSeconds,
} from './permissions/DecisionCache';

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
        lifecycle: coreServices.lifecycle,
        actionsRegistry: actionsRegistryServiceRef,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        roleBindingsSignal: opensandboxRoleBindingsSignalServiceRef,
        signals: signalsServiceRef,
        notifications: notificationService,
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
        lifecycle,
        actionsRegistry,
        discovery,
        auth,
        roleBindingsSignal,
        signals,
        notifications,
      }) {
        // The pipeline needs the registered rules, so it is built below; the registry only calls
        // getResources once requests arrive.
        const late: { operations?: SandboxOperationPipeline } = {};
        const loadResource = async (ref: string) =>
          late.operations?.loadForPermissionCheck(ref);
        permissionsRegistry.addResourceType({
          resourceRef: opensandboxSandboxPermissionResourceRef,
          permissions: opensandboxPermissions.filter(
            p => p.type === 'resource',
          ),
          rules: Object.values(opensandboxSandboxRules),
          getResources: async resourceRefs =>
            Promise.all(resourceRefs.map(loadResource)),
        });
        permissionsRegistry.addPermissions(
          opensandboxPermissions.filter(p => p.type === 'basic'),
        );

        const roles = readOpensandboxRoleConfig(config);
        const auditStore = await DatabaseAuditStore.create({ database });
        // Database role bindings (docs/governance.md): services are narrowed by config + bindings.
        const roleBindings = await createRoleBindings({
          database,
          config,
          logger,
          discovery,
          auth,
          signal: roleBindingsSignal,
          audit: new DatabaseAuditRecorder({
            store: auditStore,
            auditor,
            logger,
            config,
          }),
        });
        // The framework's decisions, services narrowed by the role model, reused for a few
        // seconds per principal (opensandbox.permissionDecisions.cacheSeconds).
        const decider = new DecisionCache(
          roles
            ? new ServiceRolePermissions(permissions, roles, roleBindings)
            : permissions,
          {
            ttlSeconds: readDecisionCacheSeconds(config),
            signal: roleBindingsSignal,
          },
        );
        const servers = readOpenSandboxServers(config);
        // Each server's client owns a connection pool (opensandbox.connection): closed on shutdown.
        lifecycle.addShutdownHook(async () => {
          await Promise.all(servers.map(s => s.client.close()));
        });
        const inventory = await SandboxInventoryStore.create({ database });
        // Team quotas and caps, rate limits (docs/governance.md).
        const governance = await createGovernance({ database, config, logger });
        const quotaExemption = createQuotaExemption({
          permissions: decider,
          userInfo,
          bindings: roleBindings,
          logger,
        });
        // Live status and expiry warnings (docs/operations.md): a signal on every inventory change.
        const liveStatus = new LiveStatusPublisher({
          signals,
          inventory,
          logger,
        });
        const expiryConfig = readExpiryWarningsConfig(config);
        const operations = new SandboxOperationPipeline({
          servers,
          decisions: new SandboxDecisions(decider, permissionsRegistry, logger),
          audit: new DatabaseAuditRecorder({
            store: auditStore,
            auditor,
            logger,
            config,
          }),
          auditStore,
          inventory,
          quotas: governance.enforcer,
          quotaExemption,
          onInventoryChange: change => liveStatus.publish(change),
          expiringSoonSeconds: expiryConfig.leadTimesMinutes[0] * 60,
          userInfo,
          logger,
          maxTimeoutSeconds: config.getOptionalNumber(
            'opensandbox.maxTimeoutSeconds',
          ),
          presets: readSandboxPresets(config, {
            maxTimeoutSeconds: config.getOptionalNumber(
              'opensandbox.maxTimeoutSeconds',
            ),
          }),
          roleGroups: new Set(
            Object.values(roles?.members ?? {})
              .flat()
              .map(ref => ref.toLocaleLowerCase('en-US'))
              .filter(ref => ref.startsWith('group:')),
          ),
        });
        late.operations = operations;
        registerSandboxActions({ actionsRegistry, operations, config });
        await scheduleAuditMaintenance({
          scheduler,
          store: auditStore,
          config,
          logger,
        });
        await scheduleCreateReconciliation({
          scheduler,
          config,
          logger,
          operations,
        });
        await scheduleGovernanceMaintenance({
          scheduler,
          logger,
          reservations: governance.reservations,
          limiter: governance.limiter,
        });
        // Bulk actions (docs/operations.md): every item through the pipeline, a batch audit row.
        const bulkConfig = readBulkConfig(config);
        const bulk = new BulkOperations({
          pipeline: operations,
          audit: new DatabaseAuditRecorder({
            store: auditStore,
            auditor,
            logger,
            config,
          }),
          userInfo,
          logger,
          config: bulkConfig,
          tokens: new ConfirmationTokens({
            secret: bulkConfig.confirmationSecret,
            knex:
              bulkConfig.confirmationSecret === undefined
                ? await database.getClient()
                : undefined,
            ttlSeconds: bulkConfig.confirmationTtlSeconds,
          }),
        });
        await scheduleExpiryWarnings({
          scheduler,
          logger,
          config: expiryConfig,
          warnings: new ExpiryWarnings({
            inventory,
            store: await ExpiryWarningStore.create({ database }),
            notifications,
            config: expiryConfig,
            logger,
          }),
        });
        const rateLimit = createRateLimitMiddleware({
          limiter: governance.limiter,
          config: governance.rateLimitConfig,
          httpAuth,
          logger,
        });
        await scheduleInventorySync({
          scheduler,
          config,
          logger,
          servers: servers.map(({ name }) => ({
            name,
            sync: () => operations.syncInventory(name),
          })),
        });
        httpRouter.use(
          await createRouter({
            operations,
            httpAuth,
            rateLimit,
            extraRouters: [
              createBulkRouter({ bulk, httpAuth, rateLimit }),
              createAuditEventsRouter({
                store: auditStore,
                httpAuth,
                permissions: decider,
                history: new SandboxHistory({
                  store: auditStore,
                  operations,
                  inventory,
                  decisions: new SandboxDecisions(
                    decider,
                    permissionsRegistry,
                    logger,
                  ),
                }),
              }),
              createChangesRouter({
                changes: new SandboxChanges({
                  inventory,
                  decisions: new SandboxDecisions(
                    decider,
                    permissionsRegistry,
                    logger,
                  ),
                }),
                httpAuth,
              }),
              createQuotasRouter({
                enforcer: governance.enforcer,
                store: governance.store,
                config: governance.quotaConfig,
                audit: new DatabaseAuditRecorder({
                  store: auditStore,
                  auditor,
                  logger,
                  config,
                }),
                httpAuth,
                teamsOf: credentials => operations.teams({ credentials }),
                isAdmin: adminCheck(decider),
                isExempt: quotaExemption,
                rateLimit,
              }),
              createRoleBindingsRouter({
                bindings: roleBindings,
                httpAuth,
                permissions: decider,
              }),
            ],
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        logger.info(
          `OpenSandbox servers: ${servers.map(s => s.name).join(', ')}`,
        );
      },
    });
  },
});
