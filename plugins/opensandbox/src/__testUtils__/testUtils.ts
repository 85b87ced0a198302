import { createElement, ReactNode } from 'react';
import { SWRConfig } from 'swr';
import type { ConsoleSandbox } from '@opensandbox-console/plugin-opensandbox-common';
import { AuthorizeResult, EvaluatePermissionRequest } from '@backstage/plugin-permission-common';
import { MockPermissionApi } from '@backstage/test-utils';
import type { AuditEvent, OpenSandboxApi } from '../api';

/** A fake `OpenSandboxApi` whose methods are jest mocks (tests set the answers). */
export function createFakeApi(): jest.Mocked<OpenSandboxApi> {
  return {
    listTeams: jest.fn().mockResolvedValue(['group:default/team-a', 'group:default/team-b']),
    listSandboxes: jest.fn(),
    getSandbox: jest.fn(),
    createSandbox: jest.fn(),
    deleteSandbox: jest.fn().mockResolvedValue(undefined),
    renewExpiration: jest.fn(),
    pauseSandbox: jest.fn().mockResolvedValue(undefined),
    resumeSandbox: jest.fn().mockResolvedValue(undefined),
    getEndpoint: jest.fn(),
    updateMetadata: jest.fn(),
    listAuditEvents: jest.fn().mockResolvedValue({ items: [] }),
    exportAuditEvents: jest.fn(),
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

/**
 * A `MockPermissionApi` that denies the permissions named in `denied` (e.g.
 * `'opensandbox.sandbox.update'`) and allows everything else. `handler` records every request.
 */
export function createPermissionApi(denied: string[] = []) {
  const handler = jest.fn((request: EvaluatePermissionRequest) =>
    denied.includes(request.permission.name) ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
  );
  return { permissionApi: new MockPermissionApi(handler), handler };
}

/** An audit event; override any field. */
export function makeAuditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id: 'a1b2c3d4-0000-4000-8000-000000000001',
    occurredAt: '2026-06-15T10:00:00.123Z',
    actor: 'user:default/jane.doe',
    actorType: 'user',
    action: 'sandbox.create',
    sandboxId: '6f1c2b7e-3a4d-4f0e-9a51-2c8d7e9b1f20',
    team: 'group:default/team-a',
    outcome: 'succeeded',
    httpStatus: 202,
    errorCode: null,
    errorMessage: null,
    requestId: 'req-0001',
    clientIp: '10.0.0.1',
    userAgent: 'jest',
    batchId: null,
    details: {},
    ...overrides,
  };
}

/**
 * `usePermission` caches answers in SWR's global cache (stale-while-revalidate), which would leak
 * decisions from one test into the next. Wrap each rendered tree in a fresh cache.
 */
export function withFreshPermissionCache(children: ReactNode) {
  return createElement(SWRConfig, { value: { provider: () => new Map() } }, children);
}
