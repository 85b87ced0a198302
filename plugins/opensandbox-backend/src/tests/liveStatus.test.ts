/**
 * Live status and expiry warnings through the public surfaces, with the REAL permission backend and
 * role policy, the simulator as upstream, and mocked signals and notifications services:
 * - a console mutation and a sync that found a change made elsewhere each publish ONE broadcast
 *   signal on `opensandbox:sandboxes` carrying servers, count and version — never an id;
 * - `GET /changes` answers only the ids the caller may read (an operator never receives another
 *   team's ids, changed or removed), validates `since`, and says `reset` for a cursor from the
 *   future;
 * - the scheduled expiry warning task notifies the owner and the team of a sandbox expiring
 *   within the first lead time.
 */
import type { Server } from 'node:http';
import { EventEmitter } from 'node:events';
import request from 'supertest';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  signalsServiceRef,
  SignalPayload,
} from '@backstage/plugin-signals-node';
import {
  notificationService,
  NotificationSendOptions,
} from '@backstage/plugin-notifications-node';
import { startSimulator } from '@opensandbox-console/opensandbox-simulator';
import {
  SANDBOX_CHANGES_CHANNEL,
  SandboxChangesResponse,
} from '@opensandbox-console/plugin-opensandbox-common';
import {
  authHeader,
  seedUpstreamSandbox,
  startConsoleBackend,
  syncInventory,
  TEST_API_KEY,
} from '../__testUtils__/consoleBackend';
import { EXPIRY_WARNINGS_TASK_ID } from '../expiry';

jest.setTimeout(60_000);

const events = new EventEmitter();
const signals: SignalPayload[] = [];
const notifications: NotificationSendOptions[] = [];

const signalsMock = createServiceFactory({
  service: signalsServiceRef,
  deps: {},
  factory: () => ({
    publish: async (signal: SignalPayload) => {
      signals.push(signal);
      events.emit('signal', signal);
    },
  }),
});
const notificationsMock = createServiceFactory({
  service: notificationService,
  deps: {},
  factory: () => ({
    send: async (options: NotificationSendOptions) => {
      notifications.push(options);
      events.emit('notification', options);
    },
  }),
});

/** Resolves with the first event of `name` matching `predicate`, already emitted or not; rejects after `timeoutMs`. */
function next<T>(
  name: 'signal' | 'notification',
  seen: T[],
  predicate: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const found = seen.find(predicate);
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined = undefined;
    const listener = (value: T) => {
      if (!predicate(value)) return;
      clearTimeout(timer);
      events.off(name, listener);
      resolve(value);
    };
    timer = setTimeout(() => {
      events.off(name, listener);
      reject(
        new Error(
          `no ${name} within ${timeoutMs} ms; seen: ${JSON.stringify(seen)}`,
        ),
      );
    }, timeoutMs);
    events.on(name, listener);
  });
}

async function upstream(simUrl: string, method: string, path: string) {
  const res = await fetch(`${simUrl}/v1${path}`, {
    method,
    headers: { 'OPEN-SANDBOX-API-KEY': TEST_API_KEY },
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status}`);
}

describe('live status and expiry warnings', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let server: Server;

  beforeAll(async () => {
    // startupMs 0: a sandbox's upstream createdAt is not later than the create, so a sync that
    // starts right after may remove it once it is deleted upstream.
    sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY, startupMs: 0 });
    server = await startConsoleBackend({
      simulatorUrl: sim.url,
      extraFeatures: [signalsMock, notificationsMock],
    });
    await syncInventory(server);
  });
  afterAll(async () => {
    await sim.close();
  });

  const changes = async (persona: string, since?: number) => {
    const res = await request(server)
      .get('/api/opensandbox/changes')
      .query(since === undefined ? {} : { since: String(since) })
      .set('Authorization', authHeader(persona));
    expect(res.status).toBe(200);
    return res.body as SandboxChangesResponse;
  };
  const ids = (refs: Array<{ id: string }>) => refs.map(r => r.id);

  it('publishes a broadcast signal, without ids, when a console mutation changes the inventory', async () => {
    const id = await seedUpstreamSandbox(sim.url, {
      owner: 'ada',
      team: 'team-a',
    });
    await syncInventory(server);
    const before = signals.length;
    const res = await request(server)
      .post(`/api/opensandbox/sandboxes/${id}/pause`)
      .set('Authorization', authHeader('operatorOwnTeam'));
    expect(res.status).toBe(202);

    const signal = await next<SignalPayload>(
      'signal',
      signals.slice(before),
      s => (s.message as any).source === 'console',
    );
    const { version } = await changes('admin');
    expect(signal).toEqual({
      recipients: { type: 'broadcast' },
      channel: SANDBOX_CHANGES_CHANNEL,
      message: { version, servers: ['default'], count: 1, source: 'console' },
    });
    expect(JSON.stringify(signal)).not.toContain(id);
    // The version of the signal covers the change: /changes from just before it names the sandbox.
    expect(
      ids((await changes('operatorOwnTeam', version - 1)).changed),
    ).toEqual([id]);
  });

  it('publishes a signal when a sync finds a change made directly on OpenSandbox, none when it finds nothing', async () => {
    const id = await seedUpstreamSandbox(sim.url, {
      owner: 'ada',
      team: 'team-a',
    });
    const other = await seedUpstreamSandbox(sim.url, {
      owner: 'ada',
      team: 'team-a',
    });
    await syncInventory(server);
    const { version: before } = await changes('admin');
    // The signal of that sync (the two new sandboxes) has gone out.
    await next<SignalPayload>(
      'signal',
      signals,
      s => (s.message as any).version >= before,
    );
    const count = signals.length;

    await upstream(sim.url, 'POST', `/sandboxes/${id}/pause`);
    await syncInventory(server);
    const signal = await next<SignalPayload>(
      'signal',
      signals.slice(count),
      s => (s.message as any).source === 'sync',
    );
    expect(signal).toEqual({
      recipients: { type: 'broadcast' },
      channel: SANDBOX_CHANGES_CHANNEL,
      message: {
        version: before + 1,
        servers: ['default'],
        count: 1,
        source: 'sync',
      },
    });
    expect(ids((await changes('operatorOwnTeam', before)).changed)).toEqual([
      id,
    ]);

    // A sync that finds nothing new publishes nothing: the next signal is the console change of
    // one other sandbox alone (a sync signal in the same window would have been merged into it).
    const quiet = signals.length;
    await syncInventory(server);
    expect(
      (
        await request(server)
          .post(`/api/opensandbox/sandboxes/${other}/pause`)
          .set('Authorization', authHeader('operatorOwnTeam'))
      ).status,
    ).toBe(202);
    const consoleSignal = await next<SignalPayload>(
      'signal',
      signals.slice(quiet),
      s => (s.message as any).source === 'console',
    );
    expect(consoleSignal.message).toMatchObject({
      count: 1,
      source: 'console',
      version: before + 2,
    });
    expect(signals.slice(quiet)).toEqual([consoleSignal]);
  });

  it('GET /changes answers only the ids the caller may read, changed and removed', async () => {
    const { version: start } = await changes('admin');
    const teamA = await seedUpstreamSandbox(sim.url, {
      owner: 'ada',
      team: 'team-a',
    });
    const teamB = await seedUpstreamSandbox(sim.url, {
      owner: 'bob',
      team: 'team-b',
    });
    await syncInventory(server);

    expect(ids((await changes('operatorOwnTeam', start)).changed)).toEqual([
      teamA,
    ]);
    expect(ids((await changes('operatorOtherTeam', start)).changed)).toEqual([
      teamB,
    ]);
    expect(ids((await changes('viewer', start)).changed)).toEqual([teamA]);
    expect(ids((await changes('service', start)).changed)).toEqual([teamA]);
    expect(ids((await changes('admin', start)).changed).sort()).toEqual(
      [teamA, teamB].sort(),
    );

    // Removals: one deleted directly upstream (found by the sync), one deleted in the console.
    const { version: beforeRemoval } = await changes('admin');
    await upstream(sim.url, 'DELETE', `/sandboxes/${teamB}`);
    await syncInventory(server);
    expect(
      (
        await request(server)
          .delete(`/api/opensandbox/sandboxes/${teamA}`)
          .set('Authorization', authHeader('operatorOwnTeam'))
      ).status,
    ).toBe(204);
    const ada = await changes('operatorOwnTeam', beforeRemoval);
    const bob = await changes('operatorOtherTeam', beforeRemoval);
    expect([ids(ada.changed), ids(ada.removed)]).toEqual([[], [teamA]]);
    expect([ids(bob.changed), ids(bob.removed)]).toEqual([[], [teamB]]);
    expect(ids((await changes('admin', beforeRemoval)).removed).sort()).toEqual(
      [teamA, teamB].sort(),
    );
    // Nothing but server, id and version.
    expect(ada.removed[0]).toEqual({
      server: 'default',
      id: teamA,
      version: expect.any(Number),
    });
    expect(ada).toMatchObject({
      hasMore: false,
      reset: false,
      version: expect.any(Number),
    });
    // Every caller advances to the same cursor, whatever it may read.
    expect(ada.version).toBe(bob.version);
    expect(await changes('operatorOtherTeam', bob.version)).toEqual({
      version: bob.version,
      changed: [],
      removed: [],
      hasMore: false,
      reset: false,
    });
  });

  it('GET /changes without since answers the cursor; validates since; a cursor from the future resets', async () => {
    const cursor = await changes('viewer');
    expect(cursor).toEqual({
      version: expect.any(Number),
      changed: [],
      removed: [],
      hasMore: false,
      reset: false,
    });
    expect(await changes('viewer', cursor.version + 1000)).toEqual({
      version: cursor.version,
      changed: [],
      removed: [],
      hasMore: false,
      reset: true,
    });
    for (const query of [
      { since: '-1' },
      { since: 'abc' },
      { since: '1.5' },
      { since: '007' },
      { version: '1' },
    ]) {
      const res = await request(server)
        .get('/api/opensandbox/changes')
        .query(query)
        .set('Authorization', authHeader('viewer'));
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(
        query.since !== undefined ? /since/ : /version/,
      );
    }
    expect(
      (
        await request(server)
          .get('/api/opensandbox/changes')
          .set('Authorization', authHeader('none'))
      ).status,
    ).toBe(401);
  });

  it('the scheduled expiry warning task notifies the owner and the team', async () => {
    // Seeded with a 3600 s timeout: inside the first lead time (60 minutes) once it exists.
    const id = await seedUpstreamSandbox(sim.url, {
      owner: 'ada',
      team: 'team-a',
      name: 'expiring-demo',
    });
    await syncInventory(server);
    const res = await request(server).post(
      `/api/opensandbox/__test/tasks/${EXPIRY_WARNINGS_TASK_ID}`,
    );
    expect(res.status).toBe(204);
    const warning = await next<NotificationSendOptions>(
      'notification',
      notifications,
      n => n.payload.metadata?.sandboxId === id,
    );
    expect(warning).toEqual({
      recipients: {
        type: 'entity',
        entityRef: ['user:default/ada', 'group:default/team-a'],
      },
      payload: expect.objectContaining({
        title: expect.stringMatching(
          /^Sandbox expiring-demo expires in (59 minutes|1 hour)$/,
        ),
        link: `/opensandbox/servers/default/sandboxes/${id}?renew=1`,
        topic: 'Sandbox expiry',
        scope: `opensandbox:expiry:default/${id}`,
        metadata: expect.objectContaining({
          leadMinutes: 60,
          server: 'default',
        }),
      }),
    });
    // The settings tell the pages the "expiring soon" window: the first lead time.
    const settings = await request(server)
      .get('/api/opensandbox/settings')
      .set('Authorization', authHeader('viewer'));
    expect(settings.body.expiringSoonSeconds).toBe(3600);
  });
});
