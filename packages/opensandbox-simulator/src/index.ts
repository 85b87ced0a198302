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
export type { SimulatorState } from './context';
export type {
  SeedSandbox,
  FaultRule,
  LoggedRequest,
  SandboxRecord,
} from './types';
export { loadSeedFile } from './seed';
export { parseMetadataFilter } from './metadataFilter';
