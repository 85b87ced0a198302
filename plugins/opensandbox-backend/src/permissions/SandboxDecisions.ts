import type {
  BackstageCredentials,
  LoggerService,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  BasicPermission,
  PermissionCondition,
  PermissionCriteria,
  PolicyDecision,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  createConditionTransformer,
  isAndCriteria,
  isNotCriteria,
  isOrCriteria,
} from '@backstage/plugin-permission-node';
import {
  ConsoleSandbox,
  OPENSANDBOX_SANDBOX_RESOURCE_TYPE,
  opensandboxSandboxReadPermission,
} from '@opensandbox-console/plugin-opensandbox-common';
import {
  opensandboxSandboxPermissionResourceRef,
  SandboxFilter,
} from '@opensandbox-console/plugin-opensandbox-node';
import {
  notAllowed,
  permissionServiceUnavailable,
  policyNotEvaluable,
  sandboxNotReadable,
} from '../errors';

/**
 * Whether an error of the permission client means the permission service is unavailable: a
 * transport failure (no HTTP status) or a 5xx `ResponseError`.
 */
function isUnavailable(error: unknown): boolean {
  const status =
    (error as { statusCode?: unknown; response?: { status?: unknown } })
      ?.statusCode ??
    (error as { response?: { status?: unknown } })?.response?.status;
  return typeof status !== 'number' || status >= 500;
}

type Ruleset = ReturnType<PermissionsRegistryService['getPermissionRuleset']>;

/**
 * The permission decisions of the sandbox operations: one batched call to the permission
 * framework per request, conditional decisions applied locally with the plugin's own rules.
 *
 * Fail closed: a decision that cannot be evaluated — the permission service failed, or a
 * conditional decision names a rule this plugin does not have, another resource type, or rule
 * parameters the rule's schema refuses (anywhere in the tree) — is a denial
 * ({@link policyNotEvaluable}, 403), logged at error level naming the problem.
 */
export class SandboxDecisions {
  readonly #permissions: PermissionsService;
  readonly #ruleset: Ruleset;
  readonly #logger: LoggerService;
  readonly #apply: (
    decision: PolicyDecision,
    resource: ConsoleSandbox | undefined,
  ) => boolean;
  readonly #transform: (
    conditions: PermissionCriteria<PermissionCondition>,
  ) => PermissionCriteria<SandboxFilter>;

  constructor(
    permissions: PermissionsService,
    registry: PermissionsRegistryService,
    logger: LoggerService,
  ) {
    this.#permissions = permissions;
    this.#ruleset = registry.getPermissionRuleset(
      opensandboxSandboxPermissionResourceRef,
    );
    this.#logger = logger;
    this.#apply = createConditionAuthorizer(this.#ruleset);
    this.#transform = createConditionTransformer(this.#ruleset) as any;
  }

  /**
   * Decisions for several permissions in one step (one `authorizeConditional` call for the
   * resource permissions and one `authorize` call for the basic ones, in parallel).
   * @throws the 403 of {@link policyNotEvaluable} when any decision cannot be evaluated.
   */
  async decide(
    credentials: BackstageCredentials,
    permissions: Array<ResourcePermission | BasicPermission>,
  ): Promise<PolicyDecision[]> {
    const decisions: PolicyDecision[] = new Array(permissions.length);
    const resource = permissions.flatMap((p, i) =>
      p.type === 'resource' ? [{ p, i }] : [],
    );
    const basic = permissions.flatMap((p, i) =>
      p.type === 'basic' ? [{ p, i }] : [],
    );
    let results: [PolicyDecision[], PolicyDecision[]];
    try {
      results = await Promise.all([
        resource.length > 0
          ? this.#permissions.authorizeConditional(
              resource.map(({ p }) => ({
                permission: p as ResourcePermission,
              })),
              { credentials },
            )
          : Promise.resolve([]),
        basic.length > 0
          ? this.#permissions.authorize(
              basic.map(({ p }) => ({ permission: p as BasicPermission })),
              { credentials },
            )
          : Promise.resolve([]),
      ]);
    } catch (error) {
      this.#logger.error(
        `The permission framework failed to decide ${permissions
          .map(p => p.name)
          .join(', ')}; denying: ${describe(error)}`,
        error as Error,
      );
      const names = permissions.map(p => p.name).join(', ');
      // The permission backend failed or did not answer (a transport error or a 5xx): fail
      // closed with a retryable 503; anything else (e.g. a 4xx) is a policy problem.
      throw isUnavailable(error)
        ? permissionServiceUnavailable(names)
        : policyNotEvaluable(names);
    }
    resource.forEach(({ i }, k) => (decisions[i] = results[0][k]));
    basic.forEach(({ i }, k) => (decisions[i] = results[1][k]));
    decisions.forEach((decision, i) => this.#check(decision, permissions[i]));
    return decisions;
  }

  /** Checks that a decision can be evaluated; throws {@link policyNotEvaluable} otherwise. */
  #check(
    decision: PolicyDecision | undefined,
    permission: ResourcePermission | BasicPermission,
  ): void {
    if (
      !decision ||
      ![
        AuthorizeResult.ALLOW,
        AuthorizeResult.DENY,
        AuthorizeResult.CONDITIONAL,
      ].includes(decision.result)
    ) {
      this.#logger.error(
        `The permission policy gave no usable decision for ${permission.name}; denying`,
      );
      throw policyNotEvaluable(permission.name);
    }
    if (decision.result !== AuthorizeResult.CONDITIONAL) return;
    const problem =
      decision.resourceType !== OPENSANDBOX_SANDBOX_RESOURCE_TYPE
        ? `conditions for resource type "${String(decision.resourceType)}"`
        : this.#problemIn(decision.conditions);
    if (problem) {
      this.#logger.error(
        `The permission policy's conditional decision for ${permission.name} cannot be evaluated: ${problem}; denying`,
      );
      throw policyNotEvaluable(permission.name);
    }
  }

  /** The first unknown rule or invalid parameter set in a condition tree, described; or undefined. */
  #problemIn(
    criteria: PermissionCriteria<PermissionCondition> | undefined,
    depth = 0,
  ): string | undefined {
    if (!criteria || typeof criteria !== 'object' || depth > 32)
      return 'a malformed condition tree';
    if (isAndCriteria(criteria) || isOrCriteria(criteria)) {
      const children = isAndCriteria(criteria)
        ? criteria.allOf
        : criteria.anyOf;
      if (!Array.isArray(children) || children.length === 0)
        return 'an empty allOf/anyOf';
      for (const child of children) {
        const problem = this.#problemIn(child, depth + 1);
        if (problem) return problem;
      }
      return undefined;
    }
    if (isNotCriteria(criteria))
      return this.#problemIn(criteria.not, depth + 1);
    const leaf = criteria as PermissionCondition;
    if (leaf.resourceType !== OPENSANDBOX_SANDBOX_RESOURCE_TYPE) {
      return `rule ${String(leaf.rule)} is for resource type "${String(
        leaf.resourceType,
      )}"`;
    }
    let rule;
    try {
      rule = this.#ruleset.getRuleByName(leaf.rule);
    } catch {
      return `unknown rule ${String(leaf.rule)}`;
    }
    if (!paramsValid(rule.paramsSchema, leaf.params ?? {}))
      return `rule ${leaf.rule} has invalid parameters ${JSON.stringify(
        leaf.params,
      )}`;
    return undefined;
  }

  /** True when `decision` allows `sandbox` (ALLOW, or CONDITIONAL with its conditions met). */
  allows(decision: PolicyDecision, sandbox: ConsoleSandbox): boolean {
    return this.#apply(decision, sandbox);
  }

  /** A (checked) conditional decision's conditions as sandbox filters (the rules' `toQuery`). */
  filtersOf(
    decision: PolicyDecision,
  ): PermissionCriteria<SandboxFilter> | undefined {
    return decision.result === AuthorizeResult.CONDITIONAL
      ? this.#transform(decision.conditions)
      : undefined;
  }

  /**
   * True when the caller's decision for a basic permission is ALLOW (e.g. `opensandbox.admin.manage`
   * for the quota exemption and the admin routes). Anything else — DENY, a decision that cannot be
   * evaluated, the permission service failing — is false (logged by {@link decide}).
   */
  async allowsBasic(
    credentials: BackstageCredentials,
    permission: BasicPermission,
  ): Promise<boolean> {
    try {
      const [decision] = await this.decide(credentials, [permission]);
      return decision.result === AuthorizeResult.ALLOW;
    } catch {
      return false;
    }
  }

  /** The read decision (for lists). */
  async readDecision(
    credentials: BackstageCredentials,
  ): Promise<PolicyDecision> {
    const [decision] = await this.decide(credentials, [
      opensandboxSandboxReadPermission,
    ]);
    return decision;
  }

  /**
   * One decision for reading a loaded sandbox and, optionally, performing `action` on it.
   * @throws NotFoundError (marked denied) when it may not read it (its existence is not revealed);
   *   NotAllowedError when it may read but not perform `action`.
   */
  async authorize(
    credentials: BackstageCredentials,
    sandbox: ConsoleSandbox,
    action?: ResourcePermission,
  ): Promise<void> {
    this.check(await this.decideFor(credentials, action), sandbox, action);
  }

  /**
   * The ONE decision of {@link authorize}, without the sandbox: a resource decision does not
   * depend on the sandbox (conditions are applied locally), so it can be asked while the sandbox
   * is still being loaded. Apply it with {@link check}.
   */
  decideFor(
    credentials: BackstageCredentials,
    action?: ResourcePermission,
  ): Promise<PolicyDecision[]> {
    return this.decide(
      credentials,
      action
        ? [opensandboxSandboxReadPermission, action]
        : [opensandboxSandboxReadPermission],
    );
  }

  /**
   * Applies the decisions of {@link decideFor} to the loaded sandbox.
   * @throws NotFoundError (marked denied) when it may not read it; NotAllowedError when it may
   *   read but not perform `action`.
   */
  check(
    decisions: PolicyDecision[],
    sandbox: ConsoleSandbox,
    action?: ResourcePermission,
  ): void {
    const [read, act] = decisions;
    if (!this.allows(read, sandbox)) throw sandboxNotReadable(sandbox.id);
    if (action && !this.allows(act, sandbox)) {
      throw notAllowed(
        `You are not allowed to ${action.attributes.action ?? 'use'} sandbox ${
          sandbox.id
        } (${action.name})`,
      );
    }
  }

  /**
   * One decision for a create: `create` (basic) must be ALLOW; when the owning team is not one of
   * the caller's own, `manage` must also allow the sandbox as it will be created (its ownership,
   * metadata and `Pending` state) — an operator may create only for teams whose sandboxes it may
   * manage.
   * @throws NotAllowedError naming what was refused.
   */
  async authorizeCreate(
    credentials: BackstageCredentials,
    create: BasicPermission,
    manage: ResourcePermission,
    proposed: ConsoleSandbox,
    foreignTeam: boolean,
  ): Promise<void> {
    const [createDecision, manageDecision] = await this.decide(
      credentials,
      foreignTeam ? [create, manage] : [create],
    );
    if (createDecision.result !== AuthorizeResult.ALLOW) {
      throw notAllowed(
        `You are not allowed to create sandboxes (${create.name})`,
      );
    }
    if (foreignTeam && !this.allows(manageDecision, proposed)) {
      throw notAllowed(
        `team ${proposed.ownership?.team} is not one of your teams`,
      );
    }
  }
}

/** Validates rule parameters with the rule's schema (zod, or any Standard Schema; async schemas fail). */
function paramsValid(schema: unknown, params: unknown): boolean {
  if (!schema) return true;
  const s = schema as {
    safeParse?: (v: unknown) => { success: boolean };
    '~standard'?: { validate: (v: unknown) => unknown };
  };
  if (typeof s.safeParse === 'function') return s.safeParse(params).success;
  const result = s['~standard']?.validate(params) as
    | { issues?: unknown }
    | Promise<unknown>
    | undefined;
  return !!result && !(result instanceof Promise) && !result.issues;
}

/** An error's message, with the body message of a `ResponseError` from the permission backend. */
function describe(error: unknown): string {
  const e = error as {
    message?: string;
    body?: { error?: { message?: string } };
  };
  const inner = e?.body?.error?.message;
  return inner ? `${e.message}: ${inner}` : String(e?.message ?? error);
}
