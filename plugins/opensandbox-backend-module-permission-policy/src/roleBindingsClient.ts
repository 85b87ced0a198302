import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  OpensandboxRoleBinding,
  parseRoleBindingsPayload,
} from '@opensandbox-console/plugin-opensandbox-node';

/** The console backend's internal route serving the database role bindings to the policy. */
export const ROLE_BINDINGS_INTERNAL_PATH = '/internal/role-bindings';

/**
 * Reads the console's database role bindings over HTTP: `GET {opensandbox}/internal/role-bindings`
 * with this plugin's (`permission`) service token. The permission plugin cannot read the
 * `opensandbox` plugin's database itself (each plugin has its own).
 * @throws Error when the console backend cannot be reached or answers anything but 200.
 */
export async function fetchOpensandboxRoleBindings(options: {
  discovery: DiscoveryService;
  auth: AuthService;
  signal?: AbortSignal;
}): Promise<OpensandboxRoleBinding[]> {
  const { discovery, auth, signal } = options;
  const baseUrl = await discovery.getBaseUrl('opensandbox');
  const { token } = await auth.getPluginRequestToken({
    onBehalfOf: await auth.getOwnServiceCredentials(),
    targetPluginId: 'opensandbox',
  });
  const res = await fetch(`${baseUrl}${ROLE_BINDINGS_INTERNAL_PATH}`, {
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
    signal,
  });
  if (res.status !== 200) {
    throw new Error(
      `GET ${ROLE_BINDINGS_INTERNAL_PATH} of the opensandbox plugin answered ${res.status}`,
    );
  }
  return parseRoleBindingsPayload(await res.json());
}
