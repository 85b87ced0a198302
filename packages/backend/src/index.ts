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

// Catalog: the example organisation and components.
backend.add(import('@backstage/plugin-catalog-backend'));

// Permissions: the framework is on, decided by the OpenSandbox role policy (viewer, operator,
// admin from opensandbox.permissionPolicy; other plugins' permissions are allowed in the demo).
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('@opensandbox-console/plugin-opensandbox-backend-module-permission-policy'));

// OpenSandbox Console.
backend.add(import('@opensandbox-console/plugin-opensandbox-backend'));

backend.start();
