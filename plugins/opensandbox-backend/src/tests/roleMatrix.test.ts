/**
 * The role matrix: every route × every persona, with the exact status, against the REAL permission
 * backend running the ready role policy module (no mocked authorize), and the simulator over HTTP.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import request from 'supertest';
import { parse as parseYaml } from 'yaml';
import { startSimulator } from '@opensandbox-console/opensandbox-simulator';
import {
  authHeader,
  Persona,
  PERSONAS,
  seedUpstreamSandbox,
  syncInventory,
  startConsoleBackend,
  TEST_API_KEY,
} from '../__testUtils__/consoleBackend';

interface Row {
  method: 'get' | 'post' | 'delete' | 'patch' | 'put';
  /** The path as in openapi.yaml. */
  path: string;
  expected: Record<Persona, number>;
  paused?: boolean;
  body?: () => unknown;
  query?: Record<string, string>;
  /** Content-Type of a string body. */
  contentType?: string;
}

const ALLOWED_FOR_TEAM_A = {
  none: 401,
  viewer: 403,
  operatorOwnTeam: 0,
  operatorOtherTeam: 404,
  admin: 0,
  service: 0,
};
const ADMIN_ONLY = (ok: number): Record<Persona, number> => ({
  none: 401,
  viewer: 403,
  operatorOwnTeam: 403,
  operatorOtherTeam: 403,
  admin: ok,
  service: 403,
});
const mutation = (ok: number) =>
  Object.fromEntries(
    Object.entries(ALLOWED_FOR_TEAM_A).map(([k, v]) => [k, v === 0 ? ok : v]),
  ) as Record<Persona, number>;

const MATRIX: Row[] = [
  {
    method: 'get',
    path: '/teams',
    expected: {
      none: 401,
      viewer: 200,
      operatorOwnTeam: 200,
      operatorOtherTeam: 200,
      admin: 200,
      service: 200,
    },
  },
  {
    method: 'get',
    path: '/settings',
    expected: {
      none: 401,
      viewer: 200,
      operatorOwnTeam: 200,
      operatorOtherTeam: 200,
      admin: 200,
      service: 200,
    },
  },
  {
    method: 'get',
    path: '/sandboxes',
    expected: {
      none: 401,
      viewer: 200,
      operatorOwnTeam: 200,
      operatorOtherTeam: 200,
      admin: 200,
      service: 200,
    },
  },
  {
    method: 'post',
    path: '/sandboxes',
    expected: {
      none: 401,
      viewer: 403,
      operatorOwnTeam: 202,
      operatorOtherTeam: 403,
      admin: 202,
      service: 202,
    },
    body: () => ({
      image: { uri: 'alpine:3' },
      entrypoint: ['sh'],
      timeout: 600,
      resourceLimits: { cpu: '1', memory: '1Gi' },
      team: 'group:default/team-a',
    }),
  },
  {
    method: 'get',
    path: '/sandboxes/{sandboxId}',
    expected: {
      none: 401,
      viewer: 200,
      operatorOwnTeam: 200,
      operatorOtherTeam: 404,
      admin: 200,
      service: 200,
    },
  },
  { method: 'delete', path: '/sandboxes/{sandboxId}', expected: mutation(204) },
  {
    method: 'post',
    path: '/sandboxes/{sandboxId}/renew-expiration',
    expected: mutation(200),
    body: () => ({ expiresAt: new Date(Date.now() + 7200_000).toISOString() }),
  },
  {
    method: 'post',
    path: '/sandboxes/{sandboxId}/pause',
    expected: mutation(202),
  },
  {
    method: 'post',
    path: '/sandboxes/{sandboxId}/resume',
    expected: mutation(202),
    paused: true,
  },
  {
    method: 'patch',
    path: '/sandboxes/{sandboxId}/metadata',
    expected: mutation(200),
    body: () => ({ purpose: 'matrix' }),
  },
  {
    method: 'get',
    path: '/sandboxes/{sandboxId}/endpoints/{port}',
    expected: {
      none: 401,
      viewer: 200,
      operatorOwnTeam: 200,
      operatorOtherTeam: 404,
      admin: 200,
      service: 200,
    },
  },
  // Diagnostics: whoever may read the sandbox (tests/diagnostics.test.ts).
  {
    method: 'get',
    path: '/sandboxes/{sandboxId}/diagnostics/{kind}',
    expected: {
      none: 401,
      viewer: 200,
      operatorOwnTeam: 200,
      operatorOtherTeam: 404,
      admin: 200,
      service: 200,
    },
  },
  // Live status: every signed-in caller; the answer is filtered by its read permission (tests/liveStatus.test.ts).
  {
    method: 'get',
    path: '/changes',
    expected: {
      none: 401,
      viewer: 200,
      operatorOwnTeam: 200,
      operatorOtherTeam: 200,
      admin: 200,
      service: 200,
    },
    query: { since: '0' },
  },
  // A sandbox's history (docs/audit.md): whoever may read the sandbox (tests/sandboxHistory.test.ts).
  {
    method: 'get',
    path: '/sandboxes/{sandboxId}/history',
    expected: {
      none: 401,
      viewer: 200,
      operatorOwnTeam: 200,
      operatorOtherTeam: 404,
      admin: 200,
      service: 200,
    },
  },
  {
    method: 'get',
    path: '/audit-events',
    expected: {
      none: 401,
      viewer: 403,
      operatorOwnTeam: 403,
      operatorOtherTeam: 403,
      admin: 200,
      service: 403,
    },
  },
  // Role bindings (docs/governance.md): opensandbox.admin.manage, admins only.
  { method: 'get', path: '/admin/role-bindings', expected: ADMIN_ONLY(200) },
  {
    method: 'post',
    path: '/admin/role-bindings',
    expected: ADMIN_ONLY(201),
    body: () => ({
      subject: `user:default/matrix-${Math.random().toString(36).slice(2)}`,
      role: 'viewer',
    }),
  },
  // No binding has this id: 404 for admins, 403 for everyone else (nothing is revealed).
  {
    method: 'delete',
    path: '/admin/role-bindings/{bindingId}',
    expected: ADMIN_ONLY(404),
  },
  {
    method: 'get',
    path: '/admin/role-bindings/explain',
    expected: ADMIN_ONLY(200),
    query: { user: 'user:default/vic' },
  },
  {
    method: 'get',
    path: '/admin/role-bindings/export',
    expected: ADMIN_ONLY(200),
  },
  {
    method: 'post',
    path: '/admin/role-bindings/import',
    expected: ADMIN_ONLY(200),
    query: { mode: 'merge', dryRun: 'true' },
    contentType: 'application/yaml',
    body: () =>
      'bindings:\n  - { subject: group:default/team-b, role: viewer }\n',
  },
  // The role policy's internal route: the permission plugin's token only.
  { method: 'get', path: '/internal/role-bindings', expected: ADMIN_ONLY(403) },
  // Quotas (docs/governance.md): the caller's first team, 400 without one (the service, and pat,
  // whose only group grants a role); admin routes need opensandbox.admin.manage.
  // {team} is group:default/team-a; PUT runs before DELETE.
  {
    method: 'get',
    path: '/quotas',
    expected: {
      none: 401,
      viewer: 200,
      operatorOwnTeam: 200,
      operatorOtherTeam: 200,
      admin: 400,
      service: 400,
    },
  },
  { method: 'get', path: '/admin/quotas', expected: ADMIN_ONLY(200) },
  { method: 'get', path: '/admin/quotas/{team}', expected: ADMIN_ONLY(200) },
  {
    method: 'put',
    path: '/admin/quotas/{team}',
    expected: ADMIN_ONLY(200),
    body: () => ({}),
  },
  { method: 'delete', path: '/admin/quotas/{team}', expected: ADMIN_ONLY(204) },
  // Bulk actions (dry runs, the default): every signed-in caller gets 200 with a verdict per
  // sandbox; the decisions are per item (tests/bulk.test.ts).
  ...(['renew', 'pause', 'resume', 'delete'] as const).map(
    (action): Row => ({
      method: 'post',
      path: `/bulk/${action}`,
      expected: {
        none: 401,
        viewer: 200,
        operatorOwnTeam: 200,
        operatorOtherTeam: 200,
        admin: 200,
        service: 200,
      },
      body: () => ({
        items: [{ id: 'matrix-bulk-sandbox' }],
        ...(action === 'renew' ? { extendSeconds: 3600 } : {}),
      }),
    }),
  ),
];

describe('role matrix (real permission backend + role policy module)', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let server: Server;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
    server = await startConsoleBackend({ simulatorUrl: sim.url });
  });

  afterAll(async () => {
    await sim.close();
  });

  it('has exactly one row per route of openapi.yaml (a new route needs a row)', () => {
    const spec = parseYaml(
      readFileSync(join(__dirname, '..', '..', 'openapi.yaml'), 'utf8'),
    );
    const documented = Object.entries(
      spec.paths as Record<string, Record<string, unknown>>,
    )
      .flatMap(([path, item]) =>
        Object.keys(item)
          .filter(m => ['get', 'post', 'delete', 'patch', 'put'].includes(m))
          .map(m => `${m} ${path}`),
      )
      .filter(route => route !== 'get /health')
      .sort();
    expect(MATRIX.map(r => `${r.method} ${r.path}`).sort()).toEqual(documented);
  });

  const cells = MATRIX.flatMap(row =>
    PERSONAS.map(
      persona =>
        [
          `${row.method.toUpperCase()} ${row.path}`,
          persona,
          row.expected[persona],
          row,
        ] as const,
    ),
  );

  it.each(cells)('%s as %s → %i', async (_name, persona, expected, row) => {
    const id = await seedUpstreamSandbox(sim.url, {
      owner: 'ada',
      team: 'team-a',
      paused: row.paused,
    });
    const url = `/api/opensandbox${row.path
      .replace('{sandboxId}', id)
      .replace('{port}', '8080')
      .replace('{kind}', 'logs')
      .replace('{team}', encodeURIComponent('group:default/team-a'))}`;
    let req = (request(server) as any)
      [row.method](url)
      .set('Authorization', authHeader(persona));
    if (row.query) req = req.query(row.query);
    if (row.contentType) req = req.type(row.contentType);
    if (row.body) req = req.send(row.body());
    const res = await req;
    expect(res.status).toBe(expected);
  });

  it.each(PERSONAS.filter(p => p !== 'none'))(
    'the list shows a team-a sandbox to %s only if it may read it',
    async persona => {
      const id = await seedUpstreamSandbox(sim.url, {
        owner: 'ada',
        team: 'team-a',
      });
      await syncInventory(server);
      const res = await request(server)
        .get('/api/opensandbox/sandboxes')
        .query({ pageSize: 200 })
        .set('Authorization', authHeader(persona));
      expect(res.body.items.some((s: { id: string }) => s.id === id)).toBe(
        persona !== 'operatorOtherTeam',
      );
    },
  );
});
