import {
  AnyApiFactory,
  configApiRef,
  createApiFactory,
} from '@backstage/core-plugin-api';
import {
  ScmIntegrationsApi,
  scmIntegrationsApiRef,
} from '@backstage/integration-react';

/**
 * App-level API factories. The OpenSandbox client comes from the plugin itself
 * (`opensandboxPlugin`); the core APIs (discovery, fetch, identity, ...) from `@backstage/app-defaults`.
 * The catalog's entity pages (About card) need the SCM integrations API.
 */
export const apis: AnyApiFactory[] = [
  createApiFactory({
    api: scmIntegrationsApiRef,
    deps: { configApi: configApiRef },
    factory: ({ configApi }) => ScmIntegrationsApi.fromConfig(configApi),
  }),
];
