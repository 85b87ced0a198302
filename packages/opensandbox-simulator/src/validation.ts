/**
 * Request validation that reproduces FastAPI/Pydantic v2 (lax mode) 422
 * errors closely enough for clients to handle them: same `type`, `loc`,
 * `msg`, `input` and `ctx` for the cases the real server rejects.
 */
import { RequestValidationError, ValidationIssue } from './errors';
import { parseDateTime } from './time';

type Loc = Array<string | number>;
type Issues = ValidationIssue[];
type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function issue(
  issues: Issues,
  type: string,
  loc: Loc,
  msg: string,
  input: unknown,
  ctx?: Json,
) {
  issues.push(ctx ? { type, loc, msg, input, ctx } : { type, loc, msg, input });
}

function str(v: unknown, loc: Loc, issues: Issues): string | undefined {
  if (typeof v === 'string') return v;
  issue(issues, 'string_type', loc, 'Input should be a valid string', v);
  return undefined;
}

/** Lax integer: ints, integral floats, numeric strings and booleans are accepted. */
function int(
  v: unknown,
  loc: Loc,
  issues: Issues,
  bounds: { ge?: number; le?: number } = {},
): number | undefined {
  let n: number | undefined;
  if (typeof v === 'boolean') n = v ? 1 : 0;
  else if (typeof v === 'number') {
    if (!Number.isInteger(v)) {
      issue(
        issues,
        'int_from_float',
        loc,
        'Input should be a valid integer, got a number with a fractional part',
        v,
      );
      return undefined;
    }
    n = v;
  } else if (typeof v === 'string') {
    if (!/^\s*[+-]?\d+\s*$/.test(v)) {
      issue(
        issues,
        'int_parsing',
        loc,
        'Input should be a valid integer, unable to parse string as an integer',
        v,
      );
      return undefined;
    }
    n = Number(v.trim());
  } else {
    issue(issues, 'int_type', loc, 'Input should be a valid integer', v);
    return undefined;
  }
  if (bounds.ge !== undefined && n < bounds.ge) {
    issue(
      issues,
      'greater_than_equal',
      loc,
      `Input should be greater than or equal to ${bounds.ge}`,
      v,
      { ge: bounds.ge },
    );
    return undefined;
  }
  if (bounds.le !== undefined && n > bounds.le) {
    issue(
      issues,
      'less_than_equal',
      loc,
      `Input should be less than or equal to ${bounds.le}`,
      v,
      { le: bounds.le },
    );
    return undefined;
  }
  return n;
}

const TRUE_STRINGS = ['1', 'on', 't', 'true', 'y', 'yes'];
const FALSE_STRINGS = ['0', 'off', 'f', 'false', 'n', 'no'];

/** Lax boolean: booleans, 0/1 and the usual strings ("true", "yes", "on", ...). */
function bool(v: unknown, loc: Loc, issues: Issues): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 0 || v === 1) return v === 1;
  if (typeof v === 'string') {
    const s = v.toLowerCase();
    if (TRUE_STRINGS.includes(s)) return true;
    if (FALSE_STRINGS.includes(s)) return false;
    issue(
      issues,
      'bool_parsing',
      loc,
      'Input should be a valid boolean, unable to interpret input',
      v,
    );
    return undefined;
  }
  issue(issues, 'bool_type', loc, 'Input should be a valid boolean', v);
  return undefined;
}

function literal<T extends string>(
  v: unknown,
  loc: Loc,
  issues: Issues,
  allowed: readonly T[],
): T | undefined {
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v))
    return v as T;
  const expected = allowed
    .map(a => `'${a}'`)
    .join(', ')
    .replace(/, ([^,]*)$/, ' or $1');
  issue(issues, 'literal_error', loc, `Input should be ${expected}`, v, {
    expected,
  });
  return undefined;
}

/** A nested Pydantic model: must be an object. */
function model(v: unknown, loc: Loc, issues: Issues): Json | undefined {
  if (isObject(v)) return v;
  issue(
    issues,
    'model_attributes_type',
    loc,
    'Input should be a valid dictionary or object to extract fields from',
    v,
  );
  return undefined;
}

function missing(parent: Json, key: string, loc: Loc, issues: Issues): boolean {
  if (parent[key] === undefined) {
    issue(issues, 'missing', [...loc, key], 'Field required', parent);
    return true;
  }
  return false;
}

function strMap(
  v: unknown,
  loc: Loc,
  issues: Issues,
  allowNullValues = false,
): Record<string, string | null> | undefined {
  if (!isObject(v)) {
    issue(issues, 'dict_type', loc, 'Input should be a valid dictionary', v);
    return undefined;
  }
  const out: Record<string, string | null> = {};
  const before = issues.length;
  for (const [k, val] of Object.entries(v)) {
    if (val === null && allowNullValues) out[k] = null;
    else {
      const s = str(val, [...loc, k], issues);
      if (s !== undefined) out[k] = s;
    }
  }
  return issues.length === before ? out : undefined;
}

function strList(
  v: unknown,
  loc: Loc,
  issues: Issues,
  minLength = 0,
): string[] | undefined {
  if (!Array.isArray(v)) {
    issue(issues, 'list_type', loc, 'Input should be a valid list', v);
    return undefined;
  }
  const before = issues.length;
  v.forEach((item, i) => str(item, [...loc, i], issues));
  if (issues.length !== before) return undefined;
  if (v.length < minLength) {
    issue(
      issues,
      'too_short',
      loc,
      `List should have at least ${minLength} item after validation, not ${v.length}`,
      v,
      {
        field_type: 'List',
        min_length: minLength,
        actual_length: v.length,
      },
    );
    return undefined;
  }
  return v as string[];
}

/** Optional field helper: undefined and null both mean "absent". */
function opt<T>(
  obj: Json,
  key: string,
  fn: (v: unknown) => T | undefined,
): T | undefined {
  const v = obj[key];
  return v === undefined || v === null ? undefined : fn(v);
}

function valueError(issues: Issues, loc: Loc, message: string, input: unknown) {
  issue(issues, 'value_error', loc, `Value error, ${message}`, input, {
    error: {},
  });
}

function fail(issues: Issues): never {
  throw new RequestValidationError(issues);
}

/** Parses a raw request body as JSON, or fails with FastAPI's `json_invalid` 422. */
export function parseJsonBody(raw: string, required: boolean): unknown {
  if (raw.trim() === '') {
    if (!required) return undefined;
    return fail([
      { type: 'missing', loc: ['body'], msg: 'Field required', input: null },
    ]);
  }
  try {
    return JSON.parse(raw);
  } catch (e) {
    const message = String((e as Error).message);
    const pos = /position (\d+)/.exec(message);
    let at = pos ? Number(pos[1]) : 0;
    if (!pos && /end of JSON/i.test(message)) at = raw.length;
    return fail([
      {
        type: 'json_invalid',
        loc: ['body', at],
        msg: 'JSON decode error',
        input: {},
        ctx: { error: 'Expecting value' },
      },
    ]);
  }
}

/** Validated `CreateSandboxRequest` (only what the simulator uses is typed precisely). */
export interface CreateSandboxInput {
  image?: { uri: string; auth?: { username: string; password: string } };
  snapshotId?: string;
  platform?: { os: 'linux' | 'windows'; arch: 'amd64' | 'arm64' };
  timeout?: number;
  resourceLimits?: Record<string, string>;
  env?: Record<string, string | null>;
  metadata?: Record<string, string>;
  entrypoint?: string[];
  networkPolicy?: Json;
  credentialProxy?: { enabled?: boolean };
  secureAccess?: boolean;
  volumes?: Json[];
  extensions?: Record<string, string>;
}

function validateImage(
  v: unknown,
  loc: Loc,
  issues: Issues,
): CreateSandboxInput['image'] {
  const m = model(v, loc, issues);
  if (!m) return undefined;
  const before = issues.length;
  const uri = missing(m, 'uri', loc, issues)
    ? undefined
    : str(m.uri, [...loc, 'uri'], issues);
  const auth = opt(m, 'auth', a => {
    const am = model(a, [...loc, 'auth'], issues);
    if (!am) return undefined;
    const user = missing(am, 'username', [...loc, 'auth'], issues)
      ? undefined
      : str(am.username, [...loc, 'auth', 'username'], issues);
    const pass = missing(am, 'password', [...loc, 'auth'], issues)
      ? undefined
      : str(am.password, [...loc, 'auth', 'password'], issues);
    return user !== undefined && pass !== undefined
      ? { username: user, password: pass }
      : undefined;
  });
  if (issues.length !== before || uri === undefined) return undefined;
  return auth ? { uri, auth } : { uri };
}

function validatePlatform(
  v: unknown,
  loc: Loc,
  issues: Issues,
): CreateSandboxInput['platform'] {
  const m = model(v, loc, issues);
  if (!m) return undefined;
  const os = missing(m, 'os', loc, issues)
    ? undefined
    : literal(m.os, [...loc, 'os'], issues, ['linux', 'windows'] as const);
  const arch = missing(m, 'arch', loc, issues)
    ? undefined
    : literal(m.arch, [...loc, 'arch'], issues, ['amd64', 'arm64'] as const);
  return os && arch ? { os, arch } : undefined;
}

function validateNetworkPolicy(
  v: unknown,
  loc: Loc,
  issues: Issues,
): Json | undefined {
  const m = model(v, loc, issues);
  if (!m) return undefined;
  opt(m, 'defaultAction', a =>
    literal(a, [...loc, 'defaultAction'], issues, ['allow', 'deny'] as const),
  );
  opt(m, 'egress', e => {
    if (!Array.isArray(e)) {
      issue(
        issues,
        'list_type',
        [...loc, 'egress'],
        'Input should be a valid list',
        e,
      );
      return undefined;
    }
    e.forEach((rule, i) => {
      const rl = [...loc, 'egress', i];
      const r = model(rule, rl, issues);
      if (!r) return;
      if (!missing(r, 'action', rl, issues))
        literal(r.action, [...rl, 'action'], issues, [
          'allow',
          'deny',
        ] as const);
      if (!missing(r, 'target', rl, issues))
        str(r.target, [...rl, 'target'], issues);
    });
    return e;
  });
  return m;
}

function validateVolumes(
  v: unknown,
  loc: Loc,
  issues: Issues,
): Json[] | undefined {
  if (!Array.isArray(v)) {
    issue(issues, 'list_type', loc, 'Input should be a valid list', v);
    return undefined;
  }
  v.forEach((vol, i) => {
    const vl = [...loc, i];
    const m = model(vol, vl, issues);
    if (!m) return;
    if (!missing(m, 'name', vl, issues)) str(m.name, [...vl, 'name'], issues);
    if (!missing(m, 'mountPath', vl, issues))
      str(m.mountPath, [...vl, 'mountPath'], issues);
  });
  return v as Json[];
}

/**
 * Validates a `POST /sandboxes` body. Field errors are reported first; the
 * model-level rules (image/snapshotId/entrypoint/resourceLimits) only run
 * when all fields are valid, as with a Pydantic `model_validator(mode="after")`.
 * @throws RequestValidationError with the 422 issues
 */
export function validateCreateSandbox(body: unknown): CreateSandboxInput {
  const issues: Issues = [];
  const m = model(body, ['body'], issues);
  if (!m) return fail(issues);
  const b = ['body'];
  const out: CreateSandboxInput = {
    image: opt(m, 'image', v => validateImage(v, [...b, 'image'], issues)),
    snapshotId: opt(m, 'snapshotId', v => str(v, [...b, 'snapshotId'], issues)),
    platform: opt(m, 'platform', v =>
      validatePlatform(v, [...b, 'platform'], issues),
    ),
    timeout: opt(m, 'timeout', v =>
      int(v, [...b, 'timeout'], issues, { ge: 60 }),
    ),
    resourceLimits: opt(
      m,
      'resourceLimits',
      v =>
        strMap(v, [...b, 'resourceLimits'], issues) as Record<string, string>,
    ),
    env: opt(m, 'env', v => strMap(v, [...b, 'env'], issues, true)),
    metadata: opt(
      m,
      'metadata',
      v => strMap(v, [...b, 'metadata'], issues) as Record<string, string>,
    ),
    entrypoint: opt(m, 'entrypoint', v =>
      strList(v, [...b, 'entrypoint'], issues, 1),
    ),
    networkPolicy: opt(m, 'networkPolicy', v =>
      validateNetworkPolicy(v, [...b, 'networkPolicy'], issues),
    ),
    credentialProxy: opt(m, 'credentialProxy', v => {
      const cp = model(v, [...b, 'credentialProxy'], issues);
      if (!cp) return undefined;
      const enabled = opt(cp, 'enabled', e =>
        bool(e, [...b, 'credentialProxy', 'enabled'], issues),
      );
      return enabled === undefined ? {} : { enabled };
    }),
    secureAccess: opt(m, 'secureAccess', v =>
      bool(v, [...b, 'secureAccess'], issues),
    ),
    volumes: opt(m, 'volumes', v =>
      validateVolumes(v, [...b, 'volumes'], issues),
    ),
    extensions: opt(
      m,
      'extensions',
      v => strMap(v, [...b, 'extensions'], issues) as Record<string, string>,
    ),
  };
  if (issues.length) return fail(issues);

  const poolRef = out.extensions?.poolRef;
  const hasImage = out.image !== undefined;
  const hasSnapshot = out.snapshotId !== undefined;
  if (poolRef && hasSnapshot) {
    valueError(
      issues,
      b,
      'snapshotId cannot be combined with extensions.poolRef.',
      m,
    );
  } else if (!poolRef && hasImage === hasSnapshot) {
    valueError(
      issues,
      b,
      'Exactly one of image or snapshotId must be provided.',
      m,
    );
  } else if (hasImage && out.entrypoint === undefined) {
    valueError(issues, b, 'Entrypoint is required when image is provided.', m);
  } else if (!poolRef && out.resourceLimits === undefined) {
    valueError(
      issues,
      b,
      'resourceLimits is required when poolRef is not provided.',
      m,
    );
  }
  if (issues.length) return fail(issues);

  for (const key of Object.keys(out) as Array<keyof CreateSandboxInput>) {
    if (out[key] === undefined) delete out[key];
  }
  return out;
}

/**
 * Validates a `POST /sandboxes/{id}/renew-expiration` body and returns the new
 * expiry as epoch ms. Numbers are accepted as Unix timestamps (Pydantic lax mode).
 */
export function validateRenew(body: unknown): number {
  const issues: Issues = [];
  const m = model(body, ['body'], issues);
  if (!m) return fail(issues);
  if (missing(m, 'expiresAt', ['body'], issues)) return fail(issues);
  const v = m.expiresAt;
  const loc = ['body', 'expiresAt'];
  if (typeof v === 'number' && Number.isFinite(v)) {
    return Math.abs(v) > 2e10 ? v : v * 1000;
  }
  if (typeof v !== 'string') {
    issue(issues, 'datetime_type', loc, 'Input should be a valid datetime', v);
    return fail(issues);
  }
  const parsed = parseDateTime(v);
  if (!parsed.ok) {
    issue(
      issues,
      'datetime_from_date_parsing',
      loc,
      `Input should be a valid datetime or date, ${parsed.error}`,
      v,
      {
        error: parsed.error,
      },
    );
    return fail(issues);
  }
  return parsed.epochMs;
}

/** Validates a metadata merge patch: an object of string or null values. */
export function validateMetadataPatch(
  body: unknown,
): Record<string, string | null> {
  const issues: Issues = [];
  const out = strMap(body, ['body'], issues, true);
  if (!out) return fail(issues);
  return out;
}

/** Validated list query. `state` values keep their original spelling. */
export interface ListQuery {
  states: string[];
  metadata?: string;
  page: number;
  pageSize: number;
}

/** Scalar query values: like Starlette, the last occurrence wins. */
function last(params: URLSearchParams, name: string): string | undefined {
  const all = params.getAll(name);
  return all.length ? all[all.length - 1] : undefined;
}

/** Validates `GET /sandboxes` query parameters (`pageSize` is capped at 200). */
export function validateListQuery(params: URLSearchParams): ListQuery {
  const issues: Issues = [];
  const pageRaw = last(params, 'page');
  const sizeRaw = last(params, 'pageSize');
  const page =
    pageRaw === undefined
      ? 1
      : int(pageRaw, ['query', 'page'], issues, { ge: 1 });
  const pageSize =
    sizeRaw === undefined
      ? 20
      : int(sizeRaw, ['query', 'pageSize'], issues, { ge: 1, le: 200 });
  if (issues.length) return fail(issues);
  return {
    states: params.getAll('state'),
    metadata: last(params, 'metadata'),
    page: page!,
    pageSize: pageSize!,
  };
}

/** Validated endpoint query and path parameters. */
export interface EndpointQuery {
  port: number;
  useServerProxy: boolean;
  expires?: string;
}

/** Validates `GET /sandboxes/{id}/endpoints/{port}` parameters (range is checked by the service). */
export function validateEndpointQuery(
  portRaw: string,
  params: URLSearchParams,
): EndpointQuery {
  const issues: Issues = [];
  const port = int(portRaw, ['path', 'port'], issues);
  const proxyRaw = last(params, 'use_server_proxy');
  const useServerProxy =
    proxyRaw === undefined
      ? false
      : bool(proxyRaw, ['query', 'use_server_proxy'], issues);
  const expires = last(params, 'expires');
  if (expires !== undefined && !/^(0|[1-9][0-9]*)$/.test(expires)) {
    issue(
      issues,
      'string_pattern_mismatch',
      ['query', 'expires'],
      "String should match pattern '^(0|[1-9][0-9]*)$'",
      expires,
      {
        pattern: '^(0|[1-9][0-9]*)$',
      },
    );
  }
  if (issues.length) return fail(issues);
  return { port: port!, useServerProxy: useServerProxy!, expires };
}

/** Kinds of the deprecated plain-text diagnostics (`GET /sandboxes/{id}/diagnostics/{kind}`). */
export type DiagnosticsKind = 'logs' | 'events' | 'inspect' | 'summary';

/** Validated query of a plain-text diagnostics request (the real server's FastAPI parameters). */
export interface DiagnosticsQuery {
  /** `scope` given: the structured Diagnostics API, answered 501 (logs, events). */
  scope?: string;
  /** logs: trailing lines (1-10000, default 100); summary: log lines (default 50). */
  tail: number;
  /** logs: only lines newer than this duration (`10m`, `1h`; unparsable = 10m). */
  since?: string;
  /** events: at most this many events (1-500, default 50); summary: `event_limit` (default 20). */
  limit: number;
}

/**
 * Validates the query of `GET /sandboxes/{id}/diagnostics/{kind}` like upstream's `api/devops.py`:
 * logs `scope`, `tail` (1-10000, default 100), `since`; events `scope`, `limit` (1-500, default
 * 50); inspect nothing; summary `tail` (default 50) and `event_limit` (1-500, default 20). Other
 * parameters are ignored, as FastAPI does. @throws RequestValidationError (422)
 */
export function validateDiagnosticsQuery(
  kind: DiagnosticsKind,
  params: URLSearchParams,
): DiagnosticsQuery {
  const issues: Issues = [];
  const intParam = (name: string, fallback: number, le: number) => {
    const raw = last(params, name);
    return raw === undefined
      ? fallback
      : int(raw, ['query', name], issues, { ge: 1, le });
  };
  let tail = 100;
  let limit = 50;
  let since: string | undefined;
  let scope: string | undefined;
  if (kind === 'logs') {
    scope = last(params, 'scope');
    tail = intParam('tail', 100, 10000)!;
    since = last(params, 'since');
  } else if (kind === 'events') {
    scope = last(params, 'scope');
    limit = intParam('limit', 50, 500)!;
  } else if (kind === 'summary') {
    tail = intParam('tail', 50, 10000)!;
    limit = intParam('event_limit', 20, 500)!;
  }
  if (issues.length) return fail(issues);
  return { scope, tail, since, limit };
}
