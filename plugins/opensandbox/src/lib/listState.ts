import {
  RESERVED_OWNERSHIP_KEYS,
  validateMetadataKey,
  validateMetadataValue,
} from '@opensandbox-console/plugin-opensandbox-common';
import type {
  ListSandboxesQuery,
  SandboxSortKey,
  SortOrder,
} from '../api/OpenSandboxApi';
import { MAX_SEARCH_LENGTH } from '../api/OpenSandboxApi';

/** Page sizes offered by the sandbox table; the server allows 1 to 200. */
export const PAGE_SIZE_OPTIONS = [10, 20, 50, 100];
/** Page size used until the user picks another one (same as the server default). */
export const DEFAULT_PAGE_SIZE = 20;

/** The quick filters of the list: every visible sandbox, the user's own, or their teams'. */
export type QuickFilter = 'all' | 'mine' | 'teams';

/**
 * The default window of "Expiring soon" (filter and highlight), in seconds (one hour): the
 * backend's `expiringSoonSeconds` setting (its first expiry warning lead time) replaces it.
 */
export const EXPIRING_SOON_SECONDS = 3600;

/** `1 hour`, `2 hours`, `10 minutes`: an "Expiring soon" window for tooltips. */
export function formatSoonWindow(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0)
    return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  const minutes = Math.max(1, Math.round(seconds / 60));
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** The sort keys the list offers (the server's `sort` values). */
export const SORT_KEYS: readonly SandboxSortKey[] = [
  'createdAt',
  'expiresAt',
  'name',
  'state',
];

/** The server's default direction of a sort key: newest first for `createdAt`, else ascending. */
export function defaultOrder(sort: SandboxSortKey): SortOrder {
  return sort === 'createdAt' ? 'desc' : 'asc';
}

/** Names of OpenSandbox servers as the backend accepts them (`server` query parameter). */
const SERVER_NAME = /^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/;

/**
 * What the sandbox list shows, kept in the URL so Back from a detail page restores it:
 * `?filter=mine&state=Running&state=Paused&metadata=project%3Dpayments&search=demo&sort=name&order=desc&expiring=soon&server=eu&page=2&pageSize=50`.
 * The optional parts are absent when they have their default value.
 */
export interface ListState {
  quick: QuickFilter;
  states: string[];
  metadata: Record<string, string>;
  /** 1-based. */
  page: number;
  pageSize: number;
  /** Name or id substring (trimmed, at most 100 characters); absent for no search. */
  search?: string;
  /** Sort key; absent for the server's default, `createdAt`. */
  sort?: SandboxSortKey;
  /** Sort direction; absent for the default direction of the (effective) sort key. */
  order?: SortOrder;
  /** "Expiring soon": only sandboxes expiring within {@link EXPIRING_SOON_SECONDS}. */
  expiringSoon?: boolean;
  /** Only this OpenSandbox server's sandboxes; absent for every server. */
  server?: string;
}

/** The sort key and direction a list state shows (the defaults filled in). */
export function effectiveSort(state: Pick<ListState, 'sort' | 'order'>): {
  sort: SandboxSortKey;
  order: SortOrder;
} {
  const sort = state.sort ?? 'createdAt';
  return { sort, order: state.order ?? defaultOrder(sort) };
}

/**
 * The sort after a click on the header of `key`: the other direction when the list is already
 * sorted by `key`, else `key` in its default direction. Defaults are left out (see
 * {@link canonicalSort}).
 */
export function toggleSort(
  state: Pick<ListState, 'sort' | 'order'>,
  key: SandboxSortKey,
): Pick<ListState, 'sort' | 'order'> {
  const current = effectiveSort(state);
  if (current.sort !== key) return canonicalSort(key, defaultOrder(key));
  return canonicalSort(key, current.order === 'asc' ? 'desc' : 'asc');
}

/**
 * A sort without its defaults: no `sort` for `createdAt`, no `order` for a key's default
 * direction (both keys are present, undefined when left out).
 */
export function canonicalSort(
  sort: SandboxSortKey | undefined,
  order: SortOrder | undefined,
): Pick<ListState, 'sort' | 'order'> {
  const key = sort ?? 'createdAt';
  // Both keys always present (possibly undefined), so a patch with them clears an earlier sort.
  return {
    sort: key === 'createdAt' ? undefined : key,
    order: order && order !== defaultOrder(key) ? order : undefined,
  };
}

/**
 * A search as the list sends it: control characters become spaces (the server refuses them),
 * trimmed, cut to {@link MAX_SEARCH_LENGTH} UTF-16 code units (what the server counts) without
 * splitting a character made of two.
 */
export function normalizeSearch(text: string): string {
  // eslint-disable-next-line no-control-regex
  let search = text.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  if (search.length > MAX_SEARCH_LENGTH) {
    search = search.slice(0, MAX_SEARCH_LENGTH);
    if (/[\ud800-\udbff]$/.test(search)) search = search.slice(0, -1);
  }
  return search.trim();
}

/**
 * The server-side part of a list state that is not a filter of the list page alone (search, sort,
 * "Expiring soon", server), as {@link ListSandboxesQuery} fields. Absent parts are left out; a
 * sort other than the default sends both `sort` and `order`.
 */
export function listQueryOf(
  state: Pick<
    ListState,
    'search' | 'sort' | 'order' | 'expiringSoon' | 'server'
  >,
  /** The "Expiring soon" window (`expiringSoonSeconds` of the settings); default one hour. */
  expiringSoonSeconds: number = EXPIRING_SOON_SECONDS,
): Pick<
  ListSandboxesQuery,
  'search' | 'sort' | 'order' | 'expiringWithinSeconds' | 'server'
> {
  const query: Pick<
    ListSandboxesQuery,
    'search' | 'sort' | 'order' | 'expiringWithinSeconds' | 'server'
  > = {};
  if (state.search) query.search = state.search;
  if (state.sort || state.order) Object.assign(query, effectiveSort(state));
  if (state.expiringSoon) query.expiringWithinSeconds = expiringSoonSeconds;
  if (state.server) query.server = state.server;
  return query;
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
export function normalizeMetadataFilter(
  key: string,
  value: string,
): [string, string] {
  const lowerKey = key.toLocaleLowerCase('en-US');
  if (RESERVED_OWNERSHIP_KEYS.includes(lowerKey))
    return [lowerKey, value.toLocaleLowerCase('en-US')];
  return [key, value];
}

/**
 * Reads the list state from URL search parameters. Unknown quick filters, invalid metadata pairs,
 * pages that are not positive integers, page sizes the table does not offer, unknown sort keys
 * and directions and invalid server names fall back to the defaults.
 */
export function listStateFromSearch(params: URLSearchParams): ListState {
  const quickParam = params.get('filter')?.trim().toLocaleLowerCase('en-US');
  const quick: QuickFilter =
    quickParam === 'mine' || quickParam === 'teams' ? quickParam : 'all';
  const states = [
    ...new Set(
      params
        .getAll('state')
        .map(s => s.trim())
        .filter(Boolean),
    ),
  ];
  const metadata: Record<string, string> = {};
  for (const pair of params.getAll('metadata')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const [key, value] = normalizeMetadataFilter(
      pair.slice(0, eq).trim(),
      pair.slice(eq + 1).trim(),
    );
    if (!validateMetadataKey(key) && !validateMetadataValue(value))
      metadata[key] = value;
  }
  const page = Number(params.get('page'));
  const pageSize = Number(params.get('pageSize'));
  const state: ListState = {
    quick,
    states,
    metadata,
    page: Number.isInteger(page) && page >= 1 ? page : 1,
    pageSize: PAGE_SIZE_OPTIONS.includes(pageSize)
      ? pageSize
      : DEFAULT_PAGE_SIZE,
  };
  return { ...state, ...viewStateFromSearch(params) };
}

/**
 * The search, sort, "Expiring soon" and server parts of the list state from URL search
 * parameters (shared by the list page and the entity tab); absent or invalid parts are left out.
 */
export function viewStateFromSearch(
  params: URLSearchParams,
): Pick<ListState, 'search' | 'sort' | 'order' | 'expiringSoon' | 'server'> {
  const result: Pick<
    ListState,
    'search' | 'sort' | 'order' | 'expiringSoon' | 'server'
  > = {};
  const search = normalizeSearch(params.get('search') ?? '');
  if (search) result.search = search;
  const sortParam = params.get('sort') ?? undefined;
  const sort = SORT_KEYS.find(key => key === sortParam);
  const orderParam = params.get('order')?.toLocaleLowerCase('en-US');
  const order =
    orderParam === 'asc' || orderParam === 'desc' ? orderParam : undefined;
  const canonical = canonicalSort(sort, order);
  if (canonical.sort) result.sort = canonical.sort;
  if (canonical.order) result.order = canonical.order;
  const expiring = params.get('expiring')?.trim().toLocaleLowerCase('en-US');
  if (expiring === 'soon') result.expiringSoon = true;
  const server = params.get('server')?.trim();
  if (server && SERVER_NAME.test(server)) result.server = server;
  return result;
}

/** Writes the search, sort, "Expiring soon" and server parts to `params` (defaults left out). */
export function appendViewState(
  params: URLSearchParams,
  state: Pick<
    ListState,
    'search' | 'sort' | 'order' | 'expiringSoon' | 'server'
  >,
): void {
  if (state.search) params.set('search', state.search);
  const sort = canonicalSort(state.sort, state.order);
  if (sort.sort) params.set('sort', sort.sort);
  if (sort.order) params.set('order', sort.order);
  if (state.expiringSoon) params.set('expiring', 'soon');
  if (state.server) params.set('server', state.server);
}

/** URL search parameters of a list state; defaults are left out (the plain list has none). */
export function listStateToSearch(state: ListState): URLSearchParams {
  const params = new URLSearchParams();
  if (state.quick !== 'all') params.set('filter', state.quick);
  for (const s of state.states) params.append('state', s);
  for (const [key, value] of Object.entries(state.metadata))
    params.append('metadata', `${key}=${value}`);
  appendViewState(params, state);
  if (state.page > 1) params.set('page', String(state.page));
  if (state.pageSize !== DEFAULT_PAGE_SIZE)
    params.set('pageSize', String(state.pageSize));
  return params;
}
