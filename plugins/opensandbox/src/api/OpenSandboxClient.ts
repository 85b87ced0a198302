import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  ConsoleListSandboxesResponse,
  ConsoleSandbox,
  Endpoint,
  RenewSandboxExpirationResponse,
  SandboxChangesResponse,
} from '@opensandbox-console/plugin-opensandbox-common';
import type {
  AuditEventFilter,
  AuditEventsPage,
  AuditEventsPageOptions,
  AuditExportFormat,
  BulkAction,
  BulkRequest,
  BulkResponse,
  ConsoleCreateSandboxRequest,
  ConsoleSettings,
  CreateSandboxOptions,
  GetEndpointOptions,
  ListSandboxesQuery,
  OpenSandboxApi,
  RenewExpirationOptions,
  SandboxDetails,
  SandboxDiagnostics,
  SandboxDiagnosticsKind,
  SandboxServerOptions,
  TeamQuota,
} from './OpenSandboxApi';
import { newIdempotencyKey as randomUuid } from '../lib/errors';

/**
 * Default {@link OpenSandboxApi} implementation. It talks to the console backend plugin only
 * (base URL from `discoveryApi.getBaseUrl('opensandbox')`, e.g.
 * `http://localhost:7007/api/opensandbox`), through `fetchApi`, which adds the user's Backstage
 * token. It never holds an OpenSandbox API key: the backend does.
 * @public
 */
export class OpenSandboxClient implements OpenSandboxApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;
  private settings?: Promise<ConsoleSettings>;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  /** `GET {base}/teams`. */
  async listTeams(): Promise<string[]> {
    const { teams } = await this.request<{ teams: string[] }>('GET', '/teams');
    return teams;
  }

  /**
   * `GET {base}/settings`, once: later calls share the first answer. A failed load is forgotten,
   * so the next call asks again.
   */
  getSettings(): Promise<ConsoleSettings> {
    if (!this.settings) {
      const pending = this.request<ConsoleSettings>('GET', '/settings');
      this.settings = pending;
      pending.catch(() => {
        if (this.settings === pending) this.settings = undefined;
      });
    }
    return this.settings;
  }

  /** `GET {base}/quotas[?team=<group ref>]`. */
  async getQuota(team?: string): Promise<TeamQuota> {
    return this.request(
      'GET',
      `/quotas${team ? `?${new URLSearchParams({ team })}` : ''}`,
    );
  }

  /**
   * `GET {base}/sandboxes?state=A&state=B&metadata=<k%3Dv%26k2%3Dv2>&owner=..&team=..&entity=..&search=..&sort=..&order=..&expiringWithinSeconds=..&server=..&page=N&pageSize=M`
   * (in that order; absent and blank values left out). `state`, `owner`, `team` and `entity`
   * are repeated once per value; `metadata` is ONE parameter whose value is itself a form-encoded
   * `k=v&k2=v2` string (so it ends up encoded twice on the wire). `search` is trimmed.
   */
  async listSandboxes(
    query: ListSandboxesQuery = {},
  ): Promise<ConsoleListSandboxesResponse> {
    const params = new URLSearchParams();
    for (const state of query.states ?? []) params.append('state', state);
    const pairs = Object.entries(query.metadata ?? {});
    if (pairs.length > 0)
      params.set('metadata', new URLSearchParams(pairs).toString());
    for (const key of ['owner', 'team', 'entity'] as const) {
      for (const ref of query[key] ?? []) params.append(key, ref);
    }
    const search = query.search?.trim();
    if (search) params.set('search', search);
    if (query.sort) params.set('sort', query.sort);
    if (query.order) params.set('order', query.order);
    if (query.expiringWithinSeconds !== undefined) {
      params.set('expiringWithinSeconds', String(query.expiringWithinSeconds));
    }
    if (query.server) params.set('server', query.server);
    if (query.page !== undefined) params.set('page', String(query.page));
    if (query.pageSize !== undefined)
      params.set('pageSize', String(query.pageSize));
    const qs = params.toString();
    return this.request('GET', `/sandboxes${qs ? `?${qs}` : ''}`);
  }

  /** `GET {base}/sandboxes/:id`, or `{base}/servers/:server/sandboxes/:id` with `options.server`. */
  async getSandbox(
    id: string,
    options: SandboxServerOptions = {},
  ): Promise<SandboxDetails> {
    return this.request('GET', sandboxPath(id, options));
  }

  /**
   * `POST {base}/sandboxes` with the JSON body as given and, with `options.idempotencyKey`, an
   * `Idempotency-Key` header; resolves with the 202 (created) or 200 (replayed) body.
   */
  async createSandbox(
    request: ConsoleCreateSandboxRequest,
    options: CreateSandboxOptions = {},
  ): Promise<ConsoleSandbox> {
    const headers = options.idempotencyKey
      ? { 'Idempotency-Key': options.idempotencyKey }
      : undefined;
    return this.request('POST', '/sandboxes', request, headers);
  }

  /** `DELETE {base}[/servers/:server]/sandboxes/:id`, expects 204. */
  async deleteSandbox(
    id: string,
    options: SandboxServerOptions = {},
  ): Promise<void> {
    await this.request('DELETE', sandboxPath(id, options));
  }

  /**
   * `POST {base}[/servers/:server]/sandboxes/:id/renew-expiration` with `{ expiresAt }`
   * (RFC 3339), plus `allowShorten: true` only when `options.allowShorten` is true.
   */
  async renewExpiration(
    id: string,
    expiresAt: string,
    options: RenewExpirationOptions = {},
  ): Promise<RenewSandboxExpirationResponse> {
    const body =
      options.allowShorten === true
        ? { expiresAt, allowShorten: true }
        : { expiresAt };
    return this.request(
      'POST',
      `${sandboxPath(id, options)}/renew-expiration`,
      body,
    );
  }

  /** `POST {base}[/servers/:server]/sandboxes/:id/pause`, expects 202 with an empty body. */
  async pauseSandbox(
    id: string,
    options: SandboxServerOptions = {},
  ): Promise<void> {
    await this.request('POST', `${sandboxPath(id, options)}/pause`);
  }

  /** `POST {base}[/servers/:server]/sandboxes/:id/resume`, expects 202 with an empty body. */
  async resumeSandbox(
    id: string,
    options: SandboxServerOptions = {},
  ): Promise<void> {
    await this.request('POST', `${sandboxPath(id, options)}/resume`);
  }

  /** `GET {base}[/servers/:server]/sandboxes/:id/endpoints/:port?use_server_proxy=true|false`. */
  async getEndpoint(
    id: string,
    port: number,
    options: GetEndpointOptions = {},
  ): Promise<Endpoint> {
    const params = new URLSearchParams({
      use_server_proxy: String(options.useServerProxy ?? false),
    });
    return this.request(
      'GET',
      `${sandboxPath(id, options)}/endpoints/${encodeURIComponent(
        String(port),
      )}?${params}`,
    );
  }

  /** `PATCH {base}[/servers/:server]/sandboxes/:id/metadata` with the merge patch as JSON body. */
  async updateMetadata(
    id: string,
    patch: Record<string, string | null>,
    options: SandboxServerOptions = {},
  ): Promise<ConsoleSandbox> {
    return this.request('PATCH', `${sandboxPath(id, options)}/metadata`, patch);
  }

  /** `GET {base}[/servers/:server]/sandboxes/:id/diagnostics/:kind`. */
  async getDiagnostics(
    id: string,
    kind: SandboxDiagnosticsKind,
    options: SandboxServerOptions = {},
  ): Promise<SandboxDiagnostics> {
    return this.request(
      'GET',
      `${sandboxPath(id, options)}/diagnostics/${encodeURIComponent(kind)}`,
    );
  }

  /**
   * `GET {base}/audit-events?actor=&action=&sandboxId=&team=&outcome=&batchId=&from=&to=&limit=&cursor=`
   * (parameters in that order, empty ones left out).
   */
  async listAuditEvents(
    filter: AuditEventFilter = {},
    page: AuditEventsPageOptions = {},
  ): Promise<AuditEventsPage> {
    const params = auditFilterParams(filter);
    if (page.limit !== undefined) params.set('limit', String(page.limit));
    if (page.cursor) params.set('cursor', page.cursor);
    const qs = params.toString();
    return this.request('GET', `/audit-events${qs ? `?${qs}` : ''}`);
  }

  /** `GET {base}[/servers/:server]/sandboxes/:id/history?limit=&cursor=`. */
  async listSandboxHistory(
    id: string,
    options: AuditEventsPageOptions & SandboxServerOptions = {},
  ): Promise<AuditEventsPage> {
    const params = new URLSearchParams();
    if (options.limit !== undefined) params.set('limit', String(options.limit));
    if (options.cursor) params.set('cursor', options.cursor);
    const qs = params.toString();
    return this.request(
      'GET',
      `${sandboxPath(id, options)}/history${qs ? `?${qs}` : ''}`,
    );
  }

  /** `GET {base}/audit-events?<filter>&format=csv|ndjson`, read as a Blob. */
  async exportAuditEvents(
    filter: AuditEventFilter,
    format: AuditExportFormat,
  ): Promise<Blob> {
    const params = auditFilterParams(filter);
    params.set('format', format);
    const response = await this.send('GET', `/audit-events?${params}`);
    return response.blob();
  }

  /** `GET {base}/changes[?since=N]`. */
  async getSandboxChanges(since?: number): Promise<SandboxChangesResponse> {
    return this.request(
      'GET',
      since === undefined
        ? '/changes'
        : `/changes?${new URLSearchParams({ since: String(since) })}`,
    );
  }

  /** `POST {base}/bulk/:action` with the request as JSON body. */
  async runBulk(
    action: BulkAction,
    request: BulkRequest,
  ): Promise<BulkResponse> {
    return this.request('POST', `/bulk/${encodeURIComponent(action)}`, request);
  }

  private async send(
    method: string,
    path: string,
    body?: unknown,
    extraHeaders?: Record<string, string>,
  ): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('opensandbox');
    const init: RequestInit = { method };
    // Mutations carry their own request id, which the backend adopts (audit log, backend log,
    // upstream call): the page can name it even when the browser hides the answer's X-Request-ID
    // header (cross-origin) and the error body has no requestId.
    const requestId = method === 'GET' ? undefined : randomUuid();
    const headers: Record<string, string> = { ...extraHeaders };
    if (requestId) headers['X-Request-ID'] = requestId;
    if (body !== undefined) {
      init.headers = { 'Content-Type': 'application/json', ...headers };
      init.body = JSON.stringify(body);
    } else if (Object.keys(headers).length > 0) {
      init.headers = headers;
    }
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!response.ok) {
      const error = await ResponseError.fromResponse(response);
      if (requestId) Object.assign(error, { requestId });
      throw error;
    }
    return response;
  }

  private async request<T>(
    method: string,
    path: string,
    body?: unknown,
    extraHeaders?: Record<string, string>,
  ): Promise<T> {
    const response = await this.send(method, path, body, extraHeaders);
    if (response.status === 204) {
      return undefined as T;
    }
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

/** `/sandboxes/:id` (default server) or `/servers/:server/sandboxes/:id`, each part URL-encoded. */
function sandboxPath(id: string, options: SandboxServerOptions): string {
  const sandbox = `/sandboxes/${encodeURIComponent(id)}`;
  return options.server
    ? `/servers/${encodeURIComponent(options.server)}${sandbox}`
    : sandbox;
}

/** The query parameters of an audit filter, in a fixed order, without empty values. */
function auditFilterParams(filter: AuditEventFilter): URLSearchParams {
  const params = new URLSearchParams();
  const keys = [
    'actor',
    'action',
    'sandboxId',
    'team',
    'outcome',
    'batchId',
    'from',
    'to',
  ] as const;
  for (const key of keys) {
    const value = filter[key]?.trim();
    if (value) params.set(key, value);
  }
  return params;
}
