/**
 * Shapes of stored audit events and of queries over them (the store's side of the contract in
 * `types.ts`).
 */
import type { AuditAction, AuditOutcome } from './types';

export {
  AUDIT_ACTIONS,
  AUDIT_OUTCOMES,
} from '@opensandbox-console/plugin-opensandbox-common';

/** One stored audit event, as returned by the store and the HTTP API. */
export interface AuditEventRecord {
  /** Public uuid. */
  id: string;
  /** When the attempt started (or was denied): epoch milliseconds, UTC. */
  occurredAt: number;
  actor: string;
  actorType: 'user' | 'service';
  action: AuditAction;
  sandboxId: string | null;
  team: string | null;
  outcome: AuditOutcome;
  httpStatus: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  requestId: string;
  clientIp: string | null;
  userAgent: string | null;
  batchId: string | null;
  /** `http`, `bulk`, `mcp`, `scaffolder`; null for rows written before channels were recorded. */
  channel: string | null;
  /** Redacted request details (JSON object). */
  details: Record<string, unknown>;
  /** Last change (the outcome write or the reaper): epoch milliseconds, UTC. */
  updatedAt: number;
}

/** Filters of {@link AuditEventRecord} queries; all given filters must match (AND). */
export interface AuditEventFilter {
  actor?: string;
  action?: AuditAction;
  sandboxId?: string;
  team?: string;
  outcome?: AuditOutcome;
  /** The rows of one bulk operation (its batch row and its items' rows). */
  batchId?: string;
  /** Inclusive lower bound of `occurredAt`, epoch ms UTC. */
  from?: number;
  /** Exclusive upper bound of `occurredAt`, epoch ms UTC. */
  to?: number;
}

/** Paging of {@link AuditEventRecord} queries. */
export interface AuditQueryOptions {
  /** Page size, 1 to 200. Default 50. */
  limit?: number;
  /** Opaque `nextCursor` of the previous page. */
  cursor?: string;
}

/** One page, newest first. `nextCursor` is absent on the last page. */
export interface AuditEventPage {
  items: AuditEventRecord[];
  nextCursor?: string;
}
