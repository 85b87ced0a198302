import type {
  BackstageCredentials,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { denied, notAllowed, sandboxNotFound } from './denials';
import {
  AuthorizeResult,
  BasicPermission,
  PolicyDecision,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import {
  ConsoleSandbox,
  opensandboxSandboxReadPermission,
} from '@opensandbox-console/plugin-opensandbox-common';
import { opensandboxSandboxPermissionResourceRef } from '@opensandbox-console/plugin-opensandbox-node';

/** Thrown when an action on a sandbox is refused; `status` is what the route answers. */
export type DenialStatus = 403 | 404;

/**
 * Permission decisions for sandboxes. Conditional decisions are applied locally to the loaded
 * sandbox with the plugin's own rules, so a single-sandbox route costs one permission call.
 */
export class SandboxAuthorizer {
  readonly #permissions: PermissionsService;
  readonly #isAllowed: (decision: PolicyDecision, resource: ConsoleSandbox | undefined) => boolean;

  constructor(permissions: PermissionsService, registry: PermissionsRegistryService) {
    this.#permissions = permissions;
    this.#isAllowed = createConditionAuthorizer(
      registry.getPermissionRuleset(opensandboxSandboxPermissionResourceRef),
    );
  }

  /** Decisions for several permissions: one batched call per kind (resource / basic). */
  async #decide(credentials: BackstageCredentials, permissions: Array<ResourcePermission | BasicPermission>): Promise<PolicyDecision[]> {
    const decisions: PolicyDecision[] = new Array(permissions.length);
    const resource = permissions.flatMap((p, i) => (p.type === 'resource' ? [{ p, i }] : []));
    const basic = permissions.flatMap((p, i) => (p.type === 'basic' ? [{ p, i }] : []));
    const [resourceDecisions, basicDecisions] = await Promise.all([
      resource.length > 0
        ? this.#permissions.authorizeConditional(resource.map(({ p }) => ({ permission: p as ResourcePermission })), { credentials })
        : Promise.resolve([]),
      basic.length > 0
        ? this.#permissions.authorize(basic.map(({ p }) => ({ permission: p as BasicPermission })), { credentials })
        : Promise.resolve([]),
    ]);
    resource.forEach(({ i }, k) => (decisions[i] = resourceDecisions[k]));
    basic.forEach(({ i }, k) => (decisions[i] = basicDecisions[k]));
    return decisions;
  }

  /** True when `decision` allows `sandbox` (ALLOW, or CONDITIONAL with conditions met). */
  allows(decision: PolicyDecision, sandbox: ConsoleSandbox): boolean {
    return this.#isAllowed(decision, sandbox);
  }

  /** One conditional decision for reading sandboxes (used by list). */
  async readDecision(credentials: BackstageCredentials): Promise<PolicyDecision> {
    const [decision] = await this.#decide(credentials, [opensandboxSandboxReadPermission]);
    return decision;
  }

  /**
   * Checks read and `action` on a loaded sandbox in one permission call.
   * @throws NotFoundError when the caller may not read it (its existence is not revealed),
   *   NotAllowedError when it may read but not perform `action`.
   */
  async authorizeAction(
    credentials: BackstageCredentials,
    sandbox: ConsoleSandbox,
    action: ResourcePermission,
  ): Promise<void> {
    const [read, act] = await this.#decide(credentials, [opensandboxSandboxReadPermission, action]);
    if (!this.allows(read, sandbox)) {
      throw denied(sandboxNotFound(sandbox.id));
    }
    if (!this.allows(act, sandbox)) {
      throw notAllowed(`You are not allowed to ${action.attributes.action ?? 'use'} sandbox ${sandbox.id} (${action.name})`);
    }
  }

  /** Checks that the caller may read a loaded sandbox. @throws NotFoundError otherwise. */
  async authorizeRead(credentials: BackstageCredentials, sandbox: ConsoleSandbox): Promise<void> {
    const decision = await this.readDecision(credentials);
    if (!this.allows(decision, sandbox)) {
      throw sandboxNotFound(sandbox.id);
    }
  }

  /** Checks a basic permission. @throws NotAllowedError on DENY. */
  async authorizeBasic(credentials: BackstageCredentials, permission: BasicPermission): Promise<void> {
    const [decision] = await this.#decide(credentials, [permission]);
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw notAllowed(`You are not allowed to ${permission.attributes.action ?? 'use'} sandboxes (${permission.name})`);
    }
  }

  /**
   * Whether the caller could perform `permission` on a sandbox with the given ownership; used to
   * decide if a caller may create a sandbox for a team that is not among its own.
   */
  async wouldAllow(
    credentials: BackstageCredentials,
    permission: ResourcePermission,
    sandbox: ConsoleSandbox,
  ): Promise<boolean> {
    const [decision] = await this.#decide(credentials, [permission]);
    return this.allows(decision, sandbox);
  }
}
