/**
 * The OpenSandbox console plugin for the new frontend system. Apps discover it through the
 * package's `backstage.features` entry (`./alpha`), or add it explicitly:
 * `createApp({ features: [opensandboxPlugin] })`.
 *
 * @packageDocumentation
 */
import ComputerIcon from '@material-ui/icons/Computer';
import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  compatWrapper,
  convertLegacyRouteRefs,
} from '@backstage/core-compat-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { isOpensandboxAvailable } from './lib/entity';
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

const routes = convertLegacyRouteRefs({
  root: rootRouteRef,
  sandbox: sandboxRouteRef,
  serverSandbox: serverSandboxRouteRef,
  create: createSandboxRouteRef,
  audit: auditRouteRef,
  admin: adminRouteRef,
});

/** The `OpenSandboxClient` API extension (`api:opensandbox`). @alpha */
export const opensandboxApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: opensandboxApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new OpenSandboxClient({ discoveryApi, fetchApi }),
    }),
});

/** The administration API extension (`api:plugin.opensandbox.admin`: role bindings). @alpha */
export const opensandboxAdminApi = ApiBlueprint.make({
  name: 'admin',
  params: defineParams =>
    defineParams({
      api: opensandboxAdminApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new OpenSandboxAdminClient({ discoveryApi, fetchApi }),
    }),
});

/**
 * The sandbox pages at `/opensandbox` (`page:opensandbox`), with a "Sandboxes" nav item. The audit
 * log is a sub page of it, `/opensandbox/audit`, and so is the administration page (role
 * bindings), `/opensandbox/admin`; a sandbox is at
 * `/opensandbox/servers/:server/sandboxes/:sandboxId` (or `/opensandbox/:sandboxId` on the
 * default server).
 * @alpha
 */
export const opensandboxPage = PageBlueprint.make({
  params: {
    path: '/opensandbox',
    routeRef: routes.root,
    title: 'Sandboxes',
    icon: <ComputerIcon fontSize="inherit" />,
    // The pages render their own Backstage header.
    noHeader: true,
    loader: () =>
      import('./components/lazyContent').then(m =>
        compatWrapper(<m.OpenSandboxRouter />),
      ),
  },
});

/**
 * The "Sandboxes" entity tab (`entity-content:opensandbox/sandboxes`) at `<entity>/sandboxes`, on
 * Group, Component and System entity pages.
 * @alpha
 */
export const opensandboxEntityContent = EntityContentBlueprint.make({
  name: 'sandboxes',
  params: {
    path: '/sandboxes',
    title: 'Sandboxes',
    filter: isOpensandboxAvailable,
    loader: () =>
      import('./components/lazyContent').then(m =>
        compatWrapper(<m.EntitySandboxesContent />),
      ),
  },
});

/** The OpenSandbox console plugin (new frontend system). @alpha */
export default createFrontendPlugin({
  pluginId: 'opensandbox',
  title: 'Sandboxes',
  icon: <ComputerIcon fontSize="inherit" />,
  info: { packageJson: () => import('../package.json') },
  extensions: [
    opensandboxApi,
    opensandboxAdminApi,
    opensandboxPage,
    opensandboxEntityContent,
  ],
  routes,
});
