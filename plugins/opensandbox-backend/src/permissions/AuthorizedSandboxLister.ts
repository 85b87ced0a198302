import type { BackstageCredentials, LoggerService } from '@backstage/backend-plugin-api';
import { AuthorizeResult, ConditionalPolicyDecision, PermissionCriteria } from '@backstage/plugin-permission-common';
import { createConditionTransformer } from '@backstage/plugin-permission-node';
import type { PermissionsRegistryService } from '@backstage/backend-plugin-api';
import {
  ConsoleListSandboxesResponse,
  ConsoleSandbox,
  MAX_PAGE_SIZE,
} from '@opensandbox-console/plugin-opensandbox-common';
import {
  ListSandboxesQuery,
  opensandboxSandboxPermissionResourceRef,
  SandboxFilter,
} from '@opensandbox-console/plugin-opensandbox-node';
import type { RequestContext, SandboxService } from '../service/SandboxService';
import { UpstreamGatewayError } from '../service/upstreamErrors';
import type { SandboxAuthorizer } from './SandboxAuthorizer';
import { conjunctionToQuery, matchesCriteria, scopeToCriteria, toDnf } from './listQueries';
import type { ListScope } from '../service/requestValidation';

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
export class AuthorizedSandboxLister {
  readonly #transform: (c: any) => any;

  constructor(
    private readonly sandboxes: SandboxService,
    private readonly authorizer: SandboxAuthorizer,
    registry: PermissionsRegistryService,
    private readonly logger: LoggerService,
  ) {
    this.#transform = createConditionTransformer(
      registry.getPermissionRuleset(opensandboxSandboxPermissionResourceRef),
    );
  }

  /**
   * @param scope - the console's `owner` / `team` / `entity` filters, AND'ed with `query` and with
   *   the caller's permission conditions.
   */
  async list(
    query: ListSandboxesQuery,
    scope: ListScope,
    credentials: BackstageCredentials,
    ctx: RequestContext,
  ): Promise<ConsoleListSandboxesResponse> {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? DEFAULT_PAGE_SIZE;
    const decision = await this.authorizer.readDecision(credentials);
    if (decision.result === AuthorizeResult.DENY) return emptyPage(page, pageSize);
    const scopeCriteria = scopeToCriteria(scope);
    let criteria: PermissionCriteria<SandboxFilter>;
    if (decision.result === AuthorizeResult.ALLOW) {
      if (!scopeCriteria) return this.sandboxes.list(query, ctx);
      criteria = scopeCriteria;
    } else {
      const conditions = this.#transform((decision as ConditionalPolicyDecision).conditions);
      criteria = scopeCriteria ? { allOf: [conditions, scopeCriteria] } : conditions;
    }

    const dnf = toDnf(criteria);
    const allowed = (s: ConsoleSandbox) =>
      this.authorizer.allows(decision, s) && (!scopeCriteria || matchesCriteria(scopeCriteria, s));
    if (dnf) {
      const queries = dnf
        .map(conjunction => conjunctionToQuery(conjunction as SandboxFilter[], query))
        .filter((q): q is ListSandboxesQuery => q !== undefined);
      if (queries.length === 0) return emptyPage(page, pageSize);
      if (queries.length === 1) {
        const result = await this.sandboxes.list(queries[0], ctx);
        const items = result.items.filter(allowed);
        if (items.length !== result.items.length) {
          this.logger.warn('A permission rule and its query disagree; items were dropped from a list page');
        }
        return { ...result, items };
      }
      const seen = new Map<string, ConsoleSandbox>();
      for (const q of queries) {
        for (const s of await this.#fetchAll(q, ctx)) seen.set(s.id, s);
      }
      return this.#paginate([...seen.values()].filter(allowed), page, pageSize);
    }
    const everything = await this.#fetchAll(query, ctx);
    return this.#paginate(everything.filter(allowed), page, pageSize);
  }

  /**
   * Every sandbox matching `query`, page by page. Stops at the last page, at an empty page, and
   * after {@link MAX_SCANNED} sandboxes (then 502: the list is too large to filter here).
   */
  async #fetchAll(query: ListSandboxesQuery, ctx: RequestContext): Promise<ConsoleSandbox[]> {
    const items: ConsoleSandbox[] = [];
    for (let page = 1; page <= MAX_SCANNED / MAX_PAGE_SIZE; page++) {
      const result = await this.sandboxes.list({ ...query, page, pageSize: MAX_PAGE_SIZE }, ctx);
      items.push(...result.items);
      if (!result.pagination.hasNextPage || result.items.length === 0) return items;
    }
    throw new UpstreamGatewayError(
      `More than ${MAX_SCANNED} sandboxes match; narrow the list with filters`,
      502,
      { requestId: ctx.requestId },
    );
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
