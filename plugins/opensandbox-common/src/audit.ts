/**
 * The audit log's wire types, shared by the backend (`GET /api/opensandbox/audit-events`) and the
 * frontend.
 *
 * @packageDocumentation
 */

/** Audited actions (`action` of an audit event and of {@link AuditEventFilter}). @public */
export const AUDIT_ACTIONS = [
  'sandbox.create',
  'sandbox.delete',
  'sandbox.renew',
  'sandbox.pause',
  'sandbox.resume',
  'sandbox.metadata.update',
  // Governance (docs/governance.md): a team's quota override changed or removed (details: before/after).
  'quota.update',
  'quota.delete',
  // Governance: a role binding added or removed (docs/governance.md; details: before/after).
  'binding.create',
  'binding.delete',
  // Bulk actions (docs/operations.md): one row per executed batch (details: selection, counts per
  // outcome); every item's own row carries the same batch id.
  'bulk.renew',
  'bulk.pause',
  'bulk.resume',
  'bulk.delete',
] as const;

/** One of {@link AUDIT_ACTIONS}. @public */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * Outcomes of an audited attempt: `initiated` (in progress) then `succeeded`, `failed` or
 * `unknown` (left `initiated` by a crash and closed by the server's reaper); `denied` for
 * refused attempts.
 * @public
 */
export const AUDIT_OUTCOMES = [
  'initiated',
  'succeeded',
  'failed',
  'denied',
  'unknown',
] as const;

/** One of {@link AUDIT_OUTCOMES}. @public */
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/**
 * One audit event as served by `GET /audit-events` (also each NDJSON line and CSV row of an export).
 * @public
 */
export interface AuditEvent {
  /** uuid of the event. */
  id: string;
  /** When the attempt started (or was refused): ISO 8601, UTC, milliseconds (`2026-11-29T10:00:00.123Z`). */
  occurredAt: string;
  /** User entity ref (`user:default/alice`) or service subject. */
  actor: string;
  actorType: 'user' | 'service';
  /** One of {@link AUDIT_ACTIONS} (an open string, so newer servers do not break the UI). */
  action: string;
  sandboxId: string | null;
  /** Owning team entity ref, when known. */
  team: string | null;
  /** One of {@link AUDIT_OUTCOMES} (open string). */
  outcome: string;
  /** What the console answered. */
  httpStatus: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  /** Also sent upstream as `X-Request-ID`. */
  requestId: string;
  clientIp: string | null;
  userAgent: string | null;
  /** Groups the items of one bulk operation. */
  batchId: string | null;
  /**
   * The channel of the attempt: `http` (the console's HTTP API), `bulk`, `mcp` (an agent through
   * the actions registry), `scaffolder` (a software template); null for older rows.
   */
  channel: string | null;
  /** The request with secrets redacted; for updates a `before`/`after` diff. */
  details: Record<string, unknown>;
}
