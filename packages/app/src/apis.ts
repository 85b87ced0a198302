import { AnyApiFactory } from '@backstage/core-plugin-api';

/**
 * App-level API overrides. The OpenSandbox client comes from the plugin itself
 * (`opensandboxPlugin`); the core APIs (discovery, fetch, identity, ...) from `@backstage/app-defaults`.
 */
export const apis: AnyApiFactory[] = [];
