import type {
  BackstageCredentials,
  PermissionsServiceRequestOptions,
} from '@backstage/backend-plugin-api';

/** The principal fields the console's permission wrappers read. */
export interface RequestPrincipal {
  type?: string;
  /** Users: their entity ref. */
  userEntityRef?: string;
  /** Services: their subject (e.g. `external:ci-bot`). */
  subject?: string;
  /** A service acting on behalf of a user. */
  actor?: { subject?: string };
}

/**
 * The credentials a `PermissionsService` call was made with, and their principal (both
 * undefined when the options carry none, e.g. a token-based call).
 */
export function requestCredentials(
  options?: PermissionsServiceRequestOptions,
): {
  credentials?: BackstageCredentials;
  principal?: RequestPrincipal;
} {
  const credentials = (
    options as { credentials?: BackstageCredentials } | undefined
  )?.credentials;
  return {
    credentials,
    principal: credentials?.principal as RequestPrincipal | undefined,
  };
}
