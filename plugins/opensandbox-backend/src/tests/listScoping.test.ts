/**
 * List correctness under conditional decisions, answered from the inventory after one sync: mixed
 * ownership spread over many upstream pages, exact totals and page contents (newest first, ties by
 * id), never an unreadable sandbox, zero upstream calls per list page.
 */
import type { Server } from 'node:http';
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

interface Seeded {
  id: string;
  owner?: string;
  team?: string;
  createdAt?: number;
}

describe('list scoping across many upstream pages', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let server: Server;
  /** Newest first, as upstream orders them. */
  const all: Seeded[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
    server = await startConsoleBackend({ simulatorUrl: sim.url });
    const plan: Array<{ owner?: string; team?: string; count: number }> = [
      { owner: 'ada', team: 'team-a', count: 120 },
      { owner: 'bob', team: 'team-b', count: 110 },
      { owner: 'multi', count: 25 },
      { count: 30 },
      { owner: 'bob', team: 'team-c', count: 20 },
      { owner: 'vic', team: 'team-b', count: 15 },
    ];
    // Interleave the kinds so every upstream page mixes owners and teams.
    const queue = plan.flatMap(p =>
      Array.from({ length: p.count }, (_, i) => ({ ...p, i })),
    );
    queue.sort((a, b) => a.i - b.i);
    for (const item of queue) {
      const id = await seedUpstreamSandbox(sim.url, {
        owner: item.owner,
        team: item.team,
      });
      all.unshift({ id, owner: item.owner, team: item.team });
    }
    // The list's order: createdAt (as upstream reports it) newest first, ties by id descending.
    const created = new Map<string, number>();
    for (let p = 1; ; p++) {
      const res = await fetch(
        `${sim.url}/v1/sandboxes?page=${p}&pageSize=200`,
        { headers: { 'OPEN-SANDBOX-API-KEY': TEST_API_KEY } },
      );
      const body = await res.json();
      for (const s of body.items) created.set(s.id, Date.parse(s.createdAt));
      if (!body.pagination.hasNextPage) break;
    }
    for (const s of all) s.createdAt = created.get(s.id);
    all.sort(
      (a, b) =>
        b.createdAt! - a.createdAt! ||
        b.id.localeCompare(a.id, 'en', { sensitivity: 'variant' }) ||
        0,
    );
    await syncInventory(server);
    await fetch(`${sim.url}/_simulator/requests`, { method: 'DELETE' });
  });

  const listRequestIds: string[] = [];
  /** Lists are answered from the inventory: none of their request ids reached upstream. */
  async function expectNoUpstreamCalls() {
    const log = await (await fetch(`${sim.url}/_simulator/requests`)).json();
    const ids = new Set(
      (Array.isArray(log) ? log : log.requests).map((r: any) => r.requestId),
    );
    expect(listRequestIds.length).toBeGreaterThan(0);
    expect(listRequestIds.filter(id => ids.has(id))).toEqual([]);
    listRequestIds.length = 0;
  }

  afterAll(async () => {
    await sim.close();
  });

  async function page(persona: string, query: Record<string, string | number>) {
    const requestId = `list-${Math.random().toString(16).slice(2, 14)}`;
    listRequestIds.push(requestId);
    const res = await request(server)
      .get('/api/opensandbox/sandboxes')
      .query(query)
      .set('Authorization', authHeader(persona))
      .set('X-Request-ID', requestId);
    expect(res.status).toBe(200);
    return res.body;
  }

  async function everything(persona: string, pageSize: number) {
    const ids: string[] = [];
    let totalItems = -1;
    for (let p = 1; ; p++) {
      const body = await page(persona, { page: p, pageSize });
      totalItems = body.pagination.totalItems;
      ids.push(...body.items.map((s: { id: string }) => s.id));
      if (!body.pagination.hasNextPage) break;
    }
    return { ids, totalItems };
  }

  it.each([
    ['admin', () => all],
    [
      'operatorOwnTeam',
      () => all.filter(s => s.owner === 'ada' || s.team === 'team-a'),
    ],
    [
      'operatorOtherTeam',
      () => all.filter(s => s.owner === 'bob' || s.team === 'team-b'),
    ],
    ['viewer', () => all.filter(s => s.owner === 'vic' || s.team === 'team-a')],
    [
      'user:default/multi',
      () =>
        all.filter(
          s =>
            s.owner === 'multi' || s.team === 'team-a' || s.team === 'team-c',
        ),
    ],
  ])(
    '%s sees exactly its sandboxes, newest first, with exact totals',
    async (persona, expectedOf) => {
      const expected = expectedOf().map(s => s.id);
      const { ids, totalItems } = await everything(persona, 37);
      expect(totalItems).toBe(expected.length);
      expect(ids).toEqual(expected);

      const third = await page(persona, { page: 3, pageSize: 50 });
      expect(third.items.map((s: { id: string }) => s.id)).toEqual(
        expected.slice(100, 150),
      );
      expect(third.pagination).toEqual({
        page: 3,
        pageSize: 50,
        totalItems: expected.length,
        totalPages: Math.ceil(expected.length / 50),
        hasNextPage: Math.ceil(expected.length / 50) > 3,
      });
      await expectNoUpstreamCalls();
    },
  );

  it('filters by owner and team refs (OR within a parameter, AND across), in one query', async () => {
    const twoTeams = await page('admin', {
      team: ['group:default/team-a', 'group:default/team-c'] as any,
      pageSize: 200,
    });
    const expected = all
      .filter(s => s.team === 'team-a' || s.team === 'team-c')
      .map(s => s.id);
    expect(twoTeams.pagination.totalItems).toBe(expected.length);
    expect(twoTeams.items.map((s: { id: string }) => s.id)).toEqual(expected);

    const bobInTeamC = await page('admin', {
      owner: 'user:default/bob',
      team: 'group:default/team-c',
    });
    expect(bobInTeamC.pagination.totalItems).toBe(20);

    const mine = await page('operatorOtherTeam', {
      owner: 'user:default/bob',
      pageSize: 200,
    });
    expect(mine.items.map((s: { id: string }) => s.id)).toEqual(
      all.filter(s => s.owner === 'bob').map(s => s.id),
    );
    await expectNoUpstreamCalls();
  });

  it("combines the caller's own filters with its scope", async () => {
    const body = await page('user:default/multi', {
      metadata: 'backstage.io/team=team-c',
      pageSize: 200,
    });
    expect(body.items.map((s: { id: string }) => s.id)).toEqual(
      all.filter(s => s.team === 'team-c').map(s => s.id),
    );
    expect(body.pagination.totalItems).toBe(20);

    const none = await page('viewer', { metadata: 'backstage.io/team=team-c' });
    expect(none.items).toEqual([]);
    expect(none.pagination).toEqual({
      page: 1,
      pageSize: 20,
      totalItems: 0,
      totalPages: 0,
      hasNextPage: false,
    });
    await expectNoUpstreamCalls();
  });
});

describe('default team', () => {
  it("skips role groups: ada's default team is team-a, not sandbox-operators", async () => {
    const sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
    try {
      const server = await startConsoleBackend({ simulatorUrl: sim.url });
      const teams = await request(server)
        .get('/api/opensandbox/teams')
        .set('Authorization', authHeader('operatorOwnTeam'));
      expect(teams.body).toEqual({ teams: ['group:default/team-a'] });
      const created = await request(server)
        .post('/api/opensandbox/sandboxes')
        .set('Authorization', authHeader('operatorOwnTeam'))
        .send({
          image: { uri: 'alpine:3' },
          entrypoint: ['sh'],
          timeout: 600,
          resourceLimits: { cpu: '1', memory: '1Gi' },
        });
      expect(created.status).toBe(202);
      expect(created.body.ownership).toEqual({
        owner: 'user:default/ada',
        team: 'group:default/team-a',
      });
    } finally {
      await sim.close();
    }
  });
});
