/**
 * OpenSandbox simulator: a development/test server that speaks the upstream
 * OpenSandbox lifecycle API (Docker runtime behaviour).
 *
 * @packageDocumentation
 */
export { createSimulatorApp, startSimulator, DEFAULT_API_KEY } from './server';
export type {
  SimulatorOptions,
  SimulatorApp,
  RunningSimulator,
} from './server';
export type { SimulatorState, CreateOptions, RestartResult } from './context';
export { DEFAULT_STARTUP_MS, DEFAULT_UNPULLABLE_IMAGE_PATTERN } from './store';
export type { FailInput } from './store';
export {
  DOCKER_API_VERSION,
  imagePullFailureMessage,
  alreadyPausedMessage,
  parseImageReference,
} from './docker';
export type { ImageReference } from './docker';
export type {
  SeedSandbox,
  FaultRule,
  LoggedRequest,
  SandboxRecord,
  LogLine,
} from './types';
export { loadSeedFile } from './seed';
export { parseMetadataFilter } from './metadataFilter';
