/**
 * One sandbox of a batch: its dry-run verdict (`pipeline.check`) or its execution (the SAME
 * pipeline method as the single-sandbox route, with the batch id and `channel: 'bulk'`). Never
 * throws: every failure becomes the item's outcome.
 */
import { randomUUID } from 'node:crypto';
import type {
  BulkAction,
  BulkCheckItem,
  BulkRunItem,
  BulkSandboxSummary,
  ConsoleSandbox,
} from '@opensandbox-console/plugin-opensandbox-common';
import type { SandboxOperationContext } from '@opensandbox-console/plugin-opensandbox-node';
import { httpStatusOf, isDenial, upstreamFailureOf } from '../errors';
import type { SandboxOperationPipeline } from '../operations/SandboxOperationPipeline';
import type { BulkRenewOptions, BulkTarget } from './parseBulkRequest';

/** What every item of one batch shares. */
export interface BulkItemScope {
  pipeline: Pick<
    SandboxOperationPipeline,
    'check' | 'get' | 'renew' | 'pause' | 'resume' | 'delete'
  >;
  /** The caller's credentials and request metadata (each item gets its own request id). */
  base: Pick<SandboxOperationContext, 'credentials' | 'clientIp' | 'userAgent'>;
  batchId?: string;
  renew?: BulkRenewOptions;
  clock: () => number;
}

function itemContext(
  scope: BulkItemScope,
  target: BulkTarget,
): SandboxOperationContext & { requestId: string } {
  return {
    ...scope.base,
    requestId: randomUUID(),
    server: target.server,
    channel: 'bulk',
    ...(scope.batchId ? { batchId: scope.batchId } : {}),
  };
}

function summary(
  sandbox: ConsoleSandbox | undefined,
): BulkSandboxSummary | undefined {
  if (!sandbox) return undefined;
  const s: BulkSandboxSummary = { state: sandbox.status?.state };
  if (sandbox.metadata?.name) s.name = sandbox.metadata.name;
  if (sandbox.expiresAt) s.expiresAt = sandbox.expiresAt;
  if (sandbox.ownership?.team) s.team = sandbox.ownership.team;
  if (sandbox.ownership?.owner) s.owner = sandbox.ownership.owner;
  return s;
}

/**
 * The renew body of one sandbox: the absolute `expiresAt`, or (with `extendSeconds`) its current
 * expiry read from OpenSandbox plus the extension (now plus the extension when it has none; the
 * renew then says it cannot apply).
 */
async function renewBody(
  scope: BulkItemScope,
  target: BulkTarget,
  ctx: SandboxOperationContext,
) {
  const renew = scope.renew!;
  if ('expiresAt' in renew)
    return renew.allowShorten
      ? { expiresAt: renew.expiresAt, allowShorten: true }
      : { expiresAt: renew.expiresAt };
  const sandbox = await scope.pipeline.get(target.id, ctx);
  const base = sandbox.expiresAt
    ? Date.parse(sandbox.expiresAt)
    : scope.clock();
  return {
    expiresAt: new Date(base + renew.extendSeconds * 1000).toISOString(),
  };
}

/** An error the console raised itself for this sandbox's state or input (no upstream failure). */
function isInapplicable(error: unknown): boolean {
  const name = (error as Error)?.name;
  return (
    (name === 'ConflictError' || name === 'InputError') &&
    !upstreamFailureOf(error)
  );
}

/** The dry-run verdict of `action` on one sandbox (side-effect free: no audit row, no mutation). */
export async function checkItem(
  action: BulkAction,
  target: BulkTarget,
  scope: BulkItemScope,
): Promise<BulkCheckItem> {
  const ctx = itemContext(scope, target);
  const base = { id: target.id, server: target.server };
  try {
    const body =
      action === 'renew' ? await renewBody(scope, target, ctx) : undefined;
    const result = await scope.pipeline.check(action, target.id, ctx, body);
    const item: BulkCheckItem = { ...base, outcome: result.outcome };
    if (result.reason) item.reason = result.reason;
    if (body && result.outcome === 'would-succeed')
      item.expiresAt = body.expiresAt;
    const s = summary(result.sandbox);
    if (s) item.sandbox = s;
    return item;
  } catch (error) {
    if ((error as Error)?.name === 'NotFoundError')
      return {
        ...base,
        outcome: 'not-found',
        reason: `Sandbox ${target.id} not found.`,
      };
    if (isInapplicable(error))
      return {
        ...base,
        outcome: 'not-applicable',
        reason: (error as Error).message,
      };
    return {
      ...base,
      outcome: 'error',
      reason: `Could not be checked: ${(error as Error).message}`,
      requestId: ctx.requestId,
    };
  }
}

/**
 * Runs `action` on one sandbox through the pipeline method of the single route (which loads the
 * sandbox, decides, checks its state and quotas, audits and calls upstream).
 */
export async function runItem(
  action: BulkAction,
  target: BulkTarget,
  scope: BulkItemScope,
): Promise<BulkRunItem> {
  const ctx = itemContext(scope, target);
  const base = {
    id: target.id,
    server: target.server,
    requestId: ctx.requestId,
  };
  try {
    switch (action) {
      case 'delete':
        await scope.pipeline.delete(target.id, ctx);
        return { ...base, outcome: 'succeeded' };
      case 'pause':
        await scope.pipeline.pause(target.id, ctx);
        return { ...base, outcome: 'succeeded' };
      case 'resume':
        await scope.pipeline.resume(target.id, ctx);
        return { ...base, outcome: 'succeeded' };
      case 'renew': {
        const renewed = await scope.pipeline.renew(
          target.id,
          await renewBody(scope, target, ctx),
          ctx,
        );
        return { ...base, outcome: 'succeeded', expiresAt: renewed.expiresAt };
      }
      default:
        throw new Error(`unknown bulk action ${action}`);
    }
  } catch (error) {
    const e = error as Error & { upstreamCode?: string };
    if (e?.name === 'NotFoundError')
      return {
        ...base,
        outcome: 'skipped',
        skipReason: 'not-found',
        reason: e.message,
      };
    if (isDenial(error))
      return { ...base, outcome: 'denied', reason: e.message };
    if (isInapplicable(error))
      return {
        ...base,
        outcome: 'skipped',
        skipReason: 'not-applicable',
        reason: e.message,
      };
    return {
      ...base,
      outcome: 'failed',
      reason: e?.message,
      error: {
        name: e?.name ?? 'Error',
        statusCode: httpStatusOf(error),
        message: e?.message ?? String(error),
        ...(e?.upstreamCode ? { upstreamCode: e.upstreamCode } : {}),
      },
    };
  }
}
