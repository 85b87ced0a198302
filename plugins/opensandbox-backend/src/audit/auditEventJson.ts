/**
 * The public JSON shape of an audit event (HTTP API, NDJSON and CSV exports).
 */
import type { AuditEvent } from '@opensandbox-console/plugin-opensandbox-common';
import type { AuditEventRecord } from './records';

/** One audit event as served by `GET /audit-events` (the shared wire type). */
export type AuditEventJson = AuditEvent;

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
  'channel',
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
    channel: record.channel,
    details: record.details,
  };
}
