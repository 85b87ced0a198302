import { randomUUID } from 'node:crypto';
import type {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  ConfigRoleBinding,
  NormalizedRoleBinding,
  RoleBinding,
  RoleBindingExplanation,
  RoleBindingImportResult,
  RoleBindingList,
} from '@opensandbox-console/plugin-opensandbox-common';
import {
  configRoleBindings,
  explainRoleBindings,
  isExemptByGrants,
  matchRoleBindings,
  OpensandboxRoleBinding,
  OpensandboxRoleBindingsSettings,
  OpensandboxRoleBindingsSignal,
  OpensandboxRoleCaller,
  OpensandboxRoleConfig,
  RoleBindingsCache,
} from '@opensandbox-console/plugin-opensandbox-node';
import { auditErrorOf } from '../../errors';
import type { AuditAttempt, AuditRecorder } from '../../audit/types';
import { lookupCatalogOwnership, OwnershipLookup } from './catalogOwnership';
import type { RoleBindingStore } from './RoleBindingStore';
import { planRoleBindingsImport } from './roleBindingsYaml';

/** Who changes bindings, for the audit rows. */
export interface RoleBindingsCaller {
  actor: string;
  actorType: 'user' | 'service';
  requestId: string;
  clientIp?: string;
  userAgent?: string;
}

/** Options of {@link RoleBindings}. */
export interface RoleBindingsOptions {
  store: RoleBindingStore;
  /** `opensandbox.permissionPolicy` (undefined when absent). */
  roles: OpensandboxRoleConfig | undefined;
  settings: OpensandboxRoleBindingsSettings;
  audit: AuditRecorder;
  /** Told after every committed change (drops the caches of this process at once). */
  signal: OpensandboxRoleBindingsSignal;
  logger: LoggerService;
  /** The user's groups for "explain"; default: the catalog through discovery + auth. */
  lookupOwnership?: (userEntityRef: string) => Promise<OwnershipLookup>;
  discovery?: DiscoveryService;
  auth?: AuthService;
  /** Epoch ms; default `Date.now` (the cache's clock). */
  clock?: () => number;
}

function toModel(binding: RoleBinding): OpensandboxRoleBinding {
  return {
    id: binding.id,
    source: 'database',
    subject: binding.subject,
    subjectKind: binding.subjectKind,
    role: binding.role,
    teams: binding.teams,
    exempt: binding.exempt,
  };
}

/**
 * The console's role bindings: the stored ones (with audit on every change) beside the
 * app-config's entries, a cached view of them for the decisions this plugin makes itself
 * (service principals, quota exemptions), and "explain".
 *
 * The cache holds the stored bindings for `settings.cacheSeconds` (the documented staleness
 * bound, the same as the role policy's); a change made through this process drops it at once and
 * tells the role policy of the same process through the signal.
 */
export class RoleBindings {
  readonly #o: RoleBindingsOptions;
  readonly #cache: RoleBindingsCache<OpensandboxRoleBinding[]>;
  readonly #config: OpensandboxRoleBinding[];

  constructor(options: RoleBindingsOptions) {
    this.#o = options;
    this.#config = configRoleBindings(options.roles);
    this.#cache = new RoleBindingsCache({
      load: async () =>
        options.settings.enabled
          ? (await options.store.list()).map(toModel)
          : [],
      ttlMs: options.settings.cacheSeconds * 1000,
      staleIfErrorMs: options.settings.staleIfErrorSeconds * 1000,
      fallback: [],
      clock: options.clock,
      onError: error =>
        options.logger.warn(
          `Could not read the role bindings; app-config alone decides until they load: ${error.message}`,
        ),
    });
    options.signal.subscribe(() => this.#cache.invalidate());
  }

  /** The database bindings as the role model uses them (cached: at most `cacheSeconds` old). */
  async cached(): Promise<OpensandboxRoleBinding[]> {
    return this.#cache.get();
  }

  /** The config entries and cached database bindings that apply to `caller`, with the default role. */
  async grantsOf(caller: OpensandboxRoleCaller) {
    return matchRoleBindings(
      [...this.#config, ...(await this.cached())],
      caller,
      caller.type === 'user' ? this.#o.roles?.defaultRole : undefined,
    );
  }

  /** True when a database binding naming the caller (or one of its groups) is marked `exempt`. */
  async isQuotaExempt(caller: OpensandboxRoleCaller): Promise<boolean> {
    return isExemptByGrants(await this.grantsOf(caller));
  }

  /** The stored bindings, read now (for the role policy's `GET /internal/role-bindings`). */
  async storedForPolicy(): Promise<OpensandboxRoleBinding[]> {
    if (!this.#o.settings.enabled) return [];
    return (await this.#o.store.list()).map(toModel);
  }

  /** Stored bindings and the config's entries. */
  async list(): Promise<RoleBindingList> {
    const config: ConfigRoleBinding[] = this.#config.map(b => ({
      source: 'config',
      subject: b.subject,
      subjectKind: b.subjectKind,
      role: b.role,
      teams: b.teams,
    }));
    return {
      items: await this.#o.store.list(),
      config,
      defaultRole: this.#o.roles?.defaultRole ?? null,
      cacheSeconds: this.#o.settings.cacheSeconds,
    };
  }

  /**
   * Adds a binding, audited `binding.create` (`before: null`, `after`).
   * @throws ServiceUnavailableError (503) when the audit log cannot be written (nothing stored).
   * @throws ConflictError when the binding exists.
   */
  async add(
    binding: NormalizedRoleBinding,
    caller: RoleBindingsCaller,
  ): Promise<RoleBinding> {
    const attempt = await this.#begin(caller, 'binding.create', {
      before: null,
      after: binding,
    });
    let created: RoleBinding;
    try {
      created = await this.#o.store.add(binding, caller.actor);
    } catch (error) {
      await attempt.fail(auditErrorOf(error));
      throw error;
    }
    await attempt.succeed({ httpStatus: 201, details: { after: created } });
    this.#changed();
    return created;
  }

  /**
   * Removes a binding, audited `binding.delete` (`before`, `after: null`).
   * @returns the removed binding; undefined when there is none (nothing audited).
   */
  async remove(
    id: string,
    caller: RoleBindingsCaller,
  ): Promise<RoleBinding | undefined> {
    const before = await this.#o.store.get(id);
    if (!before) return undefined;
    const attempt = await this.#begin(caller, 'binding.delete', {
      before,
      after: null,
    });
    let removed: RoleBinding | undefined;
    try {
      removed = await this.#o.store.remove(id);
    } catch (error) {
      await attempt.fail(auditErrorOf(error));
      throw error;
    }
    if (!removed) {
      await attempt.fail({
        httpStatus: 404,
        errorCode: 'NotFoundError',
        errorMessage: 'removed meanwhile',
      });
      return undefined;
    }
    await attempt.succeed({ httpStatus: 204 });
    this.#changed();
    return removed;
  }

  /**
   * Imports a document: the plan against the stored bindings (`merge` adds, `replace` also
   * removes what the document lacks), applied in one transaction unless `dryRun`. Each change is
   * one audit event; the events of one import share a `batchId`.
   */
  async import(
    wanted: NormalizedRoleBinding[],
    options: { mode: 'merge' | 'replace'; dryRun: boolean },
    caller: RoleBindingsCaller,
  ): Promise<RoleBindingImportResult> {
    const plan = planRoleBindingsImport(
      await this.#o.store.list(),
      wanted,
      options.mode,
    );
    const result = (
      created: NormalizedRoleBinding[],
      deleted: RoleBinding[],
    ): RoleBindingImportResult => ({
      dryRun: options.dryRun,
      mode: options.mode,
      created,
      deleted,
      unchanged: plan.unchanged,
    });
    if (
      options.dryRun ||
      (plan.create.length === 0 && plan.delete.length === 0)
    ) {
      return result(plan.create, plan.delete);
    }
    const batchId = randomUUID();
    const attempts: AuditAttempt[] = [];
    try {
      for (const before of plan.delete) {
        attempts.push(
          await this.#begin(
            caller,
            'binding.delete',
            { before, after: null, import: options.mode },
            batchId,
          ),
        );
      }
      for (const after of plan.create) {
        attempts.push(
          await this.#begin(
            caller,
            'binding.create',
            { before: null, after, import: options.mode },
            batchId,
          ),
        );
      }
    } catch (error) {
      // The audit log failed part-way: nothing is changed; close the rows already written.
      await Promise.all(
        attempts.map(a =>
          a.fail({
            httpStatus: 503,
            errorCode: 'ServiceUnavailableError',
            errorMessage: 'audit log unavailable',
          }),
        ),
      );
      throw error;
    }
    let applied: { created: RoleBinding[]; deleted: RoleBinding[] };
    try {
      applied = await this.#o.store.apply(
        { create: plan.create, delete: plan.delete.map(b => b.id) },
        caller.actor,
      );
    } catch (error) {
      await Promise.all(attempts.map(a => a.fail(auditErrorOf(error))));
      throw error;
    }
    const deletes = attempts.slice(0, plan.delete.length);
    const creates = attempts.slice(plan.delete.length);
    await Promise.all([
      ...deletes.map(a => a.succeed({ httpStatus: 200 })),
      ...creates.map((a, i) =>
        a.succeed({ httpStatus: 200, details: { after: applied.created[i] } }),
      ),
    ]);
    this.#changed();
    return result(applied.created, applied.deleted);
  }

  /** What the role model lets `userEntityRef` do now, with the bindings that give it. */
  async explain(userEntityRef: string): Promise<RoleBindingExplanation> {
    const lookup =
      this.#o.lookupOwnership ??
      ((ref: string) =>
        lookupCatalogOwnership({
          discovery: this.#o.discovery!,
          auth: this.#o.auth!,
          userEntityRef: ref,
        }));
    const [ownership, stored] = await Promise.all([
      lookup(userEntityRef),
      this.storedForPolicy(),
    ]);
    return explainRoleBindings({
      bindings: [...this.#config, ...stored],
      defaultRole: this.#o.roles?.defaultRole,
      userEntityRef,
      ownershipEntityRefs: ownership.ownershipEntityRefs,
      groupsSource: ownership.groupsSource,
    });
  }

  /** Records a refused change (403) as a `denied` audit row. Never throws. */
  async recordDenied(
    caller: RoleBindingsCaller,
    action: 'binding.create' | 'binding.delete',
    details: Record<string, unknown>,
    error: Error,
  ): Promise<void> {
    await this.#o.audit.denied(
      { ...caller, action, channel: 'http', details },
      { httpStatus: 403, errorCode: error.name, errorMessage: error.message },
    );
  }

  #begin(
    caller: RoleBindingsCaller,
    action: 'binding.create' | 'binding.delete',
    details: Record<string, unknown>,
    batchId?: string,
  ): Promise<AuditAttempt> {
    return this.#o.audit.begin({
      actor: caller.actor,
      actorType: caller.actorType,
      action,
      requestId: caller.requestId,
      clientIp: caller.clientIp,
      userAgent: caller.userAgent,
      channel: 'http',
      ...(batchId ? { batchId } : {}),
      details,
    });
  }

  #changed(): void {
    this.#o.signal.notify();
  }
}
