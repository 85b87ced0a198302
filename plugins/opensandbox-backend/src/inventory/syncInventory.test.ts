import { TestDatabases } from '@backstage/backend-test-utils';
import type { ConsoleSandbox } from '@opensandbox-console/plugin-opensandbox-common';
import {
  InventorySyncError,
  MAX_SYNC_PAGES,
  syncServer,
} from './syncInventory';
import type { SandboxInventoryStore } from './SandboxInventoryStore';
import {
  T0,
  createInventoryStore,
  sandbox,
  testClock,
} from '../__testUtils__/inventoryTestHelpers';

jest.setTimeout(60_000);

const MIN = 60_000;

/**
 * An in-memory upstream: newest first, offset pages; `beforePage` runs before page n is served
 * (to change the upstream mid-scan), `failOn` makes a page throw.
 */
function fakeUpstream(initial: ConsoleSandbox[]) {
  const upstream = {
    items: [...initial],
    calls: [] as number[],
    beforePage: undefined as undefined | ((page: number) => void),
    failOn: undefined as undefined | number,
    fetchPage: async (page: number, pageSize: number) => {
      upstream.beforePage?.(page);
      upstream.calls.push(page);
      if (upstream.failOn === page) throw new Error('upstream 502');
      const sorted = [...upstream.items].sort(
        (a, b) =>
          Date.parse(b.createdAt) - Date.parse(a.createdAt) ||
          (a.id < b.id ? -1 : 1),
      );
      const totalItems = sorted.length;
      const totalPages = Math.ceil(totalItems / pageSize);
      return {
        items: sorted.slice((page - 1) * pageSize, page * pageSize),
        pagination: {
          page,
          pageSize,
          totalItems,
          totalPages,
          hasNextPage: page < totalPages,
        },
      };
    },
    remove(id: string) {
      upstream.items = upstream.items.filter(s => s.id !== id);
    },
    replace(s: ConsoleSandbox) {
      upstream.items = upstream.items.map(x => (x.id === s.id ? s : x));
    },
  };
  return upstream;
}

/** n sandboxes created one second apart before T0, `s-000` the oldest. */
const fleet = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    sandbox(`s-${String(i).padStart(3, '0')}`, {
      createdAt: T0 - (n - i) * 1000,
    }),
  );

describe('syncServer', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  async function setup(
    id: Parameters<typeof databases.init>[0],
    upstreamItems: ConsoleSandbox[],
  ) {
    const knex = await databases.init(id);
    const clock = testClock(T0 + MIN);
    const store = await createInventoryStore(knex, clock.fn);
    const upstream = fakeUpstream(upstreamItems);
    const sync = () =>
      syncServer({
        server: 'main',
        store,
        fetchPage: upstream.fetchPage,
        clock: clock.fn,
      });
    const allIds = async () =>
      (await store.list({ pageSize: 200, servers: ['main'] })).pagination
        .totalItems;
    return { knex, clock, store, upstream, sync, allIds };
  }

  it.each(databases.eachSupportedId())(
    'adds, updates and removes, and records the sync, on %p',
    async id => {
      const { clock, store, upstream, sync, allIds } = await setup(
        id,
        fleet(450),
      );
      const first = await sync();
      expect(first).toMatchObject({
        added: 450,
        updated: 0,
        removed: 0,
        seen: 450,
        upstreamCalls: 3,
        stable: true,
      });
      expect(first.changedIds).toHaveLength(450);
      expect(upstream.calls).toEqual([1, 2, 3]);
      expect(await allIds()).toBe(450);
      expect(await store.lastSync('main')).toEqual({
        server: 'main',
        syncedAt: T0 + MIN,
        attemptedAt: T0 + MIN,
        durationMs: 0,
        upstreamCalls: 3,
        sandboxCount: 450,
        error: null,
      });

      // No change: nothing reported, no version bump.
      clock.now = T0 + 2 * MIN;
      const version = await store.currentVersion();
      expect(await sync()).toMatchObject({
        added: 0,
        updated: 0,
        removed: 0,
        seen: 450,
        changedIds: [],
      });
      expect(await store.currentVersion()).toBe(version);

      // Two changed, three deleted, one new.
      upstream.replace(
        sandbox('s-010', { createdAt: T0 - 440_000, state: 'Paused' }),
      );
      upstream.replace(
        sandbox('s-300', {
          createdAt: T0 - 150_000,
          metadata: { stage: 'prod' },
        }),
      );
      for (const gone of ['s-000', 's-201', 's-449']) upstream.remove(gone);
      upstream.items.push(sandbox('s-new', { createdAt: T0 + 90_000 }));
      clock.now = T0 + 3 * MIN;
      const third = await sync();
      expect(third).toMatchObject({
        added: 1,
        updated: 2,
        removed: 3,
        seen: 448,
        upstreamCalls: 3,
        stable: true,
      });
      expect(third.changedIds).toEqual([
        's-000',
        's-010',
        's-201',
        's-300',
        's-449',
        's-new',
      ]);
      expect(await allIds()).toBe(448);
      expect((await store.get('main', 's-010'))?.sandbox.status.state).toBe(
        'Paused',
      );
      expect(await store.get('main', 's-201')).toBeUndefined();
      const changes = await store.changedSince(version);
      expect(changes.items.map(e => e.sandbox.id).sort()).toEqual([
        's-010',
        's-300',
        's-new',
      ]);
      expect(changes.removed.map(r => r.id).sort()).toEqual([
        's-000',
        's-201',
        's-449',
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'handles a sandbox appearing mid-scan: counted once, never removed, on %p',
    async id => {
      const { clock, store, upstream, sync, allIds } = await setup(
        id,
        fleet(400),
      );
      await sync();
      clock.now = T0 + 2 * MIN;
      upstream.remove('s-050');
      const fresh = sandbox('fresh', { createdAt: T0 + 2 * MIN + 500 });
      // After page 1 (s-399..s-200) is read, "fresh" is created (pushing s-200 onto page 2: a
      // duplicate) and the oldest, s-000, is deleted: the page totals stay equal (a stable scan).
      upstream.beforePage = page => {
        if (page === 2) {
          upstream.items.push(fresh);
          upstream.remove('s-000');
        }
      };
      // The console wrote "fresh" itself (seenAt even before the sync started): created after the
      // sync started, so never removed although the scan did not see it.
      await store.upsert('main', fresh, T0 + 2 * MIN - 1);
      const result = await sync();
      expect(result).toMatchObject({
        added: 0,
        updated: 0,
        removed: 2,
        seen: 398,
        upstreamCalls: 2,
        stable: true,
      });
      expect(result.changedIds).toEqual(['s-000', 's-050']);
      expect(await store.get('main', 'fresh')).toBeDefined();
      expect(await allIds()).toBe(399);

      // The next scan lists "fresh" as unchanged.
      upstream.beforePage = undefined;
      clock.now = T0 + 3 * MIN;
      expect(await sync()).toMatchObject({
        added: 0,
        updated: 0,
        removed: 0,
        seen: 399,
        stable: true,
        changedIds: [],
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'never removes a sandbox hidden by a deletion shifting the pages, on %p',
    async id => {
      const { clock, store, upstream, sync, allIds } = await setup(
        id,
        fleet(400),
      );
      await sync();
      clock.now = T0 + 2 * MIN;
      // After page 1 (s-399..s-200) is read, s-300 is deleted: s-199 moves onto page 1 and the
      // offset scan never sees it.
      upstream.beforePage = page => {
        if (page === 2) upstream.remove('s-300');
      };
      const result = await sync();
      expect(result).toMatchObject({ seen: 399, stable: false, removed: 0 });
      expect(await store.get('main', 's-199')).toBeDefined();
      expect(await store.get('main', 's-300')).toBeDefined(); // deferred to the next sync
      upstream.beforePage = undefined;
      clock.now = T0 + 3 * MIN;
      expect(await sync()).toMatchObject({
        removed: 1,
        changedIds: ['s-300'],
        stable: true,
      });
      expect(await allIds()).toBe(399);
      expect(await store.get('main', 's-199')).toBeDefined();
    },
  );

  it.each(databases.eachSupportedId())(
    'removes nothing when a page fails, keeps what it read, records the error, on %p',
    async id => {
      const { clock, store, upstream, sync, allIds } = await setup(
        id,
        fleet(450),
      );
      await sync();
      clock.now = T0 + 2 * MIN;
      upstream.replace(
        sandbox('s-449', { createdAt: T0 - 1000, state: 'Paused' }),
      ); // on page 1
      upstream.remove('s-000');
      upstream.failOn = 2;
      const error = await sync().then(
        () => undefined,
        e => e,
      );
      expect(error).toBeInstanceOf(InventorySyncError);
      expect(error.message).toBe(
        'Inventory sync of main failed at page 2: upstream 502',
      );
      expect(error.cause).toEqual(new Error('upstream 502'));
      expect(error.partial).toMatchObject({
        added: 0,
        updated: 1,
        seen: 200,
        upstreamCalls: 2,
      });
      expect(await allIds()).toBe(450); // s-000 still there
      expect((await store.get('main', 's-449'))?.sandbox.status.state).toBe(
        'Paused',
      );
      expect(await store.lastSync('main')).toMatchObject({
        syncedAt: T0 + MIN,
        attemptedAt: T0 + 2 * MIN,
        upstreamCalls: 2,
        sandboxCount: 450,
        error: 'Inventory sync of main failed at page 2: upstream 502',
      });
      expect((await store.list()).syncedAt).toBe(
        new Date(T0 + MIN).toISOString(),
      );

      upstream.failOn = undefined;
      clock.now = T0 + 3 * MIN;
      expect(await sync()).toMatchObject({ removed: 1, changedIds: ['s-000'] });
      expect(await store.lastSync('main')).toMatchObject({
        syncedAt: T0 + 3 * MIN,
        error: null,
        sandboxCount: 449,
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'stops at an empty page and syncs an empty upstream, on %p',
    async id => {
      const { clock, upstream, sync, allIds } = await setup(id, fleet(3));
      await sync();
      upstream.items = [];
      clock.now = T0 + 2 * MIN;
      expect(await sync()).toMatchObject({
        removed: 3,
        upstreamCalls: 1,
        seen: 0,
        stable: true,
      });
      expect(await allIds()).toBe(0);
    },
  );
});

describe('syncServer without a database', () => {
  const stubStore = () => {
    const calls: string[] = [];
    const store: Pick<
      SandboxInventoryStore,
      'upsertPage' | 'removeUnseen' | 'recordSync' | 'lastSync'
    > = {
      upsertPage: async (_server, items) => {
        calls.push(`upsert ${items.length}`);
        return {
          added: items.map(i => i.id),
          updated: [],
          unchanged: [],
          stale: [],
        };
      },
      removeUnseen: async () => {
        calls.push('removeUnseen');
        return [];
      },
      recordSync: async (_server, sync) => {
        calls.push(`record ${sync.error ?? 'ok'}`);
      },
      lastSync: async () => undefined,
    };
    return { store, calls };
  };

  it(`gives up after ${MAX_SYNC_PAGES} pages without removing anything`, async () => {
    const { store, calls } = stubStore();
    let n = 0;
    const fetchPage = async (page: number, pageSize: number) => ({
      items: [sandbox(`s-${n++}`)],
      pagination: {
        page,
        pageSize,
        totalItems: 5000,
        totalPages: 5000,
        hasNextPage: true,
      },
    });
    await expect(
      syncServer({ server: 'main', store, fetchPage, pageSize: 1 }),
    ).rejects.toThrow(
      'Inventory sync of main stopped after 1000 pages: more sandboxes than it reads',
    );
    expect(n).toBe(MAX_SYNC_PAGES);
    expect(calls).not.toContain('removeUnseen');
    expect(calls[calls.length - 1]).toMatch(
      /^record Inventory sync of main stopped/,
    );
  });

  it('treats an empty page that claims more pages as unstable (no removal without a previous sync)', async () => {
    const { store, calls } = stubStore();
    const fetchPage = async (page: number, pageSize: number) => ({
      items: [],
      pagination: {
        page,
        pageSize,
        totalItems: 10,
        totalPages: 1,
        hasNextPage: true,
      },
    });
    expect(
      await syncServer({ server: 'main', store, fetchPage }),
    ).toMatchObject({ stable: false, removed: 0, upstreamCalls: 1 });
    expect(calls).toEqual(['record ok']);
  });

  it('validates the page size', async () => {
    const { store } = stubStore();
    const fetchPage = jest.fn();
    await expect(
      syncServer({ server: 'main', store, fetchPage, pageSize: 201 }),
    ).rejects.toThrow('pageSize must be an integer between 1 and 200');
    expect(fetchPage).not.toHaveBeenCalled();
  });
});
