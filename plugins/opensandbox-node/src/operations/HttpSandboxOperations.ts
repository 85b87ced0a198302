import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  ConsoleListSandboxesResponse,
  ConsoleSandbox,
  Endpoint,
  RenewSandboxExpirationResponse,
} from '@opensandbox-console/plugin-opensandbox-common';
import type {
  ConsoleSettings,
  CreateSandboxResult,
  SandboxDetail,
  SandboxDiagnostics,
  SandboxDiagnosticsKind,
  SandboxListQuery,
  SandboxListScope,
  SandboxOperationContext,
  SandboxOperations,
} from './types';

/**
 * {@link SandboxOperations} for backend modules of OTHER plugins (scaffolder actions, actions
 * registry modules of another plugin): calls the console's own HTTP API (`/api/opensandbox`) with
 * a plugin-to-plugin token issued on behalf of the caller, so every call runs the console's
 * operation pipeline — the same validation, permission decision and audit as the browser's — as
 * that caller. Errors are `ResponseError`s carrying the console's status and error body.
 * @public
 */
export class HttpSandboxOperations implements SandboxOperations {
  #settings: ConsoleSettings | undefined;

  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
    },
  ) {}

  async #call<T>(
    ctx: SandboxOperationContext,
    method: string,
    path: string,
    init: {
      body?: unknown;
      query?: URLSearchParams;
      headers?: Record<string, string>;
    } = {},
  ): Promise<{ data: T; status: number }> {
    const base = await this.options.discovery.getBaseUrl('opensandbox');
    const { token } = await this.options.auth.getPluginRequestToken({
      onBehalfOf: ctx.credentials,
      targetPluginId: 'opensandbox',
    });
    const qs =
      init.query && [...init.query.keys()].length > 0 ? `?${init.query}` : '';
    const res = await fetch(`${base}${path}${qs}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(init.body !== undefined
          ? { 'content-type': 'application/json' }
          : {}),
        ...(ctx.requestId ? { 'x-request-id': ctx.requestId } : {}),
        // The audit channel (`scaffolder`, `mcp`); the console accepts it from plugin tokens only.
        ...(ctx.channel && ctx.channel !== 'http'
          ? { 'x-opensandbox-channel': ctx.channel }
          : {}),
        ...init.headers,
      },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
    if (!res.ok) throw await ResponseError.fromResponse(res);
    const text = await res.text();
    return {
      data: (text ? JSON.parse(text) : undefined) as T,
      status: res.status,
    };
  }

  async list(
    query: SandboxListQuery,
    scope: SandboxListScope,
    ctx: SandboxOperationContext,
  ): Promise<ConsoleListSandboxesResponse> {
    const q = new URLSearchParams();
    for (const s of query.state ?? []) q.append('state', s);
    if (query.metadata && Object.keys(query.metadata).length > 0)
      q.set('metadata', new URLSearchParams(query.metadata).toString());
    if (query.page !== undefined) q.set('page', String(query.page));
    if (query.pageSize !== undefined) q.set('pageSize', String(query.pageSize));
    if (query.search) q.set('search', query.search);
    if (query.sort) q.set('sort', query.sort);
    if (query.order) q.set('order', query.order);
    if (query.expiringWithinSeconds !== undefined)
      q.set('expiringWithinSeconds', String(query.expiringWithinSeconds));
    if (ctx.server) q.set('server', ctx.server);
    for (const key of ['owner', 'team', 'entity'] as const)
      for (const ref of scope[key] ?? []) q.append(key, ref);
    return (
      await this.#call<ConsoleListSandboxesResponse>(ctx, 'GET', '/sandboxes', {
        query: q,
      })
    ).data;
  }

  async get(
    sandboxId: string,
    ctx: SandboxOperationContext,
  ): Promise<SandboxDetail> {
    return (
      await this.#call<SandboxDetail>(
        ctx,
        'GET',
        `/sandboxes/${encodeURIComponent(sandboxId)}`,
      )
    ).data;
  }

  async create(
    body: unknown,
    ctx: SandboxOperationContext & { idempotencyKey?: string },
  ): Promise<CreateSandboxResult> {
    const { data, status } = await this.#call<ConsoleSandbox>(
      ctx,
      'POST',
      '/sandboxes',
      {
        body,
        headers: ctx.idempotencyKey
          ? { 'idempotency-key': ctx.idempotencyKey }
          : {},
      },
    );
    return { sandbox: data, replayed: status === 200 };
  }

  async renew(
    sandboxId: string,
    body: unknown,
    ctx: SandboxOperationContext,
  ): Promise<RenewSandboxExpirationResponse> {
    return (
      await this.#call<RenewSandboxExpirationResponse>(
        ctx,
        'POST',
        `/sandboxes/${encodeURIComponent(sandboxId)}/renew-expiration`,
        { body },
      )
    ).data;
  }

  async pause(sandboxId: string, ctx: SandboxOperationContext): Promise<void> {
    await this.#call(
      ctx,
      'POST',
      `/sandboxes/${encodeURIComponent(sandboxId)}/pause`,
    );
  }

  async resume(sandboxId: string, ctx: SandboxOperationContext): Promise<void> {
    await this.#call(
      ctx,
      'POST',
      `/sandboxes/${encodeURIComponent(sandboxId)}/resume`,
    );
  }

  async delete(sandboxId: string, ctx: SandboxOperationContext): Promise<void> {
    await this.#call(
      ctx,
      'DELETE',
      `/sandboxes/${encodeURIComponent(sandboxId)}`,
    );
  }

  async getEndpoint(
    sandboxId: string,
    port: number,
    query: { useServerProxy?: boolean },
    ctx: SandboxOperationContext,
  ): Promise<Endpoint> {
    const q = new URLSearchParams();
    if (query.useServerProxy !== undefined)
      q.set('use_server_proxy', String(query.useServerProxy));
    return (
      await this.#call<Endpoint>(
        ctx,
        'GET',
        `/sandboxes/${encodeURIComponent(sandboxId)}/endpoints/${port}`,
        { query: q },
      )
    ).data;
  }

  async patchMetadata(
    sandboxId: string,
    patch: unknown,
    ctx: SandboxOperationContext,
  ): Promise<ConsoleSandbox> {
    return (
      await this.#call<ConsoleSandbox>(
        ctx,
        'PATCH',
        `/sandboxes/${encodeURIComponent(sandboxId)}/metadata`,
        { body: patch },
      )
    ).data;
  }

  async diagnostics(
    sandboxId: string,
    kind: SandboxDiagnosticsKind,
    ctx: SandboxOperationContext,
  ): Promise<SandboxDiagnostics> {
    return (
      await this.#call<SandboxDiagnostics>(
        ctx,
        'GET',
        `/sandboxes/${encodeURIComponent(sandboxId)}/diagnostics/${kind}`,
      )
    ).data;
  }

  /** Not known synchronously over HTTP: call {@link HttpSandboxOperations.loadSettings} first. */
  settings(): ConsoleSettings {
    if (!this.#settings)
      throw new Error('settings not loaded; call loadSettings() first');
    return this.#settings;
  }

  /** Loads (and caches) the console's settings. */
  async loadSettings(ctx: SandboxOperationContext): Promise<ConsoleSettings> {
    this.#settings = (
      await this.#call<ConsoleSettings>(ctx, 'GET', '/settings')
    ).data;
    return this.#settings;
  }
}
