import type { Config } from '@backstage/config';
import { OpenSandboxLifecycleClient } from './OpenSandboxLifecycleClient';

/**
 * Creates the lifecycle client from the `opensandbox` config block:
 * `baseUrl` (required, server root without `/v1`), `apiKey` (secret),
 * `requestTimeoutSeconds` (default 30), `createTimeoutSeconds` (default 180).
 * @throws Error when `opensandbox.baseUrl` is missing.
 * @public
 */
export function createLifecycleClientFromConfig(
  config: Config,
  options: { fetch?: typeof fetch } = {},
): OpenSandboxLifecycleClient {
  const block = config.getConfig('opensandbox');
  return new OpenSandboxLifecycleClient({
    baseUrl: block.getString('baseUrl'),
    apiKey: block.getOptionalString('apiKey'),
    requestTimeoutMs: (block.getOptionalNumber('requestTimeoutSeconds') ?? 30) * 1000,
    createTimeoutMs: (block.getOptionalNumber('createTimeoutSeconds') ?? 180) * 1000,
    fetch: options.fetch,
  });
}
