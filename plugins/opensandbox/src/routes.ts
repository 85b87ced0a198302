import { createRouteRef, createSubRouteRef } from '@backstage/core-plugin-api';

/** Root of the plugin: the sandbox list (mounted at `/opensandbox` by the apps). @public */
export const rootRouteRef = createRouteRef({ id: 'opensandbox' });

/** The create form, `<root>/create`. @public */
export const createSandboxRouteRef = createSubRouteRef({
  id: 'opensandbox/create',
  parent: rootRouteRef,
  path: '/create',
});

/**
 * The audit log, `<root>/audit` (needs `opensandbox.audit.read`). Declared before the sandbox
 * route; React Router ranks this static path above `/:sandboxId` anyway.
 * @public
 */
export const auditRouteRef = createSubRouteRef({
  id: 'opensandbox/audit',
  parent: rootRouteRef,
  path: '/audit',
});

/**
 * The administration page, `<root>/admin`: role bindings (needs `opensandbox.admin.manage`).
 * @public
 */
export const adminRouteRef = createSubRouteRef({
  id: 'opensandbox/admin',
  parent: rootRouteRef,
  path: '/admin',
});

/**
 * The detail page of one sandbox on the DEFAULT OpenSandbox server (the first of
 * `GET /settings` `servers`), `<root>/:sandboxId` (also reachable as `<root>/sandboxes/:sandboxId`).
 * Links the console makes use {@link serverSandboxRouteRef} whenever the sandbox's server is known.
 * @public
 */
export const sandboxRouteRef = createSubRouteRef({
  id: 'opensandbox/sandbox',
  parent: rootRouteRef,
  path: '/:sandboxId',
});

/**
 * The detail page of one sandbox on a named OpenSandbox server,
 * `<root>/servers/:server/sandboxes/:sandboxId`; every call the page makes goes to the backend's
 * `/servers/:server/sandboxes/:sandboxId/...` routes.
 * @public
 */
export const serverSandboxRouteRef = createSubRouteRef({
  id: 'opensandbox/server-sandbox',
  parent: rootRouteRef,
  path: '/servers/:server/sandboxes/:sandboxId',
});
