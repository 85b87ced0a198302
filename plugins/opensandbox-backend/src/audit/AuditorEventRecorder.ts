import type { AuditorService } from '@backstage/backend-plugin-api';
import type { AuditAttempt, AuditAttemptInput, AuditAttemptResult, AuditRecorder } from './types';

/** An {@link AuditRecorder} that only emits `coreServices.auditor` events (no database). */
export class AuditorEventRecorder implements AuditRecorder {
  constructor(private readonly auditor: AuditorService) {}

  async begin(input: AuditAttemptInput): Promise<AuditAttempt> {
    const event = await this.auditor.createEvent({
      eventId: input.action.replace(/\./g, '-'),
      severityLevel: 'medium',
      meta: { actor: input.actor, sandboxId: input.sandboxId, team: input.team, requestId: input.requestId },
    });
    return {
      succeed: async (result: AuditAttemptResult) => event.success({ meta: { httpStatus: result.httpStatus, sandboxId: result.sandboxId } }),
      fail: async (result: AuditAttemptResult) =>
        event.fail({ error: new Error(result.errorMessage ?? 'failed'), meta: { httpStatus: result.httpStatus } }),
    };
  }

  async denied(input: AuditAttemptInput, result: AuditAttemptResult): Promise<void> {
    const attempt = await this.begin(input);
    await attempt.fail(result);
  }
}
