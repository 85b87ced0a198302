/**
 * The staleness bound of database role bindings across replicas: TWO console backends (each with
 * its own permission plugin and role policy, as in a deployment with two replicas) on ONE
 * PostgreSQL database. A binding added through one replica is in force on the other within
 * `opensandbox.permissionPolicy.roleBindings.cacheSeconds` (2 s here), and a removal likewise —
 * for users (the role policy's cache) and for service principals (the console's own cache); a
 * removal stops applying to requests through the console on the other replica within that bound
 * plus `opensandbox.permissionDecisions.cacheSeconds` (1 s here: its decision cache). No
 * fixed sleeps: each check polls for its condition with a deadline slightly above the bound.
 */
import type { Server } from 'node:http';
import request from 'supertest';
import knexFactory, { Knex } from 'knex';
import { TestDatabases } from '@backstage/backend-test-utils';
import { startSimulator } from '@opensandbox-console/opensandbox-simulator';
import {
  authHeader,
  startConsoleBackend,
  TEST_API_KEY,
} from '../__testUtils__/consoleBackend';

jest.setTimeout(90_000);

const CACHE_SECONDS = 2;
/** Scheduling slack on top of the bound (a loaded CI machine). */
const SLACK_MS = 1500;
const BOUND_MS = CACHE_SECONDS * 1000;
/** `opensandbox.permissionDecisions.cacheSeconds` of both replicas. */
const DECISION_CACHE_SECONDS = 1;
/** A removed binding stops applying to requests through the console within both caches. */
const REVOKE_BOUND_MS = (CACHE_SECONDS + DECISION_CACHE_SECONDS) * 1000;

const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

const permissionPolicy = {
  defaultRole: 'none',
  otherPermissions: 'allow',
  roles: {
    admin: ['group:default/platform'],
    operator: ['group:default/sandbox-operators'],
    viewer: ['group:default/sandbox-viewers'],
  },
  services: [
    {
      subject: 'external:ci-bot',
      role: 'operator',
      teams: ['group:default/team-a'],
    },
  ],
  roleBindings: { cacheSeconds: CACHE_SECONDS },
};

/** Polls `check` until it returns true; @returns ms from `since` to the first true, or throws at the deadline. */
async function inForceWithin(
  check: () => Promise<boolean>,
  since: number,
  deadlineMs: number,
): Promise<number> {
  for (;;) {
    if (await check()) return Date.now() - since;
    if (Date.now() - since > deadlineMs)
      throw new Error(`not in force after ${deadlineMs} ms`);
    await new Promise(r => setTimeout(r, 25));
  }
}

describe.each(databases.eachSupportedId())(
  'role bindings across two replicas on %s',
  databaseId => {
    let sim: Awaited<ReturnType<typeof startSimulator>>;
    let replicaA: Server;
    let replicaB: Server;
    let knexB: Knex;

    beforeAll(async () => {
      const knexA = await databases.init(databaseId);
      // The second replica has its own connection pool to the same database.
      knexB = knexFactory(knexA.client.config);
      sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
      replicaA = await startConsoleBackend({
        simulatorUrl: sim.url,
        knex: knexA,
        extraConfig: {
          permissionPolicy,
          permissionDecisions: { cacheSeconds: DECISION_CACHE_SECONDS },
        },
      });
      replicaB = await startConsoleBackend({
        simulatorUrl: sim.url,
        knex: knexB,
        extraConfig: {
          permissionPolicy,
          permissionDecisions: { cacheSeconds: DECISION_CACHE_SECONDS },
        },
      });
    });

    afterAll(async () => {
      await sim.close();
      await knexB?.destroy();
    });

    /** The permission backend of `server` decides `opensandbox.sandbox.create` for vic (a viewer). */
    async function vicMayCreate(server: Server): Promise<boolean> {
      const res = await request(server)
        .post('/api/permission/authorize')
        .set('Authorization', authHeader('viewer'))
        .send({
          items: [
            {
              id: 'probe',
              permission: {
                type: 'basic',
                name: 'opensandbox.sandbox.create',
                attributes: { action: 'create' },
              },
            },
          ],
        });
      expect(res.status).toBe(200);
      return res.body.items[0].result === 'ALLOW';
    }

    it('a binding added through replica A is in force on replica B within cacheSeconds, and its removal through B on A', async () => {
      // Both replicas have decided vic recently: their caches hold "no database bindings".
      expect(await vicMayCreate(replicaA)).toBe(false);
      const warmedAt = Date.now();
      expect(await vicMayCreate(replicaB)).toBe(false);

      const added = await request(replicaA)
        .post('/api/opensandbox/admin/role-bindings')
        .set('Authorization', authHeader('admin'))
        .send({ subject: 'user:default/vic', role: 'operator' });
      expect(added.status).toBe(201);
      const committedAt = Date.now();

      // A (the replica that made the change) is told at once; B is not: it still serves its cached
      // copy while that is younger than the bound (checked only when this probe is surely early).
      expect(await vicMayCreate(replicaA)).toBe(true);
      const early = await vicMayCreate(replicaB);
      const surelyEarly = Date.now() - warmedAt < BOUND_MS - 500;
      expect(surelyEarly ? early : false).toBe(false);

      const tookB = await inForceWithin(
        () => vicMayCreate(replicaB),
        committedAt,
        BOUND_MS + SLACK_MS,
      );
      expect(tookB).toBeLessThanOrEqual(BOUND_MS + SLACK_MS);
      // And the user's next action on B succeeds.
      const created = await request(replicaB)
        .post('/api/opensandbox/sandboxes')
        .set('Authorization', authHeader('viewer'))
        .send({
          image: { uri: 'alpine:3' },
          entrypoint: ['sh'],
          timeout: 600,
          resourceLimits: { cpu: '1', memory: '1Gi' },
        });
      expect(created.status).toBe(202);

      // The removal, through B, reaches A within the bound.
      expect(await vicMayCreate(replicaA)).toBe(true);
      const removed = await request(replicaB)
        .delete(`/api/opensandbox/admin/role-bindings/${added.body.id}`)
        .set('Authorization', authHeader('admin'));
      expect(removed.status).toBe(204);
      const removedAt = Date.now();
      expect(await vicMayCreate(replicaB)).toBe(false);
      const tookA = await inForceWithin(
        async () => !(await vicMayCreate(replicaA)),
        removedAt,
        BOUND_MS + SLACK_MS,
      );
      expect(tookA).toBeLessThanOrEqual(BOUND_MS + SLACK_MS);
    });

    it('a service binding added through replica A is in force for the service on replica B within cacheSeconds', async () => {
      const ciBotReads = async (server: Server) =>
        (
          await request(server)
            .get('/api/opensandbox/admin/role-bindings')
            .set('Authorization', authHeader('service'))
        ).status === 200;
      expect(await ciBotReads(replicaB)).toBe(false);
      const added = await request(replicaA)
        .post('/api/opensandbox/admin/role-bindings')
        .set('Authorization', authHeader('admin'))
        .send({ subject: 'external:ci-bot', role: 'admin' });
      expect(added.status).toBe(201);
      const committedAt = Date.now();
      expect(await ciBotReads(replicaA)).toBe(true);
      const took = await inForceWithin(
        () => ciBotReads(replicaB),
        committedAt,
        BOUND_MS + SLACK_MS,
      );
      expect(took).toBeLessThanOrEqual(BOUND_MS + SLACK_MS);
      // B now holds ci-bot's ALLOW in its decision cache. The removal through A applies on A at
      // once and on B within the bindings' bound plus the decision cache's lifetime.
      expect(await ciBotReads(replicaB)).toBe(true);
      expect(
        (
          await request(replicaA)
            .delete(`/api/opensandbox/admin/role-bindings/${added.body.id}`)
            .set('Authorization', authHeader('admin'))
        ).status,
      ).toBe(204);
      const removedAt = Date.now();
      expect(await ciBotReads(replicaA)).toBe(false);
      const revokedAfter = await inForceWithin(
        async () => !(await ciBotReads(replicaB)),
        removedAt,
        REVOKE_BOUND_MS + SLACK_MS,
      );
      expect(revokedAfter).toBeLessThanOrEqual(REVOKE_BOUND_MS + SLACK_MS);
    });
  },
);
