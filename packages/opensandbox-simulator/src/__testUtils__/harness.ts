/** Test helper: a simulator on a free port with a controllable fake clock. */
import { RunningSimulator, SimulatorOptions, startSimulator } from '../server';
import { ContractClient } from './contract';

/** 2026-06-15T10:00:00Z, the fake clock's start. */
export const T0 = Date.parse('2026-06-15T10:00:00Z');

/** A started simulator plus helpers. */
export interface Harness {
  sim: RunningSimulator;
  /** Contract-checking client for `${url}/v1`. */
  api: ContractClient;
  /** Sets the fake base clock (epoch ms). */
  setNow(ms: number): void;
  /** Moves the fake base clock forward by `seconds`. */
  advance(seconds: number): void;
}

/** Starts a simulator with a fake clock at {@link T0} and no background sweep. */
export async function startHarness(
  options: SimulatorOptions = {},
): Promise<Harness> {
  let now = T0;
  const sim = await startSimulator({
    port: 0,
    sweepIntervalMs: 0,
    now: () => now,
    ...options,
  });
  return {
    sim,
    api: new ContractClient(`${sim.url}/v1`, sim.apiKey),
    setNow: ms => {
      now = ms;
    },
    advance: seconds => {
      now += seconds * 1000;
    },
  };
}

/** A spec-valid create body; `overrides` replace top-level fields (undefined removes). */
export function createBody(
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    image: { uri: 'python:3.11-slim' },
    entrypoint: ['python', '-m', 'http.server', '8000'],
    timeout: 3600,
    resourceLimits: { cpu: '500m', memory: '512Mi' },
    ...overrides,
  };
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  return body;
}
