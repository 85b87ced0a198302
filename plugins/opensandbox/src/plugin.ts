import {
  createApiFactory,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { OpenSandboxClient, opensandboxApiRef } from './api';
import { auditRouteRef, createSandboxRouteRef, rootRouteRef, sandboxRouteRef } from './routes';

/**
 * The OpenSandbox console plugin for the legacy frontend system.
 * @public
 */
export const opensandboxPlugin = createPlugin({
  id: 'opensandbox',
  routes: {
    root: rootRouteRef,
    create: createSandboxRouteRef,
    sandbox: sandboxRouteRef,
    audit: auditRouteRef,
  },
  apis: [
    createApiFactory({
      api: opensandboxApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) => new OpenSandboxClient({ discoveryApi, fetchApi }),
    }),
  ],
});

/**
 * The sandbox pages (list, `/create`, `/audit`, `/:sandboxId`); mount it at a route such as
 * `<Route path="/opensandbox" element={<OpenSandboxPage />} />`.
 * @public
 */
export const OpenSandboxPage = opensandboxPlugin.provide(
  createRoutableExtension({
    name: 'OpenSandboxPage',
    component: () => import('./components/OpenSandboxRouter').then(m => m.OpenSandboxRouter),
    mountPoint: rootRouteRef,
  }),
);
