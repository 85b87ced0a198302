import type { Config } from '@backstage/config';
import {
  OpenSandboxConnectionOptions,
  OpenSandboxLifecycleClient,
} from './OpenSandboxLifecycleClient';

/** The longest time a Node.js timer takes: 2^31 - 1 milliseconds (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Reads a timeout in seconds (`requestTimeoutSeconds`, `createTimeoutSeconds`): a number > 0 and
 * at most 2,147,483 s (a Node.js timer's limit); `fallback` (seconds) when absent.
 * @throws Error naming the key (`path`.`key`) for any other value.
 */
function readTimeoutSeconds(
  block: Config,
  key: string,
  fallback: number,
  path: string,
): number {
  const value = block.getOptionalNumber(key) ?? fallback;
  if (!Number.isFinite(value) || value <= 0 || value * 1000 > MAX_TIMER_MS) {
    throw new Error(
      `${path}.${key} must be a number of seconds > 0 and <= ${Math.floor(
        MAX_TIMER_MS / 1000,
      )}`,
    );
  }
  return value;
}

/**
 * Reads a `connection` block (`opensandbox.connection` or `opensandbox.servers[].connection`):
 * `connections`, `keepAliveTimeoutSeconds`, `keepAliveMaxTimeoutSeconds`,
 * `keepAliveMarginMilliseconds`, `connectTimeoutSeconds`; keys of `base` fill the missing ones.
 * @throws Error naming the key when a value is not a positive number (the margin may be 0).
 * @public
 */
export function readConnectionOptions(
  block: Config | undefined,
  base: OpenSandboxConnectionOptions = {},
  path = 'opensandbox.connection',
): OpenSandboxConnectionOptions {
  if (!block) return base;
  const read = (key: string, scale: number, min: number) => {
    const value = block.getOptionalNumber(key);
    if (value === undefined) return undefined;
    if (
      !Number.isFinite(value) ||
      value < min ||
      value * scale > MAX_TIMER_MS ||
      (min === 1 && !Number.isInteger(value))
    ) {
      throw new Error(
        `${path}.${key} must be ${
          min === 1 ? 'a whole number >= 1' : `a number >= ${min}`
        } (and small enough for a timer)`,
      );
    }
    return value * scale;
  };
  const options: OpenSandboxConnectionOptions = {
    connections: read('connections', 1, 1),
    keepAliveTimeoutMs: read('keepAliveTimeoutSeconds', 1000, 0.001),
    keepAliveMaxTimeoutMs: read('keepAliveMaxTimeoutSeconds', 1000, 0.001),
    keepAliveMarginMs: read('keepAliveMarginMilliseconds', 1, 0),
    connectTimeoutMs: read('connectTimeoutSeconds', 1000, 0.001),
  };
  return {
    ...base,
    ...Object.fromEntries(
      Object.entries(options).filter(([, v]) => v !== undefined),
    ),
  };
}

/**
 * Creates the lifecycle client from the `opensandbox` config block:
 * `baseUrl` (required, server root without `/v1`), `apiKey` (secret),
 * `requestTimeoutSeconds` (default 30), `createTimeoutSeconds` (default 180), `connection` (the
 * connection pool, {@link readConnectionOptions}).
 * @throws Error when `opensandbox.baseUrl` is missing or a timeout is not positive (at most
 *   2,147,483 s).
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
    requestTimeoutMs:
      readTimeoutSeconds(block, 'requestTimeoutSeconds', 30, 'opensandbox') *
      1000,
    createTimeoutMs:
      readTimeoutSeconds(block, 'createTimeoutSeconds', 180, 'opensandbox') *
      1000,
    connection: readConnectionOptions(block.getOptionalConfig('connection')),
    fetch: options.fetch,
  });
}

/** One OpenSandbox server the console talks to (`opensandbox.servers[]`, or the single-server config). @public */
export interface OpenSandboxServer {
  /** Name used in routes, the inventory and the UI (`default` for the single-server config). */
  name: string;
  /** The lifecycle client holding this server's API key. */
  client: OpenSandboxLifecycleClient;
  /** Lower-case group refs that may create sandboxes on this server; undefined = every team. */
  teams?: string[];
  /** Create timeout in milliseconds. */
  createTimeoutMs: number;
}

const SERVER_NAME = /^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/;

/**
 * Reads the OpenSandbox servers: `opensandbox.servers` (a list of `{ name, baseUrl, apiKey,
 * requestTimeoutSeconds?, createTimeoutSeconds?, teams?, connection? }`; several servers, or one
 * API key per tenant of a multi-tenant server), or else the single-server keys
 * `opensandbox.baseUrl` / `apiKey` as one server named `default`. Timeouts default to the
 * top-level `requestTimeoutSeconds` (30) and `createTimeoutSeconds` (180); a server's
 * `connection` keys to the top-level `opensandbox.connection` ones. Each server's client has a
 * connection pool of its own.
 * @throws Error naming the key for a missing `baseUrl`, a timeout that is not positive (or beyond a
 *   timer's 2,147,483 s), an invalid or duplicate `name`
 *   (1-32 lower-case letters, digits and `-`), or a `teams` entry that is not a group ref.
 * @public
 */
export function readOpenSandboxServers(
  config: Config,
  options: { fetch?: typeof fetch } = {},
): OpenSandboxServer[] {
  const block = config.getConfig('opensandbox');
  const requestTimeout = readTimeoutSeconds(
    block,
    'requestTimeoutSeconds',
    30,
    'opensandbox',
  );
  const createTimeout = readTimeoutSeconds(
    block,
    'createTimeoutSeconds',
    180,
    'opensandbox',
  );
  const connection = readConnectionOptions(
    block.getOptionalConfig('connection'),
  );
  const list = block.getOptionalConfigArray('servers');
  if (!list || list.length === 0) {
    return [
      {
        name: 'default',
        client: createLifecycleClientFromConfig(config, options),
        createTimeoutMs: createTimeout * 1000,
      },
    ];
  }
  const seen = new Set<string>();
  return list.map((server, i) => {
    const name = server.getString('name');
    if (!SERVER_NAME.test(name) || seen.has(name)) {
      throw new Error(
        `opensandbox.servers[${i}].name must be unique, 1-32 lower-case letters, digits and "-"`,
      );
    }
    seen.add(name);
    const teams = server
      .getOptionalStringArray('teams')
      ?.map(t => t.toLocaleLowerCase('en-US'));
    if (teams?.some(t => !/^group:[^/]+\/.+$/.test(t))) {
      throw new Error(
        `opensandbox.servers[${i}].teams must be group entity refs such as group:default/team-a`,
      );
    }
    const create = readTimeoutSeconds(
      server,
      'createTimeoutSeconds',
      createTimeout,
      `opensandbox.servers[${i}]`,
    );
    return {
      name,
      teams,
      createTimeoutMs: create * 1000,
      client: new OpenSandboxLifecycleClient({
        baseUrl: server.getString('baseUrl'),
        apiKey: server.getOptionalString('apiKey'),
        requestTimeoutMs:
          readTimeoutSeconds(
            server,
            'requestTimeoutSeconds',
            requestTimeout,
            `opensandbox.servers[${i}]`,
          ) * 1000,
        createTimeoutMs: create * 1000,
        connection: readConnectionOptions(
          server.getOptionalConfig('connection'),
          connection,
          `opensandbox.servers[${i}].connection`,
        ),
        fetch: options.fetch,
      }),
    };
  });
}
