/**
 * The console's agent actions, registered with Backstage's actions registry (and so offered as MCP
 * tools by `@backstage/plugin-mcp-actions-backend`). The registry prefixes the plugin id: the
 * action ids are `opensandbox:list-sandboxes`, `opensandbox:get-sandbox`,
 * `opensandbox:create-sandbox`, `opensandbox:renew-sandbox`, `opensandbox:pause-sandbox`,
 * `opensandbox:resume-sandbox`, `opensandbox:delete-sandbox` and
 * `opensandbox:get-sandbox-endpoint` (MCP tool names `opensandbox.<name>` by default).
 *
 * Every action is one call of the in-process operation pipeline with the caller's credentials and
 * `channel: 'mcp'`: the same validation, permission decision and audit as the HTTP API.
 */
import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { registerLifecycleActions } from './lifecycleActions';
import { registerReadActions } from './readActions';
import type { SandboxActionsOptions } from './shared';

export type { SandboxActionsOptions } from './shared';

/** The names the actions are registered under (without the registry's `opensandbox:` prefix). */
export const SANDBOX_ACTION_NAMES = [
  'list-sandboxes',
  'get-sandbox',
  'create-sandbox',
  'renew-sandbox',
  'pause-sandbox',
  'resume-sandbox',
  'delete-sandbox',
  'get-sandbox-endpoint',
] as const;

/** Registers every sandbox action with the plugin's actions registry. */
export function registerSandboxActions(
  options: SandboxActionsOptions & { actionsRegistry: ActionsRegistryService },
): void {
  const { actionsRegistry, ...rest } = options;
  registerReadActions(actionsRegistry, rest);
  registerLifecycleActions(actionsRegistry, rest);
}
