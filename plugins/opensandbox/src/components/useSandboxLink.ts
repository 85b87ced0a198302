import { useRouteRef } from '@backstage/core-plugin-api';
import type { ConsoleSandbox } from '@opensandbox-console/plugin-opensandbox-common';
import { sandboxRouteRef, serverSandboxRouteRef } from '../routes';

/**
 * The link to a sandbox's detail page: `<root>/servers/:server/sandboxes/:id` when the sandbox
 * names its server (every sandbox the backend lists or creates does, also on the default server,
 * so a link stays right if the default server changes), else the default server's `<root>/:id`.
 */
export function useSandboxLink(): (
  sandbox: Pick<ConsoleSandbox, 'id' | 'server'>,
) => string {
  const sandboxLink = useRouteRef(sandboxRouteRef);
  const serverSandboxLink = useRouteRef(serverSandboxRouteRef);
  return sandbox =>
    sandbox.server
      ? serverSandboxLink({ server: sandbox.server, sandboxId: sandbox.id })
      : sandboxLink({ sandboxId: sandbox.id });
}
