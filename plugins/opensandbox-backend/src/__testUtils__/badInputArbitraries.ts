/**
 * fast-check arbitraries of malformed console requests, one family per route of `openapi.yaml`
 * (used by `tests/badInput.property.test.ts`). Every generated request is invalid for a reason the
 * console must name before any upstream call.
 */
import fc from 'fast-check';

/** One generated request; `{id}` in `path` is replaced by an existing sandbox id. */
export interface BadRequest {
  /** The openapi.yaml route it exercises, e.g. `POST /sandboxes`. */
  route: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Path under `/api/opensandbox`, already url-encoded. */
  path: string;
  /** Raw query string (already encoded), without `?`. */
  query?: string;
  headers?: Record<string, string>;
  /** JSON body (serialised with JSON.stringify). */
  body?: unknown;
  /** Raw body text (sent as is). */
  rawBody?: string;
  contentType?: string;
  persona?: string;
  /** Text the answer must contain (in the message or a field name): the field at fault. */
  names?: string;
  /** What is wrong, for failure messages. */
  what: string;
}

/** Every route of openapi.yaml, as `METHOD /path`. */
export const BAD_INPUT_ROUTES = [
  'GET /health',
  'GET /settings',
  'GET /teams',
  'GET /sandboxes',
  'POST /sandboxes',
  'GET /sandboxes/{sandboxId}',
  'DELETE /sandboxes/{sandboxId}',
  'POST /sandboxes/{sandboxId}/renew-expiration',
  'POST /sandboxes/{sandboxId}/pause',
  'POST /sandboxes/{sandboxId}/resume',
  'PATCH /sandboxes/{sandboxId}/metadata',
  'GET /sandboxes/{sandboxId}/endpoints/{port}',
  'GET /changes',
  'GET /sandboxes/{sandboxId}/diagnostics/{kind}',
  'POST /bulk/renew',
  'POST /bulk/pause',
  'POST /bulk/resume',
  'POST /bulk/delete',
  'GET /audit-events',
  'GET /admin/role-bindings',
  'POST /admin/role-bindings',
  'DELETE /admin/role-bindings/{bindingId}',
  'GET /admin/role-bindings/explain',
  'GET /admin/role-bindings/export',
  'POST /admin/role-bindings/import',
  'GET /internal/role-bindings',
  'GET /quotas',
  'GET /admin/quotas',
  'GET /admin/quotas/{team}',
  'PUT /admin/quotas/{team}',
  'DELETE /admin/quotas/{team}',
] as const;

const SANDBOX_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
/** True when `s` has a control character (C0 or DEL). */
const CONTROL = {
  test: (s: string) =>
    [...s].some(c => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f),
};
const enc = encodeURIComponent;

/** Control characters, unicode oddities and injection-looking text. */
const nastyText = fc.oneof(
  fc.constantFrom(
    '\u0000',
    '\u0007',
    '\n',
    '\r\n',
    '\u202e',
    '\ud83d\ude00',
    'é',
    '\uFEFF',
    '\t',
    '<script>',
    "'; drop table x;--",
    '${jndi:x}',
    '%00',
  ),
  fc
    .string({ unit: 'binary', minLength: 1, maxLength: 20 })
    .filter(s => /[^\x21-\x7e]/.test(s)),
);

/** Ids with path traversal, encoded slashes, userinfo, absolute URLs, unicode; already encoded. */
const badSandboxId = fc.oneof(
  fc.constantFrom(
    '..',
    '%2e%2e',
    '%2E%2E%2F%2E%2E%2Fadmin',
    '..%2F..%2Fv1%2Fsandboxes',
    'a%2Fb',
    '%2F%2Fevil.example%2Fx',
    'http%3A%2F%2Fevil.example',
    'https%3A%2F%2F169.254.169.254%2Flatest',
    '%40evil.example',
    'user%40evil.example',
    'a%5C..%5Cb',
    '%252e%252e',
    '.hidden',
    '-leading',
    '_x',
    '%00',
    '%',
    '%zz',
    'a%20b',
    '%E2%80%AE',
  ),
  fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
    .filter(s => !SANDBOX_ID.test(s))
    .map(enc),
  fc.stringMatching(/^[a-z0-9]{129,200}$/),
);

const badPort = fc.oneof(
  fc.constantFrom(
    '0',
    '-1',
    '65536',
    '99999999999999999999',
    '1.5',
    '80abc',
    'abc',
    '0x50',
    '1e3',
    '%2F..',
    '+80',
    ' 80',
    '080080',
  ),
  fc.integer({ min: 65536, max: 2 ** 40 }).map(String),
  fc.integer({ min: -(2 ** 40), max: 0 }).map(String),
);

const badTimeout = fc.oneof(
  fc.constantFrom(
    -1,
    0,
    59,
    1.5,
    3600.5,
    3601,
    1e12,
    Number.MAX_SAFE_INTEGER,
    '600',
    true,
    [],
    {},
    null,
  ),
  fc
    .double({ min: -1e15, max: 1e15, noNaN: true })
    .filter(n => !(Number.isInteger(n) && n >= 60 && n <= 3600)),
);

const badQuantity = fc.oneof(
  fc.constantFrom(
    '',
    'lots',
    '1 Gi',
    '-1',
    '1.5.5',
    '1Gb',
    '∞',
    'NaN',
    '1e999',
  ),
  fc.integer(),
  fc.constant(null),
);

/** Label keys the Kubernetes label rules refuse. */
const badLabelKey = fc.oneof(
  fc.constantFrom(
    '-bad',
    'bad-',
    '_x',
    'a/b/c',
    '/x',
    'x/',
    'é',
    'a b',
    'a\u0000b',
    'UPPER_/x',
    'x'.repeat(64),
    `${'d'.repeat(254)}/x`,
  ),
  nastyText,
);
/** Label values the rules refuse. */
const badLabelValue = fc.oneof(
  fc.constantFrom('-x', 'x-', 'a b', 'x'.repeat(64), 'é', 'a/b', 'a\nb'),
  nastyText,
  fc.oneof(fc.integer(), fc.boolean(), fc.constant({}), fc.constant([])),
);

const validCreate = {
  image: { uri: 'alpine:3' },
  entrypoint: ['sh'],
  timeout: 600,
  resourceLimits: { cpu: '1', memory: '1Gi' },
};

/** A JSON value nested `depth` levels deep (arrays or objects). */
function nested(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? `${'['.repeat(depth)}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

const wrongJson = fc.oneof(
  fc.constantFrom(
    { rawBody: '{"image":', what: 'truncated JSON' },
    { rawBody: "{'image': 1}", what: 'single quotes' },
    { rawBody: '{"a":1,}', what: 'trailing comma' },
    { rawBody: 'null', what: 'JSON null' },
    { rawBody: '[]', what: 'a JSON array' },
    { rawBody: '"text"', what: 'a JSON string' },
    { rawBody: '42', what: 'a JSON number' },
    { rawBody: '\u0000', what: 'a NUL byte' },
  ),
  fc
    .record({
      depth: fc.integer({ min: 2_000, max: 200_000 }),
      kind: fc.constantFrom('array' as const, 'object' as const),
    })
    .map(({ depth, kind }) => ({
      rawBody: nested(depth, kind),
      what: `a ${kind} nested ${depth} deep`,
    })),
  fc.integer({ min: 1_048_577, max: 1_300_000 }).map(n => ({
    rawBody: `{"x":"${'a'.repeat(n)}"}`,
    what: `a ${n}-byte body`,
  })),
);

const wrongContentType = fc.record({
  contentType: fc.constantFrom(
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/xml',
    'text/html',
  ),
  rawBody: fc.constantFrom(
    'image=alpine',
    '<a/>',
    'hello',
    JSON.stringify(validCreate),
  ),
});

/** Malformed create bodies, each with the field it must name. */
const badCreateBody: fc.Arbitrary<
  Omit<BadRequest, 'route' | 'method' | 'path'>
> = fc.oneof(
  badTimeout.map(timeout => ({
    body: { ...validCreate, timeout },
    names: 'timeout',
    what: `timeout ${JSON.stringify(timeout)}`,
  })),
  fc
    .constantFrom(
      undefined,
      5,
      'alpine',
      null,
      [],
      { uri: 5 },
      { uri: '' },
      { uri: 'a b' },
      { uri: 'x', auth: { username: 'u' } },
    )
    .map(image => ({
      body: { ...validCreate, image },
      names: 'image',
      what: `image ${JSON.stringify(image)}`,
    })),
  fc.constantFrom('sh', [], [1], [''], null, {}).map(entrypoint => ({
    body: { ...validCreate, entrypoint },
    names: 'entrypoint',
    what: `entrypoint ${JSON.stringify(entrypoint)}`,
  })),
  fc
    .record({ key: fc.constantFrom('cpu', 'memory'), value: badQuantity })
    .map(({ key, value }) => ({
      body: {
        ...validCreate,
        resourceLimits: { ...validCreate.resourceLimits, [key]: value },
      },
      names: `resourceLimits`,
      what: `resourceLimits.${key} ${JSON.stringify(value)}`,
    })),
  fc
    .record({ key: badLabelKey, value: fc.constant('v') })
    .map(({ key, value }) => ({
      body: { ...validCreate, metadata: { [key]: value } },
      names: 'metadata',
      what: `label key ${JSON.stringify(key)}`,
    })),
  fc
    .record({
      key: fc.constantFrom('name', 'app', 'example.com/tier'),
      value: badLabelValue,
    })
    .map(({ key, value }) => ({
      body: { ...validCreate, metadata: { [key]: value } },
      names: 'metadata',
      what: `label value ${JSON.stringify(value)}`,
    })),
  fc
    .constantFrom(
      'backstage.io/owner',
      'backstage.io/team',
      'BACKSTAGE.IO/OWNER',
      'backstage.io/create-token',
    )
    .map(key => ({
      body: { ...validCreate, metadata: { [key]: 'pat' } },
      names: 'metadata',
      what: `forged ownership label ${key}`,
    })),
  fc.constantFrom(5, [], 'x', null).map(metadata => ({
    body: { ...validCreate, metadata },
    names: 'metadata',
    what: `metadata ${JSON.stringify(metadata)}`,
  })),
  fc
    .record({
      extra: fc
        .stringMatching(/^[a-z]{3,12}$/)
        .filter(
          k =>
            ![
              'image',
              'entrypoint',
              'timeout',
              'platform',
              'env',
              'metadata',
              'team',
              'server',
              'volumes',
              'extensions',
            ].includes(k),
        ),
      value: fc.jsonValue(),
    })
    .map(({ extra, value }) => ({
      body: { ...validCreate, [extra]: value },
      names: extra,
      what: `extra field ${extra}`,
    })),
  fc
    .constantFrom(
      'team-a',
      'user:default/ada',
      'group:default/',
      'group::x',
      'group:default/team-a\u0000',
      5,
    )
    .map(team => ({
      body: { ...validCreate, team },
      names: 'team',
      what: `team ${JSON.stringify(team)}`,
    })),
  fc.constantFrom('not a ref', 'component:', 5, 'x:y:z:w').map(entityRef => ({
    body: { ...validCreate, entityRef },
    names: 'entityRef',
    what: `entityRef ${JSON.stringify(entityRef)}`,
  })),
  fc
    .constantFrom('nope', 'http://evil.example', '../default', '')
    .map(server => ({
      body: { ...validCreate, server },
      names: 'server',
      what: `server ${JSON.stringify(server)}`,
    })),
  fc
    .constantFrom('has space', '', 'x'.repeat(256), 'é', '\u0007')
    .map(key => ({
      body: validCreate,
      headers: { 'Idempotency-Key': key },
      names: 'Idempotency-Key',
      what: `Idempotency-Key ${JSON.stringify(key)}`,
    }))
    .filter(r => !CONTROL.test(r.headers['Idempotency-Key'])), // a header cannot carry control characters
  wrongJson.map(w => ({ ...w, what: `create body: ${w.what}` })),
  wrongContentType.map(w => ({
    ...w,
    names: 'body',
    what: `create as ${w.contentType}`,
  })),
);

const badExpiresAt = fc.oneof(
  fc.constantFrom(
    '2030-01-01T00:00:00',
    '2030-01-01 00:00',
    'tomorrow',
    '',
    '2030-02-30T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '+275760-09-13T00:00:00Z',
    '1970-01-01T00:00:00Z',
    '2000-01-01T00:00:00Z',
    5,
    null,
    true,
    {},
  ),
  fc
    .date({
      min: new Date('2100-01-01T00:00:00Z'),
      max: new Date('9999-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    .map(d => d.toISOString()),
  fc
    .date({
      min: new Date('1970-01-01T00:00:00Z'),
      max: new Date('2020-01-01T00:00:00Z'),
      noInvalidDate: true,
    })
    .map(d => d.toISOString()),
);

const badRenewBody = fc.oneof(
  badExpiresAt.map(expiresAt => ({
    body: { expiresAt },
    names: 'expiresAt',
    what: `expiresAt ${JSON.stringify(expiresAt)}`,
  })),
  fc.constantFrom('yes', 1, null).map(allowShorten => ({
    body: { expiresAt: '2099-01-01T00:00:00Z', allowShorten },
    names: '',
    what: `allowShorten ${JSON.stringify(allowShorten)}`,
  })),
  fc.constant({ body: {}, names: 'expiresAt', what: 'no expiresAt' }),
  fc.constant({
    body: { expiresAt: '2099-01-01T00:00:00Z', extendSeconds: 60 },
    names: 'extendSeconds',
    what: 'extra extendSeconds',
  }),
  wrongJson.map(w => ({ ...w, what: `renew body: ${w.what}` })),
);

const badPatchBody = fc.oneof(
  fc.record({ key: badLabelKey, value: fc.constant('v') }).map(({ key }) => ({
    body: { [key]: 'v' },
    names: 'metadata',
    what: `label key ${JSON.stringify(key)}`,
  })),
  badLabelValue.map(value => ({
    body: { name: value },
    names: 'metadata',
    what: `label value ${JSON.stringify(value)}`,
  })),
  fc
    .constantFrom('backstage.io/owner', 'backstage.io/team-namespace')
    .map(key => ({
      body: { [key]: null },
      names: 'metadata',
      what: `patch of ${key}`,
    })),
  wrongJson.map(w => ({ ...w, what: `metadata body: ${w.what}` })),
  wrongContentType.map(w => ({
    ...w,
    names: 'body',
    what: `metadata as ${w.contentType}`,
  })),
);

/** `k=v` query strings with the parameter at fault. */
const badListQuery: fc.Arbitrary<{
  query: string;
  names: string;
  what: string;
}> = fc.oneof(
  fc
    .constantFrom('0', '-1', '1.5', 'abc', '1e3', '99999999999999999999')
    .map(v => ({ query: `page=${v}`, names: 'page', what: `page ${v}` })),
  fc.constantFrom('0', '201', '-5', '2.5', 'all').map(v => ({
    query: `pageSize=${v}`,
    names: 'pageSize',
    what: `pageSize ${v}`,
  })),
  fc.constant({ query: 'page=1&page=2', names: 'page', what: 'repeated page' }),
  fc.constant({
    query: 'sort=name&sort=state',
    names: 'sort',
    what: 'conflicting sort',
  }),
  fc.constant({
    query: 'order=asc&order=desc',
    names: 'order',
    what: 'conflicting order',
  }),
  fc
    .constantFrom('id', 'DROP', 'createdAt;', '')
    .map(v => ({ query: `sort=${enc(v)}`, names: 'sort', what: `sort ${v}` })),
  fc.constantFrom('up', 'ASC ', '1').map(v => ({
    query: `order=${enc(v)}`,
    names: 'order',
    what: `order ${v}`,
  })),
  fc.constantFrom('-1', '1.5', 'soon', '1e9').map(v => ({
    query: `expiringWithinSeconds=${v}`,
    names: 'expiringWithinSeconds',
    what: `expiringWithinSeconds ${v}`,
  })),
  fc.constantFrom('%zz', 'noequals', '=v', 'a=%E0%A4%A').map(v => ({
    query: `metadata=${enc(v)}`,
    names: 'metadata',
    what: `metadata ${v}`,
  })),
  badLabelKey.map(k => ({
    query: `metadata=${enc(`${enc(k)}=v`)}`,
    names: 'metadata',
    what: `metadata key ${JSON.stringify(k)}`,
  })),
  fc
    .oneof(
      fc.string({ minLength: 101, maxLength: 200 }),
      nastyText.filter(s => CONTROL.test(s)),
    )
    .map(v => ({
      query: `search=${enc(v)}`,
      names: 'search',
      what: 'bad search',
    })),
  fc.constantFrom('Running;', 'a b', '<x>', '').map(v => ({
    query: `state=${enc(v)}`,
    names: 'state',
    what: `state ${v}`,
  })),
  fc
    .constantFrom('ada', 'group:default/x', 'user:', 'user:default/')
    .map(v => ({
      query: `owner=${enc(v)}`,
      names: 'owner',
      what: `owner ${v}`,
    })),
  fc.constant({
    query: Array.from(
      { length: 21 },
      (_, i) => `team=group%3Adefault%2Ft${i}`,
    ).join('&'),
    names: 'team',
    what: '21 teams',
  }),
  fc.constantFrom('nope', 'http://evil.example', '..').map(v => ({
    query: `server=${enc(v)}`,
    names: 'server',
    what: `server ${v}`,
  })),
  fc
    .stringMatching(/^[a-z]{2,10}$/)
    .filter(
      k =>
        ![
          'state',
          'metadata',
          'page',
          'pagesize',
          'owner',
          'team',
          'entity',
          'search',
          'sort',
          'order',
          'server',
          'mine',
        ].includes(k.toLowerCase()),
    )
    .map(k => ({ query: `${k}=1`, names: k, what: `unknown parameter ${k}` })),
);

const badBulkBody = (action: string) =>
  fc.oneof(
    fc.constantFrom(5, 'x', [], null).map(body => ({
      body,
      names: 'body',
      what: `bulk body ${JSON.stringify(body)}`,
    })),
    fc.constant({
      body: { items: [{ id: 'a' }], filter: {} },
      names: 'items',
      what: 'items and filter',
    }),
    fc.constant({ body: {}, names: 'items', what: 'neither items nor filter' }),
    fc.constant({ body: { items: [] }, names: 'items', what: 'empty items' }),
    badSandboxId.map(id => ({
      body: { items: [{ id: decodeURIComponentSafe(id) }] },
      names: 'items[0]',
      what: `item id ${id}`,
    })),
    fc.constantFrom('yes', 1).map(dryRun => ({
      body: { items: [{ id: 'a' }], dryRun },
      names: 'dryRun',
      what: `dryRun ${dryRun}`,
    })),
    fc
      .stringMatching(/^[a-z]{3,10}$/)
      .filter(
        k =>
          ![
            'items',
            'filter',
            'dryrun',
            'expiresat',
            'extendseconds',
            'allowshorten',
            'confirmationtoken',
          ].includes(k.toLowerCase()),
      )
      .map(k => ({
        body: { items: [{ id: 'a' }], [k]: 1 },
        names: k,
        what: `extra field ${k}`,
      })),
    fc
      .constantFrom(
        'colour',
        'owner',
        'mine',
        'expiringWithinSeconds',
        'metadata',
      )
      .map(k => ({
        body: { filter: { [k]: k === 'colour' ? 'x' : { nested: [1] } } },
        names: 'filter',
        what: `filter.${k}`,
      })),
    ...(action === 'renew'
      ? [
          fc.constantFrom(0, 59, -1, 1.5, 1e12).map(extendSeconds => ({
            body: { items: [{ id: 'a' }], extendSeconds },
            names: 'extendSeconds',
            what: `extendSeconds ${extendSeconds}`,
          })),
        ]
      : []),
    wrongJson.map(w => ({ ...w, what: `bulk body: ${w.what}` })),
  );

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const badAuditQuery = fc.oneof(
  fc
    .constantFrom('0', '201', '-1', '2.5', 'x')
    .map(v => ({ query: `limit=${v}`, names: 'limit', what: `limit ${v}` })),
  fc
    .oneof(
      fc.constantFrom('garbage', 'eyJ9', '%00', 'bnVsbA'),
      fc.base64String({ minLength: 4, maxLength: 60 }),
    )
    .map(v => ({
      query: `cursor=${enc(v)}`,
      names: 'cursor',
      what: `cursor ${v}`,
    })),
  fc
    .constantFrom(
      '2026-11-29T10:00:00',
      '2026-11-29 10:00',
      'yesterday',
      '2026-13-01T00:00:00Z',
      '99999999999999999',
      '-1',
    )
    .map(v => ({ query: `from=${enc(v)}`, names: 'from', what: `from ${v}` })),
  fc
    .constantFrom('2026-11-29T10:00', 'now', '1e3')
    .map(v => ({ query: `to=${enc(v)}`, names: 'to', what: `to ${v}` })),
  fc.constantFrom('sandbox.explode', '', 'SANDBOX.CREATE').map(v => ({
    query: `action=${enc(v)}`,
    names: 'action',
    what: `action ${v}`,
  })),
  fc.constantFrom('won', 'INITIATED', '').map(v => ({
    query: `outcome=${enc(v)}`,
    names: 'outcome',
    what: `outcome ${v}`,
  })),
  fc.constantFrom('xml', 'CSV', '').map(v => ({
    query: `format=${enc(v)}`,
    names: 'format',
    what: `format ${v}`,
  })),
  fc.constant({
    query: 'limit=5&limit=6',
    names: 'limit',
    what: 'repeated limit',
  }),
  fc.constant({
    query: 'outcome=failed&outcome=denied',
    names: 'outcome',
    what: 'repeated outcome',
  }),
  fc.constant({
    query: `sandboxId=${enc('\u0000')}`,
    names: 'sandboxId',
    what: 'NUL sandboxId',
  }),
  fc.constant({
    query: `actor=${'a'.repeat(300)}`,
    names: 'actor',
    what: 'long actor',
  }),
  fc
    .stringMatching(/^[a-z]{3,10}$/)
    .filter(
      k =>
        ![
          'actor',
          'action',
          'sandboxid',
          'team',
          'outcome',
          'batchid',
          'from',
          'to',
          'limit',
          'cursor',
          'format',
        ].includes(k.toLowerCase()),
    )
    .map(k => ({ query: `${k}=1`, names: k, what: `unknown parameter ${k}` })),
);

const badBindingBody = fc.oneof(
  fc
    .constantFrom(5, 'x', [], null)
    .map(body => ({ body, what: `binding body ${JSON.stringify(body)}` })),
  fc.constant({
    body: { role: 'admin' },
    names: 'subject',
    what: 'no subject',
  }),
  fc.constantFrom('god', '', 5).map(role => ({
    body: { subject: 'user:default/vic', role },
    names: 'role',
    what: `role ${role}`,
  })),
  fc.constantFrom('user:', 'user:default/', '\u0000', '').map(subject => ({
    body: { subject, role: 'viewer' },
    names: 'subject',
    what: `subject ${JSON.stringify(subject)}`,
  })),
  fc.constantFrom('team-a', ['x'], 5).map(teams => ({
    body: { subject: 'user:default/vic', role: 'operator', teams },
    names: 'teams',
    what: `teams ${JSON.stringify(teams)}`,
  })),
  fc.constant({
    body: { subject: 'user:default/vic', role: 'viewer', colour: 'red' },
    names: 'colour',
    what: 'extra field',
  }),
  wrongJson
    .filter(w => !w.what.includes('-byte'))
    .map(w => ({ ...w, what: `binding body: ${w.what}` })),
);

const badQuotaLimits = fc.oneof(
  fc.constantFrom(-1, 1.5, 'ten', 1e12, null, {}).map(v => ({
    body: { maxSandboxes: v },
    names: 'maxSandboxes',
    what: `maxSandboxes ${JSON.stringify(v)}`,
  })),
  fc.constantFrom(-1, 0.5, 'x').map(v => ({
    body: { maxTimeoutSeconds: v },
    names: 'maxTimeoutSeconds',
    what: `maxTimeoutSeconds ${v}`,
  })),
  fc
    .constantFrom('lots', '', '-1')
    .map(v => ({ body: { maxCpu: v }, names: 'maxCpu', what: `maxCpu ${v}` })),
  fc.constantFrom('docker.io', [5], ['']).map(v => ({
    body: { allowedImageRegistries: v },
    names: 'allowedImageRegistries',
    what: `allowedImageRegistries ${JSON.stringify(v)}`,
  })),
  fc.constant({
    body: { colour: 'red' },
    names: 'colour',
    what: 'unknown limit',
  }),
  fc
    .constantFrom(5, 'x', [])
    .map(body => ({ body, what: `limits ${JSON.stringify(body)}` })),
);
const badQuotaKey = fc.constantFrom(
  'team-a',
  'user%3Adefault%2Fada',
  'group%3A',
  '%2E%2E',
  'group%3Adefault%2F',
  'DEFAULTX',
  '%00',
  '%zz',
);

type Family = fc.Arbitrary<BadRequest>;
const route = <T>(
  name: (typeof BAD_INPUT_ROUTES)[number],
  arb: fc.Arbitrary<T>,
  build: (t: T) => Omit<BadRequest, 'route'>,
): Family => arb.map(t => ({ route: name, ...build(t) }));

const sandboxIdRoutes: Family[] = (
  [
    ['GET /sandboxes/{sandboxId}', 'get', ''],
    ['DELETE /sandboxes/{sandboxId}', 'delete', ''],
    ['POST /sandboxes/{sandboxId}/pause', 'post', '/pause'],
    ['POST /sandboxes/{sandboxId}/resume', 'post', '/resume'],
  ] as const
).map(([name, method, suffix]) =>
  fc.oneof(
    route(
      name,
      badSandboxId.map(id => ({ id })),
      ({ id }) => ({
        method,
        path: `/sandboxes/${id}${suffix}`,
        what: `id ${id}`,
      }),
    ),
    route(
      name,
      fc.constantFrom('nope', 'http%3A%2F%2Fevil.example', '..', '%2E%2E'),
      server => ({
        method,
        path: `/servers/${server}/sandboxes/{id}${suffix}`,
        names: 'server',
        what: `server ${server}`,
      }),
    ),
  ),
);

const families: Family[] = [
  route(
    'GET /health',
    fc.constantFrom('post', 'put', 'delete', 'patch') as fc.Arbitrary<any>,
    method => ({ method, path: '/health', what: `${method} /health` }),
  ),
  route('GET /settings', fc.stringMatching(/^[a-z]{1,8}$/), k => ({
    method: 'get',
    path: '/settings',
    query: `${k}=1`,
    names: k,
    what: `unknown parameter ${k}`,
  })),
  route('GET /teams', fc.stringMatching(/^[a-z]{1,8}$/), k => ({
    method: 'get',
    path: '/teams',
    query: `${k}=1`,
    names: k,
    what: `unknown parameter ${k}`,
  })),
  route('GET /sandboxes', badListQuery, q => ({
    method: 'get',
    path: '/sandboxes',
    ...q,
  })),
  route('POST /sandboxes', badCreateBody, b => ({
    method: 'post',
    path: '/sandboxes',
    ...b,
    names: (b as { names?: string }).names || undefined,
    persona: 'operatorOwnTeam',
  })),
  ...sandboxIdRoutes,
  route('POST /sandboxes/{sandboxId}/renew-expiration', badRenewBody, b => ({
    method: 'post',
    path: '/sandboxes/{id}/renew-expiration',
    ...b,
    names: (b as { names?: string }).names || undefined,
  })),
  route('POST /sandboxes/{sandboxId}/renew-expiration', badSandboxId, id => ({
    method: 'post',
    path: `/sandboxes/${id}/renew-expiration`,
    body: { expiresAt: '2099-01-01T00:00:00Z' },
    what: `id ${id}`,
  })),
  route('PATCH /sandboxes/{sandboxId}/metadata', badPatchBody, b => ({
    method: 'patch',
    path: '/sandboxes/{id}/metadata',
    ...b,
    names: (b as { names?: string }).names || undefined,
  })),
  route('GET /sandboxes/{sandboxId}/endpoints/{port}', badPort, port => ({
    method: 'get',
    path: `/sandboxes/{id}/endpoints/${port}`,
    what: `port ${port}`,
  })),
  route(
    'GET /sandboxes/{sandboxId}/endpoints/{port}',
    fc.constantFrom(
      'use_server_proxy=maybe',
      'use_server_proxy=true&use_server_proxy=false',
      'host=evil.example',
      'url=http%3A%2F%2Fevil.example',
      'use_server_proxy=1',
    ),
    q => ({
      method: 'get',
      path: '/sandboxes/{id}/endpoints/8080',
      query: q,
      what: `endpoint query ${q}`,
    }),
  ),
  route('GET /sandboxes/{sandboxId}/endpoints/{port}', badSandboxId, id => ({
    method: 'get',
    path: `/sandboxes/${id}/endpoints/80`,
    what: `id ${id}`,
  })),
  route(
    'GET /changes',
    fc
      .constantFrom('-1', '1.5', 'abc', '1e3', '99999999999999999999', '')
      .map(v => `since=${v}`)
      .chain(q => fc.constantFrom(q, 'since=1&since=2')),
    q => ({
      method: 'get',
      path: '/changes',
      query: q,
      names: 'since',
      what: q,
    }),
  ),
  route(
    'GET /sandboxes/{sandboxId}/diagnostics/{kind}',
    fc.constantFrom(
      'shell',
      'LOGS',
      '..',
      '%2E%2E%2Fexec',
      'logs%3Fscope%3Dx',
      'summary%00',
    ),
    kind => ({
      method: 'get',
      path: `/sandboxes/{id}/diagnostics/${kind}`,
      what: `kind ${kind}`,
    }),
  ),
  route(
    'GET /sandboxes/{sandboxId}/diagnostics/{kind}',
    fc.constantFrom('scope=container', 'tail=100000', 'since=1h'),
    q => ({
      method: 'get',
      path: '/sandboxes/{id}/diagnostics/logs',
      query: q,
      what: `diagnostics query ${q}`,
    }),
  ),
  ...(['renew', 'pause', 'resume', 'delete'] as const).map(action =>
    route(`POST /bulk/${action}` as const, badBulkBody(action), b => ({
      method: 'post',
      path: `/bulk/${action}`,
      ...b,
      names: (b as { names?: string }).names || undefined,
    })),
  ),
  route('GET /audit-events', badAuditQuery, q => ({
    method: 'get',
    path: '/audit-events',
    ...q,
  })),
  route('GET /admin/role-bindings', fc.stringMatching(/^[a-z]{1,8}$/), k => ({
    method: 'get',
    path: '/admin/role-bindings',
    query: `${k}=1`,
    names: k,
    what: `unknown parameter ${k}`,
  })),
  route('POST /admin/role-bindings', badBindingBody, b => ({
    method: 'post',
    path: '/admin/role-bindings',
    ...b,
    names: (b as { names?: string }).names,
  })),
  route(
    'DELETE /admin/role-bindings/{bindingId}',
    fc.constantFrom(
      'nope',
      '..',
      '%2E%2E%2Fx',
      '00000000-0000-0000-0000-000000000000',
    ),
    id => ({
      method: 'delete',
      path: `/admin/role-bindings/${id}`,
      what: `binding id ${id}`,
    }),
  ),
  route(
    'GET /admin/role-bindings/explain',
    fc.constantFrom(
      '',
      'user=vic',
      'user=group%3Adefault%2Fx',
      'user=user%3Adefault%2Fa&user=user%3Adefault%2Fb',
      'who=x',
    ),
    q => ({
      method: 'get',
      path: '/admin/role-bindings/explain',
      query: q,
      what: `explain ${q}`,
    }),
  ),
  route(
    'GET /admin/role-bindings/export',
    fc.constantFrom(
      'includeConfig=maybe',
      'includeConfig=1',
      'includeConfig=true&includeConfig=false',
      'format=json',
    ),
    q => ({
      method: 'get',
      path: '/admin/role-bindings/export',
      query: q,
      what: `export ${q}`,
    }),
  ),
  route(
    'POST /admin/role-bindings/import',
    fc.oneof(
      fc
        .constantFrom(
          'bindings: [',
          ': : :',
          '- just a list',
          'apiVersion: v0\nbindings: []',
          'bindings:\n  - subject: vic\n    role: god',
          '\u0000',
        )
        .map(rawBody => ({
          rawBody,
          contentType: 'application/yaml',
          what: `yaml ${JSON.stringify(rawBody)}`,
        })),
      fc.constant({
        rawBody: '{"bindings":[]}',
        contentType: 'application/json',
        what: 'import as JSON',
      }),
      fc
        .constantFrom('mode=wipe', 'dryRun=perhaps', 'mode=merge&mode=replace')
        .map(query => ({
          rawBody: 'bindings: []',
          contentType: 'application/yaml',
          query,
          what: `import ${query}`,
        })),
    ),
    b => ({ method: 'post', path: '/admin/role-bindings/import', ...b }),
  ),
  route(
    'GET /internal/role-bindings',
    fc.constantFrom('admin', 'viewer', 'operatorOwnTeam'),
    persona => ({
      method: 'get',
      path: '/internal/role-bindings',
      persona,
      what: `internal route as ${persona}`,
    }),
  ),
  route(
    'GET /quotas',
    fc.constantFrom(
      'team=team-a',
      'team=user%3Adefault%2Fada',
      'team=',
      'team=a&team=b',
      'colour=red',
    ),
    q => ({ method: 'get', path: '/quotas', query: q, what: `quotas ${q}` }),
  ),
  route(
    'GET /admin/quotas',
    fc.constantFrom('post', 'patch') as fc.Arbitrary<any>,
    method => ({
      method,
      path: '/admin/quotas',
      what: `${method} /admin/quotas`,
    }),
  ),
  route('GET /admin/quotas/{team}', badQuotaKey, key => ({
    method: 'get',
    path: `/admin/quotas/${key}`,
    what: `quota key ${key}`,
  })),
  route(
    'PUT /admin/quotas/{team}',
    fc.oneof(
      badQuotaLimits.map(b => ({ ...b, key: 'group%3Adefault%2Fteam-a' })),
      badQuotaKey.map(key => ({
        key,
        body: { maxSandboxes: 5 },
        what: `quota key ${key}`,
      })),
    ),
    b => ({
      method: 'put',
      path: `/admin/quotas/${b.key}`,
      body: b.body,
      names: (b as { names?: string }).names,
      what: b.what,
    }),
  ),
  route(
    'DELETE /admin/quotas/{team}',
    badQuotaKey.filter(k => k !== 'DEFAULTX'),
    key => ({
      method: 'delete',
      path: `/admin/quotas/${key}`,
      what: `quota key ${key}`,
    }),
  ),
];

/** Any malformed request, spread over every route. */
export const badRequests: fc.Arbitrary<BadRequest> = fc.oneof(...families);
