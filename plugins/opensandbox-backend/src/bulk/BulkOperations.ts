import { randomUUID } from 'node:crypto';
import type {
  LoggerService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import type {
  BulkCheckItem,
  BulkCheckOutcome,
  BulkCheckResponse,
  BulkRunItem,
  BulkRunOutcome,
  BulkRunResponse,
} from '@opensandbox-console/plugin-opensandbox-common';
import type { SandboxOperationContext } from '@opensandbox-console/plugin-opensandbox-node';
import type { AuditRecorder } from '../audit/types';
import { auditErrorOf, bulkConfirmationRefused, invalidInput } from '../errors';
import { resolveCaller } from '../operations/callers';
import type { SandboxOperationPipeline } from '../operations/SandboxOperationPipeline';
import type { BulkConfig } from './bulkConfig';
import { BulkItemScope, checkItem, runItem } from './bulkItems';
import type { ConfirmationTokens } from './confirmationTokens';
import {
  BulkPlan,
  parseBulkAction,
  parseBulkRequest,
} from './parseBulkRequest';
import { runPool } from './pool';
import { resolveSelection } from './resolveSelection';

/** Dependencies of {@link BulkOperations}. */
export interface BulkOperationsOptions {
  pipeline: SandboxOperationPipeline;
  /** Writes the batch's own audit row (the items' rows are written by the pipeline). */
  audit: AuditRecorder;
  userInfo: UserInfoService;
  tokens: ConfirmationTokens;
  config: BulkConfig;
  logger: LoggerService;
  /** Epoch ms. Default `Date.now`. */
  clock?: () => number;
}

const CHECK_OUTCOMES: BulkCheckOutcome[] = [
  'would-succeed',
  'denied',
  'not-applicable',
  'not-found',
  'error',
];
const RUN_OUTCOMES: BulkRunOutcome[] = [
  'succeeded',
  'failed',
  'denied',
  'skipped',
];

function countBy<K extends string>(
  keys: K[],
  items: Array<{ outcome: K }>,
): Record<K, number> {
  const counts = Object.fromEntries(keys.map(k => [k, 0])) as Record<K, number>;
  for (const item of items) counts[item.outcome] += 1;
  return counts;
}

/**
 * Bulk actions: a selection (explicit sandboxes, or a list filter resolved under the caller's
 * permission conditions) checked (dry run, `pipeline.check`) or run item by item through the
 * pipeline methods of the single routes, at most `opensandbox.bulk.concurrency` items at once.
 *
 * Order of an execution: validate (400) → resolve the selection and apply the cap (400) → deletes:
 * the confirmation token must bind this exact selection (409) → the batch's audit row `initiated`
 * (503 when it cannot be written; nothing ran) → the items (each audited by the pipeline with the
 * batch id and `channel: 'bulk'`) → the batch row's outcome with the counts. When `signal` aborts
 * (the caller went away), no further item starts; the items never started are reported `skipped`
 * (`cancelled`) and listed in the batch row (`details.notStarted`); they have no row of their own.
 */
export class BulkOperations {
  readonly #o: BulkOperationsOptions;
  readonly #clock: () => number;

  constructor(options: BulkOperationsOptions) {
    this.#o = options;
    this.#clock = options.clock ?? Date.now;
  }

  async run(
    actionName: string,
    body: unknown,
    ctx: SandboxOperationContext & { requestId: string },
    signal?: AbortSignal,
  ): Promise<BulkCheckResponse | BulkRunResponse> {
    const action = parseBulkAction(actionName);
    const { pipeline, config } = this.#o;
    const caller = await resolveCaller(ctx.credentials, this.#o.userInfo);
    const actor = caller.actor.toLocaleLowerCase('en-US');
    const plan = parseBulkRequest(action, body, {
      servers: pipeline.serverNames(),
      maxItems: config.maxItems,
      maxTimeoutSeconds: pipeline.settings().maxTimeoutSeconds ?? undefined,
      caller: { type: caller.type, ref: actor },
      now: this.#clock(),
    });
    const targets = await resolveSelection(
      plan.selection,
      pipeline,
      ctx,
      config.maxItems,
    );
    const subject = {
      action,
      actor,
      selection: targets.map(t => `${t.server}/${t.id}`),
    };
    const scope: BulkItemScope = {
      pipeline,
      base: {
        credentials: ctx.credentials,
        clientIp: ctx.clientIp,
        userAgent: ctx.userAgent,
      },
      renew: plan.renew,
      clock: this.#clock,
    };

    if (plan.dryRun) {
      const done = await runPool(targets, config.concurrency, signal, t =>
        checkItem(action, t, scope),
      );
      const items = done.flatMap(d =>
        d.started ? [d.result] : [],
      ) as BulkCheckItem[];
      const { token, expiresAt } = await this.#o.tokens.sign(
        subject,
        this.#clock(),
      );
      return {
        action,
        dryRun: true,
        total: targets.length,
        counts: countBy(CHECK_OUTCOMES, items),
        items,
        confirmationToken: token,
        confirmationExpiresAt: expiresAt,
      };
    }

    if (action === 'delete') {
      if (!plan.confirmationToken) {
        throw invalidInput([
          {
            field: 'confirmationToken',
            message:
              'is required to delete: send the token of the dry run of this selection',
          },
        ]);
      }
      const check = await this.#o.tokens.verify(
        plan.confirmationToken,
        subject,
        this.#clock(),
      );
      if (check !== 'ok') throw bulkConfirmationRefused(check);
    }

    const batchId = randomUUID();
    const attempt = await this.#o.audit.begin({
      actor: caller.actor,
      actorType: caller.type,
      action: `bulk.${action}`,
      requestId: ctx.requestId,
      clientIp: ctx.clientIp,
      userAgent: ctx.userAgent,
      batchId,
      channel: 'bulk',
      details: {
        selection: selectionDetails(plan),
        requested: targets.length,
        ...(plan.renew ? { renew: plan.renew } : {}),
      },
    });
    let items: BulkRunItem[];
    try {
      const done = await runPool(targets, config.concurrency, signal, t =>
        runItem(action, t, { ...scope, batchId }),
      );
      items = done.map((d, i) =>
        d.started
          ? d.result
          : {
              id: targets[i].id,
              server: targets[i].server,
              outcome: 'skipped',
              skipReason: 'cancelled',
              reason:
                'The caller cancelled the batch before this item started.',
            },
      );
    } catch (error) {
      await attempt.fail(auditErrorOf(error));
      throw error;
    }
    const counts = countBy(RUN_OUTCOMES, items);
    const notStarted = items
      .filter(i => i.skipReason === 'cancelled')
      .map(i => `${i.server}/${i.id}`);
    const details = {
      counts,
      cancelled: notStarted.length > 0,
      ...(notStarted.length > 0 ? { notStarted } : {}),
    };
    if (counts.failed === 0 && notStarted.length === 0) {
      await attempt.succeed({ httpStatus: 200, details });
    } else {
      const parts = [
        counts.failed > 0
          ? `${counts.failed} of ${targets.length} items failed`
          : undefined,
        notStarted.length > 0
          ? `cancelled by the caller: ${notStarted.length} of ${targets.length} items not started`
          : undefined,
      ].filter(Boolean);
      await attempt.fail({
        httpStatus: 200,
        errorCode:
          notStarted.length > 0 ? 'BatchCancelled' : 'BatchPartlyFailed',
        errorMessage: parts.join('; '),
        details,
      });
    }
    if (notStarted.length > 0) {
      this.#o.logger.info(
        `Bulk ${action} ${batchId} cancelled by ${caller.actor}: ${notStarted.length} of ${targets.length} items not started`,
      );
    }
    return {
      action,
      dryRun: false,
      batchId,
      total: targets.length,
      counts,
      items,
    };
  }
}

/** What the batch row records of the selection: the filter as given, or the `server/id` list. */
function selectionDetails(plan: BulkPlan): Record<string, unknown> {
  if (plan.selection.kind === 'filter') return { filter: plan.selection.given };
  return { items: plan.selection.items.map(t => `${t.server}/${t.id}`) };
}
