import { MAX_PAGE_SIZE } from '@opensandbox-console/plugin-opensandbox-common';
import type { SandboxOperationContext } from '@opensandbox-console/plugin-opensandbox-node';
import type { SandboxOperationPipeline } from '../operations/SandboxOperationPipeline';
import { BulkSelection, BulkTarget, tooManyItems } from './parseBulkRequest';

/**
 * The sandboxes a selection names. Explicit items as given; a filter through `pipeline.list`
 * (the console's inventory under the caller's ONE read decision, its conditions as SQL: the
 * caller's filter never selects a sandbox it may not read), oldest first, page by page.
 * @throws InputError naming the cap (`opensandbox.bulk.maxItems`) when the filter selects more,
 *   before anything runs.
 */
export async function resolveSelection(
  selection: BulkSelection,
  pipeline: Pick<SandboxOperationPipeline, 'list' | 'serverNames'>,
  ctx: SandboxOperationContext,
  maxItems: number,
): Promise<BulkTarget[]> {
  if (selection.kind === 'items') return selection.items;
  const listCtx = selection.server ? { ...ctx, server: selection.server } : ctx;
  const pageSize = Math.min(MAX_PAGE_SIZE, maxItems + 1);
  const targets: BulkTarget[] = [];
  const seen = new Set<string>();
  for (let page = 1; ; page++) {
    const answer = await pipeline.list(
      { ...selection.query, sort: 'createdAt', order: 'asc', page, pageSize },
      selection.scope,
      listCtx,
    );
    const total = answer.pagination.totalItems;
    if (total > maxItems) throw tooManyItems(total, maxItems, 'filter');
    for (const sandbox of answer.items) {
      const server =
        sandbox.server ?? listCtx.server ?? pipeline.serverNames()[0];
      const key = `${server}/${sandbox.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      targets.push({ id: sandbox.id, server });
    }
    if (
      !answer.pagination.hasNextPage ||
      answer.items.length === 0 ||
      targets.length >= maxItems
    )
      break;
  }
  return targets.slice(0, maxItems);
}
