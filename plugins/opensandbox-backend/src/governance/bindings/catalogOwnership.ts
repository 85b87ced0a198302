import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import type { RoleBindingExplanation } from '@opensandbox-console/plugin-opensandbox-common';

/** A user's ownership refs as the catalog sign-in resolvers give them, for "explain". */
export interface OwnershipLookup {
  ownershipEntityRefs: string[];
  groupsSource: RoleBindingExplanation['groupsSource'];
}

/**
 * Looks a user up in the catalog (`GET {catalog}/entities/by-name/user/<ns>/<name>` with this
 * plugin's service token) and returns its ownership refs like Backstage's default
 * `getDefaultOwnershipEntityRefs`: the user ref and the targets of its `memberOf` relations.
 * An unknown user, or an unreachable catalog, gives the user ref alone (and says so).
 */
export async function lookupCatalogOwnership(options: {
  discovery: DiscoveryService;
  auth: AuthService;
  userEntityRef: string;
}): Promise<OwnershipLookup> {
  const { discovery, auth, userEntityRef } = options;
  const [, namespace, name] = /^user:([^/]+)\/(.+)$/.exec(userEntityRef) ?? [];
  const alone = (groupsSource: OwnershipLookup['groupsSource']) => ({
    ownershipEntityRefs: [userEntityRef],
    groupsSource,
  });
  try {
    const baseUrl = await discovery.getBaseUrl('catalog');
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: 'catalog',
    });
    const res = await fetch(
      `${baseUrl}/entities/by-name/user/${encodeURIComponent(
        namespace,
      )}/${encodeURIComponent(name)}`,
      {
        headers: { Authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(5000),
      },
    );
    if (res.status === 404) return alone('not-in-catalog');
    if (!res.ok) return alone('catalog-unavailable');
    const entity = (await res.json()) as {
      relations?: Array<{ type?: string; targetRef?: string }>;
    };
    const groups = (entity.relations ?? [])
      .filter(r => r.type === 'memberOf' && typeof r.targetRef === 'string')
      .map(r => r.targetRef!.toLocaleLowerCase('en-US'));
    return {
      ownershipEntityRefs: [...new Set([userEntityRef, ...groups])],
      groupsSource: 'catalog',
    };
  } catch {
    return alone('catalog-unavailable');
  }
}
