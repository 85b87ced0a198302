/**
 * Contract tests for behaviours of the real OpenSandbox server (Docker
 * runtime) that differ from a naive reading of the spec: engine error texts,
 * pause of a paused sandbox, absent metadata, timestamps, slow and blocking
 * creates, lost renewals on restart, FastAPI response details, and the
 * fault-rule extensions used to imitate gateways.
 */
import http from 'node:http';
import { createBody, Harness, T0, startHarness } from './__testUtils__/harness';
import { imagePullFailureMessage, parseImageReference } from './docker';

const KEY = 'dev-opensandbox-key';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    seed: [
      { id: 'seed-running', image: 'a', timeout: 3600, ageSeconds: 60 },
      {
        id: 'seed-paused',
        image: 'b',
        state: 'Paused',
        timeout: 3600,
        ageSeconds: 50,
      },
      { id: 'seed-failed', image: 'c', state: 'Failed', ageSeconds: 40 },
      { id: 'seed-pending', image: 'd', state: 'Pending', ageSeconds: 30 },
      {
        id: 'seed-terminated',
        image: 'e',
        state: 'Terminated',
        ageSeconds: 20,
      },
    ],
  });
});
afterAll(async () => {
  await h.sim.close();
});
beforeEach(() => {
  h.setNow(T0);
  h.sim.state.reset();
});

/** Plain request to the simulator (API key sent unless `noKey`). */
async function raw(
  method: string,
  path: string,
  opts: { body?: unknown; noKey?: boolean; signal?: AbortSignal } = {},
) {
  const headers: Record<string, string> = {};
  if (!opts.noKey) headers['OPEN-SANDBOX-API-KEY'] = KEY;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  return fetch(`${h.sim.url}${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: opts.signal,
  });
}

async function control(path: string, body?: unknown, method = 'POST') {
  const res = await fetch(`${h.sim.url}/_simulator${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function create(overrides: Record<string, unknown> = {}) {
  return h.api.call('POST', '/sandboxes', { body: createBody(overrides) });
}

const get = (id: string) =>
  h.api.call('GET', '/sandboxes/{sandboxId}', { params: { sandboxId: id } });

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Polls `check` until it is truthy (real time, at most `ms`). */
async function eventually<T>(check: () => Promise<T> | T, ms = 3000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(10);
  }
}

async function requestLog(): Promise<any[]> {
  return (await control('/requests', undefined, 'GET')).body.requests;
}

describe('1. image pull failures', () => {
  it('answers 500 DOCKER::SANDBOX_IMAGE_PULL_FAILED with the engine text and keeps no sandbox', async () => {
    const res = await create({
      image: { uri: 'ghcr.io/example/does-not-exist:latest' },
    });
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.body).toEqual({
      code: 'DOCKER::SANDBOX_IMAGE_PULL_FAILED',
      message:
        'Failed to pull image ghcr.io/example/does-not-exist:latest: 500 Server Error for ' +
        'http+docker://localhost/v1.47/images/create?tag=latest&fromImage=ghcr.io%2Fexample%2Fdoes-not-exist: ' +
        'Internal Server Error ("Head "https://ghcr.io/v2/example/does-not-exist/manifests/latest": denied")',
    });
    expect(h.sim.state.store.size).toBe(5);
    const list = await h.api.call('GET', '/sandboxes');
    expect(list.body.pagination.totalItems).toBe(5);
  });

  it('uses the Docker Hub wording for images without a registry', async () => {
    const res = await create({ image: { uri: 'nonexistent' } });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      code: 'DOCKER::SANDBOX_IMAGE_PULL_FAILED',
      message:
        'Failed to pull image nonexistent: 404 Client Error for ' +
        'http+docker://localhost/v1.47/images/create?tag=latest&fromImage=nonexistent: ' +
        "Not Found (\"pull access denied for nonexistent, repository does not exist or may require 'docker login': " +
        'denied: requested access to the resource is denied")',
    });
  });

  it('builds engine URLs like docker-py (tags, digests, ports, Hub names)', () => {
    expect(parseImageReference('registry.example.com:5000/team/app')).toEqual({
      repository: 'registry.example.com:5000/team/app',
      tag: 'latest',
      digest: false,
      domain: 'registry.example.com:5000',
      path: 'team/app',
    });
    expect(parseImageReference('docker.io/jane/tool:1.0')).toMatchObject({
      domain: 'docker.io',
      path: 'jane/tool',
      tag: '1.0',
    });
    expect(imagePullFailureMessage('ghcr.io/x/unpullable@sha256:abc')).toBe(
      'Failed to pull image ghcr.io/x/unpullable@sha256:abc: 500 Server Error for ' +
        'http+docker://localhost/v1.47/images/create?tag=sha256%3Aabc&fromImage=ghcr.io%2Fx%2Funpullable: ' +
        'Internal Server Error ("Head "https://ghcr.io/v2/x/unpullable/manifests/sha256:abc": denied")',
    );
    expect(imagePullFailureMessage('jane/does-not-exist:2')).toContain(
      'pull access denied for jane/does-not-exist,',
    );
  });

  it('pulls the demo seed images; request errors still come first (400, 422)', async () => {
    for (const uri of [
      'python:3.11-slim',
      'node:22-alpine',
      'ghcr.io/example/batch-job:1.4',
      'ubuntu:24.04',
      'golang:1.23',
      'redis:7',
    ]) {
      expect((await create({ image: { uri } })).status).toBe(202);
    }
    const badLabel = await create({
      image: { uri: 'ghcr.io/example/does-not-exist' },
      metadata: { name: 'not a label' },
    });
    expect(badLabel.status).toBe(400);
    expect(badLabel.body.code).toBe('SANDBOX::INVALID_METADATA_LABEL');
    const invalid = await h.api.call('POST', '/sandboxes', {
      body: createBody({
        image: { uri: 'ghcr.io/example/does-not-exist' },
        timeout: 30,
      }),
      request: 'invalid',
    });
    expect(invalid.status).toBe(422);
  });

  it('takes the pattern from the options (null: everything pulls) and the control API', async () => {
    const custom = await startHarness({ unpullableImagePattern: '^private/' });
    const open = await startHarness({ unpullableImagePattern: null });
    try {
      const c1 = await custom.api.call('POST', '/sandboxes', {
        body: createBody({ image: { uri: 'private/app:1' } }),
      });
      expect(c1.status).toBe(500);
      expect(c1.body.message).toMatch(
        /^Failed to pull image private\/app:1: 404 Client Error/,
      );
      const c2 = await custom.api.call('POST', '/sandboxes', {
        body: createBody({ image: { uri: 'x/does-not-exist' } }),
      });
      expect(c2.status).toBe(202);
      const o = await open.api.call('POST', '/sandboxes', {
        body: createBody({ image: { uri: 'ghcr.io/a/does-not-exist' } }),
      });
      expect(o.status).toBe(202);
    } finally {
      await custom.sim.close();
      await open.sim.close();
    }

    const set = await control('/create-options', {
      unpullableImagePattern: 'python',
    });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({
      createDelayMs: 0,
      blockWhileCreating: false,
      startupMs: 1500,
      unpullableImagePattern: 'python',
      inFlightCreates: 0,
    });
    expect((await create()).status).toBe(500);
    expect(
      (await control('/create-options', { unpullableImagePattern: '(' }))
        .status,
    ).toBe(400);
    await control('/reset');
    expect((await control('/create-options', undefined, 'GET')).body).toEqual({
      createDelayMs: 0,
      blockWhileCreating: false,
      startupMs: 1500,
      unpullableImagePattern: 'does-not-exist|nonexistent|unpullable',
      inFlightCreates: 0,
    });
    expect((await create()).status).toBe(202);
  });
});

describe('2. pause and resume errors', () => {
  const CONFLICT =
    /^Failed to pause sandbox container: 409 Client Error for http\+docker:\/\/localhost\/v1\.47\/containers\/([0-9a-f]{64})\/pause: Conflict \("Container \1 is already paused"\)$/;

  it('answers 500 DOCKER::SANDBOX_PAUSE_FAILED for an already paused sandbox (same container id each time)', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const res = await h.api.call('POST', '/sandboxes/{sandboxId}/pause', {
        params: { sandboxId: 'seed-paused' },
      });
      expect(res.status).toBe(500);
      expect(res.body.code).toBe('DOCKER::SANDBOX_PAUSE_FAILED');
      expect(Object.keys(res.body)).toEqual(['code', 'message']);
      const m = CONFLICT.exec(res.body.message);
      expect(m).not.toBeNull();
      ids.add(m![1]);
    }
    expect(ids.size).toBe(1);
    expect((await get('seed-paused')).body.status.state).toBe('Paused');

    const id = (await create()).body.id;
    await h.api.call('POST', '/sandboxes/{sandboxId}/pause', {
      params: { sandboxId: id },
    });
    const again = await h.api.call('POST', '/sandboxes/{sandboxId}/pause', {
      params: { sandboxId: id },
    });
    expect(again.status).toBe(500);
    expect(again.body.message).toMatch(CONFLICT);
    expect(CONFLICT.exec(again.body.message)![1]).not.toBe([...ids][0]);
  });

  it.each(['seed-failed', 'seed-pending', 'seed-terminated'])(
    'keeps 409 DOCKER::SANDBOX_NOT_RUNNING for %s',
    async sandboxId => {
      const res = await h.api.call('POST', '/sandboxes/{sandboxId}/pause', {
        params: { sandboxId },
      });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({
        code: 'DOCKER::SANDBOX_NOT_RUNNING',
        message: 'Sandbox is not in a running state.',
      });
    },
  );

  it('keeps 409 DOCKER::SANDBOX_NOT_PAUSED for resuming a non-paused sandbox', async () => {
    for (const sandboxId of ['seed-running', 'seed-failed']) {
      const res = await h.api.call('POST', '/sandboxes/{sandboxId}/resume', {
        params: { sandboxId },
      });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({
        code: 'DOCKER::SANDBOX_NOT_PAUSED',
        message: 'Sandbox is not in a paused state.',
      });
    }
  });
});

describe('3. absent metadata', () => {
  it('omits metadata in create, get and list answers when none was given', async () => {
    const created = await create();
    expect(created.status).toBe(202);
    expect(created.body).not.toHaveProperty('metadata');
    expect(created.text).not.toContain('metadata');
    const id = created.body.id;
    expect((await get(id)).body).not.toHaveProperty('metadata');
    const list = await h.api.call('GET', '/sandboxes');
    for (const item of list.body.items)
      expect(item).not.toHaveProperty('metadata');
    const nulled = await h.api.call('POST', '/sandboxes', {
      body: createBody({ metadata: null }), // Optional[...] upstream, not in the spec
      request: 'unchecked',
    });
    expect(nulled.status).toBe(202);
    expect(nulled.body).not.toHaveProperty('metadata');
  });

  it('echoes an explicit {} in the create answer only (the request model is echoed), GET omits it', async () => {
    const created = await create({ metadata: {} });
    expect(created.body.metadata).toEqual({});
    expect((await get(created.body.id)).body).not.toHaveProperty('metadata');
  });

  it('omits metadata after a PATCH removed every key, and shows it again when one is added', async () => {
    const id = (await create({ metadata: { team: 'a', name: 'x' } })).body.id;
    const emptied = await h.api.call(
      'PATCH',
      '/sandboxes/{sandboxId}/metadata',
      { params: { sandboxId: id }, body: { team: null, name: null } },
    );
    expect(emptied.status).toBe(200);
    expect(emptied.body).not.toHaveProperty('metadata');
    expect((await get(id)).body).not.toHaveProperty('metadata');
    const noop = await h.api.call('PATCH', '/sandboxes/{sandboxId}/metadata', {
      params: { sandboxId: id },
      body: {},
    });
    expect(noop.body).not.toHaveProperty('metadata');
    const refilled = await h.api.call(
      'PATCH',
      '/sandboxes/{sandboxId}/metadata',
      { params: { sandboxId: id }, body: { team: 'b' } },
    );
    expect(refilled.body.metadata).toEqual({ team: 'b' });
  });
});

describe('4./5. timestamps', () => {
  it('reports the request start on create and the container start on GET; expiry counts from the request', async () => {
    const created = await create({ timeout: 600 });
    expect(created.body).toMatchObject({
      createdAt: '2026-06-15T10:00:00Z',
      expiresAt: '2026-06-15T10:10:00Z',
      status: { lastTransitionAt: '2026-06-15T10:00:00Z' },
    });
    h.advance(30);
    const got = await get(created.body.id);
    expect(got.body).toMatchObject({
      createdAt: '2026-06-15T10:00:01.500000Z',
      expiresAt: '2026-06-15T10:10:00Z',
      status: {
        state: 'Running',
        lastTransitionAt: '2026-06-15T10:00:01.500000Z',
      },
    });
    const list = await h.api.call('GET', '/sandboxes');
    expect(list.body.items[0]).toMatchObject({
      id: created.body.id,
      createdAt: '2026-06-15T10:00:01.500000Z',
    });
  });

  it('keeps lastTransitionAt through pause and resume', async () => {
    const id = (await create()).body.id;
    for (const action of ['pause', 'resume', 'pause']) {
      h.advance(100);
      const res = await h.api.call('POST', `/sandboxes/{sandboxId}/${action}`, {
        params: { sandboxId: id },
      });
      expect(res.status).toBe(202);
      expect(res.headers.get('content-type')).toBeNull();
      expect((await get(id)).body.status.lastTransitionAt).toBe(
        '2026-06-15T10:00:01.500000Z',
      );
    }
    // seeds: lastTransitionAt is their createdAt, also when paused/resumed
    await h.api.call('POST', '/sandboxes/{sandboxId}/resume', {
      params: { sandboxId: 'seed-paused' },
    });
    const seed = (await get('seed-paused')).body;
    expect(seed.status).toEqual({
      state: 'Running',
      reason: 'CONTAINER_RUNNING',
      message: 'Sandbox container is running.',
      lastTransitionAt: seed.createdAt,
    });
  });

  it('takes startupMs from the options and the control API (ms on the simulated clock)', async () => {
    const slow = await startHarness({ startupMs: 42_250 });
    try {
      const c = await slow.api.call('POST', '/sandboxes', {
        body: createBody(),
      });
      expect(c.body.createdAt).toBe('2026-06-15T10:00:00Z');
      const g = await slow.api.call('GET', '/sandboxes/{sandboxId}', {
        params: { sandboxId: c.body.id },
      });
      expect(g.body.createdAt).toBe('2026-06-15T10:00:42.250000Z');
    } finally {
      await slow.sim.close();
    }
    await control('/create-options', { startupMs: 0 });
    const c = await create();
    expect((await get(c.body.id)).body.createdAt).toBe(c.body.createdAt);
    expect((await control('/create-options', { startupMs: -1 })).status).toBe(
      400,
    );
  });
});

describe('6. slow and blocking creates', () => {
  async function waitInFlight(n: number) {
    await eventually(
      async () =>
        (
          await control('/create-options', undefined, 'GET')
        ).body.inFlightCreates === n,
    );
  }

  it('delays the answer by createDelayMs; the sandbox appears only when the create completes', async () => {
    await control('/create-options', { createDelayMs: 150 });
    const start = performance.now();
    const pending = create();
    await waitInFlight(1);
    // not blocking: other requests are answered meanwhile, without the sandbox
    const during = await h.api.call('GET', '/sandboxes');
    expect(during.body.pagination.totalItems).toBe(5);
    const res = await pending;
    expect(res.status).toBe(202);
    expect(performance.now() - start).toBeGreaterThanOrEqual(140);
    expect(res.body.createdAt).toBe('2026-06-15T10:00:00Z');
    expect((await get(res.body.id)).status).toBe(200);
    // validation errors do not wait
    const t = performance.now();
    const bad = await create({ metadata: { k: 'no spaces allowed' } });
    expect(bad.status).toBe(400);
    expect(performance.now() - t).toBeLessThan(140);
  });

  it('fails an unpullable image after the delay', async () => {
    await control('/create-options', { createDelayMs: 100 });
    const start = performance.now();
    const res = await create({ image: { uri: 'unpullable:1' } });
    expect(res.status).toBe(500);
    expect(performance.now() - start).toBeGreaterThanOrEqual(90);
    expect(h.sim.state.store.size).toBe(5);
  });

  it('blocks every other API request while a blocking create runs (not the control API)', async () => {
    const set = await control('/create-options', {
      createDelayMs: 400,
      blockWhileCreating: true,
    });
    expect(set.body).toMatchObject({
      createDelayMs: 400,
      blockWhileCreating: true,
    });
    const createStart = performance.now();
    const pending = create();
    await waitInFlight(1);
    const done: string[] = [];
    const health = fetch(`${h.sim.url}/health`).then(r => {
      done.push('health');
      return r;
    });
    const list = raw('GET', '/v1/sandboxes').then(async r => {
      done.push('list');
      return r.json();
    });
    await sleep(50);
    expect(done).toEqual([]);
    // the waiting requests are already in the log, without a status
    const log = await requestLog();
    expect(log.map(r => [r.method, r.path, r.status])).toEqual([
      ['POST', '/v1/sandboxes', undefined],
      ['GET', '/health', undefined],
      ['GET', '/v1/sandboxes', undefined],
    ]);
    const created = await pending;
    expect(created.status).toBe(202);
    expect((await health).status).toBe(200);
    expect(performance.now() - createStart).toBeGreaterThanOrEqual(390);
    const listed = await list;
    expect(listed.items.map((s: any) => s.id)).toContain(created.body.id);
    expect(done.sort()).toEqual(['health', 'list']);
  });

  it('runs blocking creates one after the other', async () => {
    await control('/create-options', {
      createDelayMs: 120,
      blockWhileCreating: true,
    });
    const start = performance.now();
    const [a, b] = await Promise.all([create(), create()]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(performance.now() - start).toBeGreaterThanOrEqual(230);
  });

  it('completes a create whose client disconnected (createDelayMs)', async () => {
    await control('/create-options', { createDelayMs: 400 });
    const abort = new AbortController();
    const pending = raw('POST', '/v1/sandboxes', {
      body: createBody({ metadata: { name: 'orphan' } }),
      signal: abort.signal,
    });
    await waitInFlight(1);
    abort.abort();
    await expect(pending).rejects.toThrow();
    expect(h.sim.state.store.size).toBe(5);
    await h.sim.state.whenCreatesSettled();
    const list = await h.api.call('GET', '/sandboxes', {
      query: { metadata: 'name=orphan' },
    });
    expect(list.body.pagination.totalItems).toBe(1);
    const entry = (await requestLog()).find(r => r.method === 'POST');
    expect(entry).toMatchObject({ status: 202, aborted: true });
  });

  it('completes a create whose client disconnected during a fault-rule delay too', async () => {
    await control('/faults', [
      { method: 'POST', path: '^/v1/sandboxes$', delayMs: 400 },
    ]);
    const abort = new AbortController();
    const pending = raw('POST', '/v1/sandboxes', {
      body: createBody({ metadata: { name: 'late' } }),
      signal: abort.signal,
    });
    await sleep(30);
    abort.abort();
    await expect(pending).rejects.toThrow();
    const entry = await eventually(async () =>
      (await requestLog()).find(r => r.method === 'POST' && r.status),
    );
    expect(entry).toMatchObject({
      status: 202,
      aborted: true,
      fault: 'delayed',
    });
    expect(
      h.sim.state.store.list().filter(s => s.metadata.name === 'late'),
    ).toHaveLength(1);
  });
});

describe('7. restart loses renewals', () => {
  it('puts every expiresAt back to createdAt + timeout, keeps everything else, removes the now expired', async () => {
    const a = (await create({ timeout: 600, metadata: { n: 'a' } })).body.id;
    const b = (await create({ timeout: 600 })).body.id;
    const manual = (await create({ timeout: null })).body.id;
    for (const id of [a, b]) {
      const r = await h.api.call(
        'POST',
        '/sandboxes/{sandboxId}/renew-expiration',
        {
          params: { sandboxId: id },
          body: { expiresAt: '2026-06-15T12:00:00Z' },
        },
      );
      expect(r.status).toBe(200);
    }
    await h.api.call('POST', '/sandboxes/{sandboxId}/pause', {
      params: { sandboxId: a },
    });
    await h.api.call('PATCH', '/sandboxes/{sandboxId}/metadata', {
      params: { sandboxId: a },
      body: { m: 'x' },
    });
    h.advance(300);
    let res = await control('/restart');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sandboxes: 8, reverted: [a, b], expired: [] });
    const got = (await get(a)).body;
    expect(got.expiresAt).toBe('2026-06-15T10:10:00Z');
    expect(got.status.state).toBe('Paused');
    expect(got.metadata).toEqual({ n: 'a', m: 'x' });
    expect((await get(manual)).body).not.toHaveProperty('expiresAt');
    expect((await get('seed-running')).body.expiresAt).toBe(
      '2026-06-15T10:59:00Z',
    );

    // renew again, let the original expiry pass, restart: removed at once
    await h.api.call('POST', '/sandboxes/{sandboxId}/renew-expiration', {
      params: { sandboxId: b },
      body: { expiresAt: '2026-06-15T12:00:00Z' },
    });
    h.advance(600);
    expect((await get(b)).status).toBe(200); // a (not renewed since) expired here
    res = await control('/restart');
    expect(res.body).toEqual({ sandboxes: 6, reverted: [b], expired: [b] });
    expect((await get(b)).status).toBe(404);
  });
});

describe('8. FastAPI response details', () => {
  it('sends application/json without a charset on every JSON answer', async () => {
    const answers = [
      await raw('GET', '/v1/sandboxes'),
      await raw('POST', '/v1/sandboxes', { body: createBody() }),
      await raw('GET', '/v1/sandboxes/nope'),
      await raw('GET', '/v1/sandboxes', { noKey: true }),
      await raw('GET', '/v1/sandboxes?page=0'),
      await raw('GET', '/v1/nothing'),
      await raw('PUT', '/v1/sandboxes'),
      await raw('GET', '/v1/snapshots'),
      await fetch(`${h.sim.url}/health`),
      await fetch(`${h.sim.url}/_simulator/clock`),
    ];
    expect(answers.map(r => r.status)).toEqual([
      200, 202, 404, 401, 422, 404, 405, 501, 200, 200,
    ]);
    for (const r of answers)
      expect(r.headers.get('content-type')).toBe('application/json');
  });

  it.each([
    ['PUT', '/v1/sandboxes', 'POST'],
    ['DELETE', '/v1/sandboxes', 'POST'],
    ['HEAD', '/v1/sandboxes', 'POST'],
    ['PUT', '/v1/sandboxes/seed-running', 'GET'],
    ['POST', '/sandboxes/seed-running', 'GET'],
    ['HEAD', '/v1/sandboxes/seed-running', 'GET'],
    ['POST', '/v1/sandboxes/seed-running/metadata', 'PATCH'],
    ['GET', '/v1/sandboxes/seed-running/pause', 'POST'],
    ['DELETE', '/v1/sandboxes/seed-running/resume', 'POST'],
    ['GET', '/v1/sandboxes/seed-running/renew-expiration', 'POST'],
    ['POST', '/v1/sandboxes/seed-running/endpoints/8080', 'GET'],
    ['GET', '/v1/sandboxes/seed-running/snapshots', 'POST'],
    ['POST', '/v1/snapshots', 'GET'],
    ['PUT', '/v1/snapshots/s1', 'GET'],
    ['POST', '/health', 'GET'],
  ])('%s %s answers 405 with Allow: %s', async (method, path, allow) => {
    const res = await raw(method, path);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(res.headers.get('content-type')).toBe('application/json');
    // a HEAD answer carries no body
    expect(await res.text()).toBe(
      method === 'HEAD' ? '' : '{"detail":"Method Not Allowed"}',
    );
  });

  it('checks the API key before the method', async () => {
    const res = await raw('PUT', '/v1/sandboxes', { noKey: true });
    expect(res.status).toBe(401);
    expect(res.headers.get('allow')).toBeNull();
  });
});

describe('9. fault rule extensions', () => {
  it('injects 429 KUBERNETES::POOL_CAPACITY_EXHAUSTED with Retry-After', async () => {
    await control('/faults', [
      {
        method: 'POST',
        path: '^/v1/sandboxes$',
        status: 429,
        headers: { 'Retry-After': 30 },
        body: {
          code: 'KUBERNETES::POOL_CAPACITY_EXHAUSTED',
          message: "Pool 'default' has no idle sandbox available.",
        },
        times: 1,
      },
    ]);
    const res = await raw('POST', '/v1/sandboxes', { body: createBody() });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('30');
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({
      code: 'KUBERNETES::POOL_CAPACITY_EXHAUSTED',
      message: "Pool 'default' has no idle sandbox available.",
    });
    expect(h.sim.state.store.size).toBe(5);
    expect(
      (await raw('POST', '/v1/sandboxes', { body: createBody() })).status,
    ).toBe(202);
  });

  it('injects 403 KUBERNETES::QUOTA_EXCEEDED', async () => {
    await control('/faults', [
      {
        method: 'POST',
        path: '^/v1/sandboxes$',
        status: 403,
        body: {
          code: 'KUBERNETES::QUOTA_EXCEEDED',
          message: 'exceeded quota: compute-resources, requested: limits.cpu=1',
        },
      },
    ]);
    const res = await raw('POST', '/v1/sandboxes', { body: createBody() });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      code: 'KUBERNETES::QUOTA_EXCEEDED',
      message: 'exceeded quota: compute-resources, requested: limits.cpu=1',
    });
    expect(h.sim.state.store.size).toBe(5);
  });

  it('answers a raw body with its content type (an nginx 502 page)', async () => {
    const page =
      '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
    await control('/faults', [
      {
        path: '^/v1/sandboxes',
        status: 502,
        rawBody: page,
        contentType: 'text/html',
        headers: { Server: 'nginx' },
      },
    ]);
    const res = await raw('GET', '/v1/sandboxes/seed-running');
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(res.headers.get('server')).toBe('nginx');
    expect(await res.text()).toBe(page);
    // raw bodies default to text/plain
    await control('/faults', [
      { path: '^/health$', status: 404, rawBody: 'nope' },
    ]);
    const plain = await fetch(`${h.sim.url}/health`);
    expect(plain.headers.get('content-type')).toBe('text/plain');
    expect(await plain.text()).toBe('nope');
  });

  it('adds headers to pass-through answers', async () => {
    await control('/faults', [
      { path: '^/v1/sandboxes$', headers: { 'X-Gateway': 'edge-1' } },
    ]);
    const res = await raw('GET', '/v1/sandboxes');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway')).toBe('edge-1');
  });

  it('cuts an injected answer mid-body (closeConnection)', async () => {
    await control('/faults', [
      {
        path: '^/v1/sandboxes$',
        status: 503,
        body: {
          code: 'DOCKER::INITIALIZATION_ERROR',
          message: 'Docker is down.',
        },
        closeConnection: true,
      },
    ]);
    const full = JSON.stringify({
      code: 'DOCKER::INITIALIZATION_ERROR',
      message: 'Docker is down.',
    });
    const got = await new Promise<{
      status?: number;
      length?: string;
      data: string;
      error?: string;
    }>(resolve => {
      const out: {
        status?: number;
        length?: string;
        data: string;
        error?: string;
      } = { data: '' };
      const req = http.get(`${h.sim.url}/v1/sandboxes`, res => {
        out.status = res.statusCode;
        out.length = res.headers['content-length'];
        res.setEncoding('utf8');
        res.on('data', d => {
          out.data += d;
        });
        res.on('error', e => {
          out.error = e.message;
        });
        res.on('close', () => resolve(out));
      });
      req.on('error', e => {
        out.error = e.message;
        resolve(out);
      });
    });
    expect(got.status).toBe(503);
    expect(got.length).toBe(String(full.length));
    expect(got.data).toBe(full.slice(0, Math.floor(full.length / 2)));
    const res = await raw('GET', '/v1/sandboxes');
    expect(res.status).toBe(503);
    await expect(res.text()).rejects.toThrow();
  });

  it('cuts the API answer of a pass-through rule: the create happens, the client fails', async () => {
    await control('/faults', [
      {
        method: 'POST',
        path: '^/v1/sandboxes$',
        closeConnection: true,
        times: 1,
      },
      { path: '/pause$', closeConnection: true, times: 1 },
    ]);
    const res = await raw('POST', '/v1/sandboxes', {
      body: createBody({ metadata: { name: 'ambiguous' } }),
    });
    expect(res.status).toBe(202);
    await expect(res.json()).rejects.toThrow();
    expect(
      h.sim.state.store.list().filter(s => s.metadata.name === 'ambiguous'),
    ).toHaveLength(1);
    // an empty body (202 of pause) is cut before the headers
    await expect(
      raw('POST', '/v1/sandboxes/seed-running/pause'),
    ).rejects.toThrow();
    expect((await get('seed-running')).body.status.state).toBe('Paused');
    const log = await requestLog();
    expect(log.map(r => [r.method, r.status, r.fault, r.aborted])).toEqual([
      ['POST', 202, 'closed', true],
      ['POST', undefined, 'closed', true],
      ['GET', 200, undefined, undefined],
    ]);
  });

  it.each([
    [{ path: 'x', foo: 1 }, /unknown field 'foo'/],
    [{ status: 500, body: {}, rawBody: 'x' }, /either body or rawBody/],
    [{ rawBody: 'x' }, /need a status/],
    [{ status: 500, headers: { A: ['x'] } }, /headers must be/],
    [
      { status: 500, closeConnection: 'yes' },
      /closeConnection must be a boolean/,
    ],
    [{ path: 'x' }, /needs status, delayMs, headers and\/or closeConnection/],
  ])('rejects the bad rule %j with 400', async (rule, message) => {
    const res = await control('/faults', [rule]);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('SIMULATOR::BAD_REQUEST');
    expect(res.body.message).toMatch(message);
  });
});

describe('10. request log', () => {
  it('records fault-answered, unauthenticated and unknown requests; clears over the control API', async () => {
    await control('/faults', [
      { path: '^/v1/sandboxes/seed-running$', status: 500, times: 1 },
    ]);
    await raw('DELETE', '/v1/sandboxes/seed-running');
    await raw('GET', '/v1/sandboxes', { noKey: true });
    await raw('GET', '/v1/unknown');
    await raw('PUT', '/v1/sandboxes');
    await control('/clock', undefined, 'GET');
    const log = await requestLog();
    expect(log.map(r => [r.method, r.path, r.status, r.fault])).toEqual([
      ['DELETE', '/v1/sandboxes/seed-running', 500, 'answered'],
      ['GET', '/v1/sandboxes', 401, undefined],
      ['GET', '/v1/unknown', 404, undefined],
      ['PUT', '/v1/sandboxes', 405, undefined],
    ]);
    // the fault answered: the sandbox is still there
    expect((await get('seed-running')).status).toBe(200);
    const cleared = await fetch(`${h.sim.url}/_simulator/requests`, {
      method: 'DELETE',
    });
    expect(cleared.status).toBe(204);
    expect(await requestLog()).toEqual([]);
  });
});
