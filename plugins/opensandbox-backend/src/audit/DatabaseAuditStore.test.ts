import { TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import type { AuditEventRecord } from './records';
import { DatabaseAuditStore } from './DatabaseAuditStore';
import {
  T0,
  attemptInput,
  createTestStore,
  testClock,
} from '../__testUtils__/auditTestHelpers';

jest.setTimeout(60_000);

describe('DatabaseAuditStore', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  async function setup(id: Parameters<typeof databases.init>[0]) {
    const knex = await databases.init(id);
    const clock = testClock();
    const store = await createTestStore(knex, clock.fn);
    return { knex, clock, store };
  }

  async function all(store: DatabaseAuditStore): Promise<AuditEventRecord[]> {
    const out: AuditEventRecord[] = [];
    for await (const r of store.stream({})) out.push(r);
    return out;
  }

  it.each(databases.eachSupportedId())(
    'reads the latest succeeded row of several actions of a sandbox in ONE statement on %p',
    async id => {
      const { store, knex, clock } = await setup(id);
      const done = async (
        action: 'sandbox.create' | 'sandbox.renew',
        sandboxId: string,
        outcome: 'succeeded' | 'failed',
        at: number,
        details = {},
      ) => {
        clock.now = at;
        const row = await store.insertInitiated(
          attemptInput({ action, sandboxId, details }),
        );
        await store.completeInitiated(
          row.id,
          outcome,
          { httpStatus: outcome === 'succeeded' ? 200 : 500 },
          row.details,
        );
        return row.id;
      };
      const created = await done('sandbox.create', 'sbx-1', 'succeeded', T0);
      await done('sandbox.renew', 'sbx-1', 'succeeded', T0 + 1, { n: 1 });
      const latestRenew = await done(
        'sandbox.renew',
        'sbx-1',
        'succeeded',
        T0 + 2,
        { n: 2 },
      );
      await done('sandbox.renew', 'sbx-1', 'failed', T0 + 3);
      await done('sandbox.renew', 'sbx-2', 'succeeded', T0 + 4);
      const statements: string[] = [];
      const count = (q: { sql: string }) => statements.push(q.sql);
      knex.on('query', count);
      let found;
      try {
        found = await store.lastSucceededOf('sbx-1', [
          'sandbox.renew',
          'sandbox.create',
        ]);
      } finally {
        knex.off('query', count);
      }
      expect(statements).toHaveLength(1);
      expect(found.get('sandbox.renew')).toMatchObject({
        id: latestRenew,
        details: { n: 2 },
      });
      expect(found.get('sandbox.create')?.id).toBe(created);
      expect([
        ...(
          await store.lastSucceededOf('sbx-2', [
            'sandbox.renew',
            'sandbox.create',
          ])
        ).keys(),
      ]).toEqual(['sandbox.renew']);
      expect(
        (await store.lastSucceededOf('sbx-9', ['sandbox.renew'])).size,
      ).toBe(0);
    },
  );

  it.each(databases.eachSupportedId())(
    'sets the outcome in ONE statement when given the initiated details, exactly once, on %p',
    async id => {
      const { store, knex } = await setup(id);
      const created = await store.insertInitiated(
        attemptInput({ details: { request: { expiresAt: 'x' } } }),
      );
      const statements: string[] = [];
      const count = (q: { sql: string }) => statements.push(q.sql);
      knex.on('query', count);
      try {
        await store.completeInitiated(
          created.id,
          'succeeded',
          { httpStatus: 200, details: { after: { expiresAt: 'y' } } },
          created.details,
        );
      } finally {
        knex.off('query', count);
      }
      expect(statements).toHaveLength(1);
      expect(statements[0]).toMatch(/^update/i);
      const [row] = await all(store);
      expect(row).toMatchObject({
        outcome: 'succeeded',
        httpStatus: 200,
        details: { request: { expiresAt: 'x' }, after: { expiresAt: 'y' } },
      });
      await expect(
        store.completeInitiated(
          created.id,
          'failed',
          { httpStatus: 500, details: { z: 1 } },
          created.details,
        ),
      ).rejects.toThrow(
        `audit event ${created.id} already has outcome succeeded`,
      );
      await expect(
        store.completeInitiated(
          '00000000-0000-4000-8000-000000000000',
          'failed',
          { httpStatus: 500 },
          {},
        ),
      ).rejects.toThrow(NotFoundError);
      expect((await all(store))[0].details).toEqual({
        request: { expiresAt: 'x' },
        after: { expiresAt: 'y' },
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'inserts an initiated row and sets its outcome exactly once on %p',
    async id => {
      const { store, clock } = await setup(id);
      const created = await store.insertInitiated(
        attemptInput({
          team: 'group:default/team-a',
          clientIp: '10.0.0.1',
          userAgent: 'curl/8',
          batchId: 'batch-1',
          details: { image: { uri: 'python:3.12' } },
        }),
      );
      expect(created).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        occurredAt: T0,
        actor: 'user:default/alice',
        actorType: 'user',
        action: 'sandbox.create',
        sandboxId: null,
        team: 'group:default/team-a',
        outcome: 'initiated',
        httpStatus: null,
        errorCode: null,
        errorMessage: null,
        requestId: 'req-00000001',
        clientIp: '10.0.0.1',
        userAgent: 'curl/8',
        batchId: 'batch-1',
        channel: 'http',
        details: { image: { uri: 'python:3.12' } },
        updatedAt: T0,
      });

      clock.now = T0 + 1234;
      await store.completeInitiated(created.id, 'succeeded', {
        httpStatus: 201,
        sandboxId: 'sbx-1',
        details: { after: { state: 'Running' } },
      });
      expect(await all(store)).toEqual([
        {
          ...created,
          outcome: 'succeeded',
          httpStatus: 201,
          sandboxId: 'sbx-1',
          details: {
            image: { uri: 'python:3.12' },
            after: { state: 'Running' },
          },
          updatedAt: T0 + 1234,
        },
      ]);

      await expect(
        store.completeInitiated(created.id, 'failed', { httpStatus: 500 }),
      ).rejects.toThrow(ConflictError);
      await expect(
        store.completeInitiated(created.id, 'succeeded', { httpStatus: 200 }),
      ).rejects.toThrow(
        `audit event ${created.id} already has outcome succeeded`,
      );
      await expect(
        store.completeInitiated(
          '00000000-0000-4000-8000-000000000000',
          'failed',
          {
            httpStatus: 500,
          },
        ),
      ).rejects.toThrow(NotFoundError);
      expect((await all(store))[0].outcome).toBe('succeeded');
    },
  );

  it.each(databases.eachSupportedId())(
    'records failures and denied rows on %p',
    async id => {
      const { store } = await setup(id);
      const attempt = await store.insertInitiated(
        attemptInput({ action: 'sandbox.delete', sandboxId: 'sbx-9' }),
      );
      await store.completeInitiated(attempt.id, 'failed', {
        httpStatus: 502,
        errorCode: 'UPSTREAM_ERROR',
        errorMessage: 'bad gateway',
      });
      const denied = await store.insertDenied(
        attemptInput({
          actor: 'user:default/bob',
          action: 'sandbox.delete',
          sandboxId: 'sbx-9',
          details: { reason: 'policy' },
        }),
        {
          httpStatus: 404,
          errorCode: 'NotFoundError',
          details: { hidden: true },
        },
      );
      expect(denied.outcome).toBe('denied');
      const rows = await all(store);
      expect(
        rows.map(r => [
          r.id,
          r.outcome,
          r.httpStatus,
          r.errorCode,
          r.errorMessage,
        ]),
      ).toEqual([
        [denied.id, 'denied', 404, 'NotFoundError', null],
        [attempt.id, 'failed', 502, 'UPSTREAM_ERROR', 'bad gateway'],
      ]);
      expect(rows[0].details).toEqual({ reason: 'policy', hidden: true });
      expect(rows[0].actor).toBe('user:default/bob');
    },
  );

  it.each(databases.eachSupportedId())(
    'filters exactly, alone and combined, on %p',
    async id => {
      const { store, clock } = await setup(id);
      const ids: Record<string, string> = {};
      const add = async (
        name: string,
        at: number,
        over: Parameters<typeof attemptInput>[0],
        deny = false,
      ) => {
        clock.now = at;
        const input = attemptInput(over);
        ids[name] = deny
          ? (await store.insertDenied(input, { httpStatus: 403 })).id
          : (await store.insertInitiated(input)).id;
      };
      await add('a1', T0, {
        actor: 'user:default/alice',
        team: 'group:default/a',
        sandboxId: 's1',
      });
      await add('a2', T0 + 1000, {
        actor: 'user:default/alice',
        action: 'sandbox.delete',
        sandboxId: 's1',
        team: 'group:default/a',
      });
      await add('b1', T0 + 2000, {
        actor: 'user:default/bob',
        team: 'group:default/b',
        sandboxId: 's2',
      });
      await add(
        'b2',
        T0 + 3000,
        {
          actor: 'user:default/bob',
          action: 'sandbox.renew',
          sandboxId: 's2',
          team: 'group:default/b',
        },
        true,
      );
      await add('c1', T0 + 4000, {
        actor: 'service:ci',
        actorType: 'service',
        action: 'sandbox.delete',
        sandboxId: 's1',
      });
      await store.completeInitiated(ids.a1, 'succeeded', { httpStatus: 201 });
      await store.completeInitiated(ids.c1, 'failed', { httpStatus: 500 });

      const find = async (filter: Parameters<DatabaseAuditStore['query']>[0]) =>
        (await store.query(filter, { limit: 200 })).items.map(
          r => Object.entries(ids).find(([, v]) => v === r.id)![0],
        );

      expect(await find({})).toEqual(['c1', 'b2', 'b1', 'a2', 'a1']);
      expect(await find({ actor: 'user:default/alice' })).toEqual(['a2', 'a1']);
      expect(await find({ action: 'sandbox.delete' })).toEqual(['c1', 'a2']);
      expect(await find({ sandboxId: 's1' })).toEqual(['c1', 'a2', 'a1']);
      expect(await find({ team: 'group:default/b' })).toEqual(['b2', 'b1']);
      expect(await find({ outcome: 'initiated' })).toEqual(['b1', 'a2']);
      expect(await find({ outcome: 'denied' })).toEqual(['b2']);
      expect(await find({ outcome: 'succeeded' })).toEqual(['a1']);
      expect(await find({ outcome: 'failed' })).toEqual(['c1']);
      expect(await find({ outcome: 'unknown' })).toEqual([]);
      expect(await find({ from: T0 + 1000 })).toEqual(['c1', 'b2', 'b1', 'a2']);
      expect(await find({ to: T0 + 1000 })).toEqual(['a1']);
      expect(await find({ from: T0 + 1000, to: T0 + 3000 })).toEqual([
        'b1',
        'a2',
      ]);
      expect(await find({ sandboxId: 's1', action: 'sandbox.delete' })).toEqual(
        ['c1', 'a2'],
      );
      expect(
        await find({ actor: 'user:default/alice', outcome: 'initiated' }),
      ).toEqual(['a2']);
      expect(await find({ team: 'group:default/b', from: T0 + 2500 })).toEqual([
        'b2',
      ]);
      expect(await find({ actor: 'user:default/nobody' })).toEqual([]);
    },
  );

  it.each(databases.eachSupportedId())(
    'walks every row once with keyset pages, same-millisecond rows included, on %p',
    async id => {
      const { store, clock } = await setup(id);
      const expected: string[] = [];
      // 23 rows over 4 distinct milliseconds (6, 6, 6, 5 rows each).
      for (let i = 0; i < 23; i++) {
        clock.now = T0 + Math.floor(i / 6);
        expected.unshift(
          (await store.insertInitiated(attemptInput({ requestId: `r-${i}` })))
            .id,
        );
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.query({}, { limit: 5, cursor });
        seen.push(...page.items.map(r => r.id));
        cursor = page.nextCursor;
        pages++;
        if (pages === 1) {
          // A row written meanwhile (newer) must not shift later pages.
          clock.now = T0 + 10;
          await store.insertInitiated(attemptInput({ requestId: 'late' }));
        }
      } while (cursor);
      expect(pages).toBe(5);
      expect(seen).toEqual(expected);
      expect(new Set(seen).size).toBe(23);

      const exact = await store.query(
        { actor: 'user:default/alice', to: T0 + 4 },
        { limit: 23 },
      );
      expect(exact.items.map(r => r.id)).toEqual(expected);
      expect(exact.nextCursor).toBeUndefined();
      expect((await store.query({})).items).toHaveLength(24);
    },
  );

  it.each(databases.eachSupportedId())(
    'streams in pages and validates paging on %p',
    async id => {
      const { store, clock } = await setup(id);
      const expected: string[] = [];
      for (let i = 0; i < 10; i++) {
        clock.now = T0 + (i % 2 === 0 ? i : i - 1);
        expected.unshift((await store.insertInitiated(attemptInput())).id);
      }
      const streamed: string[] = [];
      for await (const r of store.stream(
        { actor: 'user:default/alice' },
        { pageSize: 3 },
      )) {
        streamed.push(r.id);
      }
      expect(streamed).toEqual(expected);

      await expect(store.query({}, { limit: 0 })).rejects.toThrow(
        new InputError('limit must be an integer between 1 and 200'),
      );
      await expect(store.query({}, { limit: 201 })).rejects.toThrow(InputError);
      await expect(store.query({}, { limit: 2.5 })).rejects.toThrow(InputError);
      await expect(
        store.query({}, { cursor: 'bm90LWEtY3Vyc29y' }),
      ).rejects.toThrow(new InputError('cursor is invalid'));
      await expect(store.query({}, { cursor: '!!' })).rejects.toThrow(
        'cursor is invalid',
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'marks stale initiated rows unknown on %p',
    async id => {
      const { store, clock } = await setup(id);
      clock.now = T0;
      const old = await store.insertInitiated(attemptInput());
      const oldDone = await store.insertInitiated(attemptInput());
      await store.completeInitiated(oldDone.id, 'succeeded', {
        httpStatus: 200,
      });
      const oldDenied = await store.insertDenied(attemptInput(), {
        httpStatus: 403,
      });
      clock.now = T0 + 10 * 60_000;
      const recent = await store.insertInitiated(attemptInput());

      clock.now = T0 + 15 * 60_000; // old is exactly 15 min old: not strictly older
      expect(await store.markStaleInitiated(15 * 60_000)).toBe(0);
      clock.now = T0 + 15 * 60_000 + 1;
      expect(await store.markStaleInitiated(15 * 60_000)).toBe(1);
      expect(await store.markStaleInitiated(15 * 60_000)).toBe(0);

      const byId = new Map((await all(store)).map(r => [r.id, r]));
      expect(byId.get(old.id)).toMatchObject({
        outcome: 'unknown',
        updatedAt: T0 + 15 * 60_000 + 1,
      });
      expect(byId.get(oldDone.id)!.outcome).toBe('succeeded');
      expect(byId.get(oldDenied.id)!.outcome).toBe('denied');
      expect(byId.get(recent.id)!.outcome).toBe('initiated');
      await expect(
        store.completeInitiated(old.id, 'succeeded', { httpStatus: 200 }),
      ).rejects.toThrow(`audit event ${old.id} already has outcome unknown`);
      await expect(store.markStaleInitiated(-1)).rejects.toThrow(InputError);
    },
  );

  it.each(databases.eachSupportedId())(
    'deletes rows older than the cutoff on %p',
    async id => {
      const { store, clock } = await setup(id);
      const made: string[] = [];
      for (let i = 0; i < 6; i++) {
        clock.now = T0 + i * 1000;
        made.push((await store.insertInitiated(attemptInput())).id);
      }
      expect(await store.deleteOlderThan(T0 + 3000)).toBe(3);
      expect((await all(store)).map(r => r.id)).toEqual([
        made[5],
        made[4],
        made[3],
      ]);
      expect(await store.deleteOlderThan(T0 + 3000)).toBe(0);
      expect(await store.deleteOlderThan(T0 + 10_000)).toBe(3);
      expect(await all(store)).toEqual([]);
    },
  );

  it.each(databases.eachSupportedId())(
    'truncates oversized inputs instead of failing on %p',
    async id => {
      const { store } = await setup(id);
      const record = await store.insertInitiated(
        attemptInput({
          actor: `user:default/${'x'.repeat(400)}`,
          userAgent: 'u'.repeat(5000),
        }),
      );
      const [stored] = await all(store);
      expect(stored.actor).toHaveLength(255);
      expect(stored.userAgent).toHaveLength(1024);
      expect(stored).toEqual(record);
    },
  );
});
