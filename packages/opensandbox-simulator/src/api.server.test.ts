import { Harness, T0, createBody, startHarness } from './__testUtils__/harness';
import { ContractClient } from './__testUtils__/contract';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    seed: [{ id: 'seeded', image: 'a', timeout: 3600 }],
  });
});
afterAll(async () => {
  await h.sim.close();
});
beforeEach(() => {
  h.setNow(T0);
  h.sim.state.reset();
});

const control = (path: string, body?: unknown, method = 'POST') =>
  fetch(`${h.sim.url}/_simulator${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('authentication', () => {
  it('answers 401 MISSING_API_KEY without the header', async () => {
    const res = await h.api.call('GET', '/sandboxes', { noApiKey: true });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      code: 'MISSING_API_KEY',
      message:
        'Authentication credentials are missing. Provide API key via OPEN-SANDBOX-API-KEY header.',
    });
  });

  it('answers 401 INVALID_API_KEY for a wrong key', async () => {
    const wrong = new ContractClient(`${h.sim.url}/v1`, 'not-the-key');
    const res = await wrong.call('DELETE', '/sandboxes/{sandboxId}', {
      params: { sandboxId: 'seeded' },
    });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      code: 'INVALID_API_KEY',
      message:
        'Authentication credentials are invalid. Check your API key and try again.',
    });
    expect(h.sim.state.store.size).toBe(1);
  });

  it('checks the key before anything else, even on unknown routes', async () => {
    const res = await fetch(`${h.sim.url}/v1/nothing-here`);
    expect(res.status).toBe(401);
    const withKey = await fetch(`${h.sim.url}/v1/nothing-here`, {
      headers: { 'OPEN-SANDBOX-API-KEY': 'dev-opensandbox-key' },
    });
    expect(withKey.status).toBe(404);
    expect(await withKey.json()).toEqual({ detail: 'Not Found' });
  });

  it('serves GET /health without a key', async () => {
    const res = await fetch(`${h.sim.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'healthy' });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('can run without any key (apiKey: null)', async () => {
    const open = await startHarness({ apiKey: null });
    try {
      const res = await open.api.call('GET', '/sandboxes', { noApiKey: true });
      expect(res.status).toBe(200);
    } finally {
      await open.sim.close();
    }
  });

  it('uses a configured key', async () => {
    const custom = await startHarness({ apiKey: 'k-123' });
    try {
      expect(custom.sim.apiKey).toBe('k-123');
      expect((await custom.api.call('GET', '/sandboxes')).status).toBe(200);
    } finally {
      await custom.sim.close();
    }
  });
});

describe('X-Request-ID', () => {
  it('echoes the incoming id on success and on errors', async () => {
    const ok = await h.api.call('GET', '/sandboxes', {
      headers: { 'X-Request-ID': 'trace-abc' },
    });
    expect(ok.headers.get('x-request-id')).toBe('trace-abc');
    const unauthorized = await h.api.call('GET', '/sandboxes', {
      headers: { 'X-Request-ID': 'trace-401' },
      noApiKey: true,
    });
    expect(unauthorized.headers.get('x-request-id')).toBe('trace-401');
    const invalid = await h.api.call('GET', '/sandboxes', {
      query: { page: 0 },
      headers: { 'X-Request-ID': 'trace-422' },
      request: 'invalid',
    });
    expect(invalid.status).toBe(422);
    expect(invalid.headers.get('x-request-id')).toBe('trace-422');
  });

  it('generates distinct 32-hex ids otherwise', async () => {
    const a = await h.api.call('GET', '/sandboxes');
    const b = await h.api.call('GET', '/sandboxes/{sandboxId}', {
      params: { sandboxId: 'nope' },
    });
    expect(a.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(b.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(a.headers.get('x-request-id')).not.toBe(
      b.headers.get('x-request-id'),
    );
  });
});

describe('routing', () => {
  it('mounts the lifecycle API at / as well as /v1', async () => {
    const root = new ContractClient(h.sim.url, 'dev-opensandbox-key');
    const res = await root.call('GET', '/sandboxes/{sandboxId}', {
      params: { sandboxId: 'seeded' },
    });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe('seeded');
  });

  it('answers 405 for a known path with another method', async () => {
    const res = await fetch(`${h.sim.url}/v1/sandboxes/seeded/pause`, {
      headers: { 'OPEN-SANDBOX-API-KEY': 'dev-opensandbox-key' },
    });
    expect(res.status).toBe(405);
    expect(await res.json()).toEqual({ detail: 'Method Not Allowed' });
  });

  it.each([
    ['GET', '/snapshots', {}],
    ['GET', '/snapshots/{snapshotId}', { snapshotId: 's1' }],
    ['DELETE', '/snapshots/{snapshotId}', { snapshotId: 's1' }],
    ['POST', '/sandboxes/{sandboxId}/snapshots', { sandboxId: 'seeded' }],
  ])(
    'answers 501 SNAPSHOT::NOT_IMPLEMENTED for %s %s',
    async (method, path, params) => {
      const res = await h.api.call(method, path, { params });
      expect(res.status).toBe(501);
      expect(res.body).toEqual({
        code: 'SNAPSHOT::NOT_IMPLEMENTED',
        message: 'Snapshots are not supported by this runtime.',
      });
    },
  );
});

describe('control API', () => {
  it('resets to the seed', async () => {
    await h.api.call('POST', '/sandboxes', { body: createBody() });
    await h.api.call('DELETE', '/sandboxes/{sandboxId}', {
      params: { sandboxId: 'seeded' },
    });
    const res = await control('/reset');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sandboxes: 1 });
    const list = await h.api.call('GET', '/sandboxes');
    expect(list.body.items.map((s: any) => s.id)).toEqual(['seeded']);
  });

  it('logs requests with the API key redacted and without control calls', async () => {
    await h.api.call('GET', '/sandboxes', {
      query: { state: ['Running', 'Paused'] },
      headers: { 'X-Request-ID': 'r-1' },
    });
    await h.api.call('DELETE', '/sandboxes/{sandboxId}', {
      params: { sandboxId: 'seeded' },
    });
    const res = await control('/requests', undefined, 'GET');
    const { requests } = await res.json();
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({
      method: 'GET',
      path: '/v1/sandboxes',
      query: { state: ['Running', 'Paused'] },
      requestId: 'r-1',
      status: 200,
      at: '2026-06-15T10:00:00Z',
    });
    expect(requests[0].headers['open-sandbox-api-key']).toBe('[REDACTED]');
    expect(requests[0].headers['x-request-id']).toBe('r-1');
    expect(JSON.stringify(requests)).not.toContain('dev-opensandbox-key');
    expect(requests[1]).toMatchObject({
      method: 'DELETE',
      path: '/v1/sandboxes/seeded',
      status: 204,
    });
    expect(requests[1].requestId).toMatch(/^[0-9a-f]{32}$/);
    // reset clears the log
    await control('/reset');
    expect(
      (await (await control('/requests', undefined, 'GET')).json()).requests,
    ).toEqual([]);
  });

  it('rejects bad control input with 400', async () => {
    expect((await control('/clock', { advanceSeconds: -1 })).status).toBe(400);
    expect(
      (await control('/faults', [{ path: '(', status: 500 }])).status,
    ).toBe(400);
    expect((await control('/faults', [{ path: 'x' }])).status).toBe(400);
  });
});

describe('faults and latency', () => {
  it('fails matching requests `times` times, then lets them through', async () => {
    const set = await control('/faults', {
      faults: [
        {
          method: 'get',
          path: '^/v1/sandboxes$',
          status: 503,
          body: {
            code: 'DOCKER::INITIALIZATION_ERROR',
            message: 'Docker is down.',
          },
          times: 2,
        },
      ],
    });
    expect(set.status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${h.sim.url}/v1/sandboxes`, {
        headers: { 'OPEN-SANDBOX-API-KEY': 'dev-opensandbox-key' },
      });
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        code: 'DOCKER::INITIALIZATION_ERROR',
        message: 'Docker is down.',
      });
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    }
    expect((await h.api.call('GET', '/sandboxes')).status).toBe(200);
    // other routes were never affected
    expect(
      (
        await h.api.call('GET', '/sandboxes/{sandboxId}', {
          params: { sandboxId: 'seeded' },
        })
      ).status,
    ).toBe(200);
  });

  it('uses a default error body and answers faults even without a key', async () => {
    await control('/faults', [{ path: '/pause$', status: 500 }]);
    const res = await fetch(`${h.sim.url}/v1/sandboxes/seeded/pause`, {
      method: 'POST',
    });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      code: 'SIMULATOR::INJECTED_FAULT',
      message: 'Injected fault.',
    });
    // faults from the control API are dropped on reset
    await control('/reset');
    expect(
      (
        await h.api.call('POST', '/sandboxes/{sandboxId}/pause', {
          params: { sandboxId: 'seeded' },
        })
      ).status,
    ).toBe(202);
  });

  it('delays matching requests (delay-only rules) and applies latencyMs', async () => {
    await control('/faults', [{ path: '^/health$', delayMs: 60 }]);
    let start = performance.now();
    expect((await fetch(`${h.sim.url}/health`)).status).toBe(200);
    expect(performance.now() - start).toBeGreaterThanOrEqual(50);

    const slow = await startHarness({ latencyMs: 60 });
    try {
      start = performance.now();
      expect((await slow.api.call('GET', '/sandboxes')).status).toBe(200);
      expect(performance.now() - start).toBeGreaterThanOrEqual(50);
    } finally {
      await slow.sim.close();
    }
  });

  it('takes initial faults from the options and restores them on reset', async () => {
    const faulty = await startHarness({
      faults: [
        { method: 'POST', path: '^/v1/sandboxes$', status: 500, times: 1 },
      ],
    });
    try {
      expect(
        (await faulty.api.call('POST', '/sandboxes', { body: createBody() }))
          .status,
      ).toBe(500);
      expect(
        (await faulty.api.call('POST', '/sandboxes', { body: createBody() }))
          .status,
      ).toBe(202);
      faulty.sim.state.reset();
      expect(
        (await faulty.api.call('POST', '/sandboxes', { body: createBody() }))
          .status,
      ).toBe(500);
    } finally {
      await faulty.sim.close();
    }
  });
});
