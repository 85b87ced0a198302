import type { ConsoleSandbox } from '@opensandbox-console/plugin-opensandbox-common';
import type { OpenSandboxApi } from './api';

/** A fake `OpenSandboxApi` whose methods are jest mocks (tests set the answers). */
export function createFakeApi(): jest.Mocked<OpenSandboxApi> {
  return {
    listSandboxes: jest.fn(),
    getSandbox: jest.fn(),
    createSandbox: jest.fn(),
    deleteSandbox: jest.fn().mockResolvedValue(undefined),
    renewExpiration: jest.fn(),
    pauseSandbox: jest.fn().mockResolvedValue(undefined),
    resumeSandbox: jest.fn().mockResolvedValue(undefined),
    getEndpoint: jest.fn(),
  };
}

/** A running console sandbox; override any field. */
export function makeSandbox(overrides: Partial<ConsoleSandbox> = {}): ConsoleSandbox {
  return {
    id: '6f1c2b7e-3a4d-4f0e-9a51-2c8d7e9b1f20',
    image: { uri: 'python:3.11-slim' },
    status: {
      state: 'Running',
      reason: 'CONTAINER_RUNNING',
      message: 'Sandbox container started successfully.',
      lastTransitionAt: '2026-06-15T10:00:00Z',
    },
    metadata: { name: 'demo-api', project: 'payments' },
    entrypoint: ['python', '-m', 'http.server', '8000'],
    expiresAt: '2026-06-15T11:00:00Z',
    createdAt: '2026-06-15T10:00:00Z',
    ownership: { owner: 'user:default/jane.doe', team: 'group:default/team-a' },
    ...overrides,
  };
}
