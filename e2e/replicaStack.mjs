// Starts the console the way docs/deployment.md deploys it: the demo backend (packages/backend)
// with app-config.yaml + app-config.production.yaml, every secret from environment variables,
// PostgreSQL (a fresh set of databases per run, named by a prefix, dropped by stop()), N replicas
// on one database, an OpenSandbox server (the simulator) and an OIDC provider (the demo identity
// provider). Ports are given by the caller (the reliability suites use 7400-7499 and 8400-8499,
// so they never need the e2e lock). Used by e2e/replicas.test.mjs, bench/load and
// scripts/deployment-check.sh.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnGroup, waitForUrl } from './processGroup.mjs';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

const PG = {
  host: '127.0.0.1',
  port: '5432',
  user: 'postgres',
  password: 'unused',
};

function psql(sql) {
  return execFileSync(
    'psql',
    [
      '-h',
      PG.host,
      '-p',
      PG.port,
      '-U',
      PG.user,
      '-d',
      'postgres',
      '-Atqc',
      sql,
    ],
    { encoding: 'utf8' },
  ).trim();
}

/** Runs `sql` against one database of the run (e.g. `opensandbox`); rows as `|`-separated lines. */
export function psqlIn(database, sql) {
  return execFileSync(
    'psql',
    ['-h', PG.host, '-p', PG.port, '-U', PG.user, '-d', database, '-Atqc', sql],
    { encoding: 'utf8' },
  ).trim();
}

/**
 * `count` ports of [from, to] that nobody listens on now, starting at a random place (several runs
 * of the reliability suites may overlap: another checkout's `npm test`, a load run).
 */
export async function freePorts(count, from, to) {
  const { createServer } = await import('node:net');
  const free = port =>
    new Promise(resolve => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, () => server.close(() => resolve(true)));
    });
  const span = to - from + 1;
  const start = Math.floor(Math.random() * span);
  const ports = [];
  for (let i = 0; i < span && ports.length < count; i++) {
    const port = from + ((start + i) % span);
    if (await free(port)) ports.push(port);
  }
  if (ports.length < count)
    throw new Error(`no ${count} free ports in ${from}-${to}`);
  return ports;
}

/** Drops every database whose name starts with `prefix`. */
export function dropDatabases(prefix) {
  const names = psql(
    `SELECT datname FROM pg_database WHERE datname LIKE '${prefix.replace(
      /_/g,
      '\\_',
    )}%'`,
  )
    .split('\n')
    .filter(Boolean);
  for (const name of names)
    psql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  return names;
}

/**
 * Spawns one process (its own process group) appending to `logFile`, and waits for `readyUrl`; a
 * Backstage backend whose log says its start failed (it may keep running without ever serving)
 * counts as failed.
 * @returns {{ child, logFile, pid: number, kill(signal?: string): Promise<void> }}
 */
export async function startProcess({
  name,
  command,
  args,
  env,
  logFile,
  readyUrl,
  cwd = repoRoot,
  timeoutMs = 180_000,
}) {
  const logStart = existsSync(logFile) ? statSync(logFile).size : 0;
  const { child, hasExited, kill } = spawnGroup({
    command,
    args,
    env,
    cwd,
    logFile,
    append: true,
  });
  try {
    await waitForUrl(readyUrl, {
      timeoutMs,
      intervalMs: 250,
      hasExited,
      failed: () =>
        existsSync(logFile) &&
        /Backend startup failed/.test(
          readFileSync(logFile).subarray(logStart).toString('utf8'),
        ),
    });
  } catch (error) {
    await kill('SIGKILL');
    throw new Error(`${name}: ${error.message} (see ${logFile})`);
  }
  return { child, logFile, pid: child.pid, kill };
}

/**
 * The environment docs/deployment.md gives a replica: every secret and address from variables.
 * @param {object} o
 */
export function productionEnv(o) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    APP_BASE_URL: o.appBaseUrl,
    BACKEND_BASE_URL: o.backendBaseUrl,
    POSTGRES_HOST: PG.host,
    POSTGRES_PORT: PG.port,
    POSTGRES_USER: PG.user,
    POSTGRES_PASSWORD: PG.password,
    OPENSANDBOX_BASE_URL: o.opensandboxUrl,
    OPENSANDBOX_API_KEY: o.secrets.apiKey,
    OPENSANDBOX_CONSOLE_STATIC_TOKEN: o.secrets.staticToken,
    AUTH_SESSION_SECRET: o.secrets.sessionSecret,
    AUTH_OIDC_METADATA_URL: `${o.idpUrl}/.well-known/openid-configuration`,
    AUTH_OIDC_CLIENT_ID: 'backstage',
    AUTH_OIDC_CLIENT_SECRET: o.secrets.oidcClientSecret,
    AUTH_OIDC_JWKS_URL: `${o.idpUrl}/jwks`,
    AUTH_OIDC_ISSUER: o.idpUrl,
    AUTH_OIDC_CONSOLE_AUDIENCE: 'opensandbox-console',
    // Per replica and per run (not secrets): the port, and a database prefix so runs never share
    // databases. Production keeps the defaults (port 7007, backstage_plugin_ databases).
    APP_CONFIG_backend_listen_port: String(o.port),
    APP_CONFIG_backend_database_prefix: o.databasePrefix,
    ...o.extraEnv,
  };
}

/**
 * Starts simulator, identity provider and `replicas` backends (all started together).
 * @param {{ replicas?: number, backendPorts: number[], simulatorPort: number, idpPort: number, logDir: string,
 *   extraEnv?: Record<string,string>, simulatorArgs?: string[], root?: string }} options
 */
export async function startReplicaStack(options) {
  const root = options.root ?? repoRoot;
  const run = randomBytes(4).toString('hex');
  const secrets = {
    apiKey: `osk-${randomBytes(16).toString('hex')}`,
    staticToken: `st-${randomBytes(16).toString('hex')}`,
    sessionSecret: randomBytes(24).toString('hex'),
    oidcClientSecret: randomBytes(16).toString('hex'),
    ciBotSecret: randomBytes(16).toString('hex'),
  };
  const databasePrefix = `osc_${run}_`;
  const simulatorUrl = `http://127.0.0.1:${options.simulatorPort}`;
  const idpUrl = `http://127.0.0.1:${options.idpPort}`;
  const appBaseUrl = 'https://console.example.com';
  const backendUrls = options.backendPorts.map(p => `http://127.0.0.1:${p}`);
  const processes = [];
  const base = { PATH: process.env.PATH, HOME: process.env.HOME };
  const stopAll = async () => {
    for (const p of processes.splice(0).reverse()) await p.kill('SIGTERM');
    dropDatabases(databasePrefix);
  };
  try {
    const [sim, idp] = await Promise.all([
      startProcess({
        name: 'simulator',
        command: process.execPath,
        args: [
          join(
            root,
            'packages/opensandbox-simulator/bin/opensandbox-simulator',
          ),
          '--port',
          String(options.simulatorPort),
          ...(options.simulatorArgs ?? []),
        ],
        env: { ...base, OPENSANDBOX_SIMULATOR_API_KEY: secrets.apiKey },
        logFile: join(options.logDir, 'simulator.log'),
        readyUrl: `${simulatorUrl}/_simulator/create-options`,
        cwd: root,
      }),
      startProcess({
        name: 'identity provider',
        command: process.execPath,
        args: [
          join(root, 'packages/identity-provider/bin/identity-provider'),
          '--port',
          String(options.idpPort),
          '--issuer',
          idpUrl,
        ],
        env: {
          ...base,
          IDP_BACKSTAGE_CLIENT_SECRET: secrets.oidcClientSecret,
          IDP_AUTOMATION_CLIENT_SECRET: secrets.ciBotSecret,
          IDP_BACKSTAGE_REDIRECT_URIS: `${backendUrls[0]}/api/auth/oidc/handler/frame`,
        },
        logFile: join(options.logDir, 'identity-provider.log'),
        readyUrl: `${idpUrl}/.well-known/openid-configuration`,
        cwd: root,
      }),
    ]);
    processes.push(sim, idp);
    const envOf = port =>
      productionEnv({
        appBaseUrl,
        backendBaseUrl: backendUrls[0],
        opensandboxUrl: simulatorUrl,
        idpUrl,
        secrets,
        port,
        databasePrefix,
        extraEnv: options.extraEnv,
      });
    // Backstage's own plugins (catalog, notifications, ...) do not wait for another replica's
    // migration lock: a replica started at the same moment as another on a fresh database may exit
    // with `MigrationLocked` (backstage/charts#300). An orchestrator restarts it; so does this, once.
    // The console's own migrations wait for the lock instead (src/migrateLatest.ts); Backstage's
    // scheduler, which creates its tables in the console's database on first use, does not.
    const coreMigrationLockRestarts = [];
    const restarting = new Set();
    const startBackend = async (port, i, retry = true) => {
      const logFile = join(options.logDir, `backend-${i + 1}.log`);
      if (retry && !restarting.has(i)) writeFileSync(logFile, '');
      const from = existsSync(logFile) ? statSync(logFile).size : 0;
      try {
        return await startProcess({
          name: `backend ${i + 1}`,
          command: process.execPath,
          args: [
            '--require',
            '@backstage/cli/config/nodeTransform.cjs',
            'packages/backend/src/index.ts',
            '--config',
            'app-config.yaml',
            '--config',
            'app-config.production.yaml',
          ],
          env: envOf(port),
          logFile,
          readyUrl: `http://127.0.0.1:${port}/api/opensandbox/health`,
          cwd: root,
        });
      } catch (error) {
        // This attempt's lines: a core plugin lost a migration race (the lock, or creating the
        // knex_migrations table at the same moment as the other replica).
        const lines = readFileSync(logFile).subarray(from).toString('utf8');
        // Backstage's scheduler also creates its tables (backstage_backend_tasks__*) in the
        // console's database on first use: a race there is Backstage's too.
        // (also backstage_backend_public_keys__* of the auth service, created on first use).
        const races = [
          ...lines.matchAll(
            /Plugin '([\w-]+)' startup failed; caused by [^\n]*?(MigrationLocked|knex_migrations|pg_type_typname_nsp_index)/g,
          ),
        ];
        const locked = races.map(m => m[1]);
        // (A `MigrationLocked` of the 'opensandbox' plugin comes from Backstage's scheduler tables
        // in its database: the console's own migrations wait for the lock, src/migrateLatest.ts.)
        if (!retry || races.length === 0) throw error;
        coreMigrationLockRestarts.push({
          replica: i + 1,
          plugins: [...new Set(locked)],
        });
        return startBackend(port, i, false);
      }
    };
    const backends = await Promise.all(
      options.backendPorts.map((port, i) => startBackend(port, i)),
    );
    processes.push(...backends);
    return {
      secrets,
      databasePrefix,
      simulatorUrl,
      idpUrl,
      appBaseUrl,
      backendUrls,
      backends,
      /** Replicas restarted once because a Backstage core plugin hit another replica's migration lock. */
      coreMigrationLockRestarts,
      /** Restarts replica `i` (after it was killed). */
      async restart(i) {
        restarting.add(i); // keep the log of the killed process
        const b = await startBackend(options.backendPorts[i], i);
        processes[processes.indexOf(backends[i])] = b;
        backends[i] = b;
        return b;
      },
      /** An access token of the automation client (external:ci-bot, operator of team-a). */
      async token() {
        const res = await fetch(`${idpUrl}/token`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(
              `ci-bot:${secrets.ciBotSecret}`,
            ).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            resource: 'urn:opensandbox-console',
          }),
        });
        if (!res.ok)
          throw new Error(`token: ${res.status} ${await res.text()}`);
        return (await res.json()).access_token;
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
