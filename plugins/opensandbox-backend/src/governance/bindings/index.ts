/**
 * Role bindings in the database (docs/governance.md, "Role bindings"): the store, the audited
 * service over it with its cached view, the admin and internal routes.
 */
import type {
  AuthService,
  DatabaseService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import {
  OpensandboxRoleBindingsSignal,
  readOpensandboxRoleBindingsSettings,
  readOpensandboxRoleConfig,
} from '@opensandbox-console/plugin-opensandbox-node';
import type { AuditRecorder } from '../../audit/types';
import { RoleBindings } from './RoleBindings';
import { RoleBindingStore } from './RoleBindingStore';

export { RoleBindings } from './RoleBindings';
export { RoleBindingStore } from './RoleBindingStore';
export { createRoleBindingsRouter } from './roleBindingsRouter';

/** Opens the store (running migrations) and builds the {@link RoleBindings} of the plugin. */
export async function createRoleBindings(options: {
  database: DatabaseService;
  config: Config;
  logger: LoggerService;
  signal: OpensandboxRoleBindingsSignal;
  discovery: DiscoveryService;
  auth: AuthService;
  audit: AuditRecorder;
}): Promise<RoleBindings> {
  const store = await RoleBindingStore.create({ database: options.database });
  return new RoleBindings({
    store,
    roles: readOpensandboxRoleConfig(options.config),
    settings: readOpensandboxRoleBindingsSettings(options.config),
    audit: options.audit,
    signal: options.signal,
    logger: options.logger,
    discovery: options.discovery,
    auth: options.auth,
  });
}
