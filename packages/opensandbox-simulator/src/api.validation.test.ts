import { Harness, T0, createBody, startHarness } from './__testUtils__/harness';

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

async function create422(
  body: unknown,
  request: 'invalid' | 'unchecked' = 'invalid',
) {
  const res = await h.api.call('POST', '/sandboxes', { body, request });
  expect(res.status).toBe(422);
  expect(h.sim.state.store.size).toBe(0);
  return res.body.detail;
}

describe('422 request validation (FastAPI shape)', () => {
  it('reports bad JSON as json_invalid', async () => {
    const res = await h.api.call('POST', '/sandboxes', {
      rawBody: '{"image": ',
      request: 'invalid',
    });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      detail: [
        {
          type: 'json_invalid',
          loc: ['body', 10],
          msg: 'JSON decode error',
          input: {},
          ctx: { error: 'Expecting value' },
        },
      ],
    });
  });

  it('reports a missing body', async () => {
    const res = await h.api.call('POST', '/sandboxes', { request: 'invalid' });
    expect(res.body).toEqual({
      detail: [
        { type: 'missing', loc: ['body'], msg: 'Field required', input: null },
      ],
    });
  });

  it('reports timeout < 60', async () => {
    expect(await create422(createBody({ timeout: 30 }))).toEqual([
      {
        type: 'greater_than_equal',
        loc: ['body', 'timeout'],
        msg: 'Input should be greater than or equal to 60',
        input: 30,
        ctx: { ge: 60 },
      },
    ]);
  });

  it('reports an empty entrypoint', async () => {
    expect(await create422(createBody({ entrypoint: [] }))).toEqual([
      {
        type: 'too_short',
        loc: ['body', 'entrypoint'],
        msg: 'List should have at least 1 item after validation, not 0',
        input: [],
        ctx: { field_type: 'List', min_length: 1, actual_length: 0 },
      },
    ]);
  });

  it.each([
    [
      'neither image nor snapshotId',
      createBody({ image: undefined }),
      'Exactly one of image or snapshotId must be provided.',
    ],
    [
      'both image and snapshotId',
      createBody({ snapshotId: 'snap-1' }),
      'Exactly one of image or snapshotId must be provided.',
    ],
    [
      'image without entrypoint',
      createBody({ entrypoint: undefined }),
      'Entrypoint is required when image is provided.',
    ],
    [
      'missing resourceLimits',
      createBody({ resourceLimits: undefined }),
      'resourceLimits is required when poolRef is not provided.',
    ],
  ])('reports the model rule for %s', async (_name, body, message) => {
    // These bodies conform to the JSON schema (the rules are only prose in the spec).
    const detail = await create422(body, 'unchecked');
    expect(detail).toEqual([
      {
        type: 'value_error',
        loc: ['body'],
        msg: `Value error, ${message}`,
        input: body,
        ctx: { error: {} },
      },
    ]);
  });

  it('reports wrong types with their locations', async () => {
    const detail = await create422({
      image: { uri: 42 },
      entrypoint: 'python',
      timeout: 'soon',
      resourceLimits: { cpu: 1 },
      metadata: ['a'],
      platform: { os: 'macos', arch: 'amd64' },
      secureAccess: 'maybe',
    });
    expect(detail.map((d: any) => [d.type, d.loc])).toEqual([
      ['string_type', ['body', 'image', 'uri']],
      ['literal_error', ['body', 'platform', 'os']],
      ['int_parsing', ['body', 'timeout']],
      ['string_type', ['body', 'resourceLimits', 'cpu']],
      ['dict_type', ['body', 'metadata']],
      ['list_type', ['body', 'entrypoint']],
      ['bool_parsing', ['body', 'secureAccess']],
    ]);
    expect(detail[1]).toEqual({
      type: 'literal_error',
      loc: ['body', 'platform', 'os'],
      msg: "Input should be 'linux' or 'windows'",
      input: 'macos',
      ctx: { expected: "'linux' or 'windows'" },
    });
  });

  it('reports a non-object body', async () => {
    expect(await create422([1, 2])).toEqual([
      {
        type: 'model_attributes_type',
        loc: ['body'],
        msg: 'Input should be a valid dictionary or object to extract fields from',
        input: [1, 2],
      },
    ]);
  });

  it('reports renew bodies without or with an invalid expiresAt', async () => {
    const id = (await h.api.call('POST', '/sandboxes', { body: createBody() }))
      .body.id;
    const missing = await h.api.call(
      'POST',
      '/sandboxes/{sandboxId}/renew-expiration',
      {
        params: { sandboxId: id },
        body: {},
        request: 'invalid',
      },
    );
    expect(missing.status).toBe(422);
    expect(missing.body).toEqual({
      detail: [
        {
          type: 'missing',
          loc: ['body', 'expiresAt'],
          msg: 'Field required',
          input: {},
        },
      ],
    });
    const bad = await h.api.call(
      'POST',
      '/sandboxes/{sandboxId}/renew-expiration',
      {
        params: { sandboxId: id },
        body: { expiresAt: 'tomorrow' },
        request: 'invalid',
      },
    );
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0]).toMatchObject({
      type: 'datetime_from_date_parsing',
      loc: ['body', 'expiresAt'],
      input: 'tomorrow',
    });
  });

  it('validates before looking the sandbox up (422 wins over 404)', async () => {
    const res = await h.api.call(
      'POST',
      '/sandboxes/{sandboxId}/renew-expiration',
      {
        params: { sandboxId: 'nope' },
        body: {},
        request: 'invalid',
      },
    );
    expect(res.status).toBe(422);
  });

  it('reports metadata patch values that are not strings or null', async () => {
    const id = (await h.api.call('POST', '/sandboxes', { body: createBody() }))
      .body.id;
    const res = await h.api.call('PATCH', '/sandboxes/{sandboxId}/metadata', {
      params: { sandboxId: id },
      body: { a: 1 },
      request: 'invalid',
    });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      detail: [
        {
          type: 'string_type',
          loc: ['body', 'a'],
          msg: 'Input should be a valid string',
          input: 1,
        },
      ],
    });
  });

  it('reports a non-integer port in the path', async () => {
    const id = (await h.api.call('POST', '/sandboxes', { body: createBody() }))
      .body.id;
    const res = await h.api.call(
      'GET',
      '/sandboxes/{sandboxId}/endpoints/{port}',
      {
        params: { sandboxId: id, port: 'http' },
        request: 'invalid',
      },
    );
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      detail: [
        {
          type: 'int_parsing',
          loc: ['path', 'port'],
          msg: 'Input should be a valid integer, unable to parse string as an integer',
          input: 'http',
        },
      ],
    });
  });

  it('reports an uninterpretable use_server_proxy', async () => {
    const id = (await h.api.call('POST', '/sandboxes', { body: createBody() }))
      .body.id;
    const res = await h.api.call(
      'GET',
      '/sandboxes/{sandboxId}/endpoints/{port}',
      {
        params: { sandboxId: id, port: 8000 },
        query: { use_server_proxy: 'perhaps' },
        request: 'invalid',
      },
    );
    expect(res.status).toBe(422);
    expect(res.body.detail[0]).toMatchObject({
      type: 'bool_parsing',
      loc: ['query', 'use_server_proxy'],
    });
  });

  it('accepts lax values Pydantic accepts (numeric strings, integral floats)', async () => {
    const res = await h.api.call('POST', '/sandboxes', {
      body: createBody({ timeout: '120' }),
      request: 'unchecked',
    });
    expect(res.status).toBe(202);
    expect(res.body.expiresAt).toBe('2026-06-15T10:02:00Z');
  });
});
