import type {
  BackstageCredentials,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { callerUnavailable } from '../errors';

/** Who is calling, resolved from Backstage credentials. */
export interface Caller {
  /** `user` for signed-in people, `service` for service tokens / external access. */
  type: 'user' | 'service';
  /** The user entity ref, or the service subject. */
  actor: string;
  /** The user's ownership entity refs, lower-cased (user ref and group refs); empty for services. */
  ownershipEntityRefs: string[];
}

/**
 * Resolves the caller from credentials: users through `userInfo` (their ownership refs), services
 * by subject. Other principals (none) are refused.
 * @throws NotAllowedError for credentials that are neither a user nor a service; a 503
 *   (`callerUnavailable`) when Backstage's user info fails.
 */
export async function resolveCaller(
  credentials: BackstageCredentials,
  userInfo: UserInfoService,
): Promise<Caller> {
  const principal = credentials.principal as { type: string; subject?: string };
  if (principal.type === 'user') {
    let info: Awaited<ReturnType<UserInfoService['getUserInfo']>>;
    try {
      info = await userInfo.getUserInfo(credentials);
    } catch {
      // Backstage's user info failed (e.g. the auth backend's database is down): the caller's
      // groups cannot be known, so nothing is decided or performed. Its error (which may carry
      // another service's response) is not passed on.
      throw callerUnavailable();
    }
    return {
      type: 'user',
      actor: info.userEntityRef,
      ownershipEntityRefs: info.ownershipEntityRefs.map(r =>
        r.toLocaleLowerCase('en-US'),
      ),
    };
  }
  if (principal.type === 'service' && principal.subject) {
    return {
      type: 'service',
      actor: principal.subject,
      ownershipEntityRefs: [],
    };
  }
  throw new NotAllowedError(
    'sandbox operations need user or service credentials',
  );
}

/**
 * The caller's groups that may own sandboxes: its ownership group refs minus `roleGroups`
 * (groups that only grant roles are never a sandbox's team).
 */
export function teamsOf(
  caller: Caller,
  roleGroups: ReadonlySet<string>,
): string[] {
  return caller.ownershipEntityRefs.filter(
    r => r.startsWith('group:') && !roleGroups.has(r),
  );
}
