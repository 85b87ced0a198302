import {
  BULK_ACTIONS,
  BulkAction,
  BulkFilter,
  FieldError,
  validateRenewRequest,
} from '@opensandbox-console/plugin-opensandbox-common';
import type {
  SandboxListQuery,
  SandboxListScope,
} from '@opensandbox-console/plugin-opensandbox-node';
import { invalidInput } from '../errors';
import { parseListQuery } from '../http/requestParsing';

const SANDBOX_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const KNOWN_FIELDS = [
  'items',
  'filter',
  'dryRun',
  'expiresAt',
  'extendSeconds',
  'allowShorten',
  'confirmationToken',
];
const FILTER_FIELDS = [
  'state',
  'metadata',
  'owner',
  'team',
  'entity',
  'search',
  'expiringWithinSeconds',
  'server',
  'mine',
];
/** Longest `extendSeconds`: one year. */
export const MAX_EXTEND_SECONDS = 365 * 24 * 3600;

/** One sandbox of a batch. */
export interface BulkTarget {
  id: string;
  server: string;
}

/** The selection of a batch: explicit sandboxes, or a list filter resolved from the inventory. */
export type BulkSelection =
  | { kind: 'items'; items: BulkTarget[] }
  | {
      kind: 'filter';
      query: SandboxListQuery;
      scope: SandboxListScope;
      server?: string;
      /** The filter as given (recorded in the batch's audit row). */
      given: BulkFilter;
    };

/** Renew options: an absolute expiry, or an extension of each sandbox's own expiry. */
export type BulkRenewOptions =
  | { expiresAt: string; allowShorten: boolean }
  | { extendSeconds: number };

/** A validated bulk request. */
export interface BulkPlan {
  action: BulkAction;
  dryRun: boolean;
  selection: BulkSelection;
  renew?: BulkRenewOptions;
  confirmationToken?: string;
}

/** Whoever calls, as far as parsing needs: `mine` needs a user. */
export interface BulkCallerRef {
  type: 'user' | 'service';
  /** Lower-case user entity ref, or the service subject. */
  ref: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `action` of the path. @throws InputError naming `action`. */
export function parseBulkAction(value: string): BulkAction {
  if (!(BULK_ACTIONS as readonly string[]).includes(value)) {
    throw invalidInput([
      { field: 'action', message: `must be one of ${BULK_ACTIONS.join(', ')}` },
    ]);
  }
  return value as BulkAction;
}

/**
 * Validates a bulk request body: exactly one of `items` (at most `maxItems`, de-duplicated, each
 * `{ id, server? }`; server default the first) and `filter` (the list filters of `GET /sandboxes`
 * plus `mine`); `dryRun` (default true); renew needs exactly one of `expiresAt` (+ `allowShorten`)
 * and `extendSeconds`, which other actions refuse; `confirmationToken` (string).
 * @throws InputError naming every invalid field; the cap error names `opensandbox.bulk.maxItems`.
 */
export function parseBulkRequest(
  action: BulkAction,
  body: unknown,
  options: {
    servers: string[];
    maxItems: number;
    maxTimeoutSeconds?: number;
    caller: BulkCallerRef;
    now: number;
  },
): BulkPlan {
  if (!isObject(body))
    throw invalidInput([{ field: 'body', message: 'must be a JSON object' }]);
  const errors: FieldError[] = [];
  for (const key of Object.keys(body)) {
    if (!KNOWN_FIELDS.includes(key))
      errors.push({ field: key, message: 'is not a known field' });
  }
  if (body.dryRun !== undefined && typeof body.dryRun !== 'boolean')
    errors.push({ field: 'dryRun', message: 'must be true or false' });
  if (
    body.confirmationToken !== undefined &&
    (typeof body.confirmationToken !== 'string' ||
      body.confirmationToken.length > 200)
  ) {
    errors.push({
      field: 'confirmationToken',
      message: 'must be the token of the dry run',
    });
  }

  let selection: BulkSelection | undefined;
  if ((body.items === undefined) === (body.filter === undefined)) {
    errors.push({
      field: 'items',
      message: 'or filter must be given (exactly one of them)',
    });
  } else if (body.items !== undefined) {
    selection = parseItems(body.items, options, errors);
  } else {
    selection = parseFilter(body.filter, options.caller, errors);
  }

  const renew = parseRenew(action, body, options, errors);
  if (errors.length > 0) throw invalidInput(errors);
  return {
    action,
    dryRun: body.dryRun !== false,
    selection: selection!,
    ...(renew ? { renew } : {}),
    ...(typeof body.confirmationToken === 'string'
      ? { confirmationToken: body.confirmationToken }
      : {}),
  };
}

/** The 400 of a selection above the cap (before anything runs). */
export function tooManyItems(
  count: number | string,
  maxItems: number,
  field: string,
) {
  return invalidInput([
    {
      field,
      message: `selects ${count} sandboxes; a batch may have at most ${maxItems} (opensandbox.bulk.maxItems): narrow the selection or run several batches`,
    },
  ]);
}

function parseItems(
  raw: unknown,
  options: { servers: string[]; maxItems: number },
  errors: FieldError[],
): BulkSelection | undefined {
  if (!Array.isArray(raw) || raw.length === 0) {
    errors.push({
      field: 'items',
      message: 'must be a non-empty array of { id, server? }',
    });
    return undefined;
  }
  if (raw.length > options.maxItems)
    throw tooManyItems(raw.length, options.maxItems, 'items');
  const seen = new Set<string>();
  const items: BulkTarget[] = [];
  raw.forEach((item, i) => {
    if (!isObject(item)) {
      errors.push({
        field: `items[${i}]`,
        message: 'must be an object { id, server? }',
      });
      return;
    }
    for (const key of Object.keys(item)) {
      if (key !== 'id' && key !== 'server')
        errors.push({
          field: `items[${i}].${key}`,
          message: 'is not a known field',
        });
    }
    if (typeof item.id !== 'string' || !SANDBOX_ID.test(item.id)) {
      errors.push({
        field: `items[${i}].id`,
        message: 'must be 1-128 letters, digits, "-", "_" or "."',
      });
      return;
    }
    const server = item.server === undefined ? options.servers[0] : item.server;
    if (typeof server !== 'string' || !options.servers.includes(server)) {
      errors.push({
        field: `items[${i}].server`,
        message: `must be an OpenSandbox server of the console (${options.servers.join(
          ', ',
        )})`,
      });
      return;
    }
    const key = `${server}/${item.id}`;
    if (seen.has(key)) return;
    seen.add(key);
    items.push({ id: item.id, server });
  });
  return { kind: 'items', items };
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** The filter through the list query parser of `GET /sandboxes` (same rules, fields prefixed `filter.`). */
function parseFilter(
  raw: unknown,
  caller: BulkCallerRef,
  errors: FieldError[],
): BulkSelection | undefined {
  if (!isObject(raw)) {
    errors.push({ field: 'filter', message: 'must be an object' });
    return undefined;
  }
  const before = errors.length;
  for (const key of Object.keys(raw)) {
    if (!FILTER_FIELDS.includes(key))
      errors.push({ field: `filter.${key}`, message: 'is not a known filter' });
  }
  const query: Record<string, unknown> = {};
  const strings = (key: string) => {
    const value = raw[key];
    if (value === undefined) return;
    const list = asList(value);
    if (list.length === 0 || list.some(v => typeof v !== 'string')) {
      errors.push({
        field: `filter.${key}`,
        message: 'must be a string or an array of strings',
      });
      return;
    }
    query[key] = list.length === 1 ? list[0] : list;
  };
  for (const key of ['state', 'owner', 'team', 'entity']) strings(key);
  for (const key of ['search', 'server']) {
    if (raw[key] === undefined) continue;
    if (typeof raw[key] !== 'string')
      errors.push({ field: `filter.${key}`, message: 'must be a string' });
    else query[key] = raw[key];
  }
  if (raw.expiringWithinSeconds !== undefined) {
    const n = raw.expiringWithinSeconds;
    if (
      typeof n !== 'number' ||
      !Number.isInteger(n) ||
      n < 0 ||
      n > 999_999_999
    ) {
      errors.push({
        field: 'filter.expiringWithinSeconds',
        message: 'must be a whole number of seconds >= 0',
      });
    } else {
      query.expiringWithinSeconds = String(n);
    }
  }
  if (raw.metadata !== undefined) {
    if (
      !isObject(raw.metadata) ||
      Object.values(raw.metadata).some(v => typeof v !== 'string')
    ) {
      errors.push({
        field: 'filter.metadata',
        message: 'must be an object of string values',
      });
    } else if (Object.keys(raw.metadata).length > 0) {
      query.metadata = Object.entries(raw.metadata as Record<string, string>)
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
        .join('&');
    }
  }
  if (raw.mine !== undefined) {
    if (typeof raw.mine !== 'boolean')
      errors.push({ field: 'filter.mine', message: 'must be true or false' });
    else if (raw.mine && raw.owner !== undefined)
      errors.push({
        field: 'filter.mine',
        message: 'cannot be combined with filter.owner',
      });
    else if (raw.mine && caller.type !== 'user')
      errors.push({
        field: 'filter.mine',
        message: 'needs a signed-in user (services own no sandboxes)',
      });
    else if (raw.mine) query.owner = caller.ref;
  }
  if (errors.length > before) return undefined;
  try {
    const parsed = parseListQuery(query);
    return {
      kind: 'filter',
      query: parsed.query,
      scope: parsed.scope,
      ...(parsed.server ? { server: parsed.server } : {}),
      given: raw as BulkFilter,
    };
  } catch (error) {
    const fields = (error as { fields?: FieldError[] }).fields ?? [
      { field: 'filter', message: (error as Error).message },
    ];
    errors.push(
      ...fields.map(f => ({ field: `filter.${f.field}`, message: f.message })),
    );
    return undefined;
  }
}

function parseRenew(
  action: BulkAction,
  body: Record<string, unknown>,
  options: { maxTimeoutSeconds?: number; now: number },
  errors: FieldError[],
): BulkRenewOptions | undefined {
  const given = ['expiresAt', 'extendSeconds', 'allowShorten'].filter(
    k => body[k] !== undefined,
  );
  if (action !== 'renew') {
    for (const field of given)
      errors.push({ field, message: 'applies only to renew' });
    return undefined;
  }
  if ((body.expiresAt === undefined) === (body.extendSeconds === undefined)) {
    errors.push({
      field: 'expiresAt',
      message: 'or extendSeconds must be given for renew (exactly one of them)',
    });
    return undefined;
  }
  if (body.extendSeconds !== undefined) {
    const n = body.extendSeconds;
    if (body.allowShorten !== undefined)
      errors.push({
        field: 'allowShorten',
        message: 'applies only with expiresAt',
      });
    if (
      typeof n !== 'number' ||
      !Number.isInteger(n) ||
      n < 60 ||
      n > MAX_EXTEND_SECONDS
    ) {
      errors.push({
        field: 'extendSeconds',
        message: `must be a whole number of seconds from 60 to ${MAX_EXTEND_SECONDS}`,
      });
      return undefined;
    }
    return { extendSeconds: n };
  }
  const renewBody = {
    expiresAt: body.expiresAt,
    ...(body.allowShorten !== undefined
      ? { allowShorten: body.allowShorten }
      : {}),
  };
  const problems = validateRenewRequest(renewBody, options.now, {
    maxTimeoutSeconds: options.maxTimeoutSeconds,
  });
  if (problems.length > 0) {
    errors.push(...problems);
    return undefined;
  }
  return {
    expiresAt: body.expiresAt as string,
    allowShorten: body.allowShorten === true,
  };
}
