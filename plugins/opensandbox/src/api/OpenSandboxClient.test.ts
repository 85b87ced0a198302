import { ResponseError } from '@backstage/errors';
import { OpenSandboxClient } from './OpenSandboxClient';

const BASE = 'http://localhost:7007/api/opensandbox';

function setup(response: { status?: number; body?: unknown } = {}) {
  const status = response.status ?? 200;
  const fetch = jest.fn(
    async (_url: string, _init?: RequestInit) =>
      new Response(
        response.body === undefined ? null : JSON.stringify(response.body),
        {
          status,
          statusText: status === 200 ? 'OK' : 'Error',
          headers: { 'Content-Type': 'application/json' },
        },
      ),
  );
  const getBaseUrl = jest.fn(async (_pluginId: string) => BASE);
  const client = new OpenSandboxClient({
    discoveryApi: { getBaseUrl },
    fetchApi: { fetch } as any,
  });
  return { client, fetch, getBaseUrl };
}

// Mutations send a generated X-Request-ID; make the ids predictable: rid-1, rid-2, ...
let ids = 0;
beforeEach(() => {
  ids = 0;
  jest
    .spyOn(globalThis.crypto, 'randomUUID')
    .mockImplementation(() => `rid-${++ids}` as any);
});
afterEach(() => {
  jest.restoreAllMocks();
});

describe('OpenSandboxClient', () => {
  it('lists with repeated state, double-encoded metadata and paging', async () => {
    const list = {
      items: [],
      pagination: {
        page: 2,
        pageSize: 50,
        totalItems: 0,
        totalPages: 0,
        hasNextPage: false,
      },
    };
    const { client, fetch, getBaseUrl } = setup({ body: list });
    await expect(
      client.listSandboxes({
        states: ['Running', 'Paused'],
        metadata: { project: 'demo', 'backstage.io/team': 'team-a' },
        page: 2,
        pageSize: 50,
      }),
    ).resolves.toEqual(list);
    expect(getBaseUrl).toHaveBeenCalledWith('opensandbox');
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch.mock.calls[0][0]).toBe(
      `${BASE}/sandboxes?state=Running&state=Paused&metadata=project%3Ddemo%26backstage.io%252Fteam%3Dteam-a&page=2&pageSize=50`,
    );
    expect(fetch.mock.calls[0][1]).toEqual({ method: 'GET' });
    // Decoding once gives the metadata filter string the upstream parses.
    const url = new URL(fetch.mock.calls[0][0]);
    expect(url.searchParams.getAll('state')).toEqual(['Running', 'Paused']);
    expect(url.searchParams.get('metadata')).toBe(
      'project=demo&backstage.io%2Fteam=team-a',
    );
  });

  it('lists with repeated owner, team and entity refs in a fixed order', async () => {
    const { client, fetch } = setup({ body: { items: [], pagination: {} } });
    await client.listSandboxes({
      entity: ['component:default/payments-api', 'system:default/payments'],
      team: ['group:default/team-a', 'group:default/team-b'],
      owner: ['user:default/jane.doe'],
      states: ['Running'],
      page: 1,
      pageSize: 20,
    });
    await client.listSandboxes({
      team: [],
      entity: ['component:default/payments-api'],
    });
    expect(fetch.mock.calls.map(c => c[0])).toEqual([
      `${BASE}/sandboxes?state=Running&owner=user%3Adefault%2Fjane.doe&team=group%3Adefault%2Fteam-a&team=group%3Adefault%2Fteam-b&entity=component%3Adefault%2Fpayments-api&entity=system%3Adefault%2Fpayments&page=1&pageSize=20`,
      `${BASE}/sandboxes?entity=component%3Adefault%2Fpayments-api`,
    ]);
    const url = new URL(fetch.mock.calls[0][0]);
    expect(url.searchParams.getAll('team')).toEqual([
      'group:default/team-a',
      'group:default/team-b',
    ]);
  });

  it('lists without a query string when no filter is given', async () => {
    const { client, fetch } = setup({ body: { items: [], pagination: {} } });
    await client.listSandboxes();
    expect(fetch.mock.calls[0][0]).toBe(`${BASE}/sandboxes`);
  });

  it('lists with search, sort, order, expiringWithinSeconds and server after the filters, before the paging', async () => {
    const list = {
      items: [],
      pagination: {},
      syncedAt: '2026-06-15T10:47:00.000Z',
    };
    const { client, fetch } = setup({ body: list });
    await expect(
      client.listSandboxes({
        states: ['Running'],
        team: ['group:default/team-a'],
        search: '  demo api ',
        sort: 'name',
        order: 'desc',
        expiringWithinSeconds: 3600,
        server: 'eu-west',
        page: 2,
        pageSize: 50,
      }),
    ).resolves.toEqual(list);
    // Blank search, no sort: nothing of them is sent; expiringWithinSeconds 0 is a real filter.
    await client.listSandboxes({ search: '   ', expiringWithinSeconds: 0 });
    await client.listSandboxes({ sort: 'expiresAt' });
    expect(fetch.mock.calls.map(c => c[0])).toEqual([
      `${BASE}/sandboxes?state=Running&team=group%3Adefault%2Fteam-a&search=demo+api&sort=name&order=desc&expiringWithinSeconds=3600&server=eu-west&page=2&pageSize=50`,
      `${BASE}/sandboxes?expiringWithinSeconds=0`,
      `${BASE}/sandboxes?sort=expiresAt`,
    ]);
    expect(new URL(fetch.mock.calls[0][0]).searchParams.get('search')).toBe(
      'demo api',
    );
  });

  it('calls /servers/:server/sandboxes/:id/... for every sandbox call given a server, else the default routes', async () => {
    const { client, fetch } = setup({
      body: { id: 'abc', expiresAt: '2026-06-15T12:00:00Z' },
    });
    const on = { server: 'eu west' };
    await client.getSandbox('abc', on);
    await client.deleteSandbox('abc', on);
    await client.pauseSandbox('abc', on);
    await client.resumeSandbox('abc', on);
    await client.renewExpiration('abc', '2026-06-15T12:00:00.000Z', on);
    await client.renewExpiration('abc', '2026-06-15T11:00:00.000Z', {
      ...on,
      allowShorten: true,
    });
    await client.getEndpoint('abc', 8080, { ...on, useServerProxy: true });
    await client.updateMetadata('abc', { stage: 'dev' }, on);
    await client.getSandbox('abc', {});
    const server = `${BASE}/servers/eu%20west/sandboxes/abc`;
    expect(fetch.mock.calls.map(c => [c[1]?.method, c[0], c[1]?.body])).toEqual(
      [
        ['GET', server, undefined],
        ['DELETE', server, undefined],
        ['POST', `${server}/pause`, undefined],
        ['POST', `${server}/resume`, undefined],
        // The server travels in the path only, never in the body.
        [
          'POST',
          `${server}/renew-expiration`,
          '{"expiresAt":"2026-06-15T12:00:00.000Z"}',
        ],
        [
          'POST',
          `${server}/renew-expiration`,
          '{"expiresAt":"2026-06-15T11:00:00.000Z","allowShorten":true}',
        ],
        ['GET', `${server}/endpoints/8080?use_server_proxy=true`, undefined],
        ['PATCH', `${server}/metadata`, '{"stage":"dev"}'],
        ['GET', `${BASE}/sandboxes/abc`, undefined],
      ],
    );
  });

  it('creates on a named server with the body field server', async () => {
    const { client, fetch } = setup({ body: { id: 'abc', server: 'us' } });
    await client.createSandbox({
      image: { uri: 'python:3.11-slim' },
      resourceLimits: {},
      server: 'us',
    });
    expect(fetch.mock.calls[0][0]).toBe(`${BASE}/sandboxes`);
    expect(JSON.parse(String(fetch.mock.calls[0][1]?.body))).toEqual({
      image: { uri: 'python:3.11-slim' },
      resourceLimits: {},
      server: 'us',
    });
  });

  it('gets, creates, deletes, pauses and resumes with the right method, URL and body', async () => {
    const { client, fetch } = setup({ body: { id: 'sb 1' } });
    await client.getSandbox('sb 1');
    await client.createSandbox({
      image: { uri: 'python:3.11-slim' },
      entrypoint: ['python'],
      timeout: 600,
      resourceLimits: { cpu: '500m' },
      team: 'group:default/team-a',
      entityRef: 'component:default/payments-api',
    });
    expect(fetch.mock.calls.map(c => [c[0], c[1]])).toEqual([
      [`${BASE}/sandboxes/sb%201`, { method: 'GET' }],
      [
        `${BASE}/sandboxes`,
        {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'X-Request-ID': 'rid-1',
          },
          body: '{"image":{"uri":"python:3.11-slim"},"entrypoint":["python"],"timeout":600,"resourceLimits":{"cpu":"500m"},"team":"group:default/team-a","entityRef":"component:default/payments-api"}',
        },
      ],
    ]);
  });

  it('handles empty 204/202 answers', async () => {
    const del = setup({ status: 204 });
    await expect(del.client.deleteSandbox('abc')).resolves.toBeUndefined();
    expect(del.fetch.mock.calls[0]).toEqual([
      `${BASE}/sandboxes/abc`,
      { method: 'DELETE', headers: { 'X-Request-ID': 'rid-1' } },
    ]);

    const pause = setup({ status: 202 });
    await expect(pause.client.pauseSandbox('abc')).resolves.toBeUndefined();
    await expect(pause.client.resumeSandbox('abc')).resolves.toBeUndefined();
    expect(pause.fetch.mock.calls.map(c => [c[0], c[1]])).toEqual([
      [
        `${BASE}/sandboxes/abc/pause`,
        { method: 'POST', headers: { 'X-Request-ID': 'rid-2' } },
      ],
      [
        `${BASE}/sandboxes/abc/resume`,
        { method: 'POST', headers: { 'X-Request-ID': 'rid-3' } },
      ],
    ]);
  });

  it('renews with the absolute expiresAt', async () => {
    const { client, fetch } = setup({
      body: { expiresAt: '2026-06-15T12:00:00Z' },
    });
    await expect(
      client.renewExpiration('abc', '2026-06-15T12:00:00.000Z'),
    ).resolves.toEqual({
      expiresAt: '2026-06-15T12:00:00Z',
    });
    expect(fetch.mock.calls[0]).toEqual([
      `${BASE}/sandboxes/abc/renew-expiration`,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-Request-ID': 'rid-1',
        },
        body: '{"expiresAt":"2026-06-15T12:00:00.000Z"}',
      },
    ]);
  });

  it('gets the settings once and shares them; a failed load is asked again', async () => {
    const settings = {
      maxTimeoutSeconds: 86400,
      minTimeoutSeconds: 60,
      requestBodyLimitBytes: 1048576,
    };
    const { client, fetch } = setup({ body: settings });
    const [first, second] = await Promise.all([
      client.getSettings(),
      client.getSettings(),
    ]);
    await expect(client.getSettings()).resolves.toEqual(settings);
    expect(first).toEqual(settings);
    expect(second).toBe(first);
    expect(fetch.mock.calls).toEqual([[`${BASE}/settings`, { method: 'GET' }]]);

    const failing = setup({
      status: 500,
      body: {
        error: { name: 'Error', message: 'boom' },
        response: { statusCode: 500 },
      },
    });
    await expect(failing.client.getSettings()).rejects.toMatchObject({
      statusCode: 500,
    });
    await expect(failing.client.getSettings()).rejects.toMatchObject({
      statusCode: 500,
    });
    expect(failing.fetch).toHaveBeenCalledTimes(2);
  });

  it('creates with an Idempotency-Key header when given one, and accepts a 200 replay', async () => {
    const { client, fetch } = setup({ status: 200, body: { id: 'sb-1' } });
    const body = {
      image: { uri: 'python:3.11-slim' },
      entrypoint: ['python'],
      timeout: 600,
      resourceLimits: {},
    };
    await expect(
      client.createSandbox(body, {
        idempotencyKey: 'f5b1c1c4-7c43-4d6e-9a7e-1b9f0b7a2c11',
      }),
    ).resolves.toEqual({ id: 'sb-1' });
    await client.createSandbox(body);
    expect(fetch.mock.calls.map(c => c[1])).toEqual([
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Idempotency-Key': 'f5b1c1c4-7c43-4d6e-9a7e-1b9f0b7a2c11',
          'X-Request-ID': 'rid-1',
        },
        body: JSON.stringify(body),
      },
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-Request-ID': 'rid-2',
        },
        body: JSON.stringify(body),
      },
    ]);
  });

  it('renews with allowShorten only when it is true', async () => {
    const { client, fetch } = setup({
      body: { expiresAt: '2026-06-15T10:55:00Z' },
    });
    await client.renewExpiration('abc', '2026-06-15T10:55:00.000Z', {
      allowShorten: true,
    });
    await client.renewExpiration('abc', '2026-06-15T12:00:00.000Z', {
      allowShorten: false,
    });
    await client.renewExpiration('abc', '2026-06-15T12:00:00.000Z', {});
    expect(fetch.mock.calls.map(c => c[1]?.body)).toEqual([
      '{"expiresAt":"2026-06-15T10:55:00.000Z","allowShorten":true}',
      '{"expiresAt":"2026-06-15T12:00:00.000Z"}',
      '{"expiresAt":"2026-06-15T12:00:00.000Z"}',
    ]);
  });

  it('returns the lastRenewal of a sandbox as the server sends it', async () => {
    const lastRenewal = {
      expiresAt: '2026-06-15T12:00:00Z',
      renewedAt: '2026-06-15T10:30:00Z',
      actor: 'user:default/jane',
      drift: true,
    };
    const { client } = setup({ body: { id: 'abc', lastRenewal } });
    await expect(client.getSandbox('abc')).resolves.toMatchObject({
      lastRenewal,
    });
  });

  it('gets endpoints with use_server_proxy', async () => {
    const { client, fetch } = setup({
      body: { endpoint: 'host:8080/sandboxes/abc/port/8080' },
    });
    await expect(
      client.getEndpoint('abc', 8080, { useServerProxy: true }),
    ).resolves.toEqual({
      endpoint: 'host:8080/sandboxes/abc/port/8080',
    });
    await client.getEndpoint('abc', 3000);
    expect(fetch.mock.calls.map(c => c[0])).toEqual([
      `${BASE}/sandboxes/abc/endpoints/8080?use_server_proxy=true`,
      `${BASE}/sandboxes/abc/endpoints/3000?use_server_proxy=false`,
    ]);
  });

  it('patches metadata with a merge patch', async () => {
    const { client, fetch } = setup({ body: { id: 'abc' } });
    await client.updateMetadata('abc', { stage: 'dev', project: null });
    expect(fetch.mock.calls[0]).toEqual([
      `${BASE}/sandboxes/abc/metadata`,
      {
        method: 'PATCH',
        headers: {
          'Content-Type': 'application/json',
          'X-Request-ID': 'rid-1',
        },
        body: '{"stage":"dev","project":null}',
      },
    ]);
  });

  it('lists audit events with the filter, limit and cursor in a fixed order, skipping empty values', async () => {
    const page = { items: [{ id: 'e1' }], nextCursor: 'next' };
    const { client, fetch } = setup({ body: page });
    await expect(
      client.listAuditEvents(
        {
          to: '2026-06-15T12:00:00.000Z',
          from: '2026-06-01T00:00:00.000Z',
          outcome: 'denied',
          team: 'group:default/team-a',
          sandboxId: '',
          action: 'sandbox.delete',
          actor: 'user:default/alice',
        },
        { limit: 100, cursor: 'abc+/=' },
      ),
    ).resolves.toEqual(page);
    await client.listAuditEvents();
    expect(fetch.mock.calls.map(c => [c[0], c[1]])).toEqual([
      [
        `${BASE}/audit-events?actor=user%3Adefault%2Falice&action=sandbox.delete&team=group%3Adefault%2Fteam-a&outcome=denied&from=2026-06-01T00%3A00%3A00.000Z&to=2026-06-15T12%3A00%3A00.000Z&limit=100&cursor=abc%2B%2F%3D`,
        { method: 'GET' },
      ],
      [`${BASE}/audit-events`, { method: 'GET' }],
    ]);
  });

  it('lists audit events of one batch with batchId after outcome', async () => {
    const { client, fetch } = setup({ body: { items: [] } });
    await client.listAuditEvents({
      outcome: 'failed',
      batchId: ' b-1 ',
      from: '2026-06-01T00:00:00.000Z',
    });
    expect(fetch.mock.calls[0][0]).toBe(
      `${BASE}/audit-events?outcome=failed&batchId=b-1&from=2026-06-01T00%3A00%3A00.000Z`,
    );
  });

  it('runs bulk actions with the request as JSON body and a request id', async () => {
    const answer = {
      action: 'delete',
      dryRun: true,
      total: 0,
      counts: {},
      items: [],
      confirmationToken: 't',
      confirmationExpiresAt: 'x',
    };
    const { client, fetch } = setup({ body: answer });
    await expect(
      client.runBulk('delete', { filter: { state: ['Running'], mine: true } }),
    ).resolves.toEqual(answer);
    await client.runBulk('renew', {
      items: [{ id: 'a', server: 'eu' }],
      extendSeconds: 3600,
      dryRun: false,
    });
    expect(fetch.mock.calls.map(c => [c[0], c[1]])).toEqual([
      [
        `${BASE}/bulk/delete`,
        {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'X-Request-ID': 'rid-1',
          },
          body: '{"filter":{"state":["Running"],"mine":true}}',
        },
      ],
      [
        `${BASE}/bulk/renew`,
        {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'X-Request-ID': 'rid-2',
          },
          body: '{"items":[{"id":"a","server":"eu"}],"extendSeconds":3600,"dryRun":false}',
        },
      ],
    ]);
  });

  it('exports audit events as a Blob with format and no paging', async () => {
    const fetch = jest.fn(
      async (_url: string, _init?: RequestInit) =>
        new Response('id,occurredAt\r\ne1,2026-06-15T10:00:00.000Z\r\n', {
          status: 200,
          headers: { 'Content-Type': 'text/csv' },
        }),
    );
    const client = new OpenSandboxClient({
      discoveryApi: { getBaseUrl: async () => BASE },
      fetchApi: { fetch } as any,
    });
    const blob = await client.exportAuditEvents(
      { sandboxId: 'sbx-1', outcome: 'failed' },
      'csv',
    );
    expect(fetch.mock.calls[0]).toEqual([
      `${BASE}/audit-events?sandboxId=sbx-1&outcome=failed&format=csv`,
      { method: 'GET' },
    ]);
    expect(blob.size).toBe(
      'id,occurredAt\r\ne1,2026-06-15T10:00:00.000Z\r\n'.length,
    );
    expect(blob.type).toBe('text/csv');

    await client.exportAuditEvents({}, 'ndjson');
    expect(fetch.mock.calls[1][0]).toBe(`${BASE}/audit-events?format=ndjson`);
  });

  it('rejects a refused export with a ResponseError', async () => {
    const { client } = setup({
      status: 403,
      body: {
        error: { name: 'NotAllowedError', message: 'Unauthorized' },
        response: { statusCode: 403 },
      },
    });
    const error = await client.exportAuditEvents({}, 'csv').catch(e => e);
    expect(ResponseError.is(error)).toBe(true);
    expect(error.statusCode).toBe(403);
  });

  it('throws a ResponseError carrying the backend error', async () => {
    const { client } = setup({
      status: 409,
      body: {
        error: { name: 'ConflictError', message: 'sandbox has no expiration' },
        response: { statusCode: 409 },
      },
    });
    const error = await client
      .renewExpiration('abc', '2030-01-01T00:00:00Z')
      .catch(e => e);
    expect(ResponseError.is(error)).toBe(true);
    expect(error.statusCode).toBe(409);
    expect(error.body.error).toEqual({
      name: 'ConflictError',
      message: 'sandbox has no expiration',
    });
    // The request id the client sent, for errors whose body has none.
    expect(error.requestId).toBe('rid-1');
  });

  it('sends no request id with reads', async () => {
    const { client, fetch } = setup({ body: { id: 'abc' } });
    await client.getSandbox('abc');
    expect(fetch.mock.calls[0][1]).toEqual({ method: 'GET' });
    expect(globalThis.crypto.randomUUID).not.toHaveBeenCalled();
  });
});
