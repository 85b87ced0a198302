import type { Request } from 'express';
import type { BackstageCredentials, HttpAuthService, UserInfoService } from '@backstage/backend-plugin-api';
import type { Caller } from './SandboxService';

/**
 * Resolves the caller of a request from Backstage credentials (user or service; anything else is
 * refused by `httpAuth` with 401/403 before a route runs).
 */
export async function resolveCaller(
  req: Request,
  httpAuth: HttpAuthService,
  userInfo: UserInfoService,
): Promise<{ caller: Caller; credentials: BackstageCredentials }> {
  const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
  if (credentials.principal.type === 'user') {
    const info = await userInfo.getUserInfo(credentials);
    return {
      credentials,
      caller: { type: 'user', actor: info.userEntityRef, ownershipEntityRefs: info.ownershipEntityRefs },
    };
  }
  return {
    credentials,
    caller: { type: 'service', actor: credentials.principal.subject, ownershipEntityRefs: [] },
  };
}
