/**
 * The public JSON shape of an audit event (HTTP API, NDJSON and CSV exports).
 */
import type { AuditEventRecord } from './records';

/** One audit event as served by `GET /audit-events`. */
export interface AuditEventJson {
  id: string;
  /** ISO 8601, UTC, millisecond precision (`2026-11-29T10:00:00.123Z`). */
  occurredAt: string;
  actor: string;
  actorType: 'user' | 'service';
  action: string;
  sandboxId: string | null;
  team: string | null;
  outcome: string;
  httpStatus: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  requestId: string;
  clientIp: string | null;
  userAgent: string | null;
  batchId: string | null;
  details: Record<string, unknown>;
}

/** Column order of the JSON item and of the CSV export. */
export const AUDIT_EVENT_FIELDS: ReadonlyArray<keyof AuditEventJson> = [
  'id',
  'occurredAt',
  'actor',
  'actorType',
  'action',
  'sandboxId',
  'team',
  'outcome',
  'httpStatus',
  'errorCode',
  'errorMessage',
  'requestId',
  'clientIp',
  'userAgent',
  'batchId',
  'details',
];

/** Converts a stored record to its public JSON shape. */
export function toAuditEventJson(record: AuditEventRecord): AuditEventJson {
  return {
    id: record.id,
    occurredAt: new Date(record.occurredAt).toISOString(),
    actor: record.actor,
    actorType: record.actorType,
    action: record.action,
    sandboxId: record.sandboxId,
    team: record.team,
    outcome: record.outcome,
    httpStatus: record.httpStatus,
    errorCode: record.errorCode,
    errorMessage: record.errorMessage,
    requestId: record.requestId,
    clientIp: record.clientIp,
    userAgent: record.userAgent,
    batchId: record.batchId,
    details: record.details,
  };
}
