import {
  RESERVED_OWNERSHIP_KEYS,
  validateMetadataKey,
  validateMetadataValue,
} from '@opensandbox-console/plugin-opensandbox-common';

/** Page sizes offered by the sandbox table; the server allows 1 to 200. */
export const PAGE_SIZE_OPTIONS = [10, 20, 50, 100];
/** Page size used until the user picks another one (same as the server default). */
export const DEFAULT_PAGE_SIZE = 20;

/** The quick filters of the list: every visible sandbox, the user's own, or their teams'. */
export type QuickFilter = 'all' | 'mine' | 'teams';

/**
 * What the sandbox list shows, kept in the URL so Back from a detail page restores it:
 * `?filter=mine&state=Running&state=Paused&metadata=project%3Dpayments&page=2&pageSize=50`.
 */
export interface ListState {
  quick: QuickFilter;
  states: string[];
  metadata: Record<string, string>;
  /** 1-based. */
  page: number;
  pageSize: number;
}

/** The list as first opened. */
export const DEFAULT_LIST_STATE: ListState = {
  quick: 'all',
  states: [],
  metadata: {},
  page: 1,
  pageSize: DEFAULT_PAGE_SIZE,
};

/**
 * A metadata filter pair as the list sends it. The console's ownership labels
 * (`backstage.io/owner`, `backstage.io/team`, `backstage.io/entity-kind`, ...) hold the parts of
 * entity refs in lower case, and entity refs are case-insensitive, so for those keys the key and
 * the value are lower-cased (`backstage.io/team=Team-A` finds the sandboxes of `team-a`). Other
 * labels are compared exactly, as upstream does.
 */
export function normalizeMetadataFilter(key: string, value: string): [string, string] {
  const lowerKey = key.toLocaleLowerCase('en-US');
  if (RESERVED_OWNERSHIP_KEYS.includes(lowerKey)) return [lowerKey, value.toLocaleLowerCase('en-US')];
  return [key, value];
}

/**
 * Reads the list state from URL search parameters. Unknown quick filters, invalid metadata pairs,
 * pages that are not positive integers and page sizes the table does not offer fall back to the
 * defaults.
 */
export function listStateFromSearch(params: URLSearchParams): ListState {
  const quickParam = params.get('filter')?.trim().toLocaleLowerCase('en-US');
  const quick: QuickFilter = quickParam === 'mine' || quickParam === 'teams' ? quickParam : 'all';
  const states = [...new Set(params.getAll('state').map(s => s.trim()).filter(Boolean))];
  const metadata: Record<string, string> = {};
  for (const pair of params.getAll('metadata')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const [key, value] = normalizeMetadataFilter(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    if (!validateMetadataKey(key) && !validateMetadataValue(value)) metadata[key] = value;
  }
  const page = Number(params.get('page'));
  const pageSize = Number(params.get('pageSize'));
  return {
    quick,
    states,
    metadata,
    page: Number.isInteger(page) && page >= 1 ? page : 1,
    pageSize: PAGE_SIZE_OPTIONS.includes(pageSize) ? pageSize : DEFAULT_PAGE_SIZE,
  };
}

/** URL search parameters of a list state; defaults are left out (the plain list has none). */
export function listStateToSearch(state: ListState): URLSearchParams {
  const params = new URLSearchParams();
  if (state.quick !== 'all') params.set('filter', state.quick);
  for (const s of state.states) params.append('state', s);
  for (const [key, value] of Object.entries(state.metadata)) params.append('metadata', `${key}=${value}`);
  if (state.page > 1) params.set('page', String(state.page));
  if (state.pageSize !== DEFAULT_PAGE_SIZE) params.set('pageSize', String(state.pageSize));
  return params;
}
