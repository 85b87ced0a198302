/**
 * The audit log of mutating sandbox operations: types shared by the router (which records) and
 * the stores (which persist).
 */

/** Mutating actions the console records, and attempt outcomes (defined in `-common`). */
export type {
  AuditAction,
  AuditOutcome,
} from '@opensandbox-console/plugin-opensandbox-common';
import type { AuditAction } from '@opensandbox-console/plugin-opensandbox-common';

/** What the router knows about an attempt when it starts. */
export interface AuditAttemptInput {
  /** User entity ref or service subject. */
  actor: string;
  actorType: 'user' | 'service';
  action: AuditAction;
  /** Absent for create until upstream answers. */
  sandboxId?: string;
  /** Owning team entity ref (`group:default/team-a`), when known. */
  team?: string;
  /** Also sent upstream as `X-Request-ID`. */
  requestId: string;
  clientIp?: string;
  userAgent?: string;
  /** Groups the items of one bulk operation. */
  batchId?: string;
  /** The channel the attempt came through: `http` (default), `bulk`, `mcp`, `scaffolder`. */
  channel?: string;
  /** `sandbox.create` only: the console-generated create token stamped on the sandbox. */
  createToken?: string;
  /**
   * The request with secrets redacted (the recorder redacts `image.auth.password` and env values
   * again, defensively) and, where meaningful, a before/after diff, e.g.
   * `{ before: { expiresAt }, after: { expiresAt } }` for renew.
   */
  details: Record<string, unknown>;
}

/** The outcome of an attempt, reported by the router. */
export interface AuditAttemptResult {
  /** HTTP status the console answered. */
  httpStatus: number;
  /** Set for create once upstream returns the new id. */
  sandboxId?: string;
  /** Upstream or Backstage error code and message for failures. */
  errorCode?: string;
  errorMessage?: string;
  /** Merged into the stored details (e.g. the `after` half of a diff). */
  details?: Record<string, unknown>;
}

/** One started attempt: report its outcome exactly once. */
export interface AuditAttempt {
  succeed(result: AuditAttemptResult): Promise<void>;
  fail(result: AuditAttemptResult): Promise<void>;
  /**
   * The mutation may or may not have happened upstream (timeout, lost connection): outcome
   * `unknown`. For creates, the reconciliation task later settles it from the create token.
   */
  unknown(result: AuditAttemptResult): Promise<void>;
}

/**
 * Records attempts. Implementations persist them and emit `coreServices.auditor` events.
 *
 * - `begin` writes the `initiated` row BEFORE the upstream call and throws
 *   `ServiceUnavailableError` (503) when it cannot be written: the mutation is then refused.
 * - `denied` records a refused attempt (permission denied) with its HTTP status (403, or 404 for
 *   sandboxes the caller may not read).
 * - `rejected` records an attempt the console answered itself (state conflict) as `failed`.
 */
export interface AuditRecorder {
  begin(input: AuditAttemptInput): Promise<AuditAttempt>;
  denied(input: AuditAttemptInput, result: AuditAttemptResult): Promise<void>;
  /**
   * Records an attempt the console refused itself before any upstream call, not a permission
   * denial (e.g. pause of a Paused sandbox: 409): one `failed` row. Never throws.
   */
  rejected(input: AuditAttemptInput, result: AuditAttemptResult): Promise<void>;
  /**
   * Checks that the audit log can be written now, before a mutation makes any upstream call
   * (including the read of the sandbox it changes).
   * @throws ServiceUnavailableError (503) `audit log unavailable; the operation was not performed`.
   */
  ready?(): Promise<void>;
}
