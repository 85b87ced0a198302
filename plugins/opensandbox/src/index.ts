/**
 * OpenSandbox console frontend plugin: list, inspect, create, renew, pause/resume and delete
 * OpenSandbox sandboxes through the `opensandbox` backend plugin.
 *
 * The legacy frontend system API lives here; the new frontend system plugin is the default export
 * of `@opensandbox-console/plugin-opensandbox/alpha`.
 *
 * @packageDocumentation
 */
export {
  opensandboxPlugin,
  OpenSandboxPage,
  EntitySandboxesContent,
} from './plugin';
export { isOpensandboxAvailable } from './lib/entity';
export {
  ANNOTATION_DEFAULT_IMAGE,
  ANNOTATION_DEFAULT_ENTRYPOINT,
  ANNOTATION_DEFAULT_CPU,
  ANNOTATION_DEFAULT_MEMORY,
  ANNOTATION_DEFAULT_TIMEOUT,
} from './lib/annotations';
export {
  rootRouteRef,
  sandboxRouteRef,
  serverSandboxRouteRef,
  createSandboxRouteRef,
  auditRouteRef,
} from './routes';
export { adminRouteRef } from './routes';
export { opensandboxAdminApiRef, OpenSandboxAdminClient } from './api';
export type { OpenSandboxAdminApi, ImportRoleBindingsOptions } from './api';
export { AdminPage, RoleBindingsCard } from './components';
export {
  opensandboxApiRef,
  OpenSandboxClient,
  AUDIT_ACTIONS,
  AUDIT_OUTCOMES,
  MAX_SEARCH_LENGTH,
} from './api';
export type {
  OpenSandboxApi,
  ListSandboxesQuery,
  ConsoleCreateSandboxRequest,
  GetEndpointOptions,
  AuditAction,
  AuditOutcome,
  AuditEvent,
  AuditEventFilter,
  AuditEventsPageOptions,
  AuditEventsPage,
  AuditExportFormat,
  ConsoleSettings,
  CreateSandboxOptions,
  RenewExpirationOptions,
  SandboxDetails,
  SandboxServerOptions,
  SandboxSortKey,
  SortOrder,
  SandboxLastRenewal,
  SandboxDiagnostics,
  SandboxDiagnosticsKind,
  SandboxPreset,
  SandboxChangeRef,
  SandboxChangesResponse,
  BulkAction,
  BulkCheckItem,
  BulkCheckResponse,
  BulkFilter,
  BulkRequest,
  BulkResponse,
  BulkRunItem,
  BulkRunResponse,
} from './api';
export { SANDBOX_CHANGES_CHANNEL } from '@opensandbox-console/plugin-opensandbox-common';
export type { SandboxChangeSignal } from '@opensandbox-console/plugin-opensandbox-common';
export type {
  ConsoleSandbox,
  ConsoleListSandboxesResponse,
  CreateSandboxRequest,
  Endpoint,
  RenewSandboxExpirationResponse,
  SandboxOwnership,
} from '@opensandbox-console/plugin-opensandbox-common';
