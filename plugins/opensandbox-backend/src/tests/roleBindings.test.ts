/**
 * Role bindings in the database, through the admin API, against the REAL permission backend with
 * the ready role policy module (which reads the bindings from this plugin over HTTP), on SQLite
 * AND PostgreSQL: add / list / remove / explain / export / import, 403 for everyone but admins,
 * an audit row for every change (and every refused one), and the bindings in force for users and
 * for service principals.
 */
import type { Server } from 'node:http';
import request from 'supertest';
import { parse as parseYaml } from 'yaml';
import { TestDatabases } from '@backstage/backend-test-utils';
import { startSimulator } from '@opensandbox-console/opensandbox-simulator';
import {
  authHeader,
  Persona,
  startConsoleBackend,
  TEST_API_KEY,
  USERS,
} from '../__testUtils__/consoleBackend';
import { fakeCatalogPlugin } from '../__testUtils__/fakeCatalog';

jest.setTimeout(90_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const BASE = '/api/opensandbox/admin/role-bindings';

const createBody = (team?: string) => ({
  image: { uri: 'alpine:3' },
  entrypoint: ['sh'],
  timeout: 600,
  resourceLimits: { cpu: '1', memory: '1Gi' },
  ...(team ? { team } : {}),
});

describe.each(databases.eachSupportedId())(
  'role bindings on %s',
  databaseId => {
    let sim: Awaited<ReturnType<typeof startSimulator>>;
    let server: Server;

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
      server = await startConsoleBackend({
        simulatorUrl: sim.url,
        knex,
        extraFeatures: [fakeCatalogPlugin(USERS)],
      });
    });

    afterAll(async () => {
      await sim.close();
    });

    const as = (persona: Persona | string) => ({
      get: (url: string) =>
        request(server).get(url).set('Authorization', authHeader(persona)),
      post: (url: string) =>
        request(server).post(url).set('Authorization', authHeader(persona)),
      delete: (url: string) =>
        request(server).delete(url).set('Authorization', authHeader(persona)),
    });
    const admin = as('admin');

    async function auditRows(query: Record<string, string>) {
      const res = await admin.get('/api/opensandbox/audit-events').query(query);
      expect(res.status).toBe(200);
      return res.body.items as any[];
    }

    async function removeAll() {
      const list = await admin.get(BASE);
      for (const item of list.body.items)
        expect((await admin.delete(`${BASE}/${item.id}`)).status).toBe(204);
    }

    it('answers 401 without credentials and 403 to every caller without opensandbox.admin.manage, auditing refused changes', async () => {
      const routes = (who: ReturnType<typeof as>) => [
        who.get(BASE),
        who.post(BASE).send({ subject: 'user:default/vic', role: 'operator' }),
        who.delete(`${BASE}/00000000-0000-4000-8000-000000000000`),
        who.get(`${BASE}/explain`).query({ user: 'user:default/vic' }),
        who.get(`${BASE}/export`),
        who
          .post(`${BASE}/import`)
          .query({ mode: 'replace' })
          .type('application/yaml')
          .send('bindings: []\n'),
      ];
      for (const res of await Promise.all(routes(as('none'))))
        expect(res.status).toBe(401);
      for (const persona of [
        'viewer',
        'operatorOwnTeam',
        'operatorOtherTeam',
        'service',
      ] as const) {
        const answers = await Promise.all(routes(as(persona)));
        expect(answers.map(r => r.status)).toEqual([
          403, 403, 403, 403, 403, 403,
        ]);
        expect(answers[0].body.error.message).toContain(
          'opensandbox.admin.manage',
        );
      }
      const denied = await auditRows({
        outcome: 'denied',
        action: 'binding.create',
      });
      expect(denied.map(r => r.actor).sort()).toEqual([
        'external:ci-bot',
        'external:ci-bot',
        'user:default/ada',
        'user:default/ada',
        'user:default/bob',
        'user:default/bob',
        'user:default/vic',
        'user:default/vic',
      ]);
      expect(
        denied.every(r => r.httpStatus === 403 && r.sandboxId === null),
      ).toBe(true);
      const deniedDeletes = await auditRows({
        outcome: 'denied',
        action: 'binding.delete',
      });
      expect(deniedDeletes).toHaveLength(4);
      // Nothing was stored.
      expect((await admin.get(BASE)).body.items).toEqual([]);
      // The policy's internal route answers the permission plugin only.
      expect(
        (await as('viewer').get('/api/opensandbox/internal/role-bindings'))
          .status,
      ).toBe(403);
      expect(
        (await as('service').get('/api/opensandbox/internal/role-bindings'))
          .status,
      ).toBe(403);
    });

    it('adds, lists, explains and removes a binding; it is in force for the user at once; every change is audited', async () => {
      const vic = as('viewer');
      expect(
        (await vic.post('/api/opensandbox/sandboxes').send(createBody()))
          .status,
      ).toBe(403);

      const before = await admin
        .get(`${BASE}/explain`)
        .query({ user: 'user:default/vic' });
      expect(before.status).toBe(200);
      expect(before.body.groupsSource).toBe('catalog');
      expect(before.body.ownershipEntityRefs).toEqual([
        'user:default/vic',
        'group:default/team-a',
        'group:default/sandbox-viewers',
      ]);
      const decision = (body: any, name: string) =>
        body.permissions.find((p: any) => p.permission === name);
      expect(decision(before.body, 'opensandbox.sandbox.create')).toEqual({
        permission: 'opensandbox.sandbox.create',
        decision: 'deny',
        grantedBy: [],
      });
      expect(decision(before.body, 'opensandbox.sandbox.read').decision).toBe(
        'conditional',
      );

      const added = await admin.post(BASE).send({
        subject: 'User:default/Vic',
        role: 'operator',
        description: 'on call this week',
      });
      expect(added.status).toBe(201);
      expect(added.body).toMatchObject({
        subject: 'user:default/vic',
        subjectKind: 'user',
        role: 'operator',
        teams: [],
        exempt: false,
        description: 'on call this week',
        createdBy: 'user:default/pat',
      });
      const id = added.body.id;

      // In force for the user's next action (same process: the policy's cache was dropped).
      const created = await vic
        .post('/api/opensandbox/sandboxes')
        .send(createBody());
      expect(created.status).toBe(202);

      const again = await admin
        .post(BASE)
        .send({ subject: 'user:default/vic', role: 'operator' });
      expect(again.status).toBe(409);
      const invalid = await admin.post(BASE).send({
        subject: 'not a subject',
        role: 'owner',
        teams: ['user:default/x'],
        extra: 1,
      });
      expect(invalid.status).toBe(400);
      expect(invalid.body.error.fields.map((f: any) => f.field).sort()).toEqual(
        ['extra', 'role', 'subject', 'teams[0]'],
      );
      const scopedAdmin = await admin.post(BASE).send({
        subject: 'group:default/team-b',
        role: 'admin',
        teams: ['group:default/team-b'],
      });
      expect(scopedAdmin.status).toBe(400);
      expect(scopedAdmin.body.error.fields).toEqual([
        {
          field: 'teams',
          message: expect.stringContaining('cannot be scoped'),
        },
      ]);

      const list = await admin.get(BASE);
      expect(list.status).toBe(200);
      expect(list.body.items.map((b: any) => b.id)).toEqual([id]);
      expect(list.body.config).toEqual(
        expect.arrayContaining([
          {
            source: 'config',
            subject: 'group:default/platform',
            subjectKind: 'group',
            role: 'admin',
            teams: [],
          },
          {
            source: 'config',
            subject: 'external:ci-bot',
            subjectKind: 'service',
            role: 'operator',
            teams: ['group:default/team-a'],
          },
        ]),
      );
      expect(list.body).toMatchObject({ defaultRole: null, cacheSeconds: 10 });

      const explained = await admin
        .get(`${BASE}/explain`)
        .query({ user: 'user:default/vic' });
      expect(decision(explained.body, 'opensandbox.sandbox.create')).toEqual({
        permission: 'opensandbox.sandbox.create',
        decision: 'allow',
        grantedBy: [
          {
            bindingId: id,
            source: 'database',
            subject: 'user:default/vic',
            role: 'operator',
            grants: 'all',
          },
        ],
      });
      expect(
        decision(explained.body, 'opensandbox.sandbox.delete'),
      ).toMatchObject({
        decision: 'conditional',
        scope: {
          owner: 'user:default/vic',
          teams: ['group:default/sandbox-viewers', 'group:default/team-a'],
        },
      });
      expect(
        decision(explained.body, 'opensandbox.admin.manage').decision,
      ).toBe('deny');
      expect(
        explained.body.matched.map((m: any) => [m.source, m.subject, m.role]),
      ).toEqual([
        ['config', 'group:default/sandbox-viewers', 'viewer'],
        ['database', 'user:default/vic', 'operator'],
      ]);
      const unknown = await admin
        .get(`${BASE}/explain`)
        .query({ user: 'user:default/nobody' });
      expect(unknown.body).toMatchObject({
        groupsSource: 'not-in-catalog',
        ownershipEntityRefs: ['user:default/nobody'],
      });
      expect(
        (
          await admin
            .get(`${BASE}/explain`)
            .query({ user: 'group:default/team-a' })
        ).status,
      ).toBe(400);

      expect((await admin.delete(`${BASE}/${id}`)).status).toBe(204);
      expect((await admin.delete(`${BASE}/${id}`)).status).toBe(404);
      expect(
        (await vic.post('/api/opensandbox/sandboxes').send(createBody()))
          .status,
      ).toBe(403);

      const creates = await auditRows({
        action: 'binding.create',
        outcome: 'succeeded',
      });
      expect(creates).toHaveLength(1);
      expect(creates[0]).toMatchObject({
        actor: 'user:default/pat',
        actorType: 'user',
        httpStatus: 201,
        channel: 'http',
      });
      expect(creates[0].details.before).toBeNull();
      expect(creates[0].details.after).toMatchObject({
        id,
        subject: 'user:default/vic',
        role: 'operator',
      });
      const failed = await auditRows({
        action: 'binding.create',
        outcome: 'failed',
      });
      expect(failed.map(r => r.httpStatus)).toEqual([409]);
      const deletes = await auditRows({
        action: 'binding.delete',
        outcome: 'succeeded',
      });
      expect(deletes).toHaveLength(1);
      expect(deletes[0].details.before).toMatchObject({
        id,
        subject: 'user:default/vic',
      });
      expect(deletes[0].details.after).toBeNull();
    });

    it('lets a user with no config role, bound to operator for team-a through the API, create for team-a only', async () => {
      const newbie = as('user:default/newbie');
      expect(
        (
          await newbie
            .post('/api/opensandbox/sandboxes')
            .send(createBody('group:default/team-a'))
        ).status,
      ).toBe(403);
      const added = await admin.post(BASE).send({
        subject: 'user:default/newbie',
        role: 'operator',
        teams: ['group:default/team-a'],
      });
      expect(added.status).toBe(201);
      const created = await newbie
        .post('/api/opensandbox/sandboxes')
        .send(createBody('group:default/team-a'));
      expect(created.status).toBe(202);
      expect(created.body.ownership).toMatchObject({
        owner: 'user:default/newbie',
        team: 'group:default/team-a',
      });
      expect(
        (await newbie.get(`/api/opensandbox/sandboxes/${created.body.id}`))
          .status,
      ).toBe(200);
      // Scoped: team-b's sandboxes are not theirs to create.
      expect(
        (
          await newbie
            .post('/api/opensandbox/sandboxes')
            .send(createBody('group:default/team-b'))
        ).status,
      ).toBe(403);
      await removeAll();
    });

    it('gives service principals their database bindings too (ServiceRolePermissions)', async () => {
      const ciBot = as('service');
      expect(
        (
          await ciBot
            .post('/api/opensandbox/sandboxes')
            .send(createBody('group:default/team-b'))
        ).status,
      ).toBe(403);
      const added = await admin.post(BASE).send({
        subject: 'external:ci-bot',
        role: 'operator',
        teams: ['group:default/team-b'],
      });
      expect(added.status).toBe(201);
      expect(added.body.subjectKind).toBe('service');
      expect(
        (
          await ciBot
            .post('/api/opensandbox/sandboxes')
            .send(createBody('group:default/team-b'))
        ).status,
      ).toBe(202);
      // Not an admin: still no binding management.
      expect((await ciBot.get(BASE)).status).toBe(403);
      await removeAll();
      expect(
        (
          await ciBot
            .post('/api/opensandbox/sandboxes')
            .send(createBody('group:default/team-b'))
        ).status,
      ).toBe(403);
    });

    it('exports YAML and imports it (dry run, merge, replace), one audit event per change', async () => {
      await removeAll();
      expect(
        (
          await admin
            .post(BASE)
            .send({ subject: 'group:default/team-b', role: 'viewer' })
        ).status,
      ).toBe(201);
      expect(
        (
          await admin.post(BASE).send({
            subject: 'user:default/vic',
            role: 'operator',
            exempt: true,
          })
        ).status,
      ).toBe(201);

      const exported = await admin.get(`${BASE}/export`);
      expect(exported.status).toBe(200);
      expect(exported.headers['content-type']).toMatch(/^application\/yaml/);
      expect(exported.headers['content-disposition']).toContain(
        'opensandbox-role-bindings.yaml',
      );
      expect(parseYaml(exported.text)).toEqual({
        apiVersion: 'opensandbox.console/v1',
        kind: 'RoleBindings',
        bindings: [
          { subject: 'group:default/team-b', role: 'viewer' },
          { subject: 'user:default/vic', role: 'operator', exempt: true },
        ],
      });
      const withConfig = parseYaml(
        (await admin.get(`${BASE}/export`).query({ includeConfig: 'true' }))
          .text,
      );
      expect(withConfig.bindings).toHaveLength(2 + 4);

      const doc = `apiVersion: opensandbox.console/v1
kind: RoleBindings
bindings:
  - subject: user:default/vic
    role: operator
  - subject: group:default/team-c
    role: operator
    teams: [group:default/team-c]
    description: from git
`;
      const importRows = async () =>
        (await auditRows({ action: 'binding.create' })).length +
        (await auditRows({ action: 'binding.delete' })).length;
      const rowsBefore = await importRows();

      const dry = await admin
        .post(`${BASE}/import`)
        .query({ mode: 'replace', dryRun: 'true' })
        .type('application/yaml')
        .send(doc);
      expect(dry.status).toBe(200);
      expect(dry.body).toMatchObject({
        dryRun: true,
        mode: 'replace',
        unchanged: 0,
      });
      // vic's binding differs in `exempt`: removed and added again; team-b's is not in the file.
      expect(dry.body.created.map((b: any) => b.subject).sort()).toEqual([
        'group:default/team-c',
        'user:default/vic',
      ]);
      expect(dry.body.deleted.map((b: any) => b.subject).sort()).toEqual([
        'group:default/team-b',
        'user:default/vic',
      ]);
      expect((await admin.get(BASE)).body.items).toHaveLength(2);
      expect(await importRows()).toBe(rowsBefore);

      const merged = await admin
        .post(`${BASE}/import`)
        .query({ mode: 'merge' })
        .type('application/yaml')
        .send(doc);
      expect(merged.status).toBe(200);
      expect(merged.body).toMatchObject({
        dryRun: false,
        mode: 'merge',
        unchanged: 0,
      });
      expect(merged.body.created).toHaveLength(2);
      expect(merged.body.deleted.map((b: any) => b.subject)).toEqual([
        'user:default/vic',
      ]);
      const afterMerge = (await admin.get(BASE)).body.items
        .map((b: any) => `${b.subject} ${b.role} ${b.exempt}`)
        .sort();
      expect(afterMerge).toEqual([
        'group:default/team-b viewer false',
        'group:default/team-c operator false',
        'user:default/vic operator false',
      ]);

      const replaced = await admin
        .post(`${BASE}/import`)
        .query({ mode: 'replace' })
        .type('text/yaml')
        .send(doc);
      expect(replaced.body).toMatchObject({ created: [], unchanged: 2 });
      expect(replaced.body.deleted.map((b: any) => b.subject)).toEqual([
        'group:default/team-b',
      ]);
      expect(
        (await admin.get(BASE)).body.items.map((b: any) => b.subject).sort(),
      ).toEqual(['group:default/team-c', 'user:default/vic']);

      // merge: 1 delete + 2 creates; replace: 1 delete. One batch id per import.
      expect((await importRows()) - rowsBefore).toBe(4);
      const batches = (
        await auditRows({ action: 'binding.delete', outcome: 'succeeded' })
      )
        .filter(r => r.batchId)
        .map(r => r.batchId);
      expect(new Set(batches).size).toBe(2);
      const mergeCreates = (
        await auditRows({ action: 'binding.create', outcome: 'succeeded' })
      ).filter(r => r.batchId);
      expect(mergeCreates).toHaveLength(2);
      expect(
        mergeCreates.every(
          r => r.details.import === 'merge' && r.details.after.id,
        ),
      ).toBe(true);

      // An import with nothing to do changes nothing and writes nothing.
      const rowsNow = await importRows();
      expect(
        (
          await admin
            .post(`${BASE}/import`)
            .query({ mode: 'replace' })
            .type('application/yaml')
            .send(doc)
        ).body,
      ).toMatchObject({ created: [], deleted: [], unchanged: 2 });
      expect(await importRows()).toBe(rowsNow);

      const bad = await admin
        .post(`${BASE}/import`)
        .type('application/yaml')
        .send(
          'kind: RoleBindings\nbindings:\n  - subject: user:default/vic\n    role: owner\n  - { subject: user:default/vic, role: operator }\n  - { subject: user:default/vic, role: operator }\n',
        );
      expect(bad.status).toBe(400);
      expect(bad.body.error.fields.map((f: any) => f.field)).toEqual([
        'bindings[0].role',
        'bindings[2]',
      ]);
      expect(
        (await admin.post(`${BASE}/import`).send({ bindings: [] })).status,
      ).toBe(400);
      expect(
        (
          await admin
            .post(`${BASE}/import`)
            .query({ mode: 'sync' })
            .type('application/yaml')
            .send(doc)
        ).status,
      ).toBe(400);
      expect(
        (
          await admin
            .post(`${BASE}/import`)
            .type('application/yaml')
            .send('bindings: [unclosed\n')
        ).status,
      ).toBe(400);
      await removeAll();
    });
  },
);
