/**
 * Parsing and validation of `GET /audit-events` query parameters. Every error is an
 * `InputError` (400) naming the parameter in its message and in `error.fields` ({@link invalidInput}).
 */
import { invalidInput } from '../errors';
import type { AuditAction, AuditOutcome } from './types';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES, AuditEventFilter } from './records';
import { decodeCursor } from './cursor';
import { AUDIT_PAGE_LIMIT } from './DatabaseAuditStore';

/** Response formats: `json` pages; `csv` and `ndjson` stream the whole filtered set. */
export type AuditExportFormat = 'json' | 'csv' | 'ndjson';
const FORMATS: readonly AuditExportFormat[] = ['json', 'csv', 'ndjson'];

/** A validated `GET /audit-events` query. */
export interface AuditEventsQuery {
  filter: AuditEventFilter;
  format: AuditExportFormat;
  /** json only. */
  limit?: number;
  /** json only; already checked to decode. */
  cursor?: string;
}

const KNOWN = [
  'actor',
  'action',
  'sandboxId',
  'team',
  'outcome',
  'batchId',
  'from',
  'to',
  'limit',
  'cursor',
  'format',
];
const ISO_UTC =
  /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const EPOCH_MS = /^\d{1,15}$/;

/**
 * Parses an ISO 8601 timestamp with a zone (`2026-11-29T10:00:00.000Z`), a date
 * (`2026-11-29`, midnight UTC) or epoch milliseconds, to epoch ms.
 * @throws InputError naming `field`.
 */
export function parseTimestamp(field: string, text: string): number {
  let ms = Number.NaN;
  if (EPOCH_MS.test(text)) ms = Number(text);
  else if (ISO_UTC.test(text)) ms = Date.parse(text);
  if (!Number.isFinite(ms)) {
    throw invalidInput([
      {
        field,
        message:
          'must be an ISO 8601 timestamp with a time zone (e.g. 2026-11-29T10:00:00Z) or epoch milliseconds',
      },
    ]);
  }
  return ms;
}

function oneOf<T extends string>(
  field: string,
  value: string,
  allowed: readonly T[],
): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw invalidInput([
      { field, message: `must be one of ${allowed.join(', ')}` },
    ]);
  }
  return value as T;
}

/**
 * Validates the raw Express query.
 * @throws InputError for unknown, repeated or empty parameters and invalid values.
 */
export function parseAuditEventsQuery(
  query: Record<string, unknown>,
): AuditEventsQuery {
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    checkRawParameter(key, value, KNOWN);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(value) || value.length > 255) {
      throw invalidInput([
        {
          field: key,
          message: 'must be at most 255 characters without control characters',
        },
      ]);
    }
    raw[key] = value;
  }

  const filter: AuditEventFilter = {};
  if (raw.actor !== undefined) filter.actor = expandRef(raw.actor, 'user');
  if (raw.sandboxId !== undefined) filter.sandboxId = raw.sandboxId;
  if (raw.team !== undefined) filter.team = expandRef(raw.team, 'group');
  if (raw.batchId !== undefined) filter.batchId = raw.batchId;
  if (raw.action !== undefined)
    filter.action = oneOf<AuditAction>('action', raw.action, AUDIT_ACTIONS);
  if (raw.outcome !== undefined) {
    filter.outcome = oneOf<AuditOutcome>(
      'outcome',
      raw.outcome,
      AUDIT_OUTCOMES,
    );
  }
  if (raw.from !== undefined) filter.from = parseTimestamp('from', raw.from);
  if (raw.to !== undefined) filter.to = parseTimestamp('to', raw.to);
  if (
    filter.from !== undefined &&
    filter.to !== undefined &&
    filter.from >= filter.to
  ) {
    throw invalidInput([{ field: 'from', message: 'must be earlier than to' }]);
  }

  const format =
    raw.format === undefined ? 'json' : oneOf('format', raw.format, FORMATS);
  const result: AuditEventsQuery = { filter, format, ...parsePage(raw) };
  if (format !== 'json') {
    for (const field of ['limit', 'cursor'] as const) {
      if (result[field] !== undefined)
        throw invalidInput([{ field, message: 'applies only to format=json' }]);
    }
  }
  return result;
}

/**
 * A short user or group name as the full lower-case entity ref the audit rows store: with
 * `kind` `user`, `ada` and `user:ada` become `user:default/ada` (`default/ada` too); with `group`,
 * `team-a` becomes `group:default/team-a`. Entity refs are case-insensitive, so refs of that kind
 * are lower-cased. Anything else — another kind's ref, a service subject such as
 * `external:ci-bot` or `plugin:catalog` — is kept exactly as given.
 */
export function expandRef(value: string, kind: 'user' | 'group'): string {
  const text = value.trim();
  const match = /^(?:([A-Za-z][\w-]*):)?(?:([\w.-]+)\/)?([\w.@-]+)$/.exec(text);
  if (!match) return value;
  const [, givenKind, namespace, name] = match;
  if (givenKind !== undefined && givenKind.toLowerCase() !== kind) return value;
  return `${kind}:${namespace ?? 'default'}/${name}`.toLocaleLowerCase('en-US');
}

/**
 * Checks one raw query parameter: known, given once, not empty.
 * @throws InputError naming `key` in `error.fields`.
 */
function checkRawParameter(
  key: string,
  value: unknown,
  known: readonly string[],
): asserts value is string {
  if (!known.includes(key)) {
    throw invalidInput([
      {
        field: key,
        message: `is not a known query parameter; known: ${known.join(', ')}`,
      },
    ]);
  }
  if (typeof value !== 'string')
    throw invalidInput([{ field: key, message: 'must be given once' }]);
  if (value === '')
    throw invalidInput([{ field: key, message: 'must not be empty' }]);
}

/** `limit` (1-200) and `cursor` (checked to decode) of a page. */
function parsePage(raw: Record<string, string>): {
  limit?: number;
  cursor?: string;
} {
  const result: { limit?: number; cursor?: string } = {};
  if (raw.limit !== undefined) {
    const limit = /^\d{1,4}$/.test(raw.limit) ? Number(raw.limit) : Number.NaN;
    if (!(limit >= AUDIT_PAGE_LIMIT.min && limit <= AUDIT_PAGE_LIMIT.max)) {
      throw invalidInput([
        {
          field: 'limit',
          message: `must be an integer between ${AUDIT_PAGE_LIMIT.min} and ${AUDIT_PAGE_LIMIT.max}`,
        },
      ]);
    }
    result.limit = limit;
  }
  if (raw.cursor !== undefined) {
    decodeCursor(raw.cursor);
    result.cursor = raw.cursor;
  }
  return result;
}

/**
 * Validates the query of `GET /sandboxes/{id}/history`: only `limit` (1-200, default 50) and
 * `cursor` (`nextCursor` of the previous page).
 * @throws InputError naming the parameter for unknown, repeated, empty or invalid ones.
 */
export function parseSandboxHistoryQuery(query: Record<string, unknown>): {
  limit?: number;
  cursor?: string;
} {
  const known = ['limit', 'cursor'];
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    checkRawParameter(key, value, known);
    raw[key] = value;
  }
  return parsePage(raw);
}
