import type { LoggerService } from '@backstage/backend-plugin-api';
import { AuthorizeResult, PermissionCriteria, PolicyDecision } from '@backstage/plugin-permission-common';
import {
  ConsoleListSandboxesResponse,
  ConsoleSandbox,
  MAX_PAGE_SIZE,
} from '@opensandbox-console/plugin-opensandbox-common';
import type { ListSandboxesQuery, SandboxFilter, SandboxListScope } from '@opensandbox-console/plugin-opensandbox-node';
import { ConsoleError } from '../errors';
import type { SandboxDecisions } from '../permissions/SandboxDecisions';
import { conjunctionToQuery, matchesCriteria, scopeToCriteria, toDnf } from '../permissions/listQueries';

/** Reads one upstream page (the pipeline's upstream call, with its error mapping). */
export type FetchSandboxPage = (query: ListSandboxesQuery) => Promise<ConsoleListSandboxesResponse>;

const DEFAULT_PAGE_SIZE = 20;
/** Upper bound of sandboxes read when a list must be merged or post-filtered in the backend. */
const MAX_SCANNED = 50_000;

function emptyPage(page: number, pageSize: number): ConsoleListSandboxesResponse {
  return { items: [], pagination: { page, pageSize, totalItems: 0, totalPages: 0, hasNextPage: false } };
}

function newestFirst(a: ConsoleSandbox, b: ConsoleSandbox): number {
  return Date.parse(b.createdAt) - Date.parse(a.createdAt) || a.id.localeCompare(b.id, 'en');
}

/**
 * Lists sandboxes under ONE read decision per request:
 * - ALLOW without console filters: the upstream page as is;
 * - DENY: an empty page;
 * - CONDITIONAL: the conditions become upstream metadata/state filters. One conjunction is one
 *   upstream call with upstream pagination (exact totals); several are fetched whole, merged,
 *   sorted newest first and paginated here; conditions with `not` are post-filtered. Every item is
 *   checked against the decision, so a sandbox the caller may not read is never returned.
 */
export class UpstreamSandboxLister {
  constructor(
    private readonly decisions: SandboxDecisions,
    private readonly logger: LoggerService,
  ) {}

  /**
   * @param scope - the console's `owner` / `team` / `entity` filters, AND'ed with `query` and with
   *   the caller's permission conditions.
   */
  async list(
    query: ListSandboxesQuery,
    scope: SandboxListScope,
    decision: PolicyDecision,
    fetchPage: FetchSandboxPage,
  ): Promise<ConsoleListSandboxesResponse> {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? DEFAULT_PAGE_SIZE;
    if (decision.result === AuthorizeResult.DENY) return emptyPage(page, pageSize);
    const scopeCriteria = scopeToCriteria(scope);
    let criteria: PermissionCriteria<SandboxFilter>;
    if (decision.result === AuthorizeResult.ALLOW) {
      if (!scopeCriteria) return fetchPage(query);
      criteria = scopeCriteria;
    } else {
      const conditions = this.decisions.filtersOf(decision)!;
      criteria = scopeCriteria ? { allOf: [conditions, scopeCriteria] } : conditions;
    }

    const dnf = toDnf(criteria);
    const allowed = (s: ConsoleSandbox) =>
      this.decisions.allows(decision, s) && (!scopeCriteria || matchesCriteria(scopeCriteria, s));
    if (dnf) {
      const queries = dnf
        .map(conjunction => conjunctionToQuery(conjunction as SandboxFilter[], query))
        .filter((q): q is ListSandboxesQuery => q !== undefined);
      if (queries.length === 0) return emptyPage(page, pageSize);
      if (queries.length === 1) {
        const result = await fetchPage(queries[0]);
        const items = result.items.filter(allowed);
        if (items.length !== result.items.length) {
          this.logger.warn('A permission rule and its query disagree; items were dropped from a list page');
        }
        return { ...result, items };
      }
      const seen = new Map<string, ConsoleSandbox>();
      for (const q of queries) {
        for (const s of await this.#fetchAll(q, fetchPage)) seen.set(s.id, s);
      }
      return this.#paginate([...seen.values()].filter(allowed), page, pageSize);
    }
    const everything = await this.#fetchAll(query, fetchPage);
    return this.#paginate(everything.filter(allowed), page, pageSize);
  }

  /**
   * Every sandbox matching `query`, page by page. Stops at the last page, at an empty page, and
   * after {@link MAX_SCANNED} sandboxes (then 502: the list is too large to filter here).
   */
  async #fetchAll(query: ListSandboxesQuery, fetchPage: FetchSandboxPage): Promise<ConsoleSandbox[]> {
    const items: ConsoleSandbox[] = [];
    for (let page = 1; page <= MAX_SCANNED / MAX_PAGE_SIZE; page++) {
      const result = await fetchPage({ ...query, page, pageSize: MAX_PAGE_SIZE });
      items.push(...result.items);
      if (!result.pagination.hasNextPage || result.items.length === 0) return items;
    }
    throw new ConsoleError('UpstreamGatewayError', 502, `More than ${MAX_SCANNED} sandboxes match; narrow the list with filters`);
  }

  #paginate(items: ConsoleSandbox[], page: number, pageSize: number): ConsoleListSandboxesResponse {
    items.sort(newestFirst);
    const totalItems = items.length;
    const totalPages = Math.ceil(totalItems / pageSize);
    return {
      items: items.slice((page - 1) * pageSize, page * pageSize),
      pagination: { page, pageSize, totalItems, totalPages, hasNextPage: page < totalPages },
    };
  }
}
