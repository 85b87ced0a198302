/**
 * Test helper: an HTTP client that validates every request it sends and every
 * response it receives against `spec/sandbox-lifecycle.yml` (ajv, draft 2020-12).
 *
 * Documented exceptions (gaps of the real server, see README):
 * - 422 bodies are FastAPI's `{detail: [...]}` (not in the spec), checked against
 *   {@link VALIDATION_ERROR_SCHEMA};
 * - 501 (snapshots) is not in the spec; its body is still an `ErrorResponse`;
 * - `X-Request-ID` is 32 hex characters, not the spec's `format: uuid`;
 * - no `Location` header on create.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

type Json = Record<string, any>;

const SPEC_DIR = resolve(
  require.resolve('@opensandbox-console/opensandbox-simulator/package.json'),
  '..',
  'spec',
);
const SPEC_ID = 'https://opensandbox.invalid/sandbox-lifecycle.yml';

/** The parsed OpenAPI document. */
export const spec: Json = parse(
  readFileSync(resolve(SPEC_DIR, 'sandbox-lifecycle.yml'), 'utf8'),
);

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: SPEC_ID, components: spec.components });

/** FastAPI's 422 body, which the spec does not document. */
export const VALIDATION_ERROR_SCHEMA = {
  type: 'object',
  required: ['detail'],
  additionalProperties: false,
  properties: {
    detail: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['type', 'loc', 'msg', 'input'],
        additionalProperties: false,
        properties: {
          type: { type: 'string' },
          loc: {
            type: 'array',
            minItems: 1,
            items: { type: ['string', 'integer'] },
          },
          msg: { type: 'string' },
          input: {},
          ctx: { type: 'object' },
        },
      },
    },
  },
};

const cache = new Map<string, ValidateFunction>();

/** A validator for a spec schema (by `#/components/schemas/...` ref, or inline schema). */
export function validatorFor(schema: Json): ValidateFunction {
  const key = JSON.stringify(schema);
  let v = cache.get(key);
  if (!v) {
    const rebased = JSON.parse(
      key.replace(/"#\/components\//g, `"${SPEC_ID}#/components/`),
    );
    v = ajv.compile(rebased);
    cache.set(key, v);
  }
  return v;
}

/** Validates `data` against a component schema, e.g. `schemaErrors('Sandbox', body)`. */
export function schemaErrors(name: string, data: unknown): string | undefined {
  const v = validatorFor({ $ref: `#/components/schemas/${name}` });
  return v(data) ? undefined : ajv.errorsText(v.errors);
}

function resolveRef(obj: Json): Json {
  if (obj && typeof obj.$ref === 'string') {
    const path = obj.$ref.replace(/^#\//, '').split('/');
    return path.reduce((o: Json, k: string) => o[k], spec);
  }
  return obj;
}

/** Options of {@link ContractClient.call}. */
export interface CallOptions {
  /** Path parameters, e.g. `{sandboxId, port}`. */
  params?: Record<string, string | number>;
  /** Query parameters; arrays become repeated parameters. */
  query?: Record<string, string | number | boolean | Array<string>>;
  /** JSON body (serialised), or a raw string with `rawBody`. */
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  /**
   * `valid` (default): the request must conform to the spec;
   * `invalid`: it must NOT conform (proves a 422 test really breaks the contract);
   * `unchecked`: spec-valid or not (e.g. limits the spec does not state).
   */
  request?: 'valid' | 'invalid' | 'unchecked';
  /** Send no API key. */
  noApiKey?: boolean;
}

/** A received response. */
export interface CallResult {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

function paramErrors(op: Json, pathItem: Json, opts: CallOptions): string[] {
  const problems: string[] = [];
  const params: Json[] = [
    ...(pathItem.parameters ?? []),
    ...(op.parameters ?? []),
  ].map(resolveRef);
  for (const p of params) {
    const sources: Record<string, Record<string, unknown> | undefined> = {
      path: opts.params,
      query: opts.query,
    };
    const source = sources[p.in];
    const raw = source?.[p.name];
    if (raw === undefined) {
      if (p.required) problems.push(`missing ${p.in} parameter ${p.name}`);
      continue;
    }
    const schema = p.schema;
    const coerce = (s: Json, v: unknown): unknown => {
      const str = String(v);
      if (s.type === 'integer') return /^-?\d+$/.test(str) ? Number(str) : str;
      if (s.type === 'boolean' && (str === 'true' || str === 'false'))
        return str === 'true';
      return str;
    };
    const value =
      schema.type === 'array'
        ? (Array.isArray(raw) ? raw : [raw]).map(v =>
            coerce(resolveRef(schema.items), v),
          )
        : coerce(schema, raw);
    const v = validatorFor(schema);
    if (!v(value))
      problems.push(`${p.in} parameter ${p.name}: ${ajv.errorsText(v.errors)}`);
  }
  return problems;
}

/**
 * Calls the simulator and checks both directions against the spec. Also
 * records which `METHOD path status` combinations were exercised.
 */
export class ContractClient {
  /** `METHOD /path/template STATUS` strings seen so far. */
  readonly seen = new Set<string>();

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey?: string,
  ) {}

  async call(
    method: string,
    template: string,
    opts: CallOptions = {},
  ): Promise<CallResult> {
    const pathItem = spec.paths[template];
    if (!pathItem) throw new Error(`path ${template} is not in the spec`);
    const op = pathItem[method.toLowerCase()];
    if (!op) throw new Error(`${method} ${template} is not in the spec`);

    const mode = opts.request ?? 'valid';
    if (mode !== 'unchecked') {
      const problems = paramErrors(op, pathItem, opts);
      if (
        op.requestBody &&
        (opts.body !== undefined ||
          opts.rawBody !== undefined ||
          op.requestBody.required)
      ) {
        const schema = op.requestBody.content['application/json'].schema;
        if (opts.rawBody !== undefined) problems.push('raw (non-JSON) body');
        else if (opts.body === undefined)
          problems.push('missing required body');
        else {
          const v = validatorFor(schema);
          if (!v(opts.body)) problems.push(`body: ${ajv.errorsText(v.errors)}`);
        }
      }
      if (mode === 'valid' && problems.length) {
        throw new Error(
          `request ${method} ${template} violates the spec: ${problems.join(
            '; ',
          )}`,
        );
      }
      if (mode === 'invalid' && !problems.length) {
        throw new Error(
          `request ${method} ${template} was expected to violate the spec but conforms`,
        );
      }
    }

    let path = template;
    for (const [k, v] of Object.entries(opts.params ?? {})) {
      path = path.replace(`{${k}}`, encodeURIComponent(String(v)));
    }
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      for (const item of Array.isArray(v) ? v : [v]) qs.append(k, String(item));
    }
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (this.apiKey && !opts.noApiKey)
      headers['OPEN-SANDBOX-API-KEY'] = this.apiKey;
    let body: string | undefined;
    if (opts.rawBody !== undefined) body = opts.rawBody;
    else if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined) headers['Content-Type'] = 'application/json';

    const url = `${this.baseUrl}${path}${qs.size ? `?${qs}` : ''}`;
    const res = await fetch(url, { method, headers, body });
    const text = await res.text();
    const result: CallResult = {
      status: res.status,
      text,
      headers: res.headers,
      body: text ? JSON.parse(text) : undefined,
    };
    this.checkResponse(method, template, op, opts, result);
    this.seen.add(`${method.toUpperCase()} ${template} ${res.status}`);
    return result;
  }

  private checkResponse(
    method: string,
    template: string,
    op: Json,
    opts: CallOptions,
    r: CallResult,
  ) {
    const where = `${method} ${template} -> ${r.status}`;
    const sentId = opts.headers?.['X-Request-ID'];
    const gotId = r.headers.get('x-request-id');
    if (sentId ? gotId !== sentId : !/^[0-9a-f]{32}$/.test(gotId ?? '')) {
      throw new Error(`${where}: bad X-Request-ID '${gotId}'`);
    }
    const documented = op.responses[String(r.status)];
    let schema: Json | undefined;
    if (documented) {
      const resp = resolveRef(documented);
      schema = resp.content?.['application/json']?.schema;
      if (!schema) {
        if (r.text !== '')
          throw new Error(`${where}: expected an empty body, got ${r.text}`);
        return;
      }
    } else if (r.status === 422) {
      schema = VALIDATION_ERROR_SCHEMA;
    } else if (r.status === 501) {
      schema = { $ref: '#/components/schemas/ErrorResponse' };
    } else {
      throw new Error(
        `${where}: status not documented in the spec (body ${r.text})`,
      );
    }
    if (!(r.headers.get('content-type') ?? '').startsWith('application/json')) {
      throw new Error(
        `${where}: content-type ${r.headers.get('content-type')}`,
      );
    }
    const v = validatorFor(schema);
    if (!v(r.body))
      throw new Error(
        `${where}: response violates the spec: ${ajv.errorsText(v.errors)}\n${
          r.text
        }`,
      );
  }
}
