import { SeedSandbox } from './types';
import { Harness, T0, createBody, startHarness } from './__testUtils__/harness';

const owner = {
  'backstage.io/owner': 'guest',
  'backstage.io/owner-namespace': 'default',
};
const team = {
  'backstage.io/team': 'team-a',
  'backstage.io/team-namespace': 'default',
};

// Ages make the expected order (newest first) s1..s6.
const seed: SeedSandbox[] = [
  {
    id: 's1',
    image: 'a',
    state: 'Running',
    ageSeconds: 10,
    timeout: 3600,
    metadata: { ...owner, ...team },
  },
  {
    id: 's2',
    image: 'a',
    state: 'Paused',
    ageSeconds: 20,
    timeout: 3600,
    metadata: { ...owner },
  },
  {
    id: 's3',
    image: 'a',
    state: 'Failed',
    ageSeconds: 30,
    timeout: 3600,
    metadata: { ...team },
  },
  {
    id: 's4',
    image: 'a',
    state: 'Running',
    ageSeconds: 40,
    metadata: { ...owner, note: 'a.b' },
  },
  { id: 's5', image: 'a', state: 'Running', ageSeconds: 50, timeout: 3600 },
  {
    id: 's6',
    image: 'a',
    state: 'Paused',
    ageSeconds: 60,
    timeout: 3600,
    metadata: { 'example.com/x': 'y' },
  },
];

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ seed });
});
afterAll(async () => {
  await h.sim.close();
});
beforeEach(() => {
  h.setNow(T0);
  h.sim.state.reset();
});

async function ids(query: Record<string, any>): Promise<string[]> {
  const res = await h.api.call('GET', '/sandboxes', { query });
  expect(res.status).toBe(200);
  return res.body.items.map((s: any) => s.id);
}

/** Builds the single `metadata` parameter's value the way clients should. */
const meta = (pairs: Record<string, string>) =>
  new URLSearchParams(pairs).toString();

describe('GET /sandboxes', () => {
  it('lists everything newest first with default pagination', async () => {
    const res = await h.api.call('GET', '/sandboxes');
    expect(res.status).toBe(200);
    expect(res.body.items.map((s: any) => s.id)).toEqual([
      's1',
      's2',
      's3',
      's4',
      's5',
      's6',
    ]);
    expect(res.body.pagination).toEqual({
      page: 1,
      pageSize: 20,
      totalItems: 6,
      totalPages: 1,
      hasNextPage: false,
    });
    const s4 = res.body.items[3];
    expect(s4).not.toHaveProperty('expiresAt');
    expect(s4.createdAt).toBe('2026-06-15T09:59:20Z');
    expect(res.body.items[2].status).toEqual({
      state: 'Failed',
      reason: 'CONTAINER_EXITED_ERROR',
      message: 'Sandbox container exited with code 1.',
      lastTransitionAt: '2026-06-15T09:59:30Z',
    });
  });

  it('puts newly created sandboxes first', async () => {
    const created = await h.api.call('POST', '/sandboxes', {
      body: createBody(),
    });
    expect(await ids({ pageSize: 2 })).toEqual([created.body.id, 's1']);
  });

  it('ORs repeated state filters case-insensitively', async () => {
    expect(await ids({ state: ['paused'] })).toEqual(['s2', 's6']);
    expect(await ids({ state: ['RUNNING', 'Failed'] })).toEqual([
      's1',
      's3',
      's4',
      's5',
    ]);
    expect(await ids({ state: ['Unknown-State'] })).toEqual([]);
  });

  it('ANDs metadata pairs with exact matching', async () => {
    expect(await ids({ metadata: meta(owner) })).toEqual(['s1', 's2', 's4']);
    expect(await ids({ metadata: meta({ ...owner, ...team }) })).toEqual([
      's1',
    ]);
    expect(
      await ids({ metadata: meta({ 'backstage.io/owner': 'gues' }) }),
    ).toEqual([]);
    expect(await ids({ metadata: meta({ note: 'a.b' }) })).toEqual(['s4']);
    expect(await ids({ metadata: meta({ 'example.com/x': 'y' }) })).toEqual([
      's6',
    ]);
    expect(await ids({ metadata: 'backstage.io/team=' })).toEqual([]);
  });

  it('combines state and metadata filters', async () => {
    expect(await ids({ state: ['Running'], metadata: meta(owner) })).toEqual([
      's1',
      's4',
    ]);
  });

  it('treats an empty metadata value as no filter', async () => {
    expect(await ids({ metadata: '' })).toHaveLength(6);
  });

  it.each(['owner', 'a=1&', 'a=1&&b=2', '&'])(
    'rejects malformed metadata %j with 400 INVALID_METADATA_FORMAT',
    async m => {
      const res = await h.api.call('GET', '/sandboxes', {
        query: { metadata: m },
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('INVALID_METADATA_FORMAT');
    },
  );

  it('paginates with page/pageSize', async () => {
    let res = await h.api.call('GET', '/sandboxes', {
      query: { page: 1, pageSize: 4 },
    });
    expect(res.body.items.map((s: any) => s.id)).toEqual([
      's1',
      's2',
      's3',
      's4',
    ]);
    expect(res.body.pagination).toEqual({
      page: 1,
      pageSize: 4,
      totalItems: 6,
      totalPages: 2,
      hasNextPage: true,
    });
    res = await h.api.call('GET', '/sandboxes', {
      query: { page: 2, pageSize: 4 },
    });
    expect(res.body.items.map((s: any) => s.id)).toEqual(['s5', 's6']);
    expect(res.body.pagination).toEqual({
      page: 2,
      pageSize: 4,
      totalItems: 6,
      totalPages: 2,
      hasNextPage: false,
    });
    res = await h.api.call('GET', '/sandboxes', {
      query: { page: 9, pageSize: 4 },
    });
    expect(res.body.items).toEqual([]);
    expect(res.body.pagination).toEqual({
      page: 9,
      pageSize: 4,
      totalItems: 6,
      totalPages: 2,
      hasNextPage: false,
    });
    res = await h.api.call('GET', '/sandboxes', {
      query: { pageSize: 200, state: ['nothing'] },
    });
    expect(res.body.pagination).toEqual({
      page: 1,
      pageSize: 200,
      totalItems: 0,
      totalPages: 0,
      hasNextPage: false,
    });
  });

  it('answers 422 for page < 1, pageSize < 1, pageSize > 200 and non-integers', async () => {
    const cases: Array<
      [Record<string, any>, 'valid' | 'invalid' | 'unchecked', any]
    > = [
      [
        { page: 0 },
        'invalid',
        {
          type: 'greater_than_equal',
          loc: ['query', 'page'],
          msg: 'Input should be greater than or equal to 1',
          input: '0',
          ctx: { ge: 1 },
        },
      ],
      [
        { pageSize: 0 },
        'invalid',
        {
          type: 'greater_than_equal',
          loc: ['query', 'pageSize'],
          msg: 'Input should be greater than or equal to 1',
          input: '0',
          ctx: { ge: 1 },
        },
      ],
      // The spec states no maximum; the server caps pageSize at 200.
      [
        { pageSize: 201 },
        'unchecked',
        {
          type: 'less_than_equal',
          loc: ['query', 'pageSize'],
          msg: 'Input should be less than or equal to 200',
          input: '201',
          ctx: { le: 200 },
        },
      ],
      [
        { page: 'two' },
        'invalid',
        {
          type: 'int_parsing',
          loc: ['query', 'page'],
          msg: 'Input should be a valid integer, unable to parse string as an integer',
          input: 'two',
        },
      ],
    ];
    for (const [query, request, issue] of cases) {
      const res = await h.api.call('GET', '/sandboxes', { query, request });
      expect(res.status).toBe(422);
      expect(res.body).toEqual({ detail: [issue] });
    }
  });
});
