import { createPermissionResourceRef } from '@backstage/plugin-permission-node';
import {
  ConsoleSandbox,
  OPENSANDBOX_SANDBOX_RESOURCE_TYPE,
} from '@opensandbox-console/plugin-opensandbox-common';

/**
 * One leaf of a sandbox filter, the `TQuery` of the sandbox permission rules. The backend turns
 * conditional decisions into these and then into upstream list filters:
 * - `owner`: ownership owner is one of `refs` (user entity refs, lower-case);
 * - `team`: ownership team is one of `refs` (group entity refs, lower-case);
 * - `metadata`: metadata `key` equals `value` exactly;
 * - `state`: status state is one of `states` (case-insensitive);
 * - `entity`: the linked catalog entity is one of `refs` (lower-case).
 * @public
 */
export type SandboxFilter =
  | { property: 'owner'; refs: string[] }
  | { property: 'team'; refs: string[] }
  | { property: 'entity'; refs: string[] }
  | { property: 'metadata'; key: string; value: string }
  | { property: 'state'; states: string[] };

/**
 * The permission resource ref of sandboxes (`pluginId: 'opensandbox'`,
 * `resourceType: 'opensandbox-sandbox'`). The resource is a {@link ConsoleSandbox} (upstream sandbox
 * plus decoded ownership).
 * @public
 */
export const opensandboxSandboxPermissionResourceRef =
  createPermissionResourceRef<ConsoleSandbox, SandboxFilter>().with({
    pluginId: 'opensandbox',
    resourceType: OPENSANDBOX_SANDBOX_RESOURCE_TYPE,
  });
