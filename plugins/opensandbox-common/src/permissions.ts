import { createPermission } from '@backstage/plugin-permission-common';

/** The permission resource type of sandboxes. @public */
export const OPENSANDBOX_SANDBOX_RESOURCE_TYPE = 'opensandbox-sandbox';

/** List and get sandboxes. Resource permission. @public */
export const opensandboxSandboxReadPermission = createPermission({
  name: 'opensandbox.sandbox.read',
  attributes: { action: 'read' },
  resourceType: OPENSANDBOX_SANDBOX_RESOURCE_TYPE,
});

/** Create a sandbox (no resource exists yet). Basic permission. @public */
export const opensandboxSandboxCreatePermission = createPermission({
  name: 'opensandbox.sandbox.create',
  attributes: { action: 'create' },
});

/** Renew, pause, resume or change metadata of a sandbox. Resource permission. @public */
export const opensandboxSandboxUpdatePermission = createPermission({
  name: 'opensandbox.sandbox.update',
  attributes: { action: 'update' },
  resourceType: OPENSANDBOX_SANDBOX_RESOURCE_TYPE,
});

/** Delete a sandbox. Resource permission. @public */
export const opensandboxSandboxDeletePermission = createPermission({
  name: 'opensandbox.sandbox.delete',
  attributes: { action: 'delete' },
  resourceType: OPENSANDBOX_SANDBOX_RESOURCE_TYPE,
});

/** Get a network endpoint of a sandbox (grants network access to it). Resource permission. @public */
export const opensandboxSandboxEndpointPermission = createPermission({
  name: 'opensandbox.sandbox.endpoint',
  attributes: { action: 'read' },
  resourceType: OPENSANDBOX_SANDBOX_RESOURCE_TYPE,
});

/**
 * Read the history (audit events) of one sandbox: `GET /sandboxes/{id}/history`. Resource
 * permission, decided together with `opensandbox.sandbox.read` on the same sandbox (the role
 * policy gives it to whoever may read the sandbox). @public
 */
export const opensandboxSandboxHistoryReadPermission = createPermission({
  name: 'opensandbox.sandbox.history.read',
  attributes: { action: 'read' },
  resourceType: OPENSANDBOX_SANDBOX_RESOURCE_TYPE,
});

/** Read the whole audit log. Basic permission. @public */
export const opensandboxAuditReadPermission = createPermission({
  name: 'opensandbox.audit.read',
  attributes: { action: 'read' },
});

/**
 * Administer the console: quotas and caps (and role bindings). Basic permission. A caller ALLOWed
 * this permission is also exempt from team quotas and caps (docs/governance.md). @public
 */
export const opensandboxAdminManagePermission = createPermission({
  name: 'opensandbox.admin.manage',
  attributes: { action: 'update' },
});

/** Every permission of the plugin, for registration and policy tooling. @public */
export const opensandboxPermissions = [
  opensandboxSandboxReadPermission,
  opensandboxSandboxCreatePermission,
  opensandboxSandboxUpdatePermission,
  opensandboxSandboxDeletePermission,
  opensandboxSandboxEndpointPermission,
  opensandboxSandboxHistoryReadPermission,
  opensandboxAuditReadPermission,
  opensandboxAdminManagePermission,
];
