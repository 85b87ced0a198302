import { randomUUID } from 'node:crypto';
import createClient, { Client } from 'openapi-fetch';
import { Agent, fetch as undiciFetch, Request as UndiciRequest } from 'undici';
import type {
  CreateSandboxRequest,
  CreateSandboxResponse,
  Endpoint,
  LifecyclePaths,
  ListSandboxesResponse,
  RenewSandboxExpirationResponse,
  Sandbox,
} from '@opensandbox-console/plugin-opensandbox-common';
import {
  OpenSandboxApiError,
  OpenSandboxProtocolError,
  OpenSandboxTimeoutError,
  OpenSandboxUnavailableError,
} from './errors';

type Shape = (data: any) => boolean;
const isSandbox: Shape = d =>
  !!d &&
  typeof d.id === 'string' &&
  !!d.status &&
  typeof d.status.state === 'string' &&
  typeof d.createdAt === 'string';
const isList: Shape = d =>
  !!d &&
  Array.isArray(d.items) &&
  d.items.every(isSandbox) &&
  !!d.pagination &&
  ['page', 'pageSize', 'totalItems', 'totalPages'].every(k =>
    Number.isInteger(d.pagination[k]),
  ) &&
  typeof d.pagination.hasNextPage === 'boolean';
const isRenewed: Shape = d => !!d && typeof d.expiresAt === 'string';
const isEndpoint: Shape = d => !!d && typeof d.endpoint === 'string';
const anything: Shape = () => true;

/**
 * The connection pool of one OpenSandbox server (`opensandbox.connection`, or a server's own
 * `connection`): the console's upstream client owns it instead of sharing Node's global one.
 * @public
 */
export interface OpenSandboxConnectionOptions {
  /** Most connections open to the server at once; further requests queue. Default 64. */
  connections?: number;
  /**
   * How long an idle connection is kept for reuse when the server announces no keep-alive time
   * (uvicorn, the real server, announces none), in milliseconds. Default 4000.
   */
  keepAliveTimeoutMs?: number;
  /** Upper bound of a keep-alive time the server announces (`Keep-Alive: timeout=N`), ms. Default 600000. */
  keepAliveMaxTimeoutMs?: number;
  /**
   * How much earlier than the server's announced keep-alive time an idle connection is dropped,
   * ms (so a request never races the server closing it). Default 500. (Node's global client uses
   * 2000, so a server announcing 1 s, as the development simulator does, got a new connection for
   * every call.)
   */
  keepAliveMarginMs?: number;
  /** Timeout of opening a connection, ms. Default 10000. */
  connectTimeoutMs?: number;
}

/** Defaults of {@link OpenSandboxConnectionOptions}. @public */
export const DEFAULT_CONNECTION_OPTIONS: Required<OpenSandboxConnectionOptions> =
  {
    connections: 64,
    keepAliveTimeoutMs: 4_000,
    keepAliveMaxTimeoutMs: 600_000,
    keepAliveMarginMs: 500,
    connectTimeoutMs: 10_000,
  };

/** Options of {@link OpenSandboxLifecycleClient}. @public */
export interface OpenSandboxLifecycleClientOptions {
  /** Server root, e.g. `http://opensandbox:8080`; the client calls `${baseUrl}/v1/...`. */
  baseUrl: string;
  /** Value of the `OPEN-SANDBOX-API-KEY` header. Server-side only: never log or return it. */
  apiKey?: string;
  /** Timeout of every call but create, in milliseconds. Default 30000. */
  requestTimeoutMs?: number;
  /** Timeout of create, in milliseconds (upstream answers only once the sandbox runs). Default 180000. */
  createTimeoutMs?: number;
  /** The connection pool (keep-alive, limits); ignored with a custom `fetch`. */
  connection?: OpenSandboxConnectionOptions;
  /** Custom fetch, for tests (the client then has no pool of its own). */
  fetch?: typeof fetch;
}

/** Per-call options. @public */
export interface LifecycleCallOptions {
  /** Sent as `X-Request-ID` (generated when absent) and echoed in errors. */
  requestId?: string;
}

/** Query of {@link OpenSandboxLifecycleClient.listSandboxes}. @public */
export interface ListSandboxesQuery {
  /** States, OR'ed, case-insensitive upstream. */
  state?: string[];
  /** Exact-match metadata filters, AND'ed. */
  metadata?: Record<string, string>;
  /** 1-based page. */
  page?: number;
  /** Items per page, at most 200 upstream. */
  pageSize?: number;
}

function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(
    Object.entries(value ?? {}).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

function describeValidationDetail(detail: unknown): string {
  if (!Array.isArray(detail)) return 'request validation failed';
  return detail
    .map((d: any) => {
      const loc = Array.isArray(d?.loc)
        ? d.loc
            .filter(
              (p: unknown) => p !== 'body' && p !== 'query' && p !== 'path',
            )
            .join('.')
        : '';
      return loc
        ? `${loc}: ${d?.msg ?? 'invalid'}`
        : String(d?.msg ?? 'invalid');
    })
    .join('; ');
}

/**
 * Typed client of the upstream OpenSandbox lifecycle API (`sandbox-lifecycle.yml`, served under
 * `/v1`), built with `openapi-fetch` over the types generated from the spec.
 *
 * Every method sends `OPEN-SANDBOX-API-KEY` and `X-Request-ID`, applies a timeout, and throws:
 * - {@link OpenSandboxApiError} for upstream HTTP errors (with status, code and message),
 * - {@link OpenSandboxTimeoutError} when the timeout passes,
 * - {@link OpenSandboxUnavailableError} when the server cannot be reached,
 * - {@link OpenSandboxProtocolError} when a 2xx body does not have the documented shape.
 * Upstream messages are scrubbed of the API key.
 *
 * Server-side only: it holds the API key.
 * @public
 */
export class OpenSandboxLifecycleClient {
  readonly #client: Client<LifecyclePaths>;
  readonly #requestTimeoutMs: number;
  readonly #createTimeoutMs: number;
  readonly #apiKey?: string;
  readonly #baseUrl: string;
  readonly #fetch: (request: Request) => Promise<Response>;
  readonly #Request: typeof Request;
  readonly #agent?: Agent;

  constructor(options: OpenSandboxLifecycleClientOptions) {
    const baseUrl = `${options.baseUrl.replace(/\/+$/, '')}/v1`;
    const customFetch = options.fetch;
    this.#baseUrl = baseUrl;
    if (customFetch) {
      this.#fetch = req => customFetch(req);
      this.#Request = Request;
    } else {
      // undici's own fetch, Request and pool together (one version of the dispatcher API).
      const c = {
        ...DEFAULT_CONNECTION_OPTIONS,
        ...definedOnly(options.connection),
      };
      const agent = new Agent({
        connections: c.connections,
        keepAliveTimeout: c.keepAliveTimeoutMs,
        keepAliveMaxTimeout: c.keepAliveMaxTimeoutMs,
        keepAliveTimeoutThreshold: c.keepAliveMarginMs,
        connect: { timeout: c.connectTimeoutMs },
      });
      this.#agent = agent;
      this.#fetch = req =>
        undiciFetch(req as any, {
          dispatcher: agent,
        }) as unknown as Promise<Response>;
      this.#Request = UndiciRequest as unknown as typeof Request;
    }
    this.#client = createClient<LifecyclePaths>({
      baseUrl,
      headers: options.apiKey ? { 'OPEN-SANDBOX-API-KEY': options.apiKey } : {},
      fetch: this.#fetch,
      Request: this.#Request,
    });
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.#createTimeoutMs = options.createTimeoutMs ?? 180_000;
    this.#apiKey = options.apiKey;
  }

  /** Closes the connection pool (idle connections at once; busy ones after their response). */
  async close(): Promise<void> {
    await this.#agent?.close();
  }

  /** Upstream text with the API key removed, in case a server echoes request headers. */
  #scrub(text: string): string {
    return this.#apiKey ? text.split(this.#apiKey).join('[REDACTED]') : text;
  }

  async #call<T>(
    operation: string,
    shape: Shape,
    timeoutMs: number,
    callOptions: LifecycleCallOptions | undefined,
    run: (init: {
      headers: Record<string, string>;
      signal: AbortSignal;
    }) => Promise<{ data?: unknown; error?: unknown; response: Response }>,
  ): Promise<T> {
    const requestId = callOptions?.requestId ?? randomUUID();
    let result;
    try {
      result = await run({
        headers: { 'X-Request-ID': requestId },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const name = (error as Error)?.name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new OpenSandboxTimeoutError(timeoutMs, requestId);
      }
      if ((error as Error)?.name === 'SyntaxError')
        throw new OpenSandboxProtocolError(operation, requestId);
      throw new OpenSandboxUnavailableError(
        `OpenSandbox could not be reached: ${this.#scrub(
          (error as Error)?.message ?? String(error),
        )}`,
        requestId,
      );
    }
    const { response } = result;
    if (!response.ok) {
      const body = result.error as any;
      const retryHeader = response.headers.get('retry-after');
      const retryAfterSeconds =
        retryHeader && /^\d{1,6}$/.test(retryHeader.trim())
          ? Number(retryHeader.trim())
          : undefined;
      if (
        response.status === 422 &&
        body &&
        typeof body === 'object' &&
        'detail' in body
      ) {
        throw new OpenSandboxApiError(
          422,
          'VALIDATION_ERROR',
          this.#scrub(describeValidationDetail(body.detail)),
          requestId,
        );
      }
      const shaped =
        typeof body?.code === 'string' && typeof body?.message === 'string';
      const code = shaped ? this.#scrub(body.code) : `HTTP_${response.status}`;
      const message = shaped
        ? body.message
        : `${response.statusText || 'request failed'}: ${String(
            typeof body === 'string' ? body : JSON.stringify(body ?? ''),
          ).slice(0, 500)}`;
      throw new OpenSandboxApiError(
        response.status,
        code,
        this.#scrub(message),
        requestId,
        retryAfterSeconds,
      );
    }
    if (!shape(result.data))
      throw new OpenSandboxProtocolError(operation, requestId);
    return result.data as T;
  }

  /** `GET /v1/sandboxes`: one upstream page, newest first. */
  listSandboxes(
    query: ListSandboxesQuery = {},
    options?: LifecycleCallOptions,
  ): Promise<ListSandboxesResponse> {
    const metadata =
      query.metadata && Object.keys(query.metadata).length > 0
        ? new URLSearchParams(query.metadata).toString()
        : undefined;
    return this.#call(
      'GET /sandboxes',
      isList,
      this.#requestTimeoutMs,
      options,
      init =>
        this.#client.GET('/sandboxes', {
          ...init,
          params: {
            query: {
              ...(query.state && query.state.length > 0
                ? { state: query.state }
                : {}),
              ...(metadata ? { metadata } : {}),
              ...(query.page !== undefined ? { page: query.page } : {}),
              ...(query.pageSize !== undefined
                ? { pageSize: query.pageSize }
                : {}),
            },
          },
        }),
    );
  }

  /** `GET /v1/sandboxes/{id}`. */
  getSandbox(
    sandboxId: string,
    options?: LifecycleCallOptions,
  ): Promise<Sandbox> {
    return this.#call(
      'GET /sandboxes/{sandboxId}',
      isSandbox,
      this.#requestTimeoutMs,
      options,
      init =>
        this.#client.GET('/sandboxes/{sandboxId}', {
          ...init,
          params: { path: { sandboxId } },
        }),
    );
  }

  /** `POST /v1/sandboxes` (202). Uses the create timeout. */
  createSandbox(
    body: CreateSandboxRequest,
    options?: LifecycleCallOptions,
  ): Promise<CreateSandboxResponse> {
    return this.#call(
      'POST /sandboxes',
      isSandbox,
      this.#createTimeoutMs,
      options,
      init => this.#client.POST('/sandboxes', { ...init, body }),
    );
  }

  /** `DELETE /v1/sandboxes/{id}` (204). */
  async deleteSandbox(
    sandboxId: string,
    options?: LifecycleCallOptions,
  ): Promise<void> {
    await this.#call(
      'DELETE /sandboxes/{sandboxId}',
      anything,
      this.#requestTimeoutMs,
      options,
      init =>
        this.#client.DELETE('/sandboxes/{sandboxId}', {
          ...init,
          params: { path: { sandboxId } },
          parseAs: 'text',
        }),
    );
  }

  /** `POST /v1/sandboxes/{id}/renew-expiration` with the new absolute `expiresAt` (RFC 3339). */
  renewExpiration(
    sandboxId: string,
    expiresAt: string,
    options?: LifecycleCallOptions,
  ): Promise<RenewSandboxExpirationResponse> {
    return this.#call(
      'POST /sandboxes/{sandboxId}/renew-expiration',
      isRenewed,
      this.#requestTimeoutMs,
      options,
      init =>
        this.#client.POST('/sandboxes/{sandboxId}/renew-expiration', {
          ...init,
          params: { path: { sandboxId } },
          body: { expiresAt },
        }),
    );
  }

  /** `POST /v1/sandboxes/{id}/pause` (202, no body). */
  async pauseSandbox(
    sandboxId: string,
    options?: LifecycleCallOptions,
  ): Promise<void> {
    await this.#call(
      'POST /sandboxes/{sandboxId}/pause',
      anything,
      this.#requestTimeoutMs,
      options,
      init =>
        this.#client.POST('/sandboxes/{sandboxId}/pause', {
          ...init,
          params: { path: { sandboxId } },
          parseAs: 'text',
        }),
    );
  }

  /** `POST /v1/sandboxes/{id}/resume` (202, no body). */
  async resumeSandbox(
    sandboxId: string,
    options?: LifecycleCallOptions,
  ): Promise<void> {
    await this.#call(
      'POST /sandboxes/{sandboxId}/resume',
      anything,
      this.#requestTimeoutMs,
      options,
      init =>
        this.#client.POST('/sandboxes/{sandboxId}/resume', {
          ...init,
          params: { path: { sandboxId } },
          parseAs: 'text',
        }),
    );
  }

  /**
   * `GET /v1/sandboxes/{id}/endpoints/{port}`. `endpoint` has no scheme.
   * @param port - 1-65535.
   */
  getEndpoint(
    sandboxId: string,
    port: number,
    query: { useServerProxy?: boolean } = {},
    options?: LifecycleCallOptions,
  ): Promise<Endpoint> {
    return this.#call(
      'GET /sandboxes/{sandboxId}/endpoints/{port}',
      isEndpoint,
      this.#requestTimeoutMs,
      options,
      init =>
        this.#client.GET('/sandboxes/{sandboxId}/endpoints/{port}', {
          ...init,
          params: {
            path: { sandboxId, port },
            query:
              query.useServerProxy !== undefined
                ? { use_server_proxy: query.useServerProxy }
                : {},
          },
        }),
    );
  }

  /** `PATCH /v1/sandboxes/{id}/metadata` (JSON merge patch; null deletes a key). */
  patchMetadata(
    sandboxId: string,
    patch: Record<string, string | null>,
    options?: LifecycleCallOptions,
  ): Promise<Sandbox> {
    return this.#call(
      'PATCH /sandboxes/{sandboxId}/metadata',
      isSandbox,
      this.#requestTimeoutMs,
      options,
      init =>
        this.#client.PATCH('/sandboxes/{sandboxId}/metadata', {
          ...init,
          params: { path: { sandboxId } },
          body: patch as any,
        }),
    );
  }

  /**
   * `GET /v1/sandboxes/{id}/diagnostics/{kind}` (the plain-text diagnostics of
   * `diagnostic-api.yml`; upstream marks them deprecated and answers the structured `?scope=` form
   * with 501). Returns the text, at most `maxBytes` (default 256 KiB) characters.
   * @param query - `tail` (lines) for logs/summary, `since` (e.g. `10m`) for logs/events.
   * @throws OpenSandboxApiError for HTTP errors (404 / 501 when the server has no diagnostics),
   *   OpenSandboxTimeoutError, OpenSandboxUnavailableError.
   */
  async getDiagnostics(
    sandboxId: string,
    kind: 'logs' | 'events' | 'inspect' | 'summary',
    query: { tail?: number; since?: string } = {},
    options?: LifecycleCallOptions & { maxBytes?: number },
  ): Promise<string> {
    const requestId = options?.requestId ?? randomUUID();
    const params = new URLSearchParams();
    if (query.tail !== undefined) params.set('tail', String(query.tail));
    if (query.since !== undefined) params.set('since', query.since);
    const qs = [...params.keys()].length > 0 ? `?${params}` : '';
    let response: Response;
    try {
      response = await this.#fetch(
        new this.#Request(
          `${this.#baseUrl}/sandboxes/${encodeURIComponent(
            sandboxId,
          )}/diagnostics/${kind}${qs}`,
          {
            headers: {
              'X-Request-ID': requestId,
              ...(this.#apiKey ? { 'OPEN-SANDBOX-API-KEY': this.#apiKey } : {}),
            },
            signal: AbortSignal.timeout(this.#requestTimeoutMs),
          },
        ),
      );
    } catch (error) {
      const name = (error as Error)?.name;
      if (name === 'TimeoutError' || name === 'AbortError')
        throw new OpenSandboxTimeoutError(this.#requestTimeoutMs, requestId);
      throw new OpenSandboxUnavailableError(
        `OpenSandbox could not be reached: ${this.#scrub(
          (error as Error)?.message ?? String(error),
        )}`,
        requestId,
      );
    }
    const text = await response.text();
    if (!response.ok) {
      let body: any;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const shaped =
        typeof body?.code === 'string' && typeof body?.message === 'string';
      throw new OpenSandboxApiError(
        response.status,
        shaped ? this.#scrub(body.code) : `HTTP_${response.status}`,
        this.#scrub(
          shaped
            ? body.message
            : `${response.statusText}: ${text.slice(0, 500)}`,
        ),
        requestId,
      );
    }
    const max = options?.maxBytes ?? 256 * 1024;
    return this.#scrub(
      text.length > max ? text.slice(text.length - max) : text,
    );
  }
}
