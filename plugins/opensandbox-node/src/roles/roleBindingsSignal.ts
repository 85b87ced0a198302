import {
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';

/**
 * In-process notice that the role bindings changed, shared by the plugins of ONE backend process:
 * the console backend plugin notifies after each committed change, and the role policy (in the
 * `permission` plugin) and the console's own caches drop their cached bindings at once. Other
 * replicas, and a permission plugin deployed apart, do not hear it: for them the cache's
 * staleness bound (`opensandbox.permissionPolicy.roleBindings.cacheSeconds`) applies.
 * @public
 */
export interface OpensandboxRoleBindingsSignal {
  /** Calls every listener (errors are swallowed). */
  notify(): void;
  /** @returns an unsubscribe function */
  subscribe(listener: () => void): () => void;
}

class InProcessSignal implements OpensandboxRoleBindingsSignal {
  readonly #listeners = new Set<() => void>();

  notify(): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener();
      } catch {
        // A listener's failure must not fail the change that was already committed.
      }
    }
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/**
 * The root-scoped {@link OpensandboxRoleBindingsSignal} (one per backend process; default
 * in-memory implementation).
 * @public
 */
export const opensandboxRoleBindingsSignalServiceRef =
  createServiceRef<OpensandboxRoleBindingsSignal>({
    id: 'opensandbox.role-bindings-signal',
    scope: 'root',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: {},
        factory: () => new InProcessSignal(),
      }),
  });
