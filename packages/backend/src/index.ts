/*
 * The demo Backstage backend of the OpenSandbox Console: core plugins plus the OpenSandbox
 * backend plugin. Started by `npm start` (see README.md).
 */
import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

// Auth: OpenID Connect sign-in (auth.providers.oidc; the demo identity provider in development,
// any OIDC provider in production, see docs/auth.md) and guest sign-in, which the guest module
// refuses outside auth.environment `development`. Automation (backend.auth.externalAccess) needs
// no module: static tokens and JWKS-verified JWTs are built into backend-defaults.
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-oidc-provider'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

// Catalog: the example organisation, components and software templates (Template entities need
// the scaffolder entity model module).
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);

// Permissions: the framework is on, decided by the OpenSandbox role policy (viewer, operator,
// admin from opensandbox.permissionPolicy; other plugins' permissions are allowed in the demo).
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(
  import(
    '@opensandbox-console/plugin-opensandbox-backend-module-permission-policy'
  ),
);

// OpenSandbox Console. It also registers its agent actions (opensandbox:list-sandboxes, ...) with
// the actions registry.
backend.add(import('@opensandbox-console/plugin-opensandbox-backend'));

// Software templates (/api/scaffolder) with the OpenSandbox template actions
// (opensandbox:sandbox:create, :renew, :delete, :get-endpoint), which run as the user running the
// template through the console's permissions and audit. See docs/automation.md.
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(
  import('@opensandbox-console/plugin-opensandbox-backend-module-scaffolder'),
);

// Live status and expiry warnings (docs/operations.md): signals push the console's inventory
// changes to open pages (channel opensandbox:sandboxes, over /api/signals); notifications deliver
// the expiry warnings (/api/notifications; the apps show them on /notifications).
backend.add(import('@backstage/plugin-signals-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));

// MCP: the actions of the plugins in backend.actions.pluginSources (the console's) as MCP tools at
// /api/mcp-actions/v1 (streamable HTTP). See docs/automation.md.
backend.add(import('@backstage/plugin-mcp-actions-backend'));

backend.start();
