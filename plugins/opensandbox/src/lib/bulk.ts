import type { ConsoleSandbox } from '@opensandbox-console/plugin-opensandbox-common';
import type {
  BulkAction,
  BulkFilter,
  BulkRequest,
  ListSandboxesQuery,
} from '../api';

/** Labels of the bulk actions: the button, the verb in sentences, and the past participle. */
export const BULK_ACTION_LABELS: Record<
  BulkAction,
  { button: string; verb: string; done: string }
> = {
  renew: { button: 'Renew', verb: 'renew', done: 'renewed' },
  pause: { button: 'Pause', verb: 'pause', done: 'paused' },
  resume: { button: 'Resume', verb: 'resume', done: 'resumed' },
  delete: { button: 'Delete', verb: 'delete', done: 'deleted' },
};

/** The renewals the bulk dialog offers: extend each sandbox from its own expiry. */
export const BULK_EXTEND_OPTIONS: Array<{ seconds: number; label: string }> = [
  { seconds: 3600, label: '1 hour' },
  { seconds: 4 * 3600, label: '4 hours' },
  { seconds: 24 * 3600, label: '1 day' },
  { seconds: 7 * 24 * 3600, label: '7 days' },
];

/** A sandbox's key in a selection: `server/id` (an empty server for older backends). */
export function selectionKey(
  sandbox: Pick<ConsoleSandbox, 'id' | 'server'>,
): string {
  return `${sandbox.server ?? ''}/${sandbox.id}`;
}

/**
 * The list page's filter as a bulk filter (the server resolves it from its inventory under the
 * caller's permissions, like the list): states, metadata, owner/team/entity refs, search,
 * "expiring within" and server. Sort and paging do not select anything and are left out.
 */
export function bulkFilterOf(
  query: Omit<ListSandboxesQuery, 'page' | 'pageSize'>,
): BulkFilter {
  const filter: BulkFilter = {};
  if (query.states && query.states.length > 0) filter.state = query.states;
  if (query.metadata && Object.keys(query.metadata).length > 0)
    filter.metadata = query.metadata;
  if (query.owner && query.owner.length > 0) filter.owner = query.owner;
  if (query.team && query.team.length > 0) filter.team = query.team;
  if (query.entity && query.entity.length > 0) filter.entity = query.entity;
  const search = query.search?.trim();
  if (search) filter.search = search;
  if (query.expiringWithinSeconds !== undefined)
    filter.expiringWithinSeconds = query.expiringWithinSeconds;
  if (query.server) filter.server = query.server;
  return filter;
}

/** What a batch selects: explicit sandboxes, or every sandbox matching the list's filter. */
export type BulkSelectionRequest = Pick<BulkRequest, 'items' | 'filter'>;

/** The selection part of a bulk request for explicitly chosen sandboxes. */
export function itemsSelection(
  sandboxes: Array<Pick<ConsoleSandbox, 'id' | 'server'>>,
): BulkSelectionRequest {
  return {
    items: sandboxes.map(s =>
      s.server ? { id: s.id, server: s.server } : { id: s.id },
    ),
  };
}

/** `1 sandbox`, `3 sandboxes`. */
export function sandboxCount(n: number): string {
  return `${n} sandbox${n === 1 ? '' : 'es'}`;
}
