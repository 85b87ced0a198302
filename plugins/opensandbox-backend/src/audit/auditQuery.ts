/**
 * Parsing and validation of `GET /audit-events` query parameters. Every error is an
 * `InputError` (400) naming the parameter.
 */
import { InputError } from '@backstage/errors';
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
    throw new InputError(
      `${field} must be an ISO 8601 timestamp with a time zone (e.g. 2026-11-29T10:00:00Z) or epoch milliseconds`,
    );
  }
  return ms;
}

function oneOf<T extends string>(
  field: string,
  value: string,
  allowed: readonly T[],
): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new InputError(`${field} must be one of ${allowed.join(', ')}`);
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
    if (!KNOWN.includes(key)) {
      throw new InputError(
        `unknown query parameter ${key}; known: ${KNOWN.join(', ')}`,
      );
    }
    if (typeof value !== 'string')
      throw new InputError(`${key} must be given once`);
    if (value === '') throw new InputError(`${key} must not be empty`);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(value) || value.length > 255) {
      throw new InputError(
        `${key} must be at most 255 characters without control characters`,
      );
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
    throw new InputError('from must be earlier than to');
  }

  const format =
    raw.format === undefined ? 'json' : oneOf('format', raw.format, FORMATS);
  const result: AuditEventsQuery = { filter, format, ...parsePage(raw) };
  if (format !== 'json') {
    if (result.limit !== undefined)
      throw new InputError('limit applies only to format=json');
    if (result.cursor !== undefined)
      throw new InputError('cursor applies only to format=json');
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

/** `limit` (1-200) and `cursor` (checked to decode) of a page. */
function parsePage(raw: Record<string, string>): {
  limit?: number;
  cursor?: string;
} {
  const result: { limit?: number; cursor?: string } = {};
  if (raw.limit !== undefined) {
    const limit = /^\d{1,4}$/.test(raw.limit) ? Number(raw.limit) : Number.NaN;
    if (!(limit >= AUDIT_PAGE_LIMIT.min && limit <= AUDIT_PAGE_LIMIT.max)) {
      throw new InputError(
        `limit must be an integer between ${AUDIT_PAGE_LIMIT.min} and ${AUDIT_PAGE_LIMIT.max}`,
      );
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
    if (!known.includes(key))
      throw new InputError(
        `unknown query parameter ${key}; known: ${known.join(', ')}`,
      );
    if (typeof value !== 'string')
      throw new InputError(`${key} must be given once`);
    if (value === '') throw new InputError(`${key} must not be empty`);
    raw[key] = value;
  }
  return parsePage(raw);
}
