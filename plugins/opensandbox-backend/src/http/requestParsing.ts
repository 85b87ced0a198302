import {
  FieldError,
  MAX_PAGE_SIZE,
  validateMetadataKey,
  validateMetadataValue,
} from '@opensandbox-console/plugin-opensandbox-common';
import type {
  SandboxListQuery,
  SandboxListScope,
} from '@opensandbox-console/plugin-opensandbox-node';
import { invalidInput } from '../errors';

const SANDBOX_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Checks a `:sandboxId` path parameter (upstream ids are UUIDs; any label-like id is passed on). */
export function parseSandboxId(value: string): string {
  if (!SANDBOX_ID.test(value)) {
    throw invalidInput([
      {
        field: 'sandboxId',
        message: 'must be 1-128 letters, digits, "-", "_" or "."',
      },
    ]);
  }
  return value;
}

/** Checks a `:port` path parameter: an integer 1-65535. */
export function parsePort(value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw invalidInput([
      { field: 'port', message: 'must be an integer from 1 to 65535' },
    ]);
  }
  return port;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function single(
  query: Record<string, unknown>,
  name: string,
  errors: FieldError[],
): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    errors.push({ field: name, message: 'must be given once' });
    return undefined;
  }
  return value;
}

function positiveInt(
  value: string | undefined,
  name: string,
  max: number,
  errors: FieldError[],
): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > max) {
    errors.push({
      field: name,
      message: `must be an integer from 1 to ${max}`,
    });
    return undefined;
  }
  return n;
}

/** Console-only list filters by entity refs (see `SandboxListScope`); refs are lower-cased. */
export type ListScope = SandboxListScope;

const REF_EXAMPLES: Record<string, string> = {
  user: 'user:default/jane',
  group: 'group:default/team-a',
  entity: 'component:default/payments-api',
};

/** Most values one `owner` / `team` / `entity` list filter may have. */
export const MAX_REFS_PER_FILTER = 20;

const REF =
  /^[A-Za-z][A-Za-z0-9]{0,62}:([A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?\/)?[A-Za-z0-9]([-_.A-Za-z0-9]{0,61}[A-Za-z0-9])?$/;

function refList(
  query: Record<string, unknown>,
  name: string,
  kind: string | undefined,
  errors: FieldError[],
): string[] | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  const values = Array.isArray(raw) ? raw : [raw];
  if (values.length > MAX_REFS_PER_FILTER) {
    errors.push({
      field: name,
      message: `may be given at most ${MAX_REFS_PER_FILTER} times`,
    });
    return undefined;
  }
  const refs: string[] = [];
  for (const value of values) {
    if (
      typeof value !== 'string' ||
      !REF.test(value) ||
      (kind && !value.toLocaleLowerCase('en-US').startsWith(`${kind}:`))
    ) {
      errors.push({
        field: name,
        message: `must be ${kind ? `${kind} ` : ''}entity refs such as ${
          REF_EXAMPLES[kind ?? 'entity']
        }`,
      });
      return undefined;
    }
    refs.push(value.toLocaleLowerCase('en-US'));
  }
  return refs;
}

const SORTS = ['createdAt', 'expiresAt', 'name', 'state'];

/**
 * Parses the list query the way upstream reads it: `state` repeated (OR), `metadata` one
 * url-encoded `k=v&k2=v2` string (AND), `page` >= 1, `pageSize` 1-200; plus the console's
 * `owner`, `team` and `entity` ref filters (each repeatable), `search` (name or id substring),
 * `sort` (createdAt | expiresAt | name | state), `order` (asc | desc), `expiringWithinSeconds`
 * and `server`.
 * @throws InputError naming each invalid parameter.
 */
export function parseListQuery(query: Record<string, unknown>): {
  query: SandboxListQuery;
  scope: ListScope;
  server?: string;
} {
  const errors: FieldError[] = [];
  const known = new Set([
    'state',
    'metadata',
    'page',
    'pageSize',
    'owner',
    'team',
    'entity',
    'search',
    'sort',
    'order',
    'expiringWithinSeconds',
    'server',
  ]);
  for (const key of Object.keys(query)) {
    if (!known.has(key))
      errors.push({ field: key, message: 'is not a known query parameter' });
  }
  let state: string[] | undefined;
  const rawState = query.state;
  if (rawState !== undefined) {
    const values = Array.isArray(rawState) ? rawState : [rawState];
    if (
      values.some(v => typeof v !== 'string' || !/^[A-Za-z]{1,32}$/.test(v))
    ) {
      errors.push({
        field: 'state',
        message: 'must be state names such as Running or Paused',
      });
    } else {
      state = values as string[];
    }
  }
  let metadata: Record<string, string> | undefined;
  const rawMetadata = single(query, 'metadata', errors);
  if (rawMetadata !== undefined && rawMetadata !== '') {
    metadata = {};
    for (const pair of rawMetadata.split('&')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) {
        errors.push({
          field: 'metadata',
          message: 'must be key=value pairs joined by &',
        });
        break;
      }
      const key = safeDecode(pair.slice(0, eq));
      const value = safeDecode(pair.slice(eq + 1));
      if (key === undefined || value === undefined) {
        errors.push({
          field: 'metadata',
          message: 'contains an invalid percent-encoding',
        });
        break;
      }
      const problem = validateMetadataKey(key) ?? validateMetadataValue(value);
      if (problem) {
        errors.push({ field: `metadata.${key}`, message: problem });
      } else {
        metadata[key] = value;
      }
    }
  }
  const page = positiveInt(
    single(query, 'page', errors),
    'page',
    1_000_000,
    errors,
  );
  const pageSize = positiveInt(
    single(query, 'pageSize', errors),
    'pageSize',
    MAX_PAGE_SIZE,
    errors,
  );
  const scope: ListScope = {
    owner: refList(query, 'owner', 'user', errors),
    team: refList(query, 'team', 'group', errors),
    entity: refList(query, 'entity', undefined, errors),
  };
  const search = single(query, 'search', errors);
  if (
    search !== undefined &&
    (search.length > 100 || [...search].some(c => c.charCodeAt(0) < 32))
  ) {
    errors.push({
      field: 'search',
      message: 'must be at most 100 characters without control characters',
    });
  }
  const sort = single(query, 'sort', errors);
  if (sort !== undefined && !SORTS.includes(sort))
    errors.push({
      field: 'sort',
      message: `must be one of ${SORTS.join(', ')}`,
    });
  const order = single(query, 'order', errors);
  if (order !== undefined && order !== 'asc' && order !== 'desc')
    errors.push({ field: 'order', message: 'must be asc or desc' });
  const rawExpiring = single(query, 'expiringWithinSeconds', errors);
  let expiringWithinSeconds: number | undefined;
  if (rawExpiring !== undefined) {
    expiringWithinSeconds = /^\d{1,9}$/.test(rawExpiring)
      ? Number(rawExpiring)
      : undefined;
    if (expiringWithinSeconds === undefined)
      errors.push({
        field: 'expiringWithinSeconds',
        message: 'must be a whole number of seconds >= 0',
      });
  }
  const server = single(query, 'server', errors);
  if (
    server !== undefined &&
    !/^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/.test(server)
  ) {
    errors.push({
      field: 'server',
      message: 'must be the name of an OpenSandbox server of the console',
    });
  }
  if (errors.length > 0) throw invalidInput(errors);
  return {
    query: {
      state,
      metadata,
      page,
      pageSize,
      ...(search ? { search } : {}),
      ...(sort ? { sort: sort as SandboxListQuery['sort'] } : {}),
      ...(order ? { order: order as 'asc' | 'desc' } : {}),
      ...(expiringWithinSeconds !== undefined ? { expiringWithinSeconds } : {}),
    },
    scope,
    server,
  };
}

/** Parses `use_server_proxy=true|false`. */
export function parseEndpointQuery(query: Record<string, unknown>): {
  useServerProxy?: boolean;
} {
  const errors: FieldError[] = [];
  for (const key of Object.keys(query)) {
    if (key !== 'use_server_proxy')
      errors.push({ field: key, message: 'is not a known query parameter' });
  }
  const raw = single(query, 'use_server_proxy', errors);
  let useServerProxy: boolean | undefined;
  if (raw !== undefined) {
    if (raw !== 'true' && raw !== 'false')
      errors.push({
        field: 'use_server_proxy',
        message: 'must be true or false',
      });
    else useServerProxy = raw === 'true';
  }
  if (errors.length > 0) throw invalidInput(errors);
  return { useServerProxy };
}
