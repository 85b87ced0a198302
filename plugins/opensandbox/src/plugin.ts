import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import {
  OpenSandboxAdminClient,
  opensandboxAdminApiRef,
  OpenSandboxClient,
  opensandboxApiRef,
} from './api';
import {
  adminRouteRef,
  auditRouteRef,
  createSandboxRouteRef,
  rootRouteRef,
  sandboxRouteRef,
  serverSandboxRouteRef,
} from './routes';

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
    serverSandbox: serverSandboxRouteRef,
    audit: auditRouteRef,
    admin: adminRouteRef,
  },
  apis: [
    createApiFactory({
      api: opensandboxApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new OpenSandboxClient({ discoveryApi, fetchApi }),
    }),
    createApiFactory({
      api: opensandboxAdminApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new OpenSandboxAdminClient({ discoveryApi, fetchApi }),
    }),
  ],
});

/**
 * The sandbox pages (list, `/create`, `/audit`, `/admin`, `/servers/:server/sandboxes/:sandboxId` and, for
 * the default server, `/:sandboxId`); mount it at a route such as
 * `<Route path="/opensandbox" element={<OpenSandboxPage />} />`.
 * @public
 */
export const OpenSandboxPage = opensandboxPlugin.provide(
  createRoutableExtension({
    name: 'OpenSandboxPage',
    component: () =>
      import('./components/lazyContent').then(m => m.OpenSandboxRouter),
    mountPoint: rootRouteRef,
  }),
);

/**
 * The "Sandboxes" entity tab (reads the entity with `useEntity()`): a Group's team sandboxes, or
 * the sandboxes created for a Component or System, with a "Create sandbox" button that preselects
 * the entity. Use it with {@link isOpensandboxAvailable}:
 * `<EntityLayout.Route path="/sandboxes" title="Sandboxes" if={isOpensandboxAvailable}>`.
 * @public
 */
export const EntitySandboxesContent = opensandboxPlugin.provide(
  createComponentExtension({
    name: 'EntitySandboxesContent',
    component: {
      lazy: () =>
        import('./components/lazyContent').then(m => m.EntitySandboxesContent),
    },
  }),
);
