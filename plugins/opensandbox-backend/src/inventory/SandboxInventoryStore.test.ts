import { TestDatabases } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import type { Knex } from 'knex';
import { SandboxInventoryStore } from './SandboxInventoryStore';
import {
  BODIES_TABLE,
  LABELS_TABLE,
  SANDBOXES_TABLE,
  SIGHTINGS_TABLE,
} from './rowMapping';
import {
  T0,
  createInventoryStore,
  ids,
  sandbox,
  testClock,
} from '../__testUtils__/inventoryTestHelpers';

jest.setTimeout(60_000);

const MIN = 60_000;

describe('SandboxInventoryStore', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  async function setup(
    id: Parameters<typeof databases.init>[0],
    options: { removalRetentionMs?: number } = {},
  ) {
    const knex = await databases.init(id);
    const clock = testClock();
    const store = await createInventoryStore(knex, clock.fn, options);
    return { knex, clock, store };
  }

  async function row(knex: Knex, server: string, id: string) {
    const r = await knex(SANDBOXES_TABLE).where({ server, id }).first();
    const b = await knex(BODIES_TABLE).where({ server, id }).first();
    const g = await knex(SIGHTINGS_TABLE).where({ server, id }).first();
    return (
      r && {
        ...r,
        body: b.body,
        metadata: b.metadata,
        last_seen_at: g.last_seen_at,
      }
    );
  }

  it.each(databases.eachSupportedId())(
    'writes nothing for an unchanged sandbox it confirmed less than 5 s earlier, on %p',
    async dbId => {
      const { knex, clock, store } = await setup(dbId);
      const a = sandbox('sbx-a', {
        name: 'Alpha',
        team: 'group:default/team-a',
      });
      expect(await store.upsert('main', a)).toEqual({ changed: true });
      const paused = { ...a, status: { state: 'Paused' } };
      const statements: string[] = [];
      const onQuery = (q: { sql: string }) => void statements.push(q.sql);
      knex.on('query', onQuery);
      try {
        // Within 5 s: no statement, and the stored sighting stays.
        clock.now = T0 + 4_999;
        expect(await store.upsert('main', a)).toEqual({ changed: false });
        expect(statements).toEqual([]);
        // 5 s later: one guarded UPDATE moves last_seen_at.
        clock.now = T0 + 5_000;
        expect(await store.upsert('main', a)).toEqual({ changed: false });
        expect(statements).toHaveLength(1);
        // A change is always written, however soon.
        clock.now = T0 + 5_001;
        expect(await store.upsert('main', paused)).toEqual({ changed: true });
      } finally {
        knex.off('query', onQuery);
      }
      expect(Number((await row(knex, 'main', 'sbx-a')).last_seen_at)).toBe(
        T0 + 5_001,
      );
      expect((await row(knex, 'main', 'sbx-a')).state).toBe('Paused');
      // What a sync page stores is never hidden by an older confirmation.
      await store.upsertPage('main', [a], T0 + 5_002);
      expect((await row(knex, 'main', 'sbx-a')).state).toBe('Running');
      expect(await store.upsert('main', paused, T0 + 5_003)).toEqual({
        changed: true,
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'upserts, bumps the version only on real changes, on %p',
    async dbId => {
      const { knex, clock, store } = await setup(dbId);
      expect(await store.currentVersion()).toBe(0);
      const a = sandbox('sbx-a', {
        name: 'Alpha',
        owner: 'user:default/Alice',
        team: 'group:default/team-a',
        metadata: { stage: 'dev' },
      });

      expect(await store.upsert('main', a)).toEqual({ changed: true });
      const first = await row(knex, 'main', 'sbx-a');
      expect(Number(first.version)).toBe(1);
      expect(first.etag).toMatch(/^[0-9a-f]{64}$/);
      expect(first).toMatchObject({
        name: 'Alpha',
        name_lower: 'alpha',
        owner: 'user:default/alice',
        team: 'group:default/team-a',
        entity: null,
        state: 'Running',
        state_lower: 'running',
        image: 'python:3.12',
      });
      expect(Number(first.created_at)).toBe(T0);
      expect(Number(first.expires_at)).toBe(T0 + 3_600_000);
      expect(JSON.parse(first.metadata)).toEqual({
        name: 'Alpha',
        stage: 'dev',
      });

      // Identical content (even with another key order) is no change; last_seen_at still moves.
      clock.now = T0 + MIN;
      const reordered = Object.fromEntries(
        Object.entries(JSON.parse(JSON.stringify(a))).reverse(),
      ) as typeof a;
      expect(await store.upsert('main', reordered)).toEqual({ changed: false });
      const second = await row(knex, 'main', 'sbx-a');
      expect(Number(second.version)).toBe(1);
      expect(second.etag).toBe(first.etag);
      expect(Number(second.last_seen_at)).toBe(T0 + MIN);
      expect(Number(second.changed_at)).toBe(T0);

      // A real change: new version, new etag, changed_at moves, first_seen_at stays; labels follow.
      clock.now = T0 + 2 * MIN;
      const paused = {
        ...a,
        status: { state: 'Paused' },
        metadata: { name: 'Alpha', stage: 'prod' },
      };
      expect(await store.upsert('main', paused)).toEqual({ changed: true });
      const third = await row(knex, 'main', 'sbx-a');
      expect(Number(third.version)).toBe(2);
      expect(third.etag).not.toBe(first.etag);
      expect(Number(third.changed_at)).toBe(T0 + 2 * MIN);
      expect(Number(third.first_seen_at)).toBe(T0);
      expect(third.state_lower).toBe('paused');
      const labels = await knex(LABELS_TABLE)
        .where({ server: 'main', id: 'sbx-a' })
        .orderBy('key');
      expect(labels.map(l => [l.key, l.value])).toEqual([
        ['name', 'Alpha'],
        ['stage', 'prod'],
      ]);

      // A change that keeps the metadata (a renewal's new expiry) leaves the labels alone: no
      // statement touches the labels table, and they still match.
      clock.now = T0 + 3 * MIN;
      const statements: string[] = [];
      const onQuery = (q: { sql: string }) => void statements.push(q.sql);
      knex.on('query', onQuery);
      const renewed = {
        ...paused,
        expiresAt: new Date(T0 + 7_200_000).toISOString(),
      };
      expect(await store.upsert('main', renewed)).toEqual({ changed: true });
      knex.off('query', onQuery);
      expect(statements.some(sql => sql.includes(LABELS_TABLE))).toBe(false);
      expect(Number((await row(knex, 'main', 'sbx-a')).expires_at)).toBe(
        T0 + 7_200_000,
      );
      expect(
        (
          await knex(LABELS_TABLE)
            .where({ server: 'main', id: 'sbx-a' })
            .orderBy('key')
        ).map(l => [l.key, l.value]),
      ).toEqual([
        ['name', 'Alpha'],
        ['stage', 'prod'],
      ]);

      // An older observation (seenAt before the stored last_seen_at) never overwrites.
      expect(await store.upsert('main', a, T0 + MIN)).toEqual({
        changed: false,
      });
      expect((await row(knex, 'main', 'sbx-a')).state).toBe('Paused');

      // Same id on another server is another sandbox.
      expect(await store.upsert('other', a)).toEqual({ changed: true });
      expect(await store.currentVersion()).toBe(4);
      expect((await store.get('other', 'sbx-a'))?.version).toBe(4);
      expect(await store.get('other', 'nope')).toBeUndefined();
    },
  );

  it.each(databases.eachSupportedId())(
    'upsertPage classifies and never stores registry credentials, on %p',
    async dbId => {
      const { knex, store } = await setup(dbId);
      await store.upsertPage('main', [sandbox('a'), sandbox('b')], T0);
      const withAuth = {
        ...sandbox('c'),
        image: {
          uri: 'private/app:1',
          auth: { username: 'u', password: 'secret' },
        },
      };
      const result = await store.upsertPage(
        'main',
        [
          sandbox('a'),
          sandbox('b', { state: 'Paused' }),
          sandbox('c'),
          withAuth,
        ],
        T0 + 1,
      );
      expect(result).toEqual({
        added: ['c'],
        updated: ['b'],
        unchanged: ['a'],
        stale: [],
      });
      const c = await row(knex, 'main', 'c');
      expect(c.body).not.toContain('secret');
      expect(JSON.parse(c.body).image).toEqual({ uri: 'private/app:1' }); // duplicates: the last wins
      expect(c.image).toBe('private/app:1');
      expect(await store.upsertPage('main', [], T0)).toEqual({
        added: [],
        updated: [],
        unchanged: [],
        stale: [],
      });
      await expect(
        store.upsertPage('main', [{ ...sandbox('x'), id: '' }]),
      ).rejects.toThrow(InputError);
      await expect(store.upsertPage('', [sandbox('x')])).rejects.toThrow(
        InputError,
      );
      await expect(
        store.upsertPage('s'.repeat(65), [sandbox('x')]),
      ).rejects.toThrow(InputError);
    },
  );

  it.each(databases.eachSupportedId())(
    'removes one and removes unseen ones (never those created after the sync started), on %p',
    async dbId => {
      const { clock, store } = await setup(dbId);
      await store.upsertPage(
        'main',
        [sandbox('old-1'), sandbox('old-2'), sandbox('kept')],
        T0,
      );
      await store.upsertPage('other', [sandbox('old-1')], T0);
      const syncStart = T0 + 10 * MIN;
      await store.upsertPage('main', [sandbox('kept')], syncStart + 1);
      // Created after the sync started, written with an earlier seenAt: still not removed.
      await store.upsertPage(
        'main',
        [sandbox('young', { createdAt: syncStart + 5 })],
        T0,
      );
      clock.now = syncStart + MIN;
      expect(await store.removeUnseen('main', syncStart)).toEqual([
        'old-1',
        'old-2',
      ]);
      expect(ids(await store.list({ servers: ['main'] })).sort()).toEqual([
        'kept',
        'young',
      ]);
      expect(ids(await store.list({ servers: ['other'] }))).toEqual(['old-1']);
      expect(await store.removeUnseen('main', syncStart)).toEqual([]);

      expect(await store.remove('main', 'kept')).toBe(true);
      expect(await store.remove('main', 'kept')).toBe(false);
      expect(await store.get('main', 'kept')).toBeUndefined();
    },
  );

  it.each(databases.eachSupportedId())(
    'sorts with tie-breaks and nulls last, on %p',
    async dbId => {
      const { store } = await setup(dbId);
      await store.upsertPage('main', [
        sandbox('b', {
          createdAt: T0,
          expiresAt: T0 + 5 * MIN,
          name: 'beta',
          state: 'Running',
        }),
        sandbox('a', {
          createdAt: T0,
          expiresAt: null,
          name: 'Alpha',
          state: 'paused',
        }),
        sandbox('c', {
          createdAt: T0 + MIN,
          expiresAt: T0 + 2 * MIN,
          state: 'Pending',
        }),
        sandbox('d', {
          createdAt: T0 - MIN,
          expiresAt: T0 + 9 * MIN,
          name: 'Delta',
          state: 'Running',
        }),
      ]);
      await store.upsertPage('zz', [
        sandbox('a', {
          createdAt: T0,
          expiresAt: null,
          name: 'alpha',
          state: 'Failed',
        }),
      ]);
      const order = async (
        options: Parameters<SandboxInventoryStore['list']>[0],
      ) => {
        const result = await store.list(options);
        return result.items.map(
          (s, i) => `${result.itemInfo[i].server}/${s.id}`,
        );
      };
      expect(await order({})).toEqual([
        'main/c',
        'zz/a',
        'main/b',
        'main/a',
        'main/d',
      ]);
      expect(await order({ order: 'asc' })).toEqual([
        'main/d',
        'main/a',
        'main/b',
        'zz/a',
        'main/c',
      ]);
      expect(await order({ sort: 'expiresAt' })).toEqual([
        'main/c',
        'main/b',
        'main/d',
        'main/a',
        'zz/a',
      ]);
      expect(await order({ sort: 'expiresAt', order: 'desc' })).toEqual([
        'main/d',
        'main/b',
        'main/c',
        'zz/a',
        'main/a',
      ]);
      expect(await order({ sort: 'name' })).toEqual([
        'main/a',
        'zz/a',
        'main/b',
        'main/d',
        'main/c',
      ]);
      expect(await order({ sort: 'name', order: 'desc' })).toEqual([
        'main/d',
        'main/b',
        'zz/a',
        'main/a',
        'main/c',
      ]);
      expect(await order({ sort: 'state' })).toEqual([
        'zz/a',
        'main/a',
        'main/c',
        'main/b',
        'main/d',
      ]);
      expect(await order({ sort: 'state', order: 'desc' })).toEqual([
        'main/b',
        'main/d',
        'main/c',
        'main/a',
        'zz/a',
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'searches name or id case-insensitively with LIKE wildcards taken literally, on %p',
    async dbId => {
      const { store } = await setup(dbId);
      await store.upsertPage('main', [
        sandbox('id-100%', { name: 'Report_2026' }),
        sandbox('id-1000', { name: 'Report-2026' }),
        sandbox('ABC-x', { name: 'plain' }),
        sandbox('q!uote', { name: 'bang!' }),
        sandbox('no-name'),
      ]);
      const search = async (s: string) =>
        ids(await store.list({ search: s })).sort();
      expect(await search('100%')).toEqual(['id-100%']);
      expect(await search('%')).toEqual(['id-100%']);
      expect(await search('t_2')).toEqual(['id-100%']);
      expect(await search('_')).toEqual(['id-100%']);
      expect(await search('report')).toEqual(['id-100%', 'id-1000']);
      expect(await search('abc')).toEqual(['ABC-x']);
      expect(await search('!')).toEqual(['q!uote']);
      expect(await search('g!')).toEqual(['q!uote']);
      expect(await search('NAME')).toEqual(['no-name']);
      expect(await search('nothing')).toEqual([]);
      expect((await store.list({ search: '' })).pagination.totalItems).toBe(5);
    },
  );

  it.each(databases.eachSupportedId())(
    'paginates with exact totals and validates options, on %p',
    async dbId => {
      const { store } = await setup(dbId);
      await store.upsertPage(
        'main',
        Array.from({ length: 45 }, (_, i) =>
          sandbox(`s-${String(i).padStart(2, '0')}`, {
            createdAt: T0 + i * 1000,
          }),
        ),
      );
      const p1 = await store.list({ pageSize: 20 });
      expect(p1.pagination).toEqual({
        page: 1,
        pageSize: 20,
        totalItems: 45,
        totalPages: 3,
        hasNextPage: true,
      });
      expect(ids(p1)[0]).toBe('s-44');
      const p3 = await store.list({ pageSize: 20, page: 3 });
      expect(ids(p3)).toEqual(['s-04', 's-03', 's-02', 's-01', 's-00']);
      expect(p3.pagination.hasNextPage).toBe(false);
      const p9 = await store.list({ pageSize: 20, page: 9 });
      expect(p9.items).toEqual([]);
      expect(p9.pagination).toEqual({
        page: 9,
        pageSize: 20,
        totalItems: 45,
        totalPages: 3,
        hasNextPage: false,
      });
      expect((await store.list({ pageSize: 200 })).items).toHaveLength(45);
      expect((await store.list()).pagination.pageSize).toBe(20);
      for (const bad of [
        { page: 0 },
        { page: 1.5 },
        { pageSize: 0 },
        { pageSize: 201 },
        { sort: 'id' as any },
        { order: 'up' as any },
        { expiringWithinSeconds: -1 },
      ]) {
        await expect(store.list(bad)).rejects.toThrow(InputError);
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'filters by state, metadata, expiry, servers and criteria together, on %p',
    async dbId => {
      const { store, clock } = await setup(dbId);
      await store.upsertPage('main', [
        sandbox('a', {
          state: 'Running',
          metadata: { stage: 'dev', tier: 'x' },
          owner: 'user:default/alice',
          expiresAt: T0 + 5 * MIN,
        }),
        sandbox('b', {
          state: 'PAUSED',
          metadata: { stage: 'dev' },
          team: 'group:default/team-a',
          expiresAt: T0 + 30 * MIN,
        }),
        sandbox('c', {
          state: 'Failed',
          metadata: { stage: 'Dev' },
          expiresAt: null,
        }),
        sandbox('d', { state: 'running', expiresAt: T0 - MIN }),
      ]);
      await store.upsertPage('other', [
        sandbox('e', { state: 'Running', metadata: { stage: 'dev' } }),
      ]);
      const list = async (
        options: Parameters<SandboxInventoryStore['list']>[0],
      ) => {
        const result = await store.list(options);
        expect(result.pagination.totalItems).toBe(result.items.length);
        return ids(result).sort();
      };
      clock.now = T0;
      expect(await list({ state: ['running', 'Paused'] })).toEqual([
        'a',
        'b',
        'd',
        'e',
      ]);
      expect(await list({ state: [] })).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(await list({ metadata: { stage: 'dev' } })).toEqual([
        'a',
        'b',
        'e',
      ]);
      expect(await list({ metadata: { stage: 'dev', tier: 'x' } })).toEqual([
        'a',
      ]);
      expect(await list({ expiringWithinSeconds: 600 })).toEqual(['a', 'd']);
      expect(await list({ expiringWithinSeconds: 0 })).toEqual(['d']);
      expect(await list({ servers: ['other'] })).toEqual(['e']);
      expect(await list({ servers: [] })).toEqual([]);
      expect(
        await list({
          servers: ['main'],
          metadata: { stage: 'dev' },
          state: ['RUNNING'],
        }),
      ).toEqual(['a']);
      expect(
        await list({
          filter: {
            anyOf: [
              { property: 'owner', refs: ['user:default/ALICE'] },
              { property: 'team', refs: ['group:default/team-a'] },
            ],
          },
        }),
      ).toEqual(['a', 'b']);
      expect(
        await list({
          filter: { not: { property: 'owner', refs: ['user:default/alice'] } },
        }),
      ).toEqual(['b', 'c', 'd', 'e']);
      expect(await list({ filter: { property: 'owner', refs: [] } })).toEqual(
        [],
      );
      expect(
        await list({ filter: { not: { property: 'team', refs: [] } } }),
      ).toEqual(['a', 'b', 'c', 'd', 'e']);
    },
  );

  it.each(databases.eachSupportedId())(
    "reuses a list's syncedAt for 1 s, and drops it when a sync is recorded, on %p",
    async dbId => {
      const { knex, clock, store } = await setup(dbId);
      await store.recordSync('main', {
        syncedAt: T0,
        durationMs: 1,
        upstreamCalls: 1,
        sandboxCount: 0,
      });
      const syncReads: string[] = [];
      const onQuery = (q: { sql: string }) => {
        if (q.sql.includes('opensandbox_inventory_syncs'))
          syncReads.push(q.sql);
      };
      knex.on('query', onQuery);
      try {
        expect((await store.list()).syncedAt).toBe(new Date(T0).toISOString());
        clock.now = T0 + 999;
        expect((await store.list()).syncedAt).toBe(new Date(T0).toISOString());
        expect(syncReads).toHaveLength(1);
        clock.now = T0 + 1_000;
        await store.list();
        expect(syncReads).toHaveLength(2);
        // A sync recorded by this store shows in the very next list.
        await store.recordSync('main', {
          syncedAt: T0 + 1_000,
          durationMs: 1,
          upstreamCalls: 1,
          sandboxCount: 0,
        });
        expect((await store.list()).syncedAt).toBe(
          new Date(T0 + 1_000).toISOString(),
        );
      } finally {
        knex.off('query', onQuery);
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'reports syncedAt as the oldest last successful sync, on %p',
    async dbId => {
      const { store } = await setup(dbId);
      expect((await store.list()).syncedAt).toBeNull();
      await store.recordSync('main', {
        syncedAt: T0,
        durationMs: 120.4,
        upstreamCalls: 3,
        sandboxCount: 401,
      });
      expect((await store.list()).syncedAt).toBe(new Date(T0).toISOString());
      expect(await store.lastSync('main')).toEqual({
        server: 'main',
        syncedAt: T0,
        attemptedAt: T0,
        durationMs: 120,
        upstreamCalls: 3,
        sandboxCount: 401,
        error: null,
      });
      // A failed sync keeps the last success.
      await store.recordSync('main', {
        syncedAt: T0 + MIN,
        durationMs: 5,
        upstreamCalls: 1,
        sandboxCount: 0,
        error: 'upstream 502',
      });
      expect(await store.lastSync('main')).toEqual({
        server: 'main',
        syncedAt: T0,
        attemptedAt: T0 + MIN,
        durationMs: 5,
        upstreamCalls: 1,
        sandboxCount: 401,
        error: 'upstream 502',
      });
      await store.recordSync('b', {
        syncedAt: T0 + 2 * MIN,
        durationMs: 5,
        upstreamCalls: 1,
        sandboxCount: 0,
      });
      expect((await store.list()).syncedAt).toBe(new Date(T0).toISOString());
      expect((await store.list({ servers: ['b'] })).syncedAt).toBe(
        new Date(T0 + 2 * MIN).toISOString(),
      );
      expect(
        (await store.list({ servers: ['b', 'never'] })).syncedAt,
      ).toBeNull();
      // A server whose only sync failed has no successful sync.
      await store.recordSync('c', {
        syncedAt: T0,
        durationMs: 5,
        upstreamCalls: 1,
        sandboxCount: 0,
        error: 'boom',
      });
      expect(await store.lastSync('c')).toMatchObject({
        syncedAt: null,
        sandboxCount: null,
        error: 'boom',
      });
      expect((await store.list()).syncedAt).toBeNull();
      expect((await store.list({ servers: ['main', 'b'] })).syncedAt).toBe(
        new Date(T0).toISOString(),
      );
      expect(await store.lastSync('never')).toBeUndefined();
    },
  );

  it.each(databases.eachSupportedId())(
    'counts per team and lists expiring sandboxes, on %p',
    async dbId => {
      const { store } = await setup(dbId);
      await store.upsertPage('main', [
        sandbox('a', { team: 'group:default/team-a', expiresAt: T0 + 1 * MIN }),
        sandbox('b', {
          team: 'group:default/Team-A',
          state: 'Paused',
          expiresAt: T0 + 2 * MIN,
        }),
        sandbox('c', {
          team: 'group:default/team-a',
          state: 'Terminated',
          expiresAt: T0 + 3 * MIN,
        }),
        sandbox('d', {
          team: 'group:default/team-b',
          expiresAt: T0 + 10 * MIN,
        }),
        sandbox('e', { expiresAt: null }),
      ]);
      await store.upsertPage('other', [
        sandbox('f', { team: 'group:default/team-b', expiresAt: T0 + 2 * MIN }),
      ]);
      expect(await store.countByTeam()).toEqual({
        'group:default/team-a': 2,
        'group:default/team-b': 2,
      });
      expect(await store.countByTeam('main')).toEqual({
        'group:default/team-a': 2,
        'group:default/team-b': 1,
      });
      expect(await store.countByTeam('none')).toEqual({});
      const expiring = await store.expiringBetween(T0, T0 + 5 * MIN, 10);
      expect(expiring.map(e => `${e.server}/${e.sandbox.id}`)).toEqual([
        'main/a',
        'main/b',
        'other/f',
      ]);
      expect(
        (await store.expiringBetween(T0, T0 + 5 * MIN, 1)).map(
          e => e.sandbox.id,
        ),
      ).toEqual(['a']);
      await expect(store.expiringBetween(T0, T0 + 1, 0)).rejects.toThrow(
        InputError,
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'reports changes since a version, with removals and paging, on %p',
    async dbId => {
      const { store, clock } = await setup(dbId, {
        removalRetentionMs: 10 * MIN,
      });
      await store.upsertPage('main', [
        sandbox('a'),
        sandbox('b'),
        sandbox('c'),
      ]); // versions 1..3
      const v0 = await store.currentVersion();
      expect(v0).toBe(3);
      const all = await store.changedSince(0);
      expect(all.items.map(e => [e.sandbox.id, e.version])).toEqual([
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ]);
      expect(all).toMatchObject({
        removed: [],
        version: 3,
        hasMore: false,
        reset: false,
      });

      await store.upsert('main', sandbox('b', { state: 'Paused' })); // 4
      await store.upsert('main', sandbox('a')); // unchanged
      clock.now = T0 + MIN;
      await store.remove('main', 'c'); // 5
      const changes = await store.changedSince(v0);
      expect(
        changes.items.map(e => [
          e.sandbox.id,
          e.version,
          e.sandbox.status.state,
        ]),
      ).toEqual([['b', 4, 'Paused']]);
      // The tombstone keeps the removed sandbox's last body (live status checks permissions on it).
      expect(changes.removed).toEqual([
        {
          server: 'main',
          id: 'c',
          version: 5,
          removedAt: T0 + MIN,
          sandbox: sandbox('c'),
        },
      ]);
      expect(changes).toMatchObject({
        version: 5,
        hasMore: false,
        reset: false,
      });
      expect(await store.changedSince(5)).toMatchObject({
        items: [],
        removed: [],
        version: 5,
        hasMore: false,
      });

      const paged = await store.changedSince(0, 2);
      expect(paged.items.map(e => e.version)).toEqual([1, 4]);
      expect(paged.removed).toEqual([]);
      expect(paged).toMatchObject({ version: 4, hasMore: true });
      const rest = await store.changedSince(paged.version, 2);
      expect(rest.items).toEqual([]);
      expect(rest.removed.map(r => r.version)).toEqual([5]);
      expect(rest).toMatchObject({ version: 5, hasMore: false });

      // Tombstones past the retention are pruned (by removeUnseen); older readers must reload.
      clock.now = T0 + 20 * MIN;
      await store.removeUnseen('main', T0 - 1);
      expect(await store.changedSince(4)).toMatchObject({
        removed: [],
        reset: true,
      });
      expect(await store.changedSince(5)).toMatchObject({ reset: false });
      await expect(store.changedSince(-1)).rejects.toThrow(InputError);
    },
  );

  it.each(databases.eachSupportedId())(
    'hands out unique versions to concurrent writers, on %p',
    async dbId => {
      const { knex, clock } = await setup(dbId);
      const writerA = await createInventoryStore(knex, clock.fn);
      const writerB = await createInventoryStore(knex, clock.fn);
      const pages = Array.from({ length: 10 }, (_page, p) =>
        Array.from({ length: 20 }, (_item, i) => sandbox(`p${p}-${i}`)),
      );
      await Promise.all([
        ...pages.map((page, p) =>
          (p % 2 ? writerA : writerB).upsertPage('main', page),
        ),
        ...Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? writerB : writerA).upsert('main', sandbox(`single-${i}`)),
        ),
        // The same sandboxes changed by both writers at once.
        ...Array.from({ length: 10 }, (_, i) =>
          writerA.upsert('main', sandbox(`p0-${i}`, { state: 'Paused' })),
        ),
      ]);
      const rows = await knex(SANDBOXES_TABLE).select('id', 'version');
      const versions = rows.map(r => Number(r.version));
      expect(rows).toHaveLength(220);
      expect(new Set(versions).size).toBe(220);
      const current = await writerB.currentVersion();
      expect(Math.max(...versions)).toBe(current);
      // 220 inserts plus 10 changes (whichever of the two writes of p0-0..9 came second).
      expect(current).toBe(230);
      const changes = await writerA.changedSince(0, 10_000);
      expect(changes.items).toHaveLength(220);
      expect(changes.version).toBe(current);
    },
  );
});
