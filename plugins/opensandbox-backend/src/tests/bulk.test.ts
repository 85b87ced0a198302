/**
 * Bulk actions through HTTP against the simulator (behind a counting server) with the REAL
 * permission backend and role policy: dry-run verdicts per kind, the cap, delete confirmation
 * tokens, permission conditions applied to filter selections, the concurrency bound toward
 * OpenSandbox, and a caller that disconnects mid-batch.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import {
  authHeader,
  startConsoleBackend,
  syncInventory,
  TEST_API_KEY,
} from '../__testUtils__/consoleBackend';
import {
  MeasuredSimulator,
  startMeasuredSimulator,
} from '../__testUtils__/measuredSimulator';

jest.setTimeout(60_000);

const BULK = '/api/opensandbox/bulk';
const MAX_ITEMS = 12;
const CONCURRENCY = 3;

describe('bulk actions', () => {
  let sim: MeasuredSimulator;
  let server: Server;

  beforeAll(async () => {
    sim = await startMeasuredSimulator({ apiKey: TEST_API_KEY });
    server = await startConsoleBackend({
      simulatorUrl: sim.url,
      extraConfig: { bulk: { maxItems: MAX_ITEMS, concurrency: CONCURRENCY } },
    });
  });

  afterAll(async () => {
    await sim.close();
  });

  afterEach(async () => {
    await setFaults([]);
  });

  /** Creates a sandbox directly upstream, labelled `batch=<label>` and owned as the console would. */
  async function seed(
    label: string,
    options: {
      owner?: string;
      team?: string;
      paused?: boolean;
      manual?: boolean;
      timeout?: number;
    } = {},
  ) {
    const { owner = 'ada', team = 'team-a' } = options;
    const res = await fetch(`${sim.url}/v1/sandboxes`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'OPEN-SANDBOX-API-KEY': TEST_API_KEY,
      },
      body: JSON.stringify({
        image: { uri: 'alpine:3' },
        entrypoint: ['sleep', 'infinity'],
        ...(options.manual ? {} : { timeout: options.timeout ?? 3600 }),
        resourceLimits: { cpu: '1', memory: '1Gi' },
        metadata: {
          batch: label,
          'backstage.io/owner': owner,
          'backstage.io/owner-namespace': 'default',
          'backstage.io/team': team,
          'backstage.io/team-namespace': 'default',
        },
      }),
    });
    const body = await res.json();
    if (options.paused) {
      await fetch(`${sim.url}/v1/sandboxes/${body.id}/pause`, {
        method: 'POST',
        headers: { 'OPEN-SANDBOX-API-KEY': TEST_API_KEY },
      });
    }
    return body.id as string;
  }

  async function seedMany(
    label: string,
    count: number,
    options: Parameters<typeof seed>[1] = {},
  ) {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push(await seed(label, options));
    return ids;
  }

  async function upstream(id: string) {
    const res = await fetch(`${sim.url}/v1/sandboxes/${id}`, {
      headers: { 'OPEN-SANDBOX-API-KEY': TEST_API_KEY },
    });
    return res.status === 200 ? res.json() : undefined;
  }

  async function setFaults(faults: unknown[]) {
    await fetch(`${sim.url}/_simulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ faults }),
    });
  }

  function post(action: string, persona: string, body: unknown) {
    return request(server)
      .post(`${BULK}/${action}`)
      .set('Authorization', authHeader(persona))
      .send(body as object);
  }

  async function auditRows(query: Record<string, string>) {
    const res = await request(server)
      .get('/api/opensandbox/audit-events')
      .query({ limit: '200', ...query })
      .set('Authorization', authHeader('admin'));
    expect(res.status).toBe(200);
    return res.body.items as any[];
  }

  const outcomes = (res: request.Response) =>
    Object.fromEntries((res.body.items as any[]).map(i => [i.id, i.outcome]));

  it('dry runs answer would-succeed, denied, not-applicable and not-found per sandbox, and change nothing', async () => {
    const label = randomUUID();
    const running = await seed(label);
    const paused = await seed(label, { paused: true });
    const manual = await seed(label, { manual: true });
    const teamB = await seed(label, { owner: 'bob', team: 'team-b' });
    const before = await upstream(running);
    sim.reset();

    const pause = await post('pause', 'operatorOwnTeam', {
      items: [
        { id: running },
        { id: paused },
        { id: 'no-such-sandbox' },
        { id: teamB },
      ],
    });
    expect(pause.status).toBe(200);
    expect(pause.body).toMatchObject({
      action: 'pause',
      dryRun: true,
      total: 4,
    });
    expect(outcomes(pause)).toEqual({
      [running]: 'would-succeed',
      [paused]: 'not-applicable',
      'no-such-sandbox': 'not-found',
      [teamB]: 'not-found',
    });
    expect(pause.body.counts).toEqual({
      'would-succeed': 1,
      denied: 0,
      'not-applicable': 1,
      'not-found': 2,
      error: 0,
    });
    const pausedItem = pause.body.items.find((i: any) => i.id === paused);
    expect(pausedItem.reason).toMatch(
      /is Paused; pause needs a Running sandbox/,
    );
    expect(pausedItem.sandbox).toMatchObject({
      state: 'Paused',
      team: 'group:default/team-a',
      owner: 'user:default/ada',
    });
    // Another team's sandbox is "not found" for ada: the dry run reveals nothing she may not read.
    expect(
      pause.body.items.find((i: any) => i.id === teamB).sandbox,
    ).toBeUndefined();

    // vic may read team-a's sandboxes but not change them: denied, with the reason.
    const viewer = await post('delete', 'viewer', { items: [{ id: running }] });
    expect(viewer.status).toBe(200);
    expect(viewer.body.items[0]).toMatchObject({
      id: running,
      outcome: 'denied',
      reason: expect.stringMatching(/.+/),
    });

    const resume = await post('resume', 'operatorOwnTeam', {
      items: [{ id: running }, { id: paused }],
    });
    expect(outcomes(resume)).toEqual({
      [running]: 'not-applicable',
      [paused]: 'would-succeed',
    });

    // Renew: a manual-cleanup sandbox has nothing to renew; extendSeconds counts from each expiry.
    const renew = await post('renew', 'operatorOwnTeam', {
      items: [{ id: manual }, { id: running }],
      extendSeconds: 1800,
    });
    expect(outcomes(renew)).toEqual({
      [manual]: 'not-applicable',
      [running]: 'would-succeed',
    });
    expect(renew.body.items.find((i: any) => i.id === manual).reason).toMatch(
      /no expiration \(manual cleanup\)/,
    );
    expect(
      Date.parse(renew.body.items.find((i: any) => i.id === running).expiresAt),
    ).toBe(Date.parse(before.expiresAt) + 1800_000);

    const del = await post('delete', 'operatorOwnTeam', {
      items: [{ id: running }],
      dryRun: true,
    });
    expect(del.body.confirmationToken).toMatch(/^v1\.\d+\.[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(del.body.confirmationExpiresAt)).toBeGreaterThan(
      Date.now(),
    );

    // Nothing changed: only reads reached OpenSandbox, no audit row was written.
    expect(sim.requests().filter(r => r.method !== 'GET')).toEqual([]);
    expect((await upstream(running)).status.state).toBe('Running');
    expect((await upstream(paused)).status.state).toBe('Paused');
    expect(await auditRows({ sandboxId: running })).toEqual([]);
  });

  it('refuses a selection above opensandbox.bulk.maxItems with 400 naming the cap, before anything runs', async () => {
    const label = randomUUID();
    await seedMany(label, MAX_ITEMS + 1);
    await syncInventory(server);
    sim.reset();

    const items = Array.from({ length: MAX_ITEMS + 1 }, (_, i) => ({
      id: `sandbox-${i}`,
    }));
    const explicit = await post('delete', 'operatorOwnTeam', { items });
    expect(explicit.status).toBe(400);
    expect(explicit.body.error.message).toBe(
      `items selects ${
        MAX_ITEMS + 1
      } sandboxes; a batch may have at most ${MAX_ITEMS} (opensandbox.bulk.maxItems): narrow the selection or run several batches`,
    );
    for (const dryRun of [true, false]) {
      const filtered = await post('pause', 'operatorOwnTeam', {
        filter: { metadata: { batch: label } },
        dryRun,
      });
      expect(filtered.status).toBe(400);
      expect(filtered.body.error.fields).toEqual([
        {
          field: 'filter',
          message: expect.stringContaining(
            `at most ${MAX_ITEMS} (opensandbox.bulk.maxItems)`,
          ),
        },
      ]);
    }
    expect(sim.requests()).toEqual([]);
  });

  it('validates the request (400 naming the field)', async () => {
    const cases: Array<[string, string, unknown, string]> = [
      ['explode', 'operatorOwnTeam', { items: [{ id: 'x' }] }, 'action'],
      ['pause', 'operatorOwnTeam', {}, 'items'],
      [
        'pause',
        'operatorOwnTeam',
        { items: [{ id: 'x' }], filter: {} },
        'items',
      ],
      ['pause', 'operatorOwnTeam', { items: [] }, 'items'],
      [
        'pause',
        'operatorOwnTeam',
        { items: [{ id: 'x', server: 'nowhere' }] },
        'items[0].server',
      ],
      ['pause', 'operatorOwnTeam', { items: [{ id: '../x' }] }, 'items[0].id'],
      ['pause', 'operatorOwnTeam', { filter: { state: 7 } }, 'filter.state'],
      [
        'pause',
        'operatorOwnTeam',
        { filter: { team: 'team-a' } },
        'filter.team',
      ],
      [
        'pause',
        'operatorOwnTeam',
        { filter: { colour: 'red' } },
        'filter.colour',
      ],
      [
        'pause',
        'operatorOwnTeam',
        { filter: { mine: true, owner: 'user:default/ada' } },
        'filter.mine',
      ],
      ['pause', 'service', { filter: { mine: true } }, 'filter.mine'],
      [
        'pause',
        'operatorOwnTeam',
        { items: [{ id: 'x' }], extendSeconds: 60 },
        'extendSeconds',
      ],
      ['renew', 'operatorOwnTeam', { items: [{ id: 'x' }] }, 'expiresAt'],
      [
        'renew',
        'operatorOwnTeam',
        { items: [{ id: 'x' }], extendSeconds: 5 },
        'extendSeconds',
      ],
      [
        'renew',
        'operatorOwnTeam',
        { items: [{ id: 'x' }], expiresAt: '2000-01-01T00:00:00Z' },
        'expiresAt',
      ],
      [
        'delete',
        'operatorOwnTeam',
        { items: [{ id: 'x' }], dryRun: 'no' },
        'dryRun',
      ],
      [
        'delete',
        'operatorOwnTeam',
        { items: [{ id: 'x' }], dryRun: false },
        'confirmationToken',
      ],
    ];
    for (const [action, persona, body, field] of cases) {
      const res = await post(action, persona, body);
      expect({
        action,
        body,
        status: res.status,
        fields: res.body.error?.fields?.map((f: any) => f.field),
      }).toEqual({
        action,
        body,
        status: 400,
        fields: expect.arrayContaining([field]),
      });
    }
    expect((await post('pause', 'none', { items: [{ id: 'x' }] })).status).toBe(
      401,
    );
  });

  it('a delete needs the confirmation token of a dry run of exactly that selection (409 otherwise)', async () => {
    const label = randomUUID();
    const ids = await seedMany(label, 3);
    await syncInventory(server);
    const filter = { metadata: { batch: label } };

    const dry = await post('delete', 'operatorOwnTeam', { filter });
    expect(dry.body).toMatchObject({
      total: 3,
      counts: { 'would-succeed': 3 },
    });
    const token = dry.body.confirmationToken;

    // The selection changed since the dry run: one more sandbox matches the filter.
    const extra = await seed(label);
    await syncInventory(server);
    sim.reset();
    const changed = await post('delete', 'operatorOwnTeam', {
      filter,
      dryRun: false,
      confirmationToken: token,
    });
    expect(changed.status).toBe(409);
    expect(changed.body.error).toMatchObject({
      name: 'BulkConfirmationError',
      message: expect.stringMatching(/selection changed since the dry run/),
    });

    // Same set, another action's token; a tampered token; another caller's token.
    const pauseToken = (await post('pause', 'operatorOwnTeam', { filter })).body
      .confirmationToken;
    const adminToken = (
      await post('delete', 'admin', {
        items: [...ids, extra].map(id => ({ id })),
      })
    ).body.confirmationToken;
    for (const confirmationToken of [
      pauseToken,
      `${token.slice(0, -2)}AA`,
      'v1.1.x',
      adminToken,
    ]) {
      const res = await post('delete', 'operatorOwnTeam', {
        items: [...ids, extra].map(id => ({ id })),
        dryRun: false,
        confirmationToken,
      });
      expect(res.status).toBe(409);
    }
    // An explicit subset of the dry run's set is another selection too.
    const pair = (
      await post('delete', 'operatorOwnTeam', {
        items: [{ id: ids[0] }, { id: ids[1] }],
      })
    ).body.confirmationToken;
    expect(
      (
        await post('delete', 'operatorOwnTeam', {
          items: [{ id: ids[0] }],
          dryRun: false,
          confirmationToken: pair,
        })
      ).status,
    ).toBe(409);
    expect(sim.requests().filter(r => r.method === 'DELETE')).toEqual([]);
    for (const id of [...ids, extra]) expect(await upstream(id)).toBeDefined();

    // A fresh dry run of the current selection confirms it (the order of the items does not matter).
    const again = await post('delete', 'operatorOwnTeam', { filter });
    expect(again.body.total).toBe(4);
    const run = await post('delete', 'operatorOwnTeam', {
      filter,
      dryRun: false,
      confirmationToken: again.body.confirmationToken,
    });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({
      action: 'delete',
      dryRun: false,
      total: 4,
      counts: { succeeded: 4, failed: 0, denied: 0, skipped: 0 },
    });
    expect(run.body.batchId).toMatch(/^[0-9a-f-]{36}$/);
    for (const item of run.body.items)
      expect(item.requestId).toMatch(/^[0-9a-f-]{36}$/);
    for (const id of [...ids, extra])
      expect(await upstream(id)).toBeUndefined();
    // Written through to the inventory: the list no longer shows them.
    const list = await request(server)
      .get('/api/opensandbox/sandboxes')
      .query({ metadata: `batch=${label}` })
      .set('Authorization', authHeader('operatorOwnTeam'));
    expect(list.body.items).toEqual([]);
  });

  it("applies the caller's permission conditions to a filter: an operator's filter never selects another team's sandboxes", async () => {
    const label = randomUUID();
    const teamA = await seedMany(label, 3);
    const mineOther = await seed(label, { owner: 'someone', team: 'team-a' });
    const teamB = await seedMany(label, 2, { owner: 'bob', team: 'team-b' });
    await syncInventory(server);
    const filter = { metadata: { batch: label } };

    const bob = await post('delete', 'operatorOtherTeam', { filter });
    expect(bob.body.total).toBe(2);
    expect(bob.body.items.map((i: any) => i.id).sort()).toEqual(
      [...teamB].sort(),
    );
    // Naming team-a explicitly in the filter selects nothing for bob either.
    expect(
      (
        await post('delete', 'operatorOtherTeam', {
          filter: { ...filter, team: 'group:default/team-a' },
        })
      ).body.total,
    ).toBe(0);
    const run = await post('delete', 'operatorOtherTeam', {
      filter,
      dryRun: false,
      confirmationToken: bob.body.confirmationToken,
    });
    expect(run.body.counts).toEqual({
      succeeded: 2,
      failed: 0,
      denied: 0,
      skipped: 0,
    });
    for (const id of teamB) expect(await upstream(id)).toBeUndefined();
    for (const id of [...teamA, mineOther])
      expect(await upstream(id)).toBeDefined();

    // Explicit ids of another team's sandboxes are "not found" for bob, and stay.
    const explicit = await post('delete', 'operatorOtherTeam', {
      items: [{ id: teamA[0] }],
    });
    expect(explicit.body.items[0].outcome).toBe('not-found');
    const forced = await post('delete', 'operatorOtherTeam', {
      items: [{ id: teamA[0] }],
      dryRun: false,
      confirmationToken: explicit.body.confirmationToken,
    });
    expect(forced.body.items[0]).toMatchObject({
      outcome: 'skipped',
      skipReason: 'not-found',
    });
    expect(await upstream(teamA[0])).toBeDefined();

    // "mine": only the caller's own sandboxes, not its team's.
    const mine = await post('pause', 'operatorOwnTeam', {
      filter: { ...filter, mine: true },
    });
    expect(mine.body.items.map((i: any) => i.id).sort()).toEqual(
      [...teamA].sort(),
    );
  });

  it(`keeps at most opensandbox.bulk.concurrency (${CONCURRENCY}) items in flight toward OpenSandbox`, async () => {
    const label = randomUUID();
    const ids = await seedMany(label, 9);
    await syncInventory(server);
    // Every read and delete of one sandbox takes a while, so concurrent items overlap.
    await setFaults([
      { method: 'GET', path: '^/v1/sandboxes/[^/]+$', delayMs: 60 },
      { method: 'DELETE', path: '^/v1/sandboxes/', delayMs: 150 },
    ]);
    sim.reset();
    const dry = await post('delete', 'operatorOwnTeam', {
      filter: { metadata: { batch: label } },
    });
    expect(dry.body.counts['would-succeed']).toBe(9);
    const dryMax = sim.maxInFlight();
    sim.reset();
    const run = await post('delete', 'operatorOwnTeam', {
      filter: { metadata: { batch: label } },
      dryRun: false,
      confirmationToken: dry.body.confirmationToken,
    });
    expect(run.body.counts.succeeded).toBe(9);
    const runMax = sim.maxInFlight();
    expect(sim.requests().filter(r => r.method === 'DELETE')).toHaveLength(9);
    for (const max of [dryMax, runMax]) {
      expect(max).toBeLessThanOrEqual(CONCURRENCY);
      expect(max).toBeGreaterThan(1);
    }
    for (const id of ids) expect(await upstream(id)).toBeUndefined();
  });

  it('stops scheduling items when the caller disconnects: the rest are not started, and the batch row says so', async () => {
    const label = randomUUID();
    const ids = await seedMany(label, MAX_ITEMS);
    await syncInventory(server);
    const filter = { metadata: { batch: label } };
    const dry = await post('delete', 'operatorOwnTeam', { filter });
    await setFaults([
      { method: 'DELETE', path: '^/v1/sandboxes/', delayMs: 1000 },
    ]);
    sim.reset();

    const requestId = randomUUID();
    const abort = new AbortController();
    const { port } = server.address() as AddressInfo;
    const pending = fetch(`http://127.0.0.1:${port}${BULK}/delete`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: authHeader('operatorOwnTeam'),
        'x-request-id': requestId,
      },
      body: JSON.stringify({
        filter,
        dryRun: false,
        confirmationToken: dry.body.confirmationToken,
      }),
      signal: abort.signal,
    }).then(
      () => 'answered',
      (error: Error) => error.name,
    );
    // The caller leaves as soon as the first delete reached OpenSandbox.
    await until(() => sim.requests().some(r => r.method === 'DELETE'));
    abort.abort();
    expect(await pending).toBe('AbortError');

    // The batch finishes the items already running, then its row is settled.
    const batch = await until(async () =>
      (
        await auditRows({ action: 'bulk.delete' })
      ).find(r => r.requestId === requestId && r.outcome !== 'initiated'),
    );
    expect(batch).toMatchObject({
      outcome: 'failed',
      errorCode: 'BatchCancelled',
      httpStatus: 200,
      channel: 'bulk',
      actor: 'user:default/ada',
    });
    const itemRows = await until(async () => {
      const rows = (await auditRows({ batchId: batch.batchId })).filter(
        r => r.action === 'sandbox.delete',
      );
      return rows.length > 0 && rows.every(r => r.outcome !== 'initiated')
        ? rows
        : undefined;
    });
    const started = itemRows.length;
    expect(started).toBeGreaterThanOrEqual(1);
    expect(started).toBeLessThanOrEqual(CONCURRENCY);
    expect(batch.details.cancelled).toBe(true);
    expect(batch.details.notStarted).toHaveLength(MAX_ITEMS - started);
    expect(batch.details.counts).toEqual({
      succeeded: started,
      failed: 0,
      denied: 0,
      skipped: MAX_ITEMS - started,
    });
    // Only the started items reached OpenSandbox; the others still exist.
    expect(sim.requests().filter(r => r.method === 'DELETE')).toHaveLength(
      started,
    );
    const remaining = (await Promise.all(ids.map(upstream))).filter(Boolean);
    expect(remaining).toHaveLength(MAX_ITEMS - started);
  });

  it("renews by extendSeconds from each sandbox's own expiry, or to one absolute expiresAt", async () => {
    const label = randomUUID();
    const short = await seed(label, { timeout: 3600 });
    const long = await seed(label, { timeout: 7200 });
    const before = {
      short: (await upstream(short)).expiresAt,
      long: (await upstream(long)).expiresAt,
    };
    const items = [{ id: short }, { id: long }];
    const extended = await post('renew', 'operatorOwnTeam', {
      items,
      extendSeconds: 600,
      dryRun: false,
    });
    expect(extended.status).toBe(200);
    expect(extended.body.counts.succeeded).toBe(2);
    expect(Date.parse((await upstream(short)).expiresAt)).toBe(
      Date.parse(before.short) + 600_000,
    );
    expect(Date.parse((await upstream(long)).expiresAt)).toBe(
      Date.parse(before.long) + 600_000,
    );

    const expiresAt = new Date(Date.now() + 90 * 60_000)
      .toISOString()
      .replace(/\.\d+Z$/, 'Z');
    const absolute = await post('renew', 'operatorOwnTeam', {
      items,
      expiresAt,
      dryRun: false,
    });
    // The long one would be shortened: not applicable without allowShorten.
    expect(outcomes(absolute)).toEqual({
      [short]: 'succeeded',
      [long]: 'skipped',
    });
    expect(absolute.body.items.find((i: any) => i.id === long)).toMatchObject({
      skipReason: 'not-applicable',
    });
    expect(Date.parse((await upstream(short)).expiresAt)).toBe(
      Date.parse(expiresAt),
    );
  });
});

/** Polls `check` (20 ms apart, 20 s at most) until it returns something truthy. */
async function until<T>(check: () => T | Promise<T>): Promise<NonNullable<T>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error('condition not met within 20 s');
    await new Promise(r => setTimeout(r, 20));
  }
}
