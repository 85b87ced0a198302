/**
 * Live status: the signal published on every inventory change, and `GET /changes`.
 *
 * @packageDocumentation
 */
export {
  DEFAULT_COALESCE_MS,
  LiveStatusPublisher,
} from './LiveStatusPublisher';
export type { LiveStatusPublisherOptions } from './LiveStatusPublisher';
export { CHANGES_PAGE_LIMIT, SandboxChanges } from './SandboxChanges';
export type { SandboxChangesOptions } from './SandboxChanges';
export { createChangesRouter } from './changesRouter';
