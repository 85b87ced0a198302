import { createElement, ReactNode } from 'react';
import { SWRConfig } from 'swr';
import {
  AuthorizeResult,
  EvaluatePermissionRequest,
} from '@backstage/plugin-permission-common';
import { MockPermissionApi } from '@backstage/test-utils';
import { ResponseError } from '@backstage/errors';
import type {
  AuditEvent,
  ConsoleSettings,
  OpenSandboxApi,
  SandboxDetails,
} from '../api';

/**
 * Settings of a console with one OpenSandbox server and without a lifetime cap (what
 * `GET /settings` answers then); override any field.
 */
export function makeSettings(
  overrides: Partial<ConsoleSettings> = {},
): ConsoleSettings {
  return {
    maxTimeoutSeconds: null,
    minTimeoutSeconds: 60,
    requestBodyLimitBytes: 1048576,
    servers: ['default'],
    ...overrides,
  };
}

/**
 * A fake `OpenSandboxApi` whose methods are jest mocks (tests set the answers). `getSettings`
 * answers {@link makeSettings} (no lifetime cap) unless told otherwise.
 */
export function createFakeApi(): jest.Mocked<OpenSandboxApi> {
  return {
    listTeams: jest
      .fn()
      .mockResolvedValue(['group:default/team-a', 'group:default/team-b']),
    getSettings: jest.fn().mockResolvedValue(makeSettings()),
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
    listSandboxHistory: jest.fn().mockResolvedValue({ items: [] }),
    exportAuditEvents: jest.fn(),
    runBulk: jest.fn(),
  };
}

/**
 * The `ResponseError` the client throws for a backend error answer: Backstage's error body
 * `{ error: { name, message, ...extras }, response: { statusCode } }` plus response headers
 * (e.g. `X-Request-ID`, `Retry-After`).
 */
export async function backendError(
  status: number,
  error: { name: string; message: string } & Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<ResponseError> {
  return ResponseError.fromResponse(
    new Response(JSON.stringify({ error, response: { statusCode: status } }), {
      status,
      statusText: 'Error',
      headers: { 'Content-Type': 'application/json', ...headers },
    }),
  );
}

/** A running console sandbox; override any field (also `lastRenewal`). */
export function makeSandbox(
  overrides: Partial<SandboxDetails> = {},
): SandboxDetails {
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
    denied.includes(request.permission.name)
      ? AuthorizeResult.DENY
      : AuthorizeResult.ALLOW,
  );
  return { permissionApi: new MockPermissionApi(handler), handler };
}

/** An audit event; override any field. */
export function makeAuditEvent(
  overrides: Partial<AuditEvent> = {},
): AuditEvent {
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
    channel: 'http',
    details: {},
    ...overrides,
  };
}

/**
 * `usePermission` caches answers in SWR's global cache (stale-while-revalidate), which would leak
 * decisions from one test into the next. Wrap each rendered tree in a fresh cache.
 */
export function withFreshPermissionCache(children: ReactNode) {
  return createElement(
    SWRConfig,
    { value: { provider: () => new Map() } },
    children,
  );
}
