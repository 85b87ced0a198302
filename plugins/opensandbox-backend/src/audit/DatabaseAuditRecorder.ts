import type {
  AuditorService,
  AuditorServiceEvent,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { auditUnavailable } from '../errors';
import type { JsonObject } from '@backstage/types';
import type {
  AuditAction,
  AuditAttempt,
  AuditAttemptInput,
  AuditAttemptResult,
  AuditRecorder,
} from './types';
import type { DatabaseAuditStore } from './DatabaseAuditStore';
import { redactDetails } from './redact';

/** Options of {@link DatabaseAuditRecorder}. */
export interface DatabaseAuditRecorderOptions {
  /** Where rows are written (only the write methods are used). */
  store: Pick<
    DatabaseAuditStore,
    'insertInitiated' | 'completeInitiated' | 'insertDenied' | 'insertRejected'
  > &
    Partial<Pick<DatabaseAuditStore, 'ping'>>;
  /** `coreServices.auditor`: every attempt is also emitted as an auditor event. */
  auditor: AuditorService;
  logger: LoggerService;
  /** Root config; reads `opensandbox.audit.recordEnvValues` (default false). */
  config?: Config;
}

/** The auditor event id of an action: `sandbox.metadata.update` → `sandbox-metadata-update`. */
export function auditorEventId(action: AuditAction): string {
  return action.replace(/\./g, '-');
}

/**
 * {@link AuditRecorder} that persists rows through {@link DatabaseAuditStore} and emits
 * `coreServices.auditor` events (severity `medium`).
 *
 * - Fail-closed: {@link begin} throws `ServiceUnavailableError` (503) when the `initiated` row
 *   cannot be written, so the caller must not perform the operation.
 * - Outcome writes never throw: the upstream change already happened; a failure is logged and the
 *   reaper later marks the row `unknown`.
 * - Details are redacted again before they are stored or logged.
 */
export class DatabaseAuditRecorder implements AuditRecorder {
  private readonly store: DatabaseAuditRecorderOptions['store'];
  private readonly auditor: AuditorService;
  private readonly logger: LoggerService;
  private readonly recordEnvValues: boolean;

  constructor(options: DatabaseAuditRecorderOptions) {
    this.store = options.store;
    this.auditor = options.auditor;
    this.logger = options.logger;
    this.recordEnvValues =
      options.config?.getOptionalBoolean('opensandbox.audit.recordEnvValues') ??
      false;
  }

  /** The check in flight, shared by the mutations that arrive while it runs. */
  #pinging?: Promise<void>;

  /**
   * Checks the database answers (one `select 1`) before a mutation makes any upstream call.
   * Mutations arriving while a check is in flight share it (one statement for a burst).
   * @throws ServiceUnavailableError `audit log unavailable; the operation was not performed`.
   */
  async ready(): Promise<void> {
    try {
      if (!this.#pinging) {
        this.#pinging = Promise.resolve(this.store.ping?.()).finally(() => {
          this.#pinging = undefined;
        });
      }
      await this.#pinging;
    } catch (error) {
      this.logger.error(
        'Audit log unavailable (the database does not answer); refusing mutations until it does',
        error as Error,
      );
      throw auditUnavailable();
    }
  }

  /**
   * Writes the `initiated` row, then opens the auditor event.
   * @throws ServiceUnavailableError `audit log unavailable; the operation was not performed`
   *   when the row cannot be written.
   */
  async begin(input: AuditAttemptInput): Promise<AuditAttempt> {
    const safe = this.redactInput(input);
    let auditId: string;
    let storedDetails: Record<string, unknown>;
    try {
      const record = await this.store.insertInitiated(safe);
      auditId = record.id;
      storedDetails = record.details;
    } catch (error) {
      this.logger.error(
        `Audit log unavailable, refusing ${input.action} (request ${input.requestId})`,
        error as Error,
      );
      const event = await this.openEvent(safe, undefined);
      await this.closeEvent(event, 'fail', new Error('audit log unavailable'));
      throw auditUnavailable();
    }
    const event = await this.openEvent(safe, auditId);
    let settled = false;
    const settle = async (
      outcome: 'succeeded' | 'failed' | 'unknown',
      result: AuditAttemptResult,
    ): Promise<void> => {
      if (settled) {
        this.logger.error(
          `Audit event ${auditId}: outcome reported twice, ignoring ${outcome}`,
        );
        return;
      }
      settled = true;
      const safeResult = this.redactResult(result);
      try {
        // One UPDATE: the details the row was inserted with are merged here.
        await this.store.completeInitiated(
          auditId,
          outcome,
          safeResult,
          storedDetails,
        );
      } catch (error) {
        this.logger.error(
          `Could not write the outcome ${outcome} of audit event ${auditId} (request ${input.requestId}); the reaper will mark it unknown`,
          error as Error,
        );
      }
      await this.closeEvent(
        event,
        outcome === 'succeeded' ? 'success' : 'fail',
        outcome === 'succeeded' ? undefined : resultError(safeResult),
        { ...resultMeta(safeResult), outcome },
      );
    };
    return {
      succeed: result => settle('succeeded', result),
      fail: result => settle('failed', result),
      unknown: result => settle('unknown', result),
    };
  }

  /**
   * Writes a `denied` row and emits a failed auditor event. Never throws: a denial changes
   * nothing upstream, so a write failure is logged and the caller still answers 403/404.
   */
  async denied(
    input: AuditAttemptInput,
    result: AuditAttemptResult,
  ): Promise<void> {
    const safe = this.redactInput(input);
    const safeResult = this.redactResult(result);
    let auditId: string | undefined;
    try {
      auditId = (await this.store.insertDenied(safe, safeResult)).id;
    } catch (error) {
      this.logger.error(
        `Could not write the denied ${input.action} of request ${input.requestId} to the audit log`,
        error as Error,
      );
    }
    const event = await this.openEvent(safe, auditId, { outcome: 'denied' });
    await this.closeEvent(
      event,
      'fail',
      resultError(safeResult),
      resultMeta(safeResult),
    );
  }

  /**
   * Writes one `failed` row for an attempt the console refused itself (no upstream call) and
   * emits a failed auditor event. Never throws (nothing changed upstream).
   */
  async rejected(
    input: AuditAttemptInput,
    result: AuditAttemptResult,
  ): Promise<void> {
    const safe = this.redactInput(input);
    const safeResult = this.redactResult(result);
    let auditId: string | undefined;
    try {
      auditId = (await this.store.insertRejected(safe, safeResult)).id;
    } catch (error) {
      this.logger.error(
        `Could not write the refused ${input.action} of request ${input.requestId} to the audit log`,
        error as Error,
      );
    }
    const event = await this.openEvent(safe, auditId, { outcome: 'failed' });
    await this.closeEvent(
      event,
      'fail',
      resultError(safeResult),
      resultMeta(safeResult),
    );
  }

  private redactInput(input: AuditAttemptInput): AuditAttemptInput {
    const options = { recordEnvValues: this.recordEnvValues };
    return { ...input, details: redactDetails(input.details ?? {}, options) };
  }

  private redactResult(result: AuditAttemptResult): AuditAttemptResult {
    if (!result.details) return result;
    const options = { recordEnvValues: this.recordEnvValues };
    return { ...result, details: redactDetails(result.details, options) };
  }

  /** Opens the auditor event; auditor failures are logged, never thrown. */
  private async openEvent(
    input: AuditAttemptInput,
    auditId: string | undefined,
    extra: JsonObject = {},
  ): Promise<AuditorServiceEvent | undefined> {
    const meta = toJson({
      ...extra,
      auditId,
      action: input.action,
      actor: input.actor,
      actorType: input.actorType,
      sandboxId: input.sandboxId,
      team: input.team,
      requestId: input.requestId,
      clientIp: input.clientIp,
      userAgent: input.userAgent,
      batchId: input.batchId,
      channel: input.channel ?? 'http',
      details: input.details,
    });
    try {
      return await this.auditor.createEvent({
        eventId: auditorEventId(input.action),
        severityLevel: 'medium',
        meta,
      });
    } catch (error) {
      this.logger.error(
        `Could not emit the auditor event of ${input.action}`,
        error as Error,
      );
      return undefined;
    }
  }

  private async closeEvent(
    event: AuditorServiceEvent | undefined,
    how: 'success' | 'fail',
    error?: Error,
    meta?: JsonObject,
  ): Promise<void> {
    if (!event) return;
    try {
      if (how === 'success') await event.success(meta ? { meta } : undefined);
      else
        await event.fail({
          error: error ?? new Error('failed'),
          ...(meta ? { meta } : {}),
        });
    } catch (e) {
      this.logger.error('Could not close the auditor event', e as Error);
    }
  }
}

function resultMeta(result: AuditAttemptResult): JsonObject {
  return toJson({
    httpStatus: result.httpStatus,
    sandboxId: result.sandboxId,
    errorCode: result.errorCode,
    errorMessage: result.errorMessage,
  });
}

function resultError(result: AuditAttemptResult): Error {
  const error = new Error(result.errorMessage ?? `HTTP ${result.httpStatus}`);
  if (result.errorCode) error.name = result.errorCode;
  return error;
}

/** Drops `undefined` (not JSON) through a JSON round trip. */
function toJson(value: Record<string, unknown>): JsonObject {
  return JSON.parse(JSON.stringify(value));
}
