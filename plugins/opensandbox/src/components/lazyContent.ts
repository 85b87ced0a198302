/**
 * The plugin's one lazily loaded chunk: the pages (`OpenSandboxRouter`) and the entity tab
 * (`EntitySandboxesContent`). Both extensions import this module, so the bundler emits one chunk
 * for both instead of two chunks that each carry their shared code (the table, list controls,
 * live status, permissions). A user who opens the entity tab then has the pages cached, and the
 * other way round.
 */
export { OpenSandboxRouter } from './OpenSandboxRouter';
export { EntitySandboxesContent } from './EntitySandboxesContent';
