import express from 'express';
import request from 'supertest';
import {
  TestDatabases,
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { AUDIT_ACTIONS } from '@opensandbox-console/plugin-opensandbox-common';
import { createAuditEventsRouter } from './auditEventsRouter';
import { DatabaseAuditStore } from './DatabaseAuditStore';
import {
  T0,
  attemptInput,
  createTestStore,
  testClock,
} from '../__testUtils__/auditTestHelpers';

jest.setTimeout(60_000);

function app(
  store: DatabaseAuditStore,
  result: AuthorizeResult.ALLOW | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
) {
  const permissions = mockServices.permissions({ result });
  const authorize = jest.spyOn(permissions, 'authorize');
  const a = express();
  a.use(
    createAuditEventsRouter({
      store,
      httpAuth: mockServices.httpAuth(),
      permissions,
    }),
  );
  a.use(mockErrorHandler());
  return { app: a, authorize };
}

/** Seeds 3 events: create succeeded (T0), delete denied (T0+1), renew initiated with a formula UA (T0+1). */
async function seed(store: DatabaseAuditStore, clock: { now: number }) {
  clock.now = T0;
  const a = await store.insertInitiated(
    attemptInput({
      team: 'group:default/a',
      clientIp: '10.0.0.1',
      userAgent: 'curl/8.5',
      details: { image: { uri: 'python:3.12' }, note: 'a,"b"' },
    }),
  );
  clock.now = T0 + 7;
  await store.completeInitiated(a.id, 'succeeded', {
    httpStatus: 201,
    sandboxId: 'sbx-1',
  });
  clock.now = T0 + 1;
  const b = await store.insertDenied(
    attemptInput({
      actor: 'user:default/bob',
      action: 'sandbox.delete',
      sandboxId: 'sbx-1',
      requestId: 'req-2',
    }),
    { httpStatus: 403, errorCode: 'NotAllowedError', errorMessage: 'no' },
  );
  const c = await store.insertInitiated(
    attemptInput({
      actor: 'service:ci',
      actorType: 'service',
      action: 'sandbox.renew',
      sandboxId: 'sbx-2',
      requestId: 'req-3',
      userAgent: '=cmd|calc',
      batchId: 'batch-9',
    }),
  );
  return { a: a.id, b: b.id, c: c.id };
}

function items(ids: { a: string; b: string; c: string }) {
  return {
    c: {
      id: ids.c,
      occurredAt: '2026-11-29T10:00:00.001Z',
      actor: 'service:ci',
      actorType: 'service',
      action: 'sandbox.renew',
      sandboxId: 'sbx-2',
      team: null,
      outcome: 'initiated',
      httpStatus: null,
      errorCode: null,
      errorMessage: null,
      requestId: 'req-3',
      clientIp: null,
      userAgent: '=cmd|calc',
      batchId: 'batch-9',
      channel: 'http',
      details: {},
    },
    b: {
      id: ids.b,
      occurredAt: '2026-11-29T10:00:00.001Z',
      actor: 'user:default/bob',
      actorType: 'user',
      action: 'sandbox.delete',
      sandboxId: 'sbx-1',
      team: null,
      outcome: 'denied',
      httpStatus: 403,
      errorCode: 'NotAllowedError',
      errorMessage: 'no',
      requestId: 'req-2',
      clientIp: null,
      userAgent: null,
      batchId: null,
      channel: 'http',
      details: {},
    },
    a: {
      id: ids.a,
      occurredAt: '2026-11-29T10:00:00.000Z',
      actor: 'user:default/alice',
      actorType: 'user',
      action: 'sandbox.create',
      sandboxId: 'sbx-1',
      team: 'group:default/a',
      outcome: 'succeeded',
      httpStatus: 201,
      errorCode: null,
      errorMessage: null,
      requestId: 'req-00000001',
      clientIp: '10.0.0.1',
      userAgent: 'curl/8.5',
      batchId: null,
      channel: 'http',
      details: { image: { uri: 'python:3.12' }, note: 'a,"b"' },
    },
  };
}

describe('createAuditEventsRouter', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  async function setup(id: Parameters<typeof databases.init>[0]) {
    const knex = await databases.init(id);
    const clock = testClock();
    const store = await createTestStore(knex, clock.fn);
    const ids = await seed(store, clock);
    return { store, ids, expected: items(ids) };
  }

  it.each(databases.eachSupportedId())(
    'serves json pages with a cursor on %p',
    async id => {
      const { store, expected } = await setup(id);
      const { app: a, authorize } = app(store);

      const first = await request(a).get('/audit-events?limit=2');
      expect(first.status).toBe(200);
      expect(first.body).toEqual({
        items: [expected.c, expected.b],
        nextCursor: expect.any(String),
      });
      expect(authorize).toHaveBeenCalledWith(
        [
          {
            permission: expect.objectContaining({
              name: 'opensandbox.audit.read',
              type: 'basic',
            }),
          },
        ],
        { credentials: mockCredentials.user() },
      );
      const second = await request(a).get(
        `/audit-events?limit=2&cursor=${first.body.nextCursor}`,
      );
      expect(second.body).toEqual({ items: [expected.a] });

      const filtered = await request(a).get(
        '/audit-events?sandboxId=sbx-1&outcome=succeeded&from=2026-11-29T10:00:00Z&to=1795946400001',
      );
      expect(filtered.body).toEqual({ items: [expected.a] });
      const byActor = await request(a).get(
        '/audit-events?actor=user:default/bob&action=sandbox.delete&team=group:default/a',
      );
      expect(byActor.body).toEqual({ items: [] });
      const byBatch = await request(a).get('/audit-events?batchId=batch-9');
      expect(byBatch.body).toEqual({ items: [expected.c] });
      const service = await request(a)
        .get('/audit-events?actor=service:ci')
        .set('authorization', mockCredentials.service.header());
      expect(service.status).toBe(200);
      expect(service.body).toEqual({ items: [expected.c] });
    },
  );

  it.each(databases.eachSupportedId())(
    'streams csv with quoting and formula guard on %p',
    async id => {
      const { store, ids } = await setup(id);
      const res = await request(app(store).app).get('/audit-events?format=csv');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toBe(
        'attachment; filename="opensandbox-audit-events.csv"',
      );
      expect(res.text).toBe(
        [
          'id,occurredAt,actor,actorType,action,sandboxId,team,outcome,httpStatus,errorCode,errorMessage,requestId,clientIp,userAgent,batchId,channel,details',
          `${ids.c},2026-11-29T10:00:00.001Z,service:ci,service,sandbox.renew,sbx-2,,initiated,,,,req-3,,'=cmd|calc,batch-9,http,{}`,
          `${ids.b},2026-11-29T10:00:00.001Z,user:default/bob,user,sandbox.delete,sbx-1,,denied,403,NotAllowedError,no,req-2,,,,http,{}`,
          `${ids.a},2026-11-29T10:00:00.000Z,user:default/alice,user,sandbox.create,sbx-1,group:default/a,succeeded,201,,,req-00000001,10.0.0.1,curl/8.5,,http,"{""image"":{""uri"":""python:3.12""},""note"":""a,\\""b\\""""}"`,
          '',
        ].join('\r\n'),
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'streams ndjson of the filtered set on %p',
    async id => {
      const { store, expected } = await setup(id);
      const res = await request(app(store).app).get(
        '/audit-events?format=ndjson&sandboxId=sbx-1',
      );
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe(
        'application/x-ndjson; charset=utf-8',
      );
      expect(res.headers['content-disposition']).toBe(
        'attachment; filename="opensandbox-audit-events.ndjson"',
      );
      expect(res.text).toBe(
        `${JSON.stringify(expected.b)}\n${JSON.stringify(expected.a)}\n`,
      );

      const none = await request(app(store).app).get(
        '/audit-events?format=ndjson&actor=nobody',
      );
      expect(none.status).toBe(200);
      expect(none.text).toBe('');
    },
  );

  it.each(databases.eachSupportedId())(
    'answers 400 naming the field on %p',
    async id => {
      const { store } = await setup(id);
      const { app: a } = app(store);
      const cases: Array<[string, string]> = [
        [
          'outcome=done',
          'outcome must be one of initiated, succeeded, failed, denied, unknown',
        ],
        [
          'action=sandbox.explode',
          `action must be one of ${AUDIT_ACTIONS.join(', ')}`,
        ],
        ['limit=0', 'limit must be an integer between 1 and 200'],
        ['limit=201', 'limit must be an integer between 1 and 200'],
        ['limit=abc', 'limit must be an integer between 1 and 200'],
        ['cursor=zzz', 'cursor is invalid'],
        ['format=xml', 'format must be one of json, csv, ndjson'],
        [
          'from=yesterday',
          'from must be an ISO 8601 timestamp with a time zone (e.g. 2026-11-29T10:00:00Z) or epoch milliseconds',
        ],
        [
          'to=2026-11-29T10:00:00',
          'to must be an ISO 8601 timestamp with a time zone (e.g. 2026-11-29T10:00:00Z) or epoch milliseconds',
        ],
        ['from=2026-11-30&to=2026-11-29', 'from must be earlier than to'],
        ['actor=a&actor=b', 'actor must be given once'],
        ['team=', 'team must not be empty'],
        ['format=csv&limit=5', 'limit applies only to format=json'],
        [
          'outcom=failed',
          'outcom is not a known query parameter; known: actor, action, sandboxId, team, outcome, batchId, from, to, limit, cursor, format',
        ],
      ];
      for (const [query, message] of cases) {
        const res = await request(a).get(`/audit-events?${query}`);
        // Every 400 names its field in `error.fields` too: the message is `<field> <problem>`.
        const field = message.slice(0, message.indexOf(' '));
        expect({
          query,
          status: res.status,
          name: res.body.error?.name,
          message: res.body.error?.message,
          fields: res.body.error?.fields,
        }).toEqual({
          query,
          status: 400,
          name: 'InputError',
          message,
          fields: [{ field, message: message.slice(field.length + 1) }],
        });
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'answers 403 on DENY and 401 without credentials on %p',
    async id => {
      const { store } = await setup(id);
      const { app: denied } = app(store, AuthorizeResult.DENY);
      for (const query of ['', '?format=csv', '?outcome=bogus']) {
        const res = await request(denied).get(`/audit-events${query}`);
        expect(res.status).toBe(403);
        expect(res.body.error).toMatchObject({
          name: 'NotAllowedError',
          message: 'not allowed to read the audit log',
        });
      }
      const anonymous = await request(app(store).app)
        .get('/audit-events')
        .set('authorization', mockCredentials.none.header());
      expect(anonymous.status).toBe(401);
    },
  );
});
