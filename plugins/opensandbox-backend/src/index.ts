/**
 * OpenSandbox Console backend plugin for Backstage.
 *
 * @packageDocumentation
 */
export { opensandboxPlugin as default } from './plugin';
