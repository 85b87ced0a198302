import {
  createApiFactory,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { OpenSandboxClient, opensandboxApiRef } from './api';
import { rootRouteRef } from './routes';

/**
 * The OpenSandbox console plugin for the legacy frontend system.
 * @public
 */
export const opensandboxPlugin = createPlugin({
  id: 'opensandbox',
  routes: {
    root: rootRouteRef,
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
 * The sandbox pages (list, `/create`, `/:sandboxId`); mount it at a route such as
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
