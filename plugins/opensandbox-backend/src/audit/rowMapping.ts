/**
 * Conversion between {@link AuditEventRecord} and rows of `opensandbox_audit_events`.
 */
import type { AuditAction, AuditOutcome } from './types';
import type { AuditEventRecord } from './records';

/** The table name. */
export const AUDIT_TABLE = 'opensandbox_audit_events';

/** A row as written (without `seq`, which the database assigns). */
export interface AuditEventRow {
  id: string;
  occurred_at: number;
  actor: string;
  actor_type: string;
  action: string;
  sandbox_id: string | null;
  team: string | null;
  outcome: string;
  http_status: number | null;
  error_code: string | null;
  error_message: string | null;
  request_id: string;
  client_ip: string | null;
  user_agent: string | null;
  batch_id: string | null;
  channel: string | null;
  details: string;
  updated_at: number;
}

/** A row as read (PostgreSQL returns bigint columns as strings). */
export type StoredAuditEventRow = Omit<
  AuditEventRow,
  'occurred_at' | 'updated_at'
> & {
  seq: number | string;
  occurred_at: number | string;
  updated_at: number | string;
};

/** Column widths; longer values are truncated so an odd input can never fail an insert. */
const MAX = {
  short: 255,
  ip: 64,
  userAgent: 1024,
  message: 4000,
};

/**
 * Truncates to `max` characters and replaces NUL characters (PostgreSQL text cannot hold them, and
 * a failing insert would block or hide an attempt); maps `undefined`/empty to `null`.
 */
export function clip(
  value: string | undefined | null,
  max: number,
): string | null {
  if (value === undefined || value === null || value === '') return null;
  const safe = value.includes('\u0000')
    ? value.split('\u0000').join('\uFFFD')
    : value;
  return safe.length > max ? safe.slice(0, max) : safe;
}

/** Builds a row from a record (`seq` excluded). */
export function toRow(record: AuditEventRecord): AuditEventRow {
  return {
    id: record.id,
    occurred_at: record.occurredAt,
    actor: clip(record.actor, MAX.short) ?? '',
    actor_type: record.actorType,
    action: record.action,
    sandbox_id: clip(record.sandboxId, MAX.short),
    team: clip(record.team, MAX.short),
    outcome: record.outcome,
    http_status: record.httpStatus,
    error_code: clip(record.errorCode, MAX.short),
    error_message: clip(record.errorMessage, MAX.message),
    request_id: clip(record.requestId, MAX.short) ?? '',
    client_ip: clip(record.clientIp, MAX.ip),
    user_agent: clip(record.userAgent, MAX.userAgent),
    batch_id: clip(record.batchId, MAX.short),
    channel: clip(record.channel, 32),
    details: JSON.stringify(record.details ?? {}),
    updated_at: record.updatedAt,
  };
}

/** Truncation applied to outcome columns. */
export const clipErrorCode = (v?: string) => clip(v, MAX.short);
export const clipErrorMessage = (v?: string) => clip(v, MAX.message);
export const clipSandboxId = (v?: string) => clip(v, MAX.short);

/** Reads a stored row. */
export function fromRow(row: StoredAuditEventRow): AuditEventRecord {
  return {
    id: row.id,
    occurredAt: Number(row.occurred_at),
    actor: row.actor,
    actorType: row.actor_type as AuditEventRecord['actorType'],
    action: row.action as AuditAction,
    sandboxId: row.sandbox_id ?? null,
    team: row.team ?? null,
    outcome: row.outcome as AuditOutcome,
    httpStatus:
      row.http_status === null || row.http_status === undefined
        ? null
        : Number(row.http_status),
    errorCode: row.error_code ?? null,
    errorMessage: row.error_message ?? null,
    requestId: row.request_id,
    clientIp: row.client_ip ?? null,
    userAgent: row.user_agent ?? null,
    batchId: row.batch_id ?? null,
    channel: row.channel ?? null,
    details: parseDetails(row.details),
    updatedAt: Number(row.updated_at),
  };
}

function parseDetails(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? value
      : { value };
  } catch {
    return { unparsable: text };
  }
}
