import { randomUUID } from 'node:crypto';
import type {
  LoggerService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import type { ResourcePermission } from '@backstage/plugin-permission-common';
import {
  AuditAction,
  ConsoleListSandboxesResponse,
  ConsoleSandbox,
  CREATE_TOKEN_KEY,
  CreateSandboxRequest,
  decodeOwnershipMetadata,
  encodeOwnershipMetadata,
  Endpoint,
  FieldError,
  MAX_PAGE_SIZE,
  MIN_TIMEOUT_SECONDS,
  opensandboxAdminManagePermission,
  opensandboxSandboxCreatePermission,
  opensandboxSandboxDeletePermission,
  opensandboxSandboxEndpointPermission,
  opensandboxSandboxUpdatePermission,
  RenewSandboxExpirationResponse,
  RESERVED_OWNERSHIP_KEYS,
  SandboxCreation,
  SandboxPreset,
  validateCreateSandboxRequest,
  validateMetadata,
  validateRenewRequest,
} from '@opensandbox-console/plugin-opensandbox-common';
import type { PermissionCriteria } from '@backstage/plugin-permission-common';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type {
  ConsoleSettings,
  CreateSandboxResult,
  OpenSandboxServer,
  SandboxCheckAction,
  SandboxCheckResult,
  SandboxDetail,
  SandboxDiagnostics,
  SandboxDiagnosticsKind,
  SandboxFilter,
  SandboxListQuery,
  SandboxListScope,
  SandboxOperationContext,
  SandboxOperations,
} from '@opensandbox-console/plugin-opensandbox-node';
import type {
  AuditAttemptInput,
  AuditAttemptResult,
  AuditRecorder,
} from '../audit/types';
import type { DatabaseAuditStore } from '../audit/DatabaseAuditStore';
import type { AuditEventRecord } from '../audit/records';
import { RecentDetailActivity } from '../audit/RecentDetailActivity';
import {
  auditErrorOf,
  createInProgress,
  idempotencyKeyConsumed,
  idempotencyKeyReused,
  fromUpstream,
  inventoryUnavailable,
  invalidInput,
  isDenial,
  isOutcomeUnknown,
  sandboxNotFound,
  stateConflict,
} from '../errors';
import type { Exemption, QuotaEnforcer } from '../governance';
import type { SandboxInventoryStore } from '../inventory/SandboxInventoryStore';
import { syncServer, SyncServerResult } from '../inventory/syncInventory';
import { scopeToCriteria } from '../permissions/listQueries';
import type { SandboxDecisions } from '../permissions/SandboxDecisions';
import { Caller, resolveCaller, teamsOf } from './callers';
import {
  createRequestDigest,
  createTokenFor,
  idempotencyKeyError,
} from './createTokens';

/**
 * How much longer than the server's create timeout a quota reservation counts (clock skew between
 * replicas, and time for the inventory to see a sandbox whose create answer was lost).
 */
const QUOTA_RESERVATION_GRACE_MS = 60_000;

/**
 * How long after its create timeout a create still `initiated` is taken as cut short (its backend
 * died mid-create) and settled by the reconciliation task, ms.
 */
const INITIATED_CREATE_GRACE_MS = 15_000;

/** Largest JSON request body the HTTP routes accept (express.json limit), bytes. */
export const REQUEST_BODY_LIMIT_BYTES = 1024 * 1024;

const SANDBOX_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Dependencies of {@link SandboxOperationPipeline}. */
export interface SandboxOperationPipelineOptions {
  /**
   * The OpenSandbox servers (at least one; the first is the default). The pipeline is the only
   * holder of their lifecycle clients, and so of the OpenSandbox API keys.
   */
  servers: OpenSandboxServer[];
  decisions: SandboxDecisions;
  audit: AuditRecorder;
  /** Audit lookups: idempotent create, last renewal. */
  auditStore: Pick<
    DatabaseAuditStore,
    | 'findCreateByToken'
    | 'settleUnknown'
    | 'lastSucceededOf'
    | 'findUnsettledCreates'
  >;
  userInfo: UserInfoService;
  logger: LoggerService;
  /** `opensandbox.maxTimeoutSeconds`: lifetime cap in seconds. */
  maxTimeoutSeconds?: number;
  /** Lower-case group refs that only grant roles; never chosen as a sandbox's team. */
  roleGroups?: ReadonlySet<string>;
  /**
   * The sandbox inventory: lists are answered from it; every sandbox the pipeline reads or
   * changes upstream is written through to it; `syncInventory` refreshes it from upstream.
   */
  inventory: SandboxInventoryStore;
  /**
   * Team quotas and caps (`../governance`), checked on create, renew and resume after the
   * permission decision and before any upstream call. Absent: no quotas.
   */
  quotas?: QuotaEnforcer;
  /**
   * Whether a caller is exempt from quotas (`../governance`: `opensandbox.admin.manage` ALLOW, or
   * an `exempt` role binding). Default: the caller's decision for `opensandbox.admin.manage`.
   */
  quotaExemption?: (
    credentials: SandboxOperationContext['credentials'],
  ) => Promise<boolean>;
  /** Current time, epoch ms. Default `Date.now`. */
  clock?: () => number;
  /** Create presets (`opensandbox.presets`, read by `./presets`), served by {@link SandboxOperationPipeline.settings}. */
  presets?: SandboxPreset[];
  /**
   * Called after the inventory saw a real change (live status, `../live`): a console operation's
   * write-through (`console`: added, changed or removed a sandbox) or a sync that found changes
   * made elsewhere (`sync`). Not awaited by the operation; errors are the listener's to handle.
   */
  onInventoryChange?: (change: InventoryChange) => void;
  /**
   * The "expiring soon" window of the pages, seconds (`GET /settings`): the first (largest) lead
   * time of the expiry warnings. Absent: not answered (the pages use one hour).
   */
  expiringSoonSeconds?: number;
}

/** What {@link SandboxOperationPipelineOptions.onInventoryChange} is told. */
export interface InventoryChange {
  /** Server name. */
  server: string;
  /** The sandbox ids that changed (added, updated or removed), sorted. */
  ids: string[];
  /** `console`: write-through of a console operation; `sync`: the scheduled sync. */
  source: 'console' | 'sync';
}

/** Adds the decoded `ownership` and the server name to an upstream sandbox. */
function withOwnership<T extends { metadata?: Record<string, string> }>(
  sandbox: T,
  server: string,
): T & { ownership?: ConsoleSandbox['ownership']; server: string } {
  const ownership = decodeOwnershipMetadata(sandbox.metadata);
  return ownership ? { ...sandbox, ownership, server } : { ...sandbox, server };
}

function lower(ref: string): string {
  return ref.toLocaleLowerCase('en-US');
}

/**
 * The one operation pipeline of the console. Every entry point (HTTP routes, bulk, scaffolder and
 * agent actions) calls these methods with the caller's credentials, and every method reads in the
 * same order:
 *
 *   1. validate the input (400 naming the field; nothing else has happened yet);
 *   2. resolve the caller and, for existing sandboxes, load the sandbox from upstream (authoritative);
 *   3. decide: ONE permission decision (404 when the caller may not read the sandbox, 403 when it
 *      may not act; a policy that cannot be evaluated denies) — refusals are audited `denied`;
 *   4. checks that need the loaded sandbox (state conflicts: 409, shortening: 400), audited `failed`;
 *   4q. quotas and caps of the team (create, renew, resume; 403, audited `denied`; admins exempt);
 *      a create reserves its place in the team's quota here, released if it fails;
 *   5. audit `initiated` (refused with 503 when it cannot be written);
 *   6. the upstream call (errors mapped by `fromUpstream` in `../errors`);
 *   7. audit outcome: `succeeded`, `failed`, or `unknown` when the mutation may have happened
 *      (timeout, lost connection) — creates are then settled by the reconciliation task;
 *   8. write-through to the inventory, and the answer.
 *
 * Reads (list, get, endpoint) skip the audit steps.
 */
export class SandboxOperationPipeline implements SandboxOperations {
  readonly #o: SandboxOperationPipelineOptions;
  readonly #roleGroups: ReadonlySet<string>;
  readonly #clock: () => number;
  /** First syncs in flight, per server (see `#ensureSynced`). */
  readonly #firstSyncs = new Map<string, Promise<unknown>>();
  /** The detail's audit rows of recently read sandboxes. */
  readonly #activity: RecentDetailActivity;
  /** Servers known to have synced once: lists skip the database check for them. */
  readonly #synced = new Set<string>();

  constructor(options: SandboxOperationPipelineOptions) {
    this.#o = options;
    this.#roleGroups = options.roleGroups ?? new Set();
    this.#clock = options.clock ?? Date.now;
    this.#activity = new RecentDetailActivity(this.#clock);
  }

  settings(): ConsoleSettings {
    return {
      maxTimeoutSeconds: this.#o.maxTimeoutSeconds ?? null,
      minTimeoutSeconds: MIN_TIMEOUT_SECONDS,
      requestBodyLimitBytes: REQUEST_BODY_LIMIT_BYTES,
      servers: this.#o.servers.map(s => s.name),
      presets: this.#o.presets ?? [],
      ...(this.#o.expiringSoonSeconds !== undefined
        ? { expiringSoonSeconds: this.#o.expiringSoonSeconds }
        : {}),
    };
  }

  /** The teams a caller may pick as a sandbox's owner (its groups minus role groups). */
  async teams(ctx: SandboxOperationContext): Promise<string[]> {
    return teamsOf(
      await resolveCaller(ctx.credentials, this.#o.userInfo),
      this.#roleGroups,
    );
  }

  /**
   * One page from the inventory under ONE read decision: ALLOW lists everything, DENY nothing,
   * CONDITIONAL turns the conditions into SQL (the rules' `toQuery`), AND'ed with the console's
   * scope filters. Zero upstream calls; `syncedAt` says how fresh the page is.
   */
  async list(
    query: SandboxListQuery,
    scope: SandboxListScope,
    ctx: SandboxOperationContext,
  ): Promise<ConsoleListSandboxesResponse> {
    const errors: FieldError[] = [];
    if (
      query.page !== undefined &&
      (!Number.isInteger(query.page) || query.page < 1)
    )
      errors.push({ field: 'page', message: 'must be an integer >= 1' });
    if (
      query.pageSize !== undefined &&
      (!Number.isInteger(query.pageSize) ||
        query.pageSize < 1 ||
        query.pageSize > MAX_PAGE_SIZE)
    ) {
      errors.push({
        field: 'pageSize',
        message: `must be an integer from 1 to ${MAX_PAGE_SIZE}`,
      });
    }
    if (
      query.expiringWithinSeconds !== undefined &&
      (!Number.isInteger(query.expiringWithinSeconds) ||
        query.expiringWithinSeconds < 0)
    ) {
      errors.push({
        field: 'expiringWithinSeconds',
        message: 'must be a whole number of seconds >= 0',
      });
    }
    if (errors.length > 0) throw invalidInput(errors);
    const decision = await this.#o.decisions.readDecision(ctx.credentials);
    // DENY: an empty list (no server matches), never an error.
    let servers =
      ctx.server === undefined
        ? this.serverNames()
        : [this.#server(ctx.server).name];
    // The inventory is in the database: without it, a clear 503 instead of the database's error.
    const fromDatabase = (error: unknown) => {
      this.#o.logger.warn(
        'The sandbox list could not be read from the inventory',
        error as Error,
      );
      throw inventoryUnavailable();
    };
    await this.#ensureSynced(servers).catch(fromDatabase);
    if (decision.result === AuthorizeResult.DENY) servers = [];
    const filters: PermissionCriteria<SandboxFilter>[] = [];
    const conditions = this.#o.decisions.filtersOf(decision);
    if (conditions) filters.push(conditions);
    const scopeCriteria = scopeToCriteria(scope);
    if (scopeCriteria) filters.push(scopeCriteria);
    const page = await this.#o.inventory
      .list({
        filter:
          filters.length > 1
            ? {
                allOf: filters as [
                  PermissionCriteria<SandboxFilter>,
                  ...PermissionCriteria<SandboxFilter>[],
                ],
              }
            : filters[0],
        state: query.state,
        metadata: query.metadata,
        search: query.search,
        expiringWithinSeconds: query.expiringWithinSeconds,
        servers,
        sort: query.sort,
        order: query.order,
        page: query.page,
        pageSize: query.pageSize,
      })
      .catch(fromDatabase);
    return {
      items: page.items,
      pagination: page.pagination,
      syncedAt: page.syncedAt,
    };
  }

  /**
   * One full sync of the inventory with one server (pages of 200, newest first): adds sandboxes
   * created outside the console, updates states, removes vanished ones. Run by the scheduler.
   * @throws the sync's error when a page could not be read (nothing is removed then).
   */
  async syncInventory(serverName: string): Promise<SyncServerResult> {
    const server = this.#server(serverName);
    const synced = await syncServer({
      server: server.name,
      store: this.#o.inventory,
      clock: this.#clock,
      fetchPage: async (page, pageSize) => {
        const requestId = randomUUID();
        const result = await this.#upstream(
          'list for the inventory',
          requestId,
          false,
          () => server.client.listSandboxes({ page, pageSize }, { requestId }),
        );
        return {
          items: result.items.map(s => withOwnership(s, server.name)),
          pagination: result.pagination,
        };
      },
    });
    if (synced.changedIds.length > 0)
      this.#changed({
        server: server.name,
        ids: synced.changedIds,
        source: 'sync',
      });
    return synced;
  }

  /**
   * A server whose inventory was never synced is synced now, once (concurrent lists share the
   * run), so the first list after a fresh start is complete instead of empty until the scheduled
   * sync's first run (the scheduler may start global tasks late). A failure is logged, and not
   * retried inline for 30 s; the list then answers what the inventory has.
   */
  async #ensureSynced(servers: string[]): Promise<void> {
    await Promise.all(
      servers.map(async name => {
        if (this.#synced.has(name)) return;
        const last = await this.#o.inventory.lastSync(name);
        if (last?.syncedAt) this.#synced.add(name);
        // Synced once already, or a sync was just attempted and failed (OpenSandbox down or slow:
        // don't make every list wait for it again).
        if (
          last?.syncedAt ||
          (last && this.#clock() - last.attemptedAt < 30_000)
        )
          return;
        let run = this.#firstSyncs.get(name);
        if (!run) {
          run = this.syncInventory(name)
            .catch(error =>
              this.#o.logger.warn(
                `First inventory sync of ${name} failed: ${
                  (error as Error)?.message
                }`,
              ),
            )
            .finally(() => this.#firstSyncs.delete(name));
          this.#firstSyncs.set(name, run);
        }
        await run;
      }),
    );
  }

  /** The configured server names, default first. */
  serverNames(): string[] {
    return this.#o.servers.map(s => s.name);
  }

  async get(
    sandboxId: string,
    ctx: SandboxOperationContext,
  ): Promise<SandboxDetail> {
    const id = checkSandboxId(sandboxId);
    const requestId = ctx.requestId ?? randomUUID();
    const seenAt = this.#clock();
    const server = this.#server(ctx.server);
    // The ONE decision does not depend on the sandbox (conditions are applied locally below), so
    // it is asked while the sandbox loads; its errors count only after the load's.
    const decision = early(this.#o.decisions.decideFor(ctx.credentials));
    // Both audit rows of the detail in one statement, read while the sandbox loads (used only
    // once the decision allows it) unless recent rows are held (`RecentDetailActivity`). A read
    // keeps working without the database: the detail is then answered without lastRenewal and
    // creation.
    const activity = this.#activity.lookup(id, () =>
      this.#o.auditStore.lastSucceededOf(id, [
        'sandbox.renew',
        'sandbox.create',
      ]),
    );
    const sandbox = await this.#load(server, id, requestId);
    this.#o.decisions.check(await decision, sandbox);
    const [, succeeded] = await Promise.all([
      this.#remember(sandbox, seenAt),
      activity.rowsFor(sandbox.expiresAt).catch(error => {
        this.#o.logger.warn(
          `Could not read the last renewal and creation of sandbox ${id}; answering without them`,
          error as Error,
        );
        return new Map<AuditAction, AuditEventRecord>();
      }),
    ]);
    const lastRenewal = this.#lastRenewal(
      sandbox,
      succeeded.get('sandbox.renew'),
    );
    const creation = this.#creation(succeeded.get('sandbox.create'));
    return {
      ...sandbox,
      ...(lastRenewal ? { lastRenewal } : {}),
      ...(creation ? { creation } : {}),
    };
  }

  /**
   * The sandbox as upstream has it now, for a caller that makes its own decision with
   * `SandboxDecisions` (the sandbox history, `../audit/SandboxHistory`): no decision, no audit,
   * no write-through.
   * @returns undefined when upstream says the sandbox does not exist.
   * @throws InputError naming `sandboxId` or `server`; other upstream errors mapped (`../errors`).
   */
  async findSandbox(
    sandboxId: string,
    ctx: Pick<SandboxOperationContext, 'server' | 'requestId'>,
  ): Promise<ConsoleSandbox | undefined> {
    const id = checkSandboxId(sandboxId);
    const server = this.#server(ctx.server);
    try {
      return await this.#load(server, id, ctx.requestId ?? randomUUID());
    } catch (error) {
      if ((error as Error)?.name === 'NotFoundError') return undefined;
      throw error;
    }
  }

  async create(
    body: unknown,
    ctx: SandboxOperationContext & { idempotencyKey?: string },
  ): Promise<CreateSandboxResult> {
    // 1. validate
    const errors = validateCreateSandboxRequest(body, {
      maxTimeoutSeconds: this.#o.maxTimeoutSeconds,
    });
    const keyError = idempotencyKeyError(ctx.idempotencyKey);
    if (keyError) errors.push(keyError);
    const forged = errors.filter(e =>
      RESERVED_OWNERSHIP_KEYS.includes(
        lower(e.field.replace(/^metadata\./, '')),
      ),
    );
    if (errors.length > 0 && forged.length === 0) throw invalidInput(errors);
    const {
      team: requestedTeam,
      entityRef,
      server: requestedServer,
      ...request
    } = body as CreateSandboxRequest & {
      team?: string;
      entityRef?: string;
      server?: string;
    };
    const caller = await resolveCaller(ctx.credentials, this.#o.userInfo);
    const requestId = ctx.requestId ?? randomUUID();
    const team = requestedTeam
      ? lower(requestedTeam)
      : teamsOf(caller, this.#roleGroups)[0];
    const server = this.#serverForCreate(requestedServer ?? ctx.server, team);
    const token = createTokenFor(caller.actor, ctx.idempotencyKey);
    const digest =
      ctx.idempotencyKey !== undefined ? createRequestDigest(body) : undefined;
    const input = this.#auditInput(
      caller,
      ctx,
      requestId,
      'sandbox.create',
      undefined,
      team,
      {
        request: body,
        server: server.name,
        ...(digest !== undefined ? { requestDigest: digest } : {}),
      },
      token,
    );
    if (forged.length > 0) {
      // An attempt to set the console-owned labels: refused as bad input, recorded as a denial.
      const error = invalidInput(errors);
      await this.#o.audit.denied(input, auditErrorOf(error));
      throw error;
    }
    if (caller.type === 'service' && !requestedTeam) {
      throw invalidInput([
        {
          field: 'team',
          message:
            'is required when a service creates a sandbox (services have no groups)',
        },
      ]);
    }
    let labels: Record<string, string>;
    try {
      labels = encodeOwnershipMetadata({
        owner: caller.type === 'user' ? caller.actor : undefined,
        // A service has no user ref: the sandbox names the service as its creator instead.
        service: caller.type === 'service' ? caller.actor : undefined,
        team,
        entity: entityRef ? lower(entityRef) : undefined,
      });
    } catch (error) {
      throw invalidInput([
        {
          field: entityRef ? 'entityRef' : 'team',
          message: (error as Error).message,
        },
      ]);
    }
    const upstreamBody: CreateSandboxRequest = {
      ...request,
      metadata: {
        ...(request.metadata ?? {}),
        ...labels,
        [CREATE_TOKEN_KEY]: token,
      },
    };
    // The sandbox as it will be created, judged as its team's sandbox: the owner labels are left
    // out, since a creator would own any sandbox it creates and owner rules would always match.
    const ownerKeys = Object.keys(
      encodeOwnershipMetadata({ owner: 'user:default/x' }),
    );
    const proposed: ConsoleSandbox = withOwnership(
      {
        id: '',
        status: { state: 'Pending' },
        createdAt: new Date(this.#clock()).toISOString(),
        entrypoint: request.entrypoint ?? [],
        metadata: Object.fromEntries(
          Object.entries(upstreamBody.metadata!).filter(
            ([k]) => !ownerKeys.includes(k),
          ),
        ),
      },
      server.name,
    );

    // 2-3. decide
    const foreignTeam = !!team && !teamsOf(caller, new Set()).includes(team);
    await this.#decided(input, () =>
      this.#o.decisions.authorizeCreate(
        ctx.credentials,
        opensandboxSandboxCreatePermission,
        opensandboxSandboxUpdatePermission,
        proposed,
        foreignTeam,
      ),
    );

    // A create that could not be audited is refused (503) before any upstream call.
    await this.#o.audit.ready?.();

    // An idempotent retry answers the first attempt's sandbox.
    if (digest !== undefined) {
      const replay = await this.#replay(server, token, input, digest);
      if (replay) return { sandbox: replay, replayed: true };
    }

    // 4q. quotas: the team's caps, then a place in its quota (reserved in the database)
    const reservation = await this.#decided(input, async () =>
      this.#o.quotas?.admitCreate(
        {
          team,
          request: upstreamBody,
          createToken: token,
          server: server.name,
          ttlMs: server.createTimeoutMs + QUOTA_RESERVATION_GRACE_MS,
        },
        this.#exemption(ctx),
      ),
    );

    // 5-7. audit initiated, upstream, outcome
    const seenAt = this.#clock();
    const created = await this.#attempt(
      input,
      202,
      'create',
      () => server.client.createSandbox(upstreamBody, { requestId }),
      result => ({ sandboxId: result.id }),
    ).catch(async error => {
      await reservation?.failed(isOutcomeUnknown(error));
      throw error;
    });
    // Upstream's create answer has no image: the requested image (its URI only, never registry
    // credentials) goes in, so the list shows it before the next sync reads the sandbox.
    const uri = request.image?.uri;
    const sandbox = withOwnership(
      uri ? { ...created, image: { uri } } : created,
      server.name,
    );
    await this.#remember(sandbox, seenAt, { changed: true });
    await reservation?.succeeded();
    return { sandbox, replayed: false };
  }

  async renew(
    sandboxId: string,
    body: unknown,
    ctx: SandboxOperationContext,
  ): Promise<RenewSandboxExpirationResponse> {
    const id = checkSandboxId(sandboxId);
    const errors = validateRenewRequest(body, this.#clock(), {
      maxTimeoutSeconds: this.#o.maxTimeoutSeconds,
    });
    if (errors.length > 0) throw invalidInput(errors);
    const { expiresAt, allowShorten } = body as {
      expiresAt: string;
      allowShorten?: boolean;
    };
    const { server, sandbox, input } = await this.#loadAndDecide(
      id,
      'sandbox.renew',
      opensandboxSandboxUpdatePermission,
      { request: body },
      ctx,
    );
    if (!sandbox.expiresAt) {
      await this.#reject(
        input,
        stateConflict(
          `Sandbox ${id} has no expiration (manual cleanup); there is nothing to renew.`,
        ),
      );
    }
    if (
      Date.parse(expiresAt) < Date.parse(sandbox.expiresAt!) &&
      allowShorten !== true
    ) {
      await this.#reject(
        input,
        invalidInput([
          {
            field: 'expiresAt',
            message: `is earlier than the current expiration ${sandbox.expiresAt}; send allowShorten: true to shorten the sandbox's life`,
          },
        ]),
      );
    }
    // 4q. quotas: the renew horizon of the sandbox's team
    await this.#decided(input, async () =>
      this.#o.quotas?.admitRenew(
        {
          team: sandbox.ownership?.team,
          expiresAt,
          currentExpiresAt: sandbox.expiresAt,
          now: this.#clock(),
        },
        this.#exemption(ctx),
      ),
    );
    const seenAt = this.#clock();
    const renewed = await this.#attempt(
      input,
      200,
      'renew',
      () =>
        server.client.renewExpiration(id, expiresAt, {
          requestId: input.requestId,
        }),
      result => ({
        details: {
          before: { expiresAt: sandbox.expiresAt ?? null },
          after: { expiresAt: result.expiresAt },
          shortened:
            Date.parse(result.expiresAt) < Date.parse(sandbox.expiresAt!),
        },
      }),
      result =>
        this.#remember({ ...sandbox, expiresAt: result.expiresAt }, seenAt, {
          changed: result.expiresAt !== sandbox.expiresAt,
        }),
    );
    return renewed;
  }

  async pause(sandboxId: string, ctx: SandboxOperationContext): Promise<void> {
    await this.#transition(
      sandboxId,
      'sandbox.pause',
      ctx,
      (client, id, requestId) => client.pauseSandbox(id, { requestId }),
    );
  }

  async resume(sandboxId: string, ctx: SandboxOperationContext): Promise<void> {
    await this.#transition(
      sandboxId,
      'sandbox.resume',
      ctx,
      (client, id, requestId) => client.resumeSandbox(id, { requestId }),
    );
  }

  async delete(sandboxId: string, ctx: SandboxOperationContext): Promise<void> {
    const id = checkSandboxId(sandboxId);
    const { server, input } = await this.#loadAndDecide(
      id,
      'sandbox.delete',
      opensandboxSandboxDeletePermission,
      {},
      ctx,
    );
    await this.#attempt(
      input,
      204,
      'delete',
      () => server.client.deleteSandbox(id, { requestId: input.requestId }),
      () => ({}),
      () => this.#forget(server.name, id),
    );
  }

  async getEndpoint(
    sandboxId: string,
    port: number,
    query: { useServerProxy?: boolean },
    ctx: SandboxOperationContext,
  ): Promise<Endpoint> {
    const id = checkSandboxId(sandboxId);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw invalidInput([
        { field: 'port', message: 'must be an integer from 1 to 65535' },
      ]);
    }
    const requestId = ctx.requestId ?? randomUUID();
    const server = this.#server(ctx.server);
    const sandbox = await this.#load(server, id, requestId);
    await this.#o.decisions.authorize(
      ctx.credentials,
      sandbox,
      opensandboxSandboxEndpointPermission,
    );
    return this.#upstream('get the endpoint', requestId, false, () =>
      server.client.getEndpoint(id, port, query, { requestId }),
    );
  }

  async patchMetadata(
    sandboxId: string,
    patch: unknown,
    ctx: SandboxOperationContext,
  ): Promise<ConsoleSandbox> {
    const id = checkSandboxId(sandboxId);
    const errors = validateMetadata(patch, 'metadata', true);
    if (errors.length > 0) throw invalidInput(errors);
    const changes = patch as Record<string, string | null>;
    const { server, sandbox, input } = await this.#loadAndDecide(
      id,
      'sandbox.metadata.update',
      opensandboxSandboxUpdatePermission,
      { request: changes, changedKeys: Object.keys(changes).sort() },
      ctx,
    );
    const seenAt = this.#clock();
    const patched = await this.#attempt(
      input,
      200,
      'update the metadata',
      () =>
        server.client.patchMetadata(id, changes, {
          requestId: input.requestId,
        }),
      // What upstream did, not what was asked: its merge may differ from the request.
      result => ({
        details: {
          before: sandbox.metadata ?? {},
          after: result.metadata ?? {},
        },
      }),
      result => this.#remember(withOwnership(result, server.name), seenAt),
    );
    return withOwnership(patched, server.name);
  }

  /**
   * What `action` would do to one sandbox, without side effects (bulk dry runs): loads it from
   * OpenSandbox, takes the same ONE permission decision as the action (no audit row), and checks
   * its state the way the action would. `body` is the renew body for `renew` (validated).
   * @throws InputError for an invalid id or renew body; upstream failures other than 404.
   */
  async check(
    action: SandboxCheckAction,
    sandboxId: string,
    ctx: SandboxOperationContext,
    body?: unknown,
  ): Promise<SandboxCheckResult> {
    const id = checkSandboxId(sandboxId);
    if (action === 'renew') {
      const errors = validateRenewRequest(body, this.#clock(), {
        maxTimeoutSeconds: this.#o.maxTimeoutSeconds,
      });
      if (errors.length > 0) throw invalidInput(errors);
    }
    const server = this.#server(ctx.server);
    const requestId = ctx.requestId ?? randomUUID();
    let sandbox: ConsoleSandbox;
    try {
      sandbox = await this.#load(server, id, requestId);
    } catch (error) {
      if ((error as Error)?.name === 'NotFoundError')
        return {
          sandboxId: id,
          server: server.name,
          outcome: 'not-found',
          reason: `Sandbox ${id} not found.`,
        };
      throw error;
    }
    const permission =
      action === 'delete'
        ? opensandboxSandboxDeletePermission
        : opensandboxSandboxUpdatePermission;
    try {
      await this.#o.decisions.authorize(ctx.credentials, sandbox, permission);
    } catch (error) {
      if (!isDenial(error)) throw error;
      if ((error as Error).name === 'NotFoundError')
        return {
          sandboxId: id,
          server: server.name,
          outcome: 'not-found',
          reason: `Sandbox ${id} not found.`,
        };
      return {
        sandboxId: id,
        server: server.name,
        outcome: 'denied',
        reason: (error as Error).message,
        sandbox,
      };
    }
    const problem = this.#inapplicable(action, sandbox, body);
    if (problem)
      return {
        sandboxId: id,
        server: server.name,
        outcome: 'not-applicable',
        reason: problem,
        sandbox,
      };
    // 4q. the quotas the action would meet (no reservation: a dry run changes nothing)
    try {
      const team = sandbox.ownership?.team;
      if (action === 'renew') {
        const { expiresAt } = body as { expiresAt: string };
        await this.#o.quotas?.admitRenew(
          {
            team,
            expiresAt,
            currentExpiresAt: sandbox.expiresAt,
            now: this.#clock(),
          },
          this.#exemption(ctx),
        );
      }
      if (action === 'resume')
        await this.#o.quotas?.admitResume(
          { team, imageUri: sandbox.image?.uri },
          this.#exemption(ctx),
        );
    } catch (error) {
      if (!isDenial(error)) throw error;
      return {
        sandboxId: id,
        server: server.name,
        outcome: 'denied',
        reason: (error as Error).message,
        sandbox,
      };
    }
    return {
      sandboxId: id,
      server: server.name,
      outcome: 'would-succeed',
      sandbox,
    };
  }

  /**
   * Plain-text diagnostics for callers allowed to read the sandbox. A server without them (404 not
   * in OpenSandbox's sandbox-not-found sense, 501) gives `available: false` with a reason.
   */
  async diagnostics(
    sandboxId: string,
    kind: SandboxDiagnosticsKind,
    ctx: SandboxOperationContext,
  ): Promise<SandboxDiagnostics> {
    const id = checkSandboxId(sandboxId);
    if (!['logs', 'events', 'inspect', 'summary'].includes(kind)) {
      throw invalidInput([
        { field: 'kind', message: 'must be logs, events, inspect or summary' },
      ]);
    }
    const server = this.#server(ctx.server);
    const requestId = ctx.requestId ?? randomUUID();
    const sandbox = await this.#load(server, id, requestId);
    await this.#o.decisions.authorize(ctx.credentials, sandbox);
    try {
      const query = kind === 'logs' || kind === 'summary' ? { tail: 200 } : {};
      const text = await server.client.getDiagnostics(id, kind, query, {
        requestId,
      });
      return { kind, available: true, text };
    } catch (raw) {
      const e = raw as { status?: number; name?: string };
      if (
        e?.name === 'OpenSandboxApiError' &&
        (e.status === 404 || e.status === 501 || e.status === 405)
      ) {
        return {
          kind,
          available: false,
          text: '',
          reason: `This OpenSandbox server does not offer ${kind} diagnostics.`,
        };
      }
      throw fromUpstream(raw, {
        mutation: false,
        requestId,
        verb: `read the ${kind} diagnostics`,
      });
    }
  }

  /** Why `action` cannot apply to `sandbox` in its current state, or undefined. */
  #inapplicable(
    action: SandboxCheckAction,
    sandbox: ConsoleSandbox,
    body?: unknown,
  ): string | undefined {
    const state = sandbox.status.state;
    if (action === 'pause' && state !== 'Running')
      return `Sandbox ${sandbox.id} is ${state}; pause needs a Running sandbox.`;
    if (action === 'resume' && state !== 'Paused')
      return `Sandbox ${sandbox.id} is ${state}; resume needs a Paused sandbox.`;
    if (action === 'renew') {
      if (!sandbox.expiresAt)
        return `Sandbox ${sandbox.id} has no expiration (manual cleanup); there is nothing to renew.`;
      const { expiresAt, allowShorten } = body as {
        expiresAt: string;
        allowShorten?: boolean;
      };
      if (
        Date.parse(expiresAt) < Date.parse(sandbox.expiresAt) &&
        allowShorten !== true
      ) {
        return `The new expiration is earlier than the current one (${sandbox.expiresAt}); allowShorten is needed.`;
      }
    }
    return undefined;
  }

  /**
   * Loads a sandbox for the permission framework's `getResources` (conditional decisions on
   * `authorize` calls with a resourceRef, e.g. from the frontend). `resourceRef` is the sandbox id
   * on the default server, or `<server>/<id>`. Missing sandboxes, unknown servers and upstream
   * failures give `undefined` (the decision is then DENY).
   */
  async loadForPermissionCheck(
    resourceRef: string,
  ): Promise<ConsoleSandbox | undefined> {
    const slash = resourceRef.indexOf('/');
    const name = slash >= 0 ? resourceRef.slice(0, slash) : undefined;
    const id = slash >= 0 ? resourceRef.slice(slash + 1) : resourceRef;
    const server =
      name === undefined
        ? this.#o.servers[0]
        : this.#o.servers.find(s => s.name === name);
    if (!server) return undefined;
    try {
      return withOwnership(await server.client.getSandbox(id), server.name);
    } catch {
      return undefined;
    }
  }

  /**
   * Settles creates whose outcome is `unknown` (or left `initiated` longer than the create
   * timeout): a sandbox upstream carrying the attempt's create token makes the row `succeeded`
   * with its id; none, once twice the create timeout has passed (upstream can no longer finish),
   * makes it `failed`. Run by the scheduler (one replica at a time).
   * @returns how many rows were settled each way.
   */
  async reconcileUnknownCreates(): Promise<{
    succeeded: number;
    failed: number;
    pending: number;
  }> {
    const createTimeoutMs = Math.max(
      ...this.#o.servers.map(s => s.createTimeoutMs),
    );
    // A create still `initiated` after its timeout plus a grace (clock skew between replicas, the
    // outcome write) was cut short (the backend died): it is settled like an `unknown` one.
    const rows = await this.#o.auditStore.findUnsettledCreates(
      createTimeoutMs + INITIATED_CREATE_GRACE_MS,
    );
    const counts = { succeeded: 0, failed: 0, pending: 0 };
    for (const row of rows) {
      const requestId = randomUUID();
      let found: ConsoleSandbox | undefined;
      const seenAt = this.#clock();
      for (const server of this.#o.servers) {
        const page = await this.#upstream(
          'find an unknown create',
          requestId,
          false,
          () =>
            server.client.listSandboxes(
              {
                metadata: { [CREATE_TOKEN_KEY]: row.createToken },
                pageSize: 1,
              },
              { requestId },
            ),
        );
        if (page.items[0]) {
          found = withOwnership(page.items[0], server.name);
          break;
        }
      }
      const at = new Date(this.#clock()).toISOString();
      if (found) {
        if (
          await this.#o.auditStore.settleUnknown(row.id, 'succeeded', {
            sandboxId: found.id,
            details: { reconciled: { at, by: 'reconciliation', found: true } },
          })
        ) {
          counts.succeeded += 1;
          await this.#remember(found, seenAt);
        }
      } else if (
        this.#clock() - row.occurredAt >
        2 * createTimeoutMs + 60_000
      ) {
        if (
          await this.#o.auditStore.settleUnknown(row.id, 'failed', {
            details: { reconciled: { at, by: 'reconciliation', found: false } },
          })
        ) {
          counts.failed += 1;
        }
      } else {
        counts.pending += 1;
      }
    }
    if (counts.succeeded + counts.failed > 0) {
      this.#o.logger.info(
        `Reconciled creates with unknown outcome: ${counts.succeeded} succeeded, ${counts.failed} failed, ${counts.pending} pending`,
      );
    }
    return counts;
  }

  // ---- steps -------------------------------------------------------------------------------

  /**
   * Write-through to the inventory; a failure is logged (the next sync repairs it), never thrown.
   * @param seenAt - when the upstream call that answered `sandbox` started (epoch ms): an older
   *   answer never overwrites a newer stored state.
   */
  async #remember(
    sandbox: ConsoleSandbox,
    seenAt: number,
    /** `changed: true` when the caller knows the sandbox differs from the stored one. */
    hint?: { changed?: boolean },
  ): Promise<void> {
    try {
      const server = sandbox.server ?? this.#o.servers[0].name;
      const { changed } = await this.#o.inventory.upsert(
        server,
        sandbox,
        seenAt,
        hint,
      );
      if (changed)
        this.#changed({ server, ids: [sandbox.id], source: 'console' });
    } catch (error) {
      this.#o.logger.warn(
        `Could not write sandbox ${sandbox.id} to the inventory; the next sync repairs it`,
        error as Error,
      );
    }
  }

  /** Tells the live status listener about an inventory change; its failures never fail an operation. */
  #changed(change: InventoryChange): void {
    try {
      this.#o.onInventoryChange?.(change);
    } catch (error) {
      this.#o.logger.warn(
        `Could not publish the inventory change of ${change.server}`,
        error as Error,
      );
    }
  }

  async #forget(server: string, sandboxId: string): Promise<void> {
    try {
      if (await this.#o.inventory.remove(server, sandboxId))
        this.#changed({ server, ids: [sandboxId], source: 'console' });
    } catch (error) {
      this.#o.logger.warn(
        `Could not remove sandbox ${sandboxId} from the inventory; the next sync repairs it`,
        error as Error,
      );
    }
  }

  /** Pause/resume: load, decide, require the state, call. */
  async #transition(
    sandboxId: string,
    action: 'sandbox.pause' | 'sandbox.resume',
    ctx: SandboxOperationContext,
    call: (
      client: OpenSandboxServer['client'],
      id: string,
      requestId: string,
    ) => Promise<void>,
  ): Promise<void> {
    const id = checkSandboxId(sandboxId);
    const requestId = ctx.requestId ?? randomUUID();
    const { server, sandbox, input } = await this.#loadAndDecide(
      id,
      action,
      opensandboxSandboxUpdatePermission,
      {},
      { ...ctx, requestId },
    );
    const verb = action === 'sandbox.pause' ? 'pause' : 'resume';
    const wrongState = this.#inapplicable(verb, sandbox);
    if (wrongState) await this.#reject(input, stateConflict(wrongState));
    if (action === 'sandbox.resume') {
      // 4q. quotas: the team within its quota, the image still allowed
      await this.#decided(input, async () =>
        this.#o.quotas?.admitResume(
          { team: sandbox.ownership?.team, imageUri: sandbox.image?.uri },
          this.#exemption(ctx),
        ),
      );
    }
    await this.#attempt(
      input,
      202,
      verb,
      () => call(server.client, id, requestId),
      () => ({ details: { before: { state: sandbox.status.state } } }),
    );
    const seenAt = this.#clock();
    const after = await this.loadForPermissionCheck(`${server.name}/${id}`);
    if (after) await this.#remember(after, seenAt);
  }

  /** Resolves the caller, loads the sandbox and decides; failures and refusals are audited. */
  async #loadAndDecide(
    sandboxId: string,
    action: AuditAction,
    permission: ResourcePermission,
    details: Record<string, unknown>,
    ctx: SandboxOperationContext,
  ): Promise<{
    caller: Caller;
    server: OpenSandboxServer;
    sandbox: ConsoleSandbox;
    input: AuditAttemptInput;
  }> {
    const server = this.#server(ctx.server);
    const requestId = ctx.requestId ?? randomUUID();
    // Side by side, none of them upstream: the caller, the audit log's readiness and the ONE
    // permission decision (it does not depend on the sandbox; applied once it is loaded).
    const decision = early(
      this.#o.decisions.decideFor(ctx.credentials, permission),
    );
    const [caller] = await Promise.all([
      resolveCaller(ctx.credentials, this.#o.userInfo),
      // A mutation that could not be audited is refused (503) before any upstream call.
      this.#o.audit.ready?.(),
    ]);
    let sandbox: ConsoleSandbox;
    try {
      sandbox = await this.#load(server, sandboxId, requestId);
    } catch (error) {
      await this.#o.audit.rejected(
        this.#auditInput(
          caller,
          ctx,
          requestId,
          action,
          sandboxId,
          undefined,
          details,
        ),
        auditErrorOf(error),
      );
      throw error;
    }
    const input = this.#auditInput(
      caller,
      ctx,
      requestId,
      action,
      sandboxId,
      sandbox.ownership?.team,
      details,
    );
    await this.#decided(input, async () =>
      this.#o.decisions.check(await decision, sandbox, permission),
    );
    return { caller, server, sandbox, input };
  }

  /** Runs a decision (or a quota check); a refusal is audited `denied` and rethrown. */
  async #decided<T>(
    input: AuditAttemptInput,
    decide: () => Promise<T>,
  ): Promise<T> {
    try {
      return await decide();
    } catch (error) {
      if (isDenial(error))
        await this.#o.audit.denied(input, auditErrorOf(error));
      throw error;
    }
  }

  /**
   * The caller's quota exemption (`quotaExemption`; default: its decision for
   * `opensandbox.admin.manage` is ALLOW). Asked at most once per operation, and only when a quota
   * would refuse.
   */
  #exemption(ctx: SandboxOperationContext): Exemption {
    let asked: Promise<boolean> | undefined;
    const exempt =
      this.#o.quotaExemption ??
      (credentials =>
        this.#o.decisions.allowsBasic(
          credentials,
          opensandboxAdminManagePermission,
        ));
    return () => (asked ??= exempt(ctx.credentials));
  }

  /** Records a refusal by the console itself (`failed`, no upstream call) and throws it. */
  async #reject(input: AuditAttemptInput, error: Error): Promise<never> {
    await this.#o.audit.rejected(input, auditErrorOf(error));
    throw error;
  }

  /** One audited upstream mutation: initiated → call → succeeded / failed / unknown. */
  async #attempt<T>(
    input: AuditAttemptInput,
    successStatus: number,
    verb: string,
    call: () => Promise<T>,
    describe: (result: T) => Pick<AuditAttemptResult, 'sandboxId' | 'details'>,
    /** Runs beside the outcome write once the call succeeded (e.g. the inventory write-through). */
    andThen?: (result: T) => Promise<unknown>,
  ): Promise<T> {
    const attempt = await this.#o.audit.begin(input);
    let result: T;
    try {
      result = await call();
    } catch (raw) {
      const error = fromUpstream(raw, {
        mutation: true,
        requestId: input.requestId,
        verb,
      });
      this.#o.logger.warn(
        `OpenSandbox ${verb} failed (request ${input.requestId}): ${
          auditErrorOf(error).errorMessage
        }`,
      );
      if (isOutcomeUnknown(error)) await attempt.unknown(auditErrorOf(error));
      else await attempt.fail(auditErrorOf(error));
      throw error;
    }
    const described = describe(result);
    await Promise.all([
      attempt.succeed({ httpStatus: successStatus, ...described }),
      andThen?.(result),
    ]);
    // The sandbox's history changed: its next detail reads the audit log again.
    for (const id of [input.sandboxId, described.sandboxId])
      if (id) this.#activity.forget(id);
    return result;
  }

  /** A read upstream call with its errors mapped. */
  async #upstream<T>(
    verb: string,
    requestId: string,
    mutation: boolean,
    call: () => Promise<T>,
  ): Promise<T> {
    try {
      return await call();
    } catch (raw) {
      const error = fromUpstream(raw, { mutation, requestId, verb });
      if (auditErrorOf(error).httpStatus >= 500) {
        this.#o.logger.warn(
          `OpenSandbox ${verb} failed (request ${requestId}): ${
            auditErrorOf(error).errorMessage
          }`,
        );
      }
      throw error;
    }
  }

  /**
   * Loads one sandbox from upstream. A missing one is the same 404 as one the caller may not read
   * (`Sandbox <id> not found.`), so a 404 never tells them apart.
   */
  async #load(
    server: OpenSandboxServer,
    sandboxId: string,
    requestId: string,
  ): Promise<ConsoleSandbox> {
    const sandbox = await this.#upstream(
      'read the sandbox',
      requestId,
      false,
      () => server.client.getSandbox(sandboxId, { requestId }),
    ).catch(error => {
      if (error?.name === 'NotFoundError') throw sandboxNotFound(sandboxId);
      throw error;
    });
    return withOwnership(sandbox, server.name);
  }

  /**
   * The server a request names (default: the first configured).
   * @throws InputError naming `server` when no server has that name.
   */
  #server(name: string | undefined): OpenSandboxServer {
    if (name === undefined) return this.#o.servers[0];
    const server = this.#o.servers.find(s => s.name === name);
    if (!server)
      throw invalidInput([
        {
          field: 'server',
          message: `is not an OpenSandbox server of the console (${this.#o.servers
            .map(s => s.name)
            .join(', ')})`,
        },
      ]);
    return server;
  }

  /**
   * The server a create goes to: the one named, else the first whose `teams` include the owning
   * team, else the first server open to every team.
   * @throws InputError naming `server` when the named server does not serve the team, or none does.
   */
  #serverForCreate(
    name: string | undefined,
    team: string | undefined,
  ): OpenSandboxServer {
    const serves = (s: OpenSandboxServer) =>
      !s.teams || (!!team && s.teams.includes(team));
    if (name !== undefined) {
      const server = this.#server(name);
      if (!serves(server))
        throw invalidInput([
          {
            field: 'server',
            message: `${name} does not serve team ${team ?? '(none)'}`,
          },
        ]);
      return server;
    }
    const server =
      this.#o.servers.find(s => !!team && s.teams?.includes(team)) ??
      this.#o.servers.find(s => !s.teams);
    if (!server)
      throw invalidInput([
        {
          field: 'server',
          message: `no OpenSandbox server serves team ${team ?? '(none)'}`,
        },
      ]);
    return server;
  }

  /**
   * The sandbox an earlier create with this token made, when there is one: found through the
   * audit row and upstream's `backstage.io/create-token` label.
   * @throws ConflictError while the first attempt is still running or its outcome is unknown and
   *   no sandbox carries the token yet; also when its sandbox was deleted since.
   */
  async #replay(
    server: OpenSandboxServer,
    token: string,
    input: AuditAttemptInput,
    /** {@link createRequestDigest} of this attempt's body. */
    digest: string,
  ): Promise<ConsoleSandbox | undefined> {
    const requestId = input.requestId;
    const first = await this.#o.auditStore.findCreateByToken(token);
    if (!first || first.outcome === 'failed' || first.outcome === 'denied')
      return undefined;
    // The same key with another body is a client mistake, not a retry (rows written before the
    // digest was recorded have none and replay as before); refused and recorded like any other.
    const recorded = (first.details as { requestDigest?: unknown } | undefined)
      ?.requestDigest;
    if (typeof recorded === 'string' && recorded !== digest)
      await this.#reject(input, idempotencyKeyReused(requestId));
    const page = await this.#upstream(
      'find the earlier create',
      requestId,
      false,
      () =>
        server.client.listSandboxes(
          { metadata: { [CREATE_TOKEN_KEY]: token }, pageSize: 1 },
          { requestId },
        ),
    );
    const found = page.items[0];
    if (found) {
      if (first.outcome !== 'succeeded') {
        await this.#o.auditStore.settleUnknown(first.id, 'succeeded', {
          sandboxId: found.id,
          details: {
            reconciled: {
              at: new Date(this.#clock()).toISOString(),
              by: 'idempotent retry',
              requestId,
            },
          },
        });
      }
      return withOwnership(found, server.name);
    }
    if (first.outcome === 'succeeded') {
      throw idempotencyKeyConsumed(first.sandboxId, requestId);
    }
    throw createInProgress(requestId);
  }

  /**
   * How the sandbox was created, from its succeeded create audit event: the actor, the requested
   * resource limits and platform, and the NAMES of its environment variables (the audit row holds
   * redacted values, and none is ever returned). Undefined for sandboxes created elsewhere.
   */
  #creation(row: AuditEventRecord | undefined): SandboxCreation | undefined {
    if (!row) return undefined;
    const request = (row.details?.request ?? {}) as Record<string, unknown>;
    const creation: SandboxCreation = {
      actor: row.actor,
      actorType: row.actorType,
    };
    const limits = request.resourceLimits;
    if (limits && typeof limits === 'object' && !Array.isArray(limits)) {
      creation.resourceLimits = Object.fromEntries(
        Object.entries(limits as Record<string, unknown>).filter(
          (e): e is [string, string] => typeof e[1] === 'string',
        ),
      );
    }
    const env = request.env;
    if (env && typeof env === 'object' && !Array.isArray(env))
      creation.envNames = Object.keys(env).sort();
    const platform = request.platform as
      | { os?: unknown; arch?: unknown }
      | undefined;
    if (
      platform &&
      typeof platform.os === 'string' &&
      typeof platform.arch === 'string'
    ) {
      creation.platform = { os: platform.os, arch: platform.arch };
    }
    return creation;
  }

  /** The last renewal of a detail, from the sandbox's latest succeeded renew audit row. */
  #lastRenewal(
    sandbox: ConsoleSandbox,
    row: AuditEventRecord | undefined,
  ): SandboxDetail['lastRenewal'] {
    const after = (row?.details?.after as { expiresAt?: string } | undefined)
      ?.expiresAt;
    if (!row || !after) return undefined;
    const current = sandbox.expiresAt ? Date.parse(sandbox.expiresAt) : NaN;
    return {
      expiresAt: after,
      renewedAt: new Date(row.occurredAt).toISOString(),
      actor: row.actor,
      drift: current !== Date.parse(after),
    };
  }

  #auditInput(
    caller: Caller,
    ctx: SandboxOperationContext,
    requestId: string,
    action: AuditAction,
    sandboxId: string | undefined,
    team: string | undefined,
    details: Record<string, unknown>,
    createToken?: string,
  ): AuditAttemptInput {
    return {
      actor: caller.actor,
      actorType: caller.type,
      action,
      sandboxId,
      team,
      requestId,
      clientIp: ctx.clientIp,
      userAgent: ctx.userAgent,
      batchId: ctx.batchId,
      channel: ctx.channel ?? 'http',
      createToken,
      details,
    };
  }
}

/**
 * A promise started now and awaited later: its rejection is handled where it is awaited (and
 * ignored if it never is, e.g. when an earlier step failed).
 */
function early<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** Checks a sandbox id (upstream ids are opaque: UUIDs, `fsb-` template ids; any label-like id). */
function checkSandboxId(value: string): string {
  if (typeof value !== 'string' || !SANDBOX_ID.test(value)) {
    throw invalidInput([
      {
        field: 'sandboxId',
        message: 'must be 1-128 letters, digits, "-", "_" or "."',
      },
    ]);
  }
  return value;
}
