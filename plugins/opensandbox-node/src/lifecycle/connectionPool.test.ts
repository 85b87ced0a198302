import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigReader } from '@backstage/config';
import { createSimulatorApp } from '@opensandbox-console/opensandbox-simulator';
import { OpenSandboxLifecycleClient } from './OpenSandboxLifecycleClient';
import { readConnectionOptions, readOpenSandboxServers } from './fromConfig';

const KEY = 'pool-test-key';

/** The simulator behind a server that announces `Keep-Alive: timeout=1` and counts connections. */
async function startCountingSimulator() {
  const { app, state } = createSimulatorApp({
    apiKey: KEY,
    seed: [
      {
        id: 'sbx-1',
        image: 'python:3.12',
        metadata: { name: 'one' },
        timeout: 3600,
      },
    ],
    sweepIntervalMs: 0,
  });
  let connections = 0;
  const server = http.createServer(app);
  server.on('connection', () => {
    connections += 1;
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    close: () =>
      new Promise<void>(resolve => {
        state.dispose();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const pause = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('the lifecycle client connection pool', () => {
  it('reuses one connection across calls to a server announcing a 1 s keep-alive', async () => {
    const sim = await startCountingSimulator();
    const client = new OpenSandboxLifecycleClient({
      baseUrl: sim.url,
      apiKey: KEY,
    });
    try {
      for (let i = 0; i < 5; i++) {
        expect((await client.getSandbox('sbx-1')).id).toBe('sbx-1');
        await pause(50);
      }
      expect(sim.connections()).toBe(1);
    } finally {
      await client.close();
      await sim.close();
    }
  });

  it("(why: Node's global fetch opens a new connection for every call to that server)", async () => {
    const sim = await startCountingSimulator();
    const client = new OpenSandboxLifecycleClient({
      baseUrl: sim.url,
      apiKey: KEY,
      fetch,
    });
    try {
      for (let i = 0; i < 3; i++) {
        await client.getSandbox('sbx-1');
        await pause(50);
      }
      expect(sim.connections()).toBe(3);
    } finally {
      await sim.close();
    }
  });

  it('opens at most `connections` connections at once', async () => {
    const sim = await startCountingSimulator();
    const client = new OpenSandboxLifecycleClient({
      baseUrl: sim.url,
      apiKey: KEY,
      connection: { connections: 2 },
    });
    try {
      const results = await Promise.all(
        Array.from({ length: 10 }, () => client.getSandbox('sbx-1')),
      );
      expect(results).toHaveLength(10);
      expect(sim.connections()).toBeLessThanOrEqual(2);
    } finally {
      await client.close();
      await sim.close();
    }
  });

  it('reads opensandbox.connection and per-server overrides, naming a bad key', () => {
    const config = new ConfigReader({
      opensandbox: {
        connection: {
          connections: 8,
          keepAliveTimeoutSeconds: 2,
          keepAliveMarginMilliseconds: 0,
        },
        servers: [
          {
            name: 'eu',
            baseUrl: 'http://eu:8080',
            connection: { connections: 3 },
          },
          { name: 'us', baseUrl: 'http://us:8080' },
        ],
      },
    });
    expect(
      readConnectionOptions(config.getConfig('opensandbox.connection')),
    ).toEqual({
      connections: 8,
      keepAliveTimeoutMs: 2000,
      keepAliveMarginMs: 0,
    });
    expect(readOpenSandboxServers(config).map(s => s.name)).toEqual([
      'eu',
      'us',
    ]);
    expect(() =>
      readConnectionOptions(new ConfigReader({ connections: 0 })),
    ).toThrow(
      'opensandbox.connection.connections must be a whole number >= 1 (and small enough for a timer)',
    );
    expect(() =>
      readOpenSandboxServers(
        new ConfigReader({
          opensandbox: {
            servers: [
              {
                name: 'eu',
                baseUrl: 'http://eu',
                connection: { keepAliveTimeoutSeconds: -1 },
              },
            ],
          },
        }),
      ),
    ).toThrow(
      'opensandbox.servers[0].connection.keepAliveTimeoutSeconds must be a number >= 0.001 (and small enough for a timer)',
    );
  });

  it.each([
    [{ requestTimeoutSeconds: -5 }, 'opensandbox.requestTimeoutSeconds'],
    [{ requestTimeoutSeconds: 0 }, 'opensandbox.requestTimeoutSeconds'],
    [{ createTimeoutSeconds: 1e12 }, 'opensandbox.createTimeoutSeconds'],
    [
      {
        servers: [
          { name: 'eu', baseUrl: 'http://eu', requestTimeoutSeconds: -1 },
        ],
      },
      'opensandbox.servers[0].requestTimeoutSeconds',
    ],
    [
      {
        servers: [
          { name: 'eu', baseUrl: 'http://eu', createTimeoutSeconds: 0 },
        ],
      },
      'opensandbox.servers[0].createTimeoutSeconds',
    ],
  ])('refuses the timeouts of %j at start, naming %s', (block, key) => {
    expect(() =>
      readOpenSandboxServers(
        new ConfigReader({ opensandbox: { baseUrl: 'http://x', ...block } }),
      ),
    ).toThrow(`${key} must be a number of seconds > 0 and <= 2147483`);
  });
});
