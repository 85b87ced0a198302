import { spec } from './__testUtils__/contract';
import { Harness, T0, createBody, startHarness } from './__testUtils__/harness';

const UUID_V4 =
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.sim.close();
});
beforeEach(() => {
  h.setNow(T0);
  h.sim.state.reset();
});

async function create(
  overrides: Record<string, unknown> = {},
): Promise<string> {
  const res = await h.api.call('POST', '/sandboxes', {
    body: createBody(overrides),
  });
  expect(res.status).toBe(202);
  return res.body.id;
}

describe('POST /sandboxes', () => {
  it('creates a running sandbox (202, Docker-like body, no Location header)', async () => {
    const res = await h.api.call('POST', '/sandboxes', {
      body: createBody({
        metadata: { name: 'demo-api', 'backstage.io/owner': 'guest' },
        env: { A: 'b' },
      }),
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBeNull();
    expect(res.body.id).toMatch(UUID_V4);
    expect(res.body).toEqual({
      id: res.body.id,
      status: {
        state: 'Running',
        reason: 'CONTAINER_RUNNING',
        message: 'Sandbox container started successfully.',
        lastTransitionAt: '2026-06-15T10:00:00Z',
      },
      metadata: { name: 'demo-api', 'backstage.io/owner': 'guest' },
      expiresAt: '2026-06-15T11:00:00Z',
      createdAt: '2026-06-15T10:00:00Z',
      entrypoint: ['python', '-m', 'http.server', '8000'],
    });
  });

  it('omits expiresAt for manual cleanup (timeout null or omitted) and echoes platform', async () => {
    for (const timeout of [null, undefined]) {
      const res = await h.api.call('POST', '/sandboxes', {
        body: createBody({ timeout, platform: { os: 'linux', arch: 'arm64' } }),
      });
      expect(res.status).toBe(202);
      expect(res.body).not.toHaveProperty('expiresAt');
      expect(res.body.platform).toEqual({ os: 'linux', arch: 'arm64' });
    }
  });

  it('gives strictly increasing creation times within the same millisecond', async () => {
    const a = await h.api.call('POST', '/sandboxes', { body: createBody() });
    const b = await h.api.call('POST', '/sandboxes', { body: createBody() });
    expect(a.body.createdAt).toBe('2026-06-15T10:00:00Z');
    expect(b.body.createdAt).toBe('2026-06-15T10:00:00.001000Z');
  });

  it.each([
    [{ name: 'Data Processing Sandbox' }, 'SANDBOX::INVALID_METADATA_LABEL'],
    [{ owner: 'user:default/jane' }, 'SANDBOX::INVALID_METADATA_LABEL'],
    [{ 'Bad_Prefix/name': 'x' }, 'SANDBOX::INVALID_METADATA_LABEL'],
    [{ 'opensandbox.io/id': 'x' }, 'SANDBOX::INVALID_METADATA_LABEL'],
    [{ ['k'.repeat(64)]: 'x' }, 'SANDBOX::INVALID_METADATA_LABEL'],
    [{ k: 'v'.repeat(64) }, 'SANDBOX::INVALID_METADATA_LABEL'],
  ])('rejects metadata %j with 400 %s', async (metadata, code) => {
    const res = await h.api.call('POST', '/sandboxes', {
      body: createBody({ metadata }),
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(code);
    expect(h.sim.state.store.size).toBe(0);
  });

  it('accepts empty label values and prefixed keys', async () => {
    const res = await h.api.call('POST', '/sandboxes', {
      body: createBody({
        metadata: { 'backstage.io/team': '', 'a.b-c_d': 'X.y-z_1' },
      }),
    });
    expect(res.status).toBe(202);
  });

  it('enforces maxTimeoutSeconds with 400 SANDBOX::INVALID_PARAMETER', async () => {
    const limited = await startHarness({ maxTimeoutSeconds: 86400 });
    try {
      const over = await limited.api.call('POST', '/sandboxes', {
        body: createBody({ timeout: 86401 }),
      });
      expect(over.status).toBe(400);
      expect(over.body).toEqual({
        code: 'SANDBOX::INVALID_PARAMETER',
        message:
          'Sandbox timeout 86401s exceeds the configured maximum of 86400s.',
      });
      const ok = await limited.api.call('POST', '/sandboxes', {
        body: createBody({ timeout: 86400 }),
      });
      expect(ok.status).toBe(202);
    } finally {
      await limited.sim.close();
    }
  });

  it('rejects Docker-unsupported options with 400', async () => {
    const pool = await h.api.call('POST', '/sandboxes', {
      body: { extensions: { poolRef: 'pool-a' } },
    });
    expect(pool.status).toBe(400);
    expect(pool.body.code).toBe('SANDBOX::UNSUPPORTED_POOL_REF');
    const secure = await h.api.call('POST', '/sandboxes', {
      body: createBody({ secureAccess: true }),
    });
    expect(secure.status).toBe(400);
    expect(secure.body.code).toBe('SANDBOX::INVALID_PARAMETER');
    const renew = await h.api.call('POST', '/sandboxes', {
      body: createBody({ extensions: { 'access.renew.extend.seconds': '10' } }),
    });
    expect(renew.status).toBe(400);
    expect(renew.body.code).toBe('SANDBOX::INVALID_PARAMETER');
  });

  it('answers 501 SNAPSHOT::NOT_IMPLEMENTED for snapshot restores', async () => {
    const res = await h.api.call('POST', '/sandboxes', {
      body: {
        snapshotId: 'snap_123',
        timeout: 3600,
        resourceLimits: { cpu: '1' },
      },
    });
    expect(res.status).toBe(501);
    expect(res.body.code).toBe('SNAPSHOT::NOT_IMPLEMENTED');
  });
});

describe('GET /sandboxes/{sandboxId}', () => {
  it('returns the sandbox with image {uri} only, no env/resourceLimits/auth', async () => {
    const id = await create({
      image: {
        uri: 'registry.example.com:5000/team/app:1.2',
        auth: { username: 'robot', password: 's3cret' },
      },
      env: { TOKEN: 'x' },
    });
    const res = await h.api.call('GET', '/sandboxes/{sandboxId}', {
      params: { sandboxId: id },
    });
    expect(res.status).toBe(200);
    // createdAt/lastTransitionAt: the container's creation, 1.5 s (default
    // startupMs) after the request; no metadata given, so no metadata field.
    expect(res.body).toEqual({
      id,
      image: { uri: 'registry.example.com:5000/team/app:1.2' },
      status: {
        state: 'Running',
        reason: 'CONTAINER_RUNNING',
        message: 'Sandbox container is running.',
        lastTransitionAt: '2026-06-15T10:00:01.500000Z',
      },
      entrypoint: ['python', '-m', 'http.server', '8000'],
      expiresAt: '2026-06-15T11:00:00Z',
      createdAt: '2026-06-15T10:00:01.500000Z',
    });
    expect(res.text).not.toContain('s3cret');
  });

  it('answers 404 DOCKER::SANDBOX_NOT_FOUND', async () => {
    const res = await h.api.call('GET', '/sandboxes/{sandboxId}', {
      params: { sandboxId: 'nope' },
    });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      code: 'DOCKER::SANDBOX_NOT_FOUND',
      message: 'Sandbox nope not found.',
    });
  });
});

describe('DELETE /sandboxes/{sandboxId}', () => {
  it('deletes (204, empty), then GET and DELETE give 404', async () => {
    const id = await create();
    const del = await h.api.call('DELETE', '/sandboxes/{sandboxId}', {
      params: { sandboxId: id },
    });
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    const get = await h.api.call('GET', '/sandboxes/{sandboxId}', {
      params: { sandboxId: id },
    });
    expect(get.status).toBe(404);
    const again = await h.api.call('DELETE', '/sandboxes/{sandboxId}', {
      params: { sandboxId: id },
    });
    expect(again.status).toBe(404);
    expect(again.body).toEqual({
      code: 'DOCKER::SANDBOX_NOT_FOUND',
      message: `Sandbox ${id} not found.`,
    });
  });
});

describe('pause and resume', () => {
  it('pauses a running sandbox and resumes a paused one, immediately', async () => {
    const id = await create();
    h.advance(10);
    const pause = await h.api.call('POST', '/sandboxes/{sandboxId}/pause', {
      params: { sandboxId: id },
    });
    expect(pause.status).toBe(202);
    expect(pause.text).toBe('');
    let get = await h.api.call('GET', '/sandboxes/{sandboxId}', {
      params: { sandboxId: id },
    });
    // Docker keeps no pause time: lastTransitionAt stays the container's creation.
    expect(get.body.status).toEqual({
      state: 'Paused',
      reason: 'CONTAINER_PAUSED',
      message: 'Sandbox container is paused.',
      lastTransitionAt: '2026-06-15T10:00:01.500000Z',
    });

    // Pausing a paused container: the engine's 409, wrapped in a 500.
    const pauseAgain = await h.api.call(
      'POST',
      '/sandboxes/{sandboxId}/pause',
      { params: { sandboxId: id } },
    );
    expect(pauseAgain.status).toBe(500);
    expect(pauseAgain.body.code).toBe('DOCKER::SANDBOX_PAUSE_FAILED');

    h.advance(5);
    const resume = await h.api.call('POST', '/sandboxes/{sandboxId}/resume', {
      params: { sandboxId: id },
    });
    expect(resume.status).toBe(202);
    expect(resume.text).toBe('');
    get = await h.api.call('GET', '/sandboxes/{sandboxId}', {
      params: { sandboxId: id },
    });
    expect(get.body.status).toMatchObject({
      state: 'Running',
      reason: 'CONTAINER_RUNNING',
      lastTransitionAt: '2026-06-15T10:00:01.500000Z',
    });

    const resumeAgain = await h.api.call(
      'POST',
      '/sandboxes/{sandboxId}/resume',
      { params: { sandboxId: id } },
    );
    expect(resumeAgain.status).toBe(409);
    expect(resumeAgain.body).toEqual({
      code: 'DOCKER::SANDBOX_NOT_PAUSED',
      message: 'Sandbox is not in a paused state.',
    });
  });

  it('refuses to pause a Failed sandbox and 404s unknown ids', async () => {
    const failed = await startHarness({
      seed: [{ id: 'failed-1', image: 'x', state: 'Failed' }],
    });
    try {
      const res = await failed.api.call(
        'POST',
        '/sandboxes/{sandboxId}/pause',
        { params: { sandboxId: 'failed-1' } },
      );
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('DOCKER::SANDBOX_NOT_RUNNING');
    } finally {
      await failed.sim.close();
    }
    for (const action of ['pause', 'resume']) {
      const res = await h.api.call('POST', `/sandboxes/{sandboxId}/${action}`, {
        params: { sandboxId: 'nope' },
      });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('DOCKER::SANDBOX_NOT_FOUND');
    }
  });
});

describe('POST /sandboxes/{sandboxId}/renew-expiration', () => {
  it('sets an absolute expiry and returns it normalised to UTC', async () => {
    const id = await create();
    const res = await h.api.call(
      'POST',
      '/sandboxes/{sandboxId}/renew-expiration',
      {
        params: { sandboxId: id },
        body: { expiresAt: '2026-06-15T14:30:00+02:00' },
      },
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ expiresAt: '2026-06-15T12:30:00Z' });
    const get = await h.api.call('GET', '/sandboxes/{sandboxId}', {
      params: { sandboxId: id },
    });
    expect(get.body.expiresAt).toBe('2026-06-15T12:30:00Z');
  });

  it('may shorten the expiry (only "in the future" is checked)', async () => {
    const id = await create();
    const res = await h.api.call(
      'POST',
      '/sandboxes/{sandboxId}/renew-expiration',
      {
        params: { sandboxId: id },
        body: { expiresAt: '2026-06-15T10:05:00.250Z' },
      },
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ expiresAt: '2026-06-15T10:05:00.250000Z' });
  });

  it('rejects past times with 400 and manual-cleanup sandboxes with 409', async () => {
    const id = await create();
    const past = await h.api.call(
      'POST',
      '/sandboxes/{sandboxId}/renew-expiration',
      {
        params: { sandboxId: id },
        body: { expiresAt: '2026-06-15T10:00:00Z' },
      },
    );
    expect(past.status).toBe(400);
    expect(past.body).toEqual({
      code: 'DOCKER::INVALID_EXPIRATION',
      message: 'New expiration time must be in the future.',
    });
    const manual = await create({ timeout: null });
    const res = await h.api.call(
      'POST',
      '/sandboxes/{sandboxId}/renew-expiration',
      {
        params: { sandboxId: manual },
        body: { expiresAt: '2026-06-16T10:00:00Z' },
      },
    );
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      code: 'DOCKER::INVALID_EXPIRATION',
      message: `Sandbox ${manual} does not have automatic expiration enabled.`,
    });
    const missing = await h.api.call(
      'POST',
      '/sandboxes/{sandboxId}/renew-expiration',
      {
        params: { sandboxId: 'nope' },
        body: { expiresAt: '2026-06-16T10:00:00Z' },
      },
    );
    expect(missing.status).toBe(404);
  });
});

describe('GET /sandboxes/{sandboxId}/endpoints/{port}', () => {
  it('returns Docker bridge endpoints without a scheme', async () => {
    const id = await create();
    const proxied = await h.api.call(
      'GET',
      '/sandboxes/{sandboxId}/endpoints/{port}',
      {
        params: { sandboxId: id, port: 8000 },
      },
    );
    expect(proxied.status).toBe(200);
    expect(proxied.body).toEqual({ endpoint: '127.0.0.1:32768/proxy/8000' });
    const mapped = await h.api.call(
      'GET',
      '/sandboxes/{sandboxId}/endpoints/{port}',
      {
        params: { sandboxId: id, port: 8080 },
      },
    );
    expect(mapped.body).toEqual({ endpoint: '127.0.0.1:32769' });
  });

  it('returns a server-proxy endpoint with use_server_proxy=true', async () => {
    const id = await create();
    const res = await h.api.call(
      'GET',
      '/sandboxes/{sandboxId}/endpoints/{port}',
      {
        params: { sandboxId: id, port: 3000 },
        query: { use_server_proxy: true },
      },
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      endpoint: `127.0.0.1:${h.sim.port}/sandboxes/${id}/proxy/3000`,
    });
  });

  it.each([0, 65536])(
    'rejects port %d with 400 DOCKER::INVALID_PORT',
    async port => {
      const id = await create();
      const res = await h.api.call(
        'GET',
        '/sandboxes/{sandboxId}/endpoints/{port}',
        {
          params: { sandboxId: id, port },
          request: 'invalid',
        },
      );
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('DOCKER::INVALID_PORT');
    },
  );

  it('rejects expires (unsupported on Docker, and never with use_server_proxy)', async () => {
    const id = await create();
    const both = await h.api.call(
      'GET',
      '/sandboxes/{sandboxId}/endpoints/{port}',
      {
        params: { sandboxId: id, port: 8000 },
        query: { use_server_proxy: true, expires: '1900000000' },
      },
    );
    expect(both.status).toBe(400);
    expect(both.body.code).toBe('SANDBOX::INVALID_PARAMETER');
    const signed = await h.api.call(
      'GET',
      '/sandboxes/{sandboxId}/endpoints/{port}',
      {
        params: { sandboxId: id, port: 8000 },
        query: { expires: '1900000000' },
      },
    );
    expect(signed.status).toBe(400);
    expect(signed.body.code).toBe('SANDBOX::API_NOT_SUPPORTED');
  });

  it('404s unknown sandboxes', async () => {
    const res = await h.api.call(
      'GET',
      '/sandboxes/{sandboxId}/endpoints/{port}',
      {
        params: { sandboxId: 'nope', port: 8000 },
      },
    );
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      code: 'DOCKER::SANDBOX_NOT_FOUND',
      message: 'Sandbox nope not found.',
    });
  });
});

describe('PATCH /sandboxes/{sandboxId}/metadata', () => {
  it('applies a JSON merge patch and returns the full sandbox', async () => {
    const id = await create({ metadata: { team: 'a', keep: 'yes', old: 'x' } });
    const res = await h.api.call('PATCH', '/sandboxes/{sandboxId}/metadata', {
      params: { sandboxId: id },
      body: { team: 'platform', old: null, absent: null, added: 'v1' },
    });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(id);
    expect(res.body.image).toEqual({ uri: 'python:3.11-slim' });
    expect(res.body.metadata).toEqual({
      team: 'platform',
      keep: 'yes',
      added: 'v1',
    });
    const noop = await h.api.call('PATCH', '/sandboxes/{sandboxId}/metadata', {
      params: { sandboxId: id },
      body: {},
    });
    expect(noop.status).toBe(200);
    expect(noop.body.metadata).toEqual({
      team: 'platform',
      keep: 'yes',
      added: 'v1',
    });
  });

  it('rejects reserved keys and invalid labels with 400, unchanged', async () => {
    const id = await create({ metadata: { team: 'a' } });
    const reserved = await h.api.call(
      'PATCH',
      '/sandboxes/{sandboxId}/metadata',
      {
        params: { sandboxId: id },
        body: { 'opensandbox.io/manual-cleanup': 'true' },
      },
    );
    expect(reserved.status).toBe(400);
    expect(reserved.body.code).toBe('INVALID_METADATA_LABEL');
    const invalid = await h.api.call(
      'PATCH',
      '/sandboxes/{sandboxId}/metadata',
      {
        params: { sandboxId: id },
        body: { team: 'b', name: 'has spaces' },
      },
    );
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('SANDBOX::INVALID_METADATA_LABEL');
    const get = await h.api.call('GET', '/sandboxes/{sandboxId}', {
      params: { sandboxId: id },
    });
    expect(get.body.metadata).toEqual({ team: 'a' });
  });

  it('404s unknown sandboxes', async () => {
    const res = await h.api.call('PATCH', '/sandboxes/{sandboxId}/metadata', {
      params: { sandboxId: 'nope' },
      body: { a: 'b' },
    });
    expect(res.status).toBe(404);
  });
});

describe('contract coverage', () => {
  it('exercised every sandbox operation of the spec with its success status', () => {
    const expected: string[] = [];
    for (const [path, item] of Object.entries<any>(spec.paths)) {
      if (!path.startsWith('/sandboxes') || path.endsWith('/snapshots'))
        continue;
      for (const [method, op] of Object.entries<any>(item)) {
        if (method === 'parameters') continue;
        const success = Object.keys(op.responses).find(s => s.startsWith('2'));
        expected.push(`${method.toUpperCase()} ${path} ${success}`);
      }
    }
    expect(expected.length).toBe(9);
    // GET/POST /sandboxes list success is covered in api.list.test.ts; here everything but list.
    const missing = expected.filter(
      e => !h.api.seen.has(e) && e !== 'GET /sandboxes 200',
    );
    expect(missing).toEqual([]);
  });
});
