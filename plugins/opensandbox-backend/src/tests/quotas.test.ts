/**
 * Team quotas and caps through the HTTP API, on SQLite AND PostgreSQL: every limit refuses with
 * 403 naming the limit, its value and the usage or request, before any upstream call, audited
 * `denied`; sandboxes created outside the console count; admins are exempt; the admin API
 * changes limits at once (audited with before/after); `GET /quotas` shows what applies.
 */
import type { Server } from 'node:http';
import { TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import { startSimulator } from '@opensandbox-console/opensandbox-simulator';
import {
  authHeader,
  seedUpstreamSandbox,
  startConsoleBackend,
  syncInventory,
  TEST_API_KEY,
} from '../__testUtils__/consoleBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const body = {
  image: { uri: 'alpine:3' },
  entrypoint: ['sh'],
  timeout: 3600,
  resourceLimits: { cpu: '1', memory: '1Gi' },
};
const ada = authHeader('operatorOwnTeam'); // team-a
const bob = authHeader('operatorOtherTeam'); // team-b
const admin = authHeader('admin'); // pat: admin role, platform team
const quotas = {
  default: {
    maxSandboxes: 50,
    maxTimeoutSeconds: 7200,
    maxRenewSeconds: 7200,
    allowedImageRegistries: ['docker.io/library/', 'registry.example.com'],
    maxCpu: '2',
    maxMemory: '4Gi',
  },
  teams: { 'group:default/team-a': { maxSandboxes: 2 } },
};
const TEAM_B = encodeURIComponent('group:default/team-b');

describe.each(databases.eachSupportedId())(
  'quotas and caps on %s',
  databaseId => {
    let sim: Awaited<ReturnType<typeof startSimulator>>;
    let server: Server;

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
      server = await startConsoleBackend({
        simulatorUrl: sim.url,
        knex,
        extraConfig: { quotas },
      });
    });
    afterAll(() => sim.close());
    beforeEach(async () => {
      await fetch(`${sim.url}/_simulator/requests`, { method: 'DELETE' });
    });

    /** Upstream creates since the last reset of the request log. */
    async function upstreamCreates(): Promise<number> {
      const log = await (await fetch(`${sim.url}/_simulator/requests`)).json();
      return (Array.isArray(log) ? log : log.requests).filter(
        (r: any) => r.method === 'POST' && r.path === '/v1/sandboxes',
      ).length;
    }
    async function events(query: Record<string, string>) {
      const res = await request(server)
        .get('/api/opensandbox/audit-events')
        .query(query)
        .set('Authorization', admin);
      expect(res.status).toBe(200);
      return res.body.items as any[];
    }
    const create = (auth: string, extra: Record<string, unknown> = {}) =>
      request(server)
        .post('/api/opensandbox/sandboxes')
        .set('Authorization', auth)
        .send({ ...body, ...extra });

    it('refuses a create over maxSandboxes, counting sandboxes created outside the console; admins are exempt', async () => {
      await seedUpstreamSandbox(sim.url, { owner: 'someone', team: 'team-a' });
      await syncInventory(server);
      await fetch(`${sim.url}/_simulator/requests`, { method: 'DELETE' });

      expect((await create(ada)).status).toBe(202);
      const refused = await create(ada, { metadata: { name: 'one-too-many' } });
      expect(refused.status).toBe(403);
      expect(refused.body.error).toMatchObject({
        name: 'QuotaExceededError',
        message:
          'team-a has 2 of 2 sandboxes (quota maxSandboxes = 2); delete sandboxes the team no longer needs, or ask an administrator to raise the quota.',
        quota: {
          team: 'group:default/team-a',
          limit: 'maxSandboxes',
          value: 2,
          usage: 2,
        },
        requestId: refused.headers['x-request-id'],
      });
      expect(await upstreamCreates()).toBe(1);

      const exempt = await create(admin, { team: 'group:default/team-a' });
      expect(exempt.status).toBe(202);
      expect(await upstreamCreates()).toBe(2);

      const rows = await events({
        action: 'sandbox.create',
        team: 'group:default/team-a',
      });
      expect(
        rows.map(r => [r.actor, r.outcome, r.httpStatus, r.errorCode]),
      ).toEqual([
        ['user:default/pat', 'succeeded', 202, null],
        ['user:default/ada', 'denied', 403, 'QuotaExceededError'],
        ['user:default/ada', 'succeeded', 202, null],
      ]);
      expect(rows[1].errorMessage).toContain('team-a has 2 of 2 sandboxes');

      const status = await request(server)
        .get('/api/opensandbox/quotas')
        .set('Authorization', ada);
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({
        team: 'group:default/team-a',
        limits: {
          maxSandboxes: 2,
          maxTimeoutSeconds: 7200,
          maxCpu: '2',
          maxMemory: '4Gi',
        },
        sources: { maxSandboxes: 'config:team', maxCpu: 'config:default' },
        usage: { sandboxes: 3, reserved: 0 },
        remaining: 0,
        exempt: false,
      });
    });

    it('exempts a caller named by a role binding marked exempt, while the binding exists', async () => {
      // team-a is over its quota (previous test): ada is refused...
      expect((await create(ada)).status).toBe(403);
      const binding = await request(server)
        .post('/api/opensandbox/admin/role-bindings')
        .set('Authorization', admin)
        .send({
          subject: 'user:default/ada',
          role: 'operator',
          exempt: true,
          description: 'quota exemption test',
        });
      expect(binding.status).toBe(201);
      // ...until a binding marks her exempt (in force at once on this replica).
      expect(
        (
          await request(server)
            .get('/api/opensandbox/quotas')
            .set('Authorization', ada)
        ).body.exempt,
      ).toBe(true);
      expect((await create(ada)).status).toBe(202);
      expect(
        (
          await request(server)
            .delete(`/api/opensandbox/admin/role-bindings/${binding.body.id}`)
            .set('Authorization', admin)
        ).status,
      ).toBe(204);
      const again = await create(ada);
      expect(again.status).toBe(403);
      expect(again.body.error.message).toMatch(/^team-a has 4 of 2 sandboxes/);
    });

    it('refuses creates over each per-sandbox cap, naming the cap, its value and the request', async () => {
      const cases: Array<[Record<string, unknown>, string, string, string]> = [
        [
          { timeout: 7201 },
          'maxTimeoutSeconds',
          'timeout',
          'team-b may create sandboxes with a timeout of at most 7200 seconds (cap maxTimeoutSeconds = 7200); this request asks for 7201 seconds.',
        ],
        [
          { timeout: null },
          'maxTimeoutSeconds',
          'timeout',
          'team-b may create sandboxes with a timeout of at most 7200 seconds (cap maxTimeoutSeconds = 7200); this request asks for no expiration.',
        ],
        [
          { image: { uri: 'ghcr.io/acme/app:1' } },
          'allowedImageRegistries',
          'image.uri',
          'team-b may use images from docker.io/library/, registry.example.com only (cap allowedImageRegistries); ghcr.io/acme/app:1 is not from one of them.',
        ],
        [
          { image: { uri: 'registry.example.com.evil.io/app' } },
          'allowedImageRegistries',
          'image.uri',
          'team-b may use images from docker.io/library/, registry.example.com only (cap allowedImageRegistries); registry.example.com.evil.io/app is not from one of them.',
        ],
        [
          { resourceLimits: { cpu: '2500m', memory: '1Gi' } },
          'maxCpu',
          'resourceLimits.cpu',
          'team-b may give a sandbox at most 2 CPU (cap maxCpu = 2); this request asks for 2500m.',
        ],
        [
          { resourceLimits: { cpu: '500m', memory: '5Gi' } },
          'maxMemory',
          'resourceLimits.memory',
          'team-b may give a sandbox at most 4Gi memory (cap maxMemory = 4Gi); this request asks for 5Gi.',
        ],
        [
          { resourceLimits: { cpu: '500m' } },
          'maxMemory',
          'resourceLimits.memory',
          'team-b may give a sandbox at most 4Gi memory (cap maxMemory = 4Gi); this request sets no resourceLimits.memory.',
        ],
      ];
      for (const [extra, limit, field, message] of cases) {
        const res = await create(bob, extra);
        expect(res.status).toBe(403);
        expect(res.body.error).toMatchObject({
          name: 'CapExceededError',
          message,
          quota: { limit },
          fields: [{ field, message }],
        });
      }
      expect(await upstreamCreates()).toBe(0);
      const rows = await events({
        action: 'sandbox.create',
        actor: 'user:default/bob',
        outcome: 'denied',
      });
      expect(rows.map(r => r.errorCode)).toEqual(
        Array(cases.length).fill('CapExceededError'),
      );

      // At the caps exactly (4096Mi = 4Gi, 2000m = 2): accepted.
      const ok = await create(bob, {
        timeout: 7200,
        image: { uri: 'registry.example.com/app:1' },
        resourceLimits: { cpu: '2000m', memory: '4096Mi' },
      });
      expect(ok.status).toBe(202);
      // An admin is exempt from caps too.
      expect(
        (
          await create(admin, {
            timeout: 86400,
            image: { uri: 'ghcr.io/acme/app:1' },
          })
        ).status,
      ).toBe(202);
    });

    it('refuses a renewal beyond maxRenewSeconds from now, allows one within it', async () => {
      const created = await create(bob);
      expect(created.status).toBe(202);
      const id = created.body.id;
      const far = new Date(Date.now() + 7300_000)
        .toISOString()
        .replace(/\.\d+Z$/, 'Z');
      const refused = await request(server)
        .post(`/api/opensandbox/sandboxes/${id}/renew-expiration`)
        .set('Authorization', bob)
        .send({ expiresAt: far });
      expect(refused.status).toBe(403);
      expect(refused.body.error.name).toBe('CapExceededError');
      expect(refused.body.error.message).toMatch(
        /^team-b may renew sandboxes to at most 7200 seconds from now \(cap maxRenewSeconds = 7200\); this renewal asks for 7\d{3} seconds\.$/,
      );
      const near = new Date(
        Date.parse(created.body.expiresAt) + 600_000,
      ).toISOString();
      expect(
        (
          await request(server)
            .post(`/api/opensandbox/sandboxes/${id}/renew-expiration`)
            .set('Authorization', bob)
            .send({ expiresAt: near })
        ).status,
      ).toBe(200);
      const rows = await events({ sandboxId: id, action: 'sandbox.renew' });
      expect(rows.map(r => [r.outcome, r.httpStatus, r.errorCode])).toEqual([
        ['succeeded', 200, null],
        ['denied', 403, 'CapExceededError'],
      ]);
    });

    it('refuses a resume while the team is over its quota; a database override applies at once and its removal restores the config', async () => {
      const paused = await seedUpstreamSandbox(sim.url, {
        owner: 'bob',
        team: 'team-b',
        paused: true,
      });
      await syncInventory(server);
      const usage = (
        await request(server)
          .get('/api/opensandbox/quotas')
          .set('Authorization', bob)
      ).body.usage;
      const used = usage.sandboxes + usage.reserved;
      expect(used).toBeGreaterThanOrEqual(2);

      const put = await request(server)
        .put(`/api/opensandbox/admin/quotas/${TEAM_B}`)
        .set('Authorization', admin)
        .send({ maxSandboxes: 1 });
      expect(put.status).toBe(200);
      await fetch(`${sim.url}/_simulator/requests`, { method: 'DELETE' });
      const refused = await request(server)
        .post(`/api/opensandbox/sandboxes/${paused}/resume`)
        .set('Authorization', bob);
      expect(refused.status).toBe(403);
      expect(refused.body.error).toMatchObject({
        name: 'QuotaExceededError',
        message: `team-b has ${used} of 1 sandboxes (quota maxSandboxes = 1); a sandbox can be resumed once the team is within its quota again.`,
      });
      const log = await (await fetch(`${sim.url}/_simulator/requests`)).json();
      expect(
        (Array.isArray(log) ? log : log.requests)
          .filter((r: any) => r.method === 'POST')
          .map((r: any) => r.path),
      ).toEqual([]);

      expect(
        (
          await request(server)
            .delete(`/api/opensandbox/admin/quotas/${TEAM_B}`)
            .set('Authorization', admin)
        ).status,
      ).toBe(204);
      expect(
        (
          await request(server)
            .post(`/api/opensandbox/sandboxes/${paused}/resume`)
            .set('Authorization', bob)
        ).status,
      ).toBe(202);
      const rows = await events({
        sandboxId: paused,
        action: 'sandbox.resume',
      });
      expect(rows.map(r => [r.outcome, r.httpStatus, r.errorCode])).toEqual([
        ['succeeded', 202, null],
        ['denied', 403, 'QuotaExceededError'],
      ]);
    });

    it('admin API: lists layers, replaces and removes overrides (audited with before/after), refuses non-admins', async () => {
      const denied = await request(server)
        .put(`/api/opensandbox/admin/quotas/${TEAM_B}`)
        .set('Authorization', bob)
        .send({ maxSandboxes: 99 });
      expect(denied.status).toBe(403);
      expect(denied.body.error.message).toBe(
        'You are not allowed to manage quotas (opensandbox.admin.manage)',
      );
      expect(
        (
          await request(server)
            .get('/api/opensandbox/admin/quotas')
            .set('Authorization', ada)
        ).status,
      ).toBe(403);

      const invalid = await request(server)
        .put(`/api/opensandbox/admin/quotas/${TEAM_B}`)
        .set('Authorization', admin)
        .send({ maxSandboxes: -1, maxMemory: 'lots', extra: 1 });
      expect(invalid.status).toBe(400);
      expect(invalid.body.error.fields.map((f: any) => f.field).sort()).toEqual(
        ['extra', 'maxMemory', 'maxSandboxes'],
      );
      // A registry written as a URL would never match an image reference: refused, named.
      const withScheme = await request(server)
        .put(`/api/opensandbox/admin/quotas/${TEAM_B}`)
        .set('Authorization', admin)
        .send({ allowedImageRegistries: ['https://ghcr.io/acme/'] });
      expect(withScheme.status).toBe(400);
      expect(withScheme.body.error.fields).toEqual([
        {
          field: 'allowedImageRegistries',
          message:
            'must be a list of at most 100 image prefixes such as "registry.example.com" or "ghcr.io/acme/", without a scheme (an empty list allows no image)',
        },
      ]);
      expect(
        (
          await request(server)
            .put('/api/opensandbox/admin/quotas/user:default%2Fada')
            .set('Authorization', admin)
            .send({})
        ).status,
      ).toBe(400);

      const put = await request(server)
        .put(`/api/opensandbox/admin/quotas/${TEAM_B}`)
        .set('Authorization', admin)
        .send({
          maxSandboxes: 7,
          maxCpu: null,
          allowedImageRegistries: ['ghcr.io/acme/'],
        });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({
        team: 'group:default/team-b',
        config: null,
        override: {
          limits: {
            maxSandboxes: 7,
            maxCpu: null,
            allowedImageRegistries: ['ghcr.io/acme/'],
          },
          updatedBy: 'user:default/pat',
        },
        effective: {
          limits: {
            maxSandboxes: 7,
            maxCpu: null,
            maxMemory: '4Gi',
            allowedImageRegistries: ['ghcr.io/acme/'],
          },
          sources: {
            maxSandboxes: 'database:team',
            maxCpu: 'database:team',
            maxMemory: 'config:default',
          },
        },
      });
      // In force at once: a large CPU passes, the old registry does not.
      expect(
        (await create(bob, { resourceLimits: { cpu: '16', memory: '1Gi' } }))
          .body.error.quota.limit,
      ).toBe('allowedImageRegistries');

      const list = await request(server)
        .get('/api/opensandbox/admin/quotas')
        .set('Authorization', admin);
      expect(list.status).toBe(200);
      expect(list.body.items.map((i: any) => i.team)).toEqual([
        'default',
        'group:default/team-a',
        'group:default/team-b',
      ]);
      expect(list.body.items[0]).toMatchObject({
        config: quotas.default,
        override: null,
      });
      expect(
        (
          await request(server)
            .get(`/api/opensandbox/admin/quotas/${TEAM_B}`)
            .set('Authorization', admin)
        ).body.override.limits.maxSandboxes,
      ).toBe(7);

      const second = await request(server)
        .put(`/api/opensandbox/admin/quotas/default`)
        .set('Authorization', admin)
        .send({ maxSandboxes: 60 });
      expect(second.body.effective.sources.maxSandboxes).toBe(
        'database:default',
      );
      expect(
        (
          await request(server)
            .delete('/api/opensandbox/admin/quotas/default')
            .set('Authorization', admin)
        ).status,
      ).toBe(204);
      expect(
        (
          await request(server)
            .delete(`/api/opensandbox/admin/quotas/${TEAM_B}`)
            .set('Authorization', admin)
        ).status,
      ).toBe(204);
      const again = await request(server)
        .delete(`/api/opensandbox/admin/quotas/${TEAM_B}`)
        .set('Authorization', admin);
      expect(again.status).toBe(404);
      expect(again.body.error.message).toBe(
        'There is no database quota for team-b; the config applies.',
      );

      const updates = await events({
        action: 'quota.update',
        team: 'group:default/team-b',
      });
      const mine = updates.filter(
        r =>
          r.details.request?.maxSandboxes === 7 ||
          r.actor === 'user:default/bob',
      );
      expect(mine.map(r => [r.actor, r.outcome, r.httpStatus])).toEqual([
        ['user:default/pat', 'succeeded', 200],
        ['user:default/bob', 'denied', 403],
      ]);
      expect(mine[0].details).toMatchObject({
        quota: 'group:default/team-b',
        before: null,
        after: {
          maxSandboxes: 7,
          maxCpu: null,
          allowedImageRegistries: ['ghcr.io/acme/'],
        },
      });
      // Newest first; the resume test above removed an earlier override of team-b.
      const deletes = (
        await events({ action: 'quota.delete', team: 'group:default/team-b' })
      ).slice(0, 2);
      expect(deletes.map(r => [r.outcome, r.httpStatus])).toEqual([
        ['failed', 404],
        ['succeeded', 204],
      ]);
      expect(deletes[1].details).toMatchObject({
        before: { maxSandboxes: 7 },
        after: null,
      });
      const defaults = await events({ action: 'quota.delete' });
      expect(
        defaults.some(
          r =>
            r.details.quota === 'default' &&
            r.details.before.maxSandboxes === 60 &&
            r.team === null,
        ),
      ).toBe(true);
    });

    it("GET /quotas answers for the caller's own teams only (admins: any team)", async () => {
      const own = await request(server)
        .get('/api/opensandbox/quotas')
        .query({ team: 'group:default/team-a' })
        .set('Authorization', ada);
      expect(own.status).toBe(200);
      const other = await request(server)
        .get('/api/opensandbox/quotas')
        .query({ team: 'group:default/team-b' })
        .set('Authorization', ada);
      expect(other.status).toBe(403);
      expect(other.body.error.message).toBe(
        'You may see the quotas of your own teams only; team-b is not one of them',
      );
      const byAdmin = await request(server)
        .get('/api/opensandbox/quotas')
        .query({ team: 'group:default/team-b' })
        .set('Authorization', admin);
      expect(byAdmin.status).toBe(200);
      expect(byAdmin.body).toMatchObject({
        team: 'group:default/team-b',
        exempt: true,
        limits: { maxSandboxes: 50 },
      });
      expect(
        (
          await request(server)
            .get('/api/opensandbox/quotas')
            .query({ team: 'user:default/ada' })
            .set('Authorization', ada)
        ).status,
      ).toBe(400);
    });
  },
);
