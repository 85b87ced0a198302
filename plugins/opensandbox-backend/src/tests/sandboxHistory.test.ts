/**
 * `GET /sandboxes/{id}/history` (docs/audit.md#the-history-of-one-sandbox): the audit events of one
 * sandbox for whoever may read it, through HTTP with the REAL permission backend and the role
 * policy module, also after the sandbox was deleted; and the short actor/team names of
 * `GET /audit-events`.
 */
import type { Server } from 'node:http';
import request from 'supertest';
import { startSimulator } from '@opensandbox-console/opensandbox-simulator';
import {
  authHeader,
  seedUpstreamSandbox,
  startConsoleBackend,
  TEST_API_KEY,
} from '../__testUtils__/consoleBackend';

jest.setTimeout(60_000);

const createBody = {
  image: { uri: 'alpine:3' },
  entrypoint: ['sleep', 'infinity'],
  timeout: 600,
  resourceLimits: { cpu: '1', memory: '1Gi' },
  metadata: { name: 'history' },
};

describe('sandbox history', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let server: Server;
  /** A team-a sandbox created by ada, renewed, paused, and refused to bob. */
  let id: string;

  const history = (
    persona: string,
    sandboxId: string,
    query: Record<string, string> = {},
    prefix = '',
  ) =>
    request(server)
      .get(`/api/opensandbox${prefix}/sandboxes/${sandboxId}/history`)
      .query(query)
      .set('Authorization', authHeader(persona));
  const summary = (items: any[]) =>
    items.map(e => [e.action, e.outcome, e.httpStatus, e.actor, e.team]);

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
    server = await startConsoleBackend({ simulatorUrl: sim.url });
    const ada = authHeader('operatorOwnTeam');
    const created = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', ada)
      .send(createBody);
    id = created.body.id;
    const expiresAt = new Date(
      Date.parse(created.body.expiresAt) + 3600_000,
    ).toISOString();
    const statuses = [
      created.status,
      (
        await request(server)
          .post(`/api/opensandbox/sandboxes/${id}/renew-expiration`)
          .set('Authorization', ada)
          .send({ expiresAt })
      ).status,
      (
        await request(server)
          .post(`/api/opensandbox/sandboxes/${id}/pause`)
          .set('Authorization', ada)
      ).status,
      (
        await request(server)
          .delete(`/api/opensandbox/sandboxes/${id}`)
          .set('Authorization', authHeader('operatorOtherTeam'))
      ).status,
    ];
    if (statuses.join() !== '202,200,202,404')
      throw new Error(`setup answered ${statuses.join()}`);
  });

  afterAll(async () => {
    await sim.close();
  });

  const TEAM = 'group:default/team-a';
  const EXPECTED = [
    ['sandbox.delete', 'denied', 404, 'user:default/bob', TEAM],
    ['sandbox.pause', 'succeeded', 202, 'user:default/ada', TEAM],
    ['sandbox.renew', 'succeeded', 200, 'user:default/ada', TEAM],
    ['sandbox.create', 'succeeded', 202, 'user:default/ada', TEAM],
  ];

  it('a viewer of team-a reads the exact events of a team-a sandbox, without network details', async () => {
    const res = await history('viewer', id);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(summary(res.body.items)).toEqual(EXPECTED);
    expect(
      res.body.items.every(
        (e: any) =>
          e.sandboxId === id && e.clientIp === null && e.userAgent === null,
      ),
    ).toBe(true);
    expect(res.body.nextCursor).toBeUndefined();
    // The renew's before/after diff is part of the event.
    const renew = res.body.items[2];
    expect(Object.keys(renew.details).sort()).toEqual([
      'after',
      'before',
      'request',
      'shortened',
    ]);
  });

  it('a caller of team-b gets the 404 of a missing sandbox; no role: 404; no credentials: 401', async () => {
    for (const persona of ['operatorOtherTeam', 'user:default/nobody']) {
      const res = await history(persona, id);
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual(
        expect.objectContaining({
          name: 'NotFoundError',
          message: `Sandbox ${id} not found.`,
        }),
      );
    }
    expect((await history('none', id)).status).toBe(401);
  });

  it('the admin reads it with the network details; the team-a service too; the server alias answers the same', async () => {
    const admin = await history('admin', id);
    expect(admin.status).toBe(200);
    expect(summary(admin.body.items)).toEqual(EXPECTED);
    expect(
      admin.body.items.every((e: any) => typeof e.clientIp === 'string'),
    ).toBe(true);
    expect(summary((await history('service', id)).body.items)).toEqual(
      EXPECTED,
    );
    const alias = await history('viewer', id, {}, '/servers/default');
    expect(alias.status).toBe(200);
    expect(summary(alias.body.items)).toEqual(EXPECTED);
  });

  it('pages newest first with a cursor', async () => {
    const first = await history('viewer', id, { limit: '3' });
    expect(summary(first.body.items)).toEqual(EXPECTED.slice(0, 3));
    expect(typeof first.body.nextCursor).toBe('string');
    const second = await history('viewer', id, {
      limit: '3',
      cursor: first.body.nextCursor,
    });
    expect(summary(second.body.items)).toEqual(EXPECTED.slice(3));
    expect(second.body.nextCursor).toBeUndefined();
  });

  const LIMIT = 'must be an integer between 1 and 200';
  it.each([
    [
      'an invalid id',
      'bad%20id!',
      {},
      '',
      'sandboxId',
      'must be 1-128 letters, digits, "-", "_" or "."',
    ],
    ['limit 0', 'ID', { limit: '0' }, '', 'limit', LIMIT],
    ['limit 201', 'ID', { limit: '201' }, '', 'limit', LIMIT],
    ['limit abc', 'ID', { limit: 'abc' }, '', 'limit', LIMIT],
    [
      'a bad cursor',
      'ID',
      { cursor: 'not a cursor' },
      '',
      'cursor',
      'is invalid',
    ],
    [
      'a forged cursor',
      'ID',
      { cursor: Buffer.from('[1,"x"]').toString('base64url') },
      '',
      'cursor',
      'is invalid',
    ],
    [
      'an empty cursor',
      'ID',
      { cursor: '' },
      '',
      'cursor',
      'must not be empty',
    ],
    [
      'an unknown parameter',
      'ID',
      { actor: 'ada' },
      '',
      'actor',
      'is not a known query parameter; known: limit, cursor',
    ],
    [
      'an unknown server',
      'ID',
      {},
      '/servers/nope',
      'server',
      'is not an OpenSandbox server of the console (default)',
    ],
  ])(
    '%s → 400 naming the field',
    async (_name, rawId, query, prefix, field, message) => {
      const res = await history(
        'viewer',
        rawId === 'ID' ? id : rawId,
        query as Record<string, string>,
        prefix,
      );
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        name: 'InputError',
        message: `${field} ${message}`,
        fields: [{ field, message }],
      });
    },
  );

  it('a repeated limit → 400', async () => {
    const res = await request(server)
      .get(`/api/opensandbox/sandboxes/${id}/history?limit=1&limit=2`)
      .set('Authorization', authHeader('viewer'));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('limit must be given once');
    expect(res.body.error.fields).toEqual([
      { field: 'limit', message: 'must be given once' },
    ]);
  });

  it('after a delete, the history is judged on the sandbox its audit rows recorded', async () => {
    const created = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', authHeader('operatorOwnTeam'))
      .send(createBody);
    const gone = created.body.id;
    expect(
      (
        await request(server)
          .delete(`/api/opensandbox/sandboxes/${gone}`)
          .set('Authorization', authHeader('operatorOwnTeam'))
      ).status,
    ).toBe(204);
    const expected = [
      ['sandbox.delete', 'succeeded', 204, 'user:default/ada', TEAM],
      ['sandbox.create', 'succeeded', 202, 'user:default/ada', TEAM],
    ];
    expect(summary((await history('viewer', gone)).body.items)).toEqual(
      expected,
    );
    expect(summary((await history('admin', gone)).body.items)).toEqual(
      expected,
    );
    expect((await history('operatorOtherTeam', gone)).status).toBe(404);
  });

  it('fails closed when nothing decides: a never-seen id is 404 for everyone, an unlabelled sandbox is the admin’s only', async () => {
    for (const persona of ['viewer', 'admin'])
      expect((await history(persona, 'never-existed-1')).status).toBe(404);
    // A refused attempt names any id, but says nothing of its owner: only the admin sees it.
    expect(
      (
        await request(server)
          .delete('/api/opensandbox/sandboxes/never-existed-2')
          .set('Authorization', authHeader('operatorOwnTeam'))
      ).status,
    ).toBe(404);
    expect((await history('operatorOwnTeam', 'never-existed-2')).status).toBe(
      404,
    );
    const admin = await history('admin', 'never-existed-2');
    expect(summary(admin.body.items)).toEqual([
      ['sandbox.delete', 'failed', 404, 'user:default/ada', null],
    ]);

    const unlabelled = await seedUpstreamSandbox(sim.url, {});
    expect((await history('viewer', unlabelled)).status).toBe(404);
    const adminView = await history('admin', unlabelled);
    expect(adminView.status).toBe(200);
    expect(adminView.body.items).toEqual([]);
  });

  it('GET /audit-events expands short actor and team names', async () => {
    const get = (query: Record<string, string>) =>
      request(server)
        .get('/api/opensandbox/audit-events')
        .query({ sandboxId: id, ...query })
        .set('Authorization', authHeader('admin'));
    const byAda = EXPECTED.filter(row => row[3] === 'user:default/ada');
    for (const actor of [
      'ada',
      'user:ada',
      'default/ada',
      'User:Default/Ada',
      'user:default/ada',
    ]) {
      expect(summary((await get({ actor })).body.items)).toEqual(byAda);
    }
    for (const team of ['team-a', 'group:team-a', 'Group:Default/Team-A']) {
      expect(summary((await get({ team })).body.items)).toEqual(EXPECTED);
    }
    expect((await get({ actor: 'external:ci-bot' })).body.items).toEqual([]);
  });
});
