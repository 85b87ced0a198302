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

/** The detail page of one sandbox, `<root>/:sandboxId`. @public */
export const sandboxRouteRef = createSubRouteRef({
  id: 'opensandbox/sandbox',
  parent: rootRouteRef,
  path: '/:sandboxId',
});
