import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  ConsoleListSandboxesResponse,
  ConsoleSandbox,
  CreateSandboxRequest,
  decodeOwnershipMetadata,
  encodeOwnershipMetadata,
  Endpoint,
  RenewSandboxExpirationResponse,
} from '@opensandbox-console/plugin-opensandbox-common';
import {
  ListSandboxesQuery,
  OpenSandboxApiError,
  OpenSandboxLifecycleClient,
} from '@opensandbox-console/plugin-opensandbox-node';
import { sandboxNotFound } from '../permissions/denials';
import { toBackstageError } from './upstreamErrors';
import { invalidInput } from './requestValidation';

/** Who is calling, resolved from Backstage credentials. */
export interface Caller {
  /** `user` for signed-in people, `service` for service tokens / external access. */
  type: 'user' | 'service';
  /** The user entity ref, or the service subject. */
  actor: string;
  /** The user's ownership entity refs (user ref and group refs); empty for services. */
  ownershipEntityRefs: string[];
}

/** Per-request context passed to the service. */
export interface RequestContext {
  caller: Caller;
  /** The Backstage credentials of the request, for permission checks. */
  credentials: BackstageCredentials;
  /** Sent upstream as `X-Request-ID`. */
  requestId: string;
}

function withOwnership<T extends { metadata?: Record<string, string> }>(sandbox: T): T & { ownership?: ConsoleSandbox['ownership'] } {
  const ownership = decodeOwnershipMetadata(sandbox.metadata);
  return ownership ? { ...sandbox, ownership } : sandbox;
}

/**
 * The console's sandbox operations: ownership stamping on create, upstream calls through the
 * lifecycle client, upstream errors mapped to Backstage errors.
 */
export class SandboxService {
  constructor(
    private readonly client: OpenSandboxLifecycleClient,
    private readonly options: { maxTimeoutSeconds?: number } = {},
  ) {}

  get maxTimeoutSeconds(): number | undefined {
    return this.options.maxTimeoutSeconds;
  }

  async #upstream<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toBackstageError(error);
    }
  }

  /** One page of sandboxes with decoded ownership. */
  async list(query: ListSandboxesQuery, ctx: RequestContext): Promise<ConsoleListSandboxesResponse> {
    const page = await this.#upstream(() => this.client.listSandboxes(query, { requestId: ctx.requestId }));
    return { items: page.items.map(withOwnership), pagination: page.pagination };
  }

  /**
   * One sandbox. A missing one is the same 404 as one the caller may not read
   * (`Sandbox <id> not found.`, no upstream details), so a 404 never tells them apart.
   */
  async get(sandboxId: string, ctx: RequestContext): Promise<ConsoleSandbox> {
    try {
      return withOwnership(await this.client.getSandbox(sandboxId, { requestId: ctx.requestId }));
    } catch (error) {
      if (error instanceof OpenSandboxApiError && error.status === 404) throw sandboxNotFound(sandboxId);
      throw toBackstageError(error);
    }
  }

  /**
   * Creates a sandbox, stamping owner/team metadata from the caller (never from the body).
   * @param links - `team`: the owning group ref, already authorized by the caller of this method;
   *   `entity`: the catalog entity the sandbox is created for.
   */
  async create(
    request: CreateSandboxRequest,
    links: { team?: string; entity?: string },
    ctx: RequestContext,
  ): Promise<ConsoleSandbox> {
    let ownershipLabels: Record<string, string>;
    try {
      ownershipLabels = encodeOwnershipMetadata({
        owner: ctx.caller.type === 'user' ? ctx.caller.actor : undefined,
        team: links.team,
        entity: links.entity,
      });
    } catch (error) {
      throw invalidInput([{ field: links.entity ? 'entityRef' : 'team', message: (error as Error).message }]);
    }
    const upstreamBody: CreateSandboxRequest = {
      ...request,
      metadata: { ...(request.metadata ?? {}), ...ownershipLabels },
    };
    const created = await this.#upstream(() => this.client.createSandbox(upstreamBody, { requestId: ctx.requestId }));
    return withOwnership(created);
  }

  /** Applies a JSON merge patch to the metadata (null deletes a key). */
  async patchMetadata(sandboxId: string, patch: Record<string, string | null>, ctx: RequestContext): Promise<ConsoleSandbox> {
    const sandbox = await this.#upstream(() => this.client.patchMetadata(sandboxId, patch, { requestId: ctx.requestId }));
    return withOwnership(sandbox);
  }

  /**
   * Loads a sandbox for the permission framework's `getResources` (conditional decisions on
   * `authorize` calls with a resourceRef, e.g. from the frontend). Missing sandboxes and
   * upstream failures give `undefined` (the decision is then DENY).
   */
  async getForPermissionCheck(sandboxId: string): Promise<ConsoleSandbox | undefined> {
    try {
      return withOwnership(await this.client.getSandbox(sandboxId));
    } catch {
      return undefined;
    }
  }

  async delete(sandboxId: string, ctx: RequestContext): Promise<void> {
    await this.#upstream(() => this.client.deleteSandbox(sandboxId, { requestId: ctx.requestId }));
  }

  async renew(sandboxId: string, expiresAt: string, ctx: RequestContext): Promise<RenewSandboxExpirationResponse> {
    return this.#upstream(() => this.client.renewExpiration(sandboxId, expiresAt, { requestId: ctx.requestId }));
  }

  async pause(sandboxId: string, ctx: RequestContext): Promise<void> {
    await this.#upstream(() => this.client.pauseSandbox(sandboxId, { requestId: ctx.requestId }));
  }

  async resume(sandboxId: string, ctx: RequestContext): Promise<void> {
    await this.#upstream(() => this.client.resumeSandbox(sandboxId, { requestId: ctx.requestId }));
  }

  async endpoint(sandboxId: string, port: number, query: { useServerProxy?: boolean }, ctx: RequestContext): Promise<Endpoint> {
    return this.#upstream(() => this.client.getEndpoint(sandboxId, port, query, { requestId: ctx.requestId }));
  }
}
