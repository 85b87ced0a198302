/**
 * Processes and databases of the HTTP benchmarks (`bench/latency`, `bench/memory`,
 * `bench/list-scale`): the simulator (`./simulatorProcess.ts`) and the Backstage backend
 * (`./backend.ts`) each in a process of its own, a PostgreSQL database created for the run and
 * dropped after it. Ports: the benchmarks use 7100-7199 (backends) and 8100-8199 (simulators).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import knexFactory from 'knex';

export const REPO_ROOT = resolve(__dirname, '../..');
export const API_KEY = 'bench-opensandbox-key';
/** A static service token (`backend.auth.externalAccess`) of the service `bench-operator`, operator of team-a. */
export const SERVICE_TOKEN = 'bench-static-service-token-0123456789';
export const ADMIN_URL =
  process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const TRANSFORM = require.resolve('@backstage/cli/config/nodeTransform.cjs');

/** The benchmark users: ada (operator of team-a) and pat (admin). Ownership refs per user. */
export const USERS: Record<string, string[]> = {
  ada: ['group:default/team-a', 'group:default/sandbox-operators'],
  pat: ['group:default/platform'],
};

/** Creates a database; returns a function that drops it (every connection closed first). */
export async function createDatabase(
  name: string,
): Promise<() => Promise<void>> {
  const admin = knexFactory({
    client: 'pg',
    connection: ADMIN_URL,
    pool: { min: 0, max: 1 },
  });
  await admin.raw(`CREATE DATABASE ${name}`);
  return async () => {
    await admin.raw(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()`,
      [name],
    );
    await admin.raw(`DROP DATABASE IF EXISTS ${name}`);
    await admin.destroy();
  };
}

export interface Child {
  url: string;
  pid: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess, after?: () => void): () => Promise<void> {
  return () =>
    new Promise(done => {
      if (child.exitCode !== null || child.signalCode !== null) {
        after?.();
        done();
        return;
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(timer);
        after?.();
        done();
      });
      child.kill('SIGTERM');
    });
}

/** Starts `./simulatorProcess.ts` (see its env) on `port`. */
export async function startSimulator(options: {
  port: number;
  keepAlive: 'hint' | 'server';
  sandboxes?: number;
  teamShare?: number;
}): Promise<Child> {
  const child = spawn(
    process.execPath,
    ['--require', TRANSFORM, join(__dirname, 'simulatorProcess.ts')],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        BENCH_SIM_PORT: String(options.port),
        BENCH_SIM_API_KEY: API_KEY,
        BENCH_SIM_KEEPALIVE: options.keepAlive,
        BENCH_SIM_SANDBOXES: String(options.sandboxes ?? 200),
        BENCH_SIM_TEAM_SHARE: String(options.teamShare ?? 0.05),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((ready, fail) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready ')) {
        child.stdout!.off('data', onData);
        ready();
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', code =>
      fail(new Error(`simulator exited with ${code}: ${out}`)),
    );
  });
  child.stdout!.resume();
  return {
    url: `http://127.0.0.1:${options.port}`,
    pid: child.pid!,
    process: child,
    stop: stopper(child),
  };
}

/** The backend's config (see `./backend.ts`). */
function backendConfig(options: {
  port: number;
  simulatorUrl: string;
  database: string;
  extra?: Record<string, unknown>;
}) {
  const pg = new URL(ADMIN_URL);
  return {
    app: { baseUrl: 'http://127.0.0.1:7199' },
    backend: {
      baseUrl: `http://127.0.0.1:${options.port}`,
      listen: { port: options.port, host: '127.0.0.1' },
      auth: {
        externalAccess: [
          {
            type: 'static',
            options: { token: SERVICE_TOKEN, subject: 'bench-operator' },
          },
        ],
      },
      database: {
        client: 'pg',
        connection: {
          host: pg.hostname,
          port: Number(pg.port || 5432),
          user: decodeURIComponent(pg.username || 'postgres'),
          ...(pg.password ? { password: decodeURIComponent(pg.password) } : {}),
          database: options.database,
        },
        pluginDivisionMode: 'schema',
      },
    },
    auth: {
      environment: 'development',
      providers: { bench: { enabled: true } },
    },
    permission: { enabled: true },
    proxy: {
      endpoints: {
        '/opensandbox': {
          target: options.simulatorUrl,
          headers: { 'OPEN-SANDBOX-API-KEY': API_KEY },
          credentials: 'require',
        },
      },
    },
    opensandbox: {
      baseUrl: options.simulatorUrl,
      apiKey: API_KEY,
      inventory: { syncIntervalSeconds: 3600 },
      permissionPolicy: {
        defaultRole: 'none',
        otherPermissions: 'allow',
        roles: {
          admin: ['group:default/platform'],
          operator: ['group:default/sandbox-operators'],
          viewer: ['group:default/sandbox-viewers'],
        },
        services: [
          {
            subject: 'bench-operator',
            role: 'operator',
            teams: ['group:default/team-a'],
          },
        ],
      },
      ...(options.extra ?? {}),
    },
  };
}

/**
 * Starts `./backend.ts` on `port` against the simulator, on the PostgreSQL database `database`
 * (plugins in schemas of their own). Waits until its readiness check answers 200.
 * @param nodeArgs - extra Node flags, e.g. `--cpu-prof`.
 */
export async function startBackend(options: {
  port: number;
  simulatorUrl: string;
  database: string;
  nodeArgs?: string[];
  countDecisions?: boolean;
  extraConfig?: Record<string, unknown>;
  logLevel?: string;
}): Promise<Child> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-backend-'));
  const configFile = join(dir, 'app-config.json');
  writeFileSync(
    configFile,
    JSON.stringify(backendConfig({ ...options, extra: options.extraConfig })),
  );
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      '--require',
      TRANSFORM,
      join(__dirname, 'backend.ts'),
      '--config',
      configFile,
    ],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        LOG_LEVEL: options.logLevel ?? process.env.BENCH_LOG_LEVEL ?? 'warn',
        BENCH_USERS: Object.entries(USERS)
          .map(([name, refs]) => `${name}=${refs.join(',')}`)
          .join(';'),
        BENCH_COUNT_DECISIONS: options.countDecisions ? '1' : '0',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`backend exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/.backstage/health/v1/readiness`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('backend did not become ready within 180 s');
    }
    await new Promise(r => setTimeout(r, 500));
  }
  return {
    url,
    pid: child.pid!,
    process: child,
    stop: stopper(child, () => rmSync(dir, { recursive: true, force: true })),
  };
}

/** A Backstage user token of a benchmark user (`USERS`). */
export async function userToken(
  backendUrl: string,
  name: string,
): Promise<string> {
  const res = await fetch(
    `${backendUrl}/api/auth/bench/refresh?env=development`,
    {
      headers: { 'X-Bench-User': name, 'X-Requested-With': 'XMLHttpRequest' },
    },
  );
  if (res.status !== 200)
    throw new Error(
      `sign-in of ${name} answered ${res.status}: ${await res.text()}`,
    );
  const body = (await res.json()) as { backstageIdentity: { token: string } };
  return body.backstageIdentity.token;
}

/** Resident set size of a process, bytes (Linux `/proc`). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
  return kb * 1024;
}

/** Percentile (0-100) of a sorted array (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(
    sorted.length - 1,
    Math.max(0, Math.ceil((p / 100) * sorted.length) - 1),
  );
  return sorted[rank];
}

export function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** Runs `fn`, stopping `children` and running `cleanups` afterwards, also on failure and SIGINT. */
export async function withCleanup(
  fn: (track: {
    child(c: Child): Child;
    cleanup(f: () => Promise<void>): void;
  }) => Promise<void>,
) {
  const children: Child[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  let cleaning: Promise<void> | undefined;
  const clean = () =>
    (cleaning ??= (async () => {
      for (const c of children.reverse()) await c.stop().catch(() => undefined);
      for (const f of cleanups.reverse())
        await f().catch(e => console.error(`cleanup failed: ${e}`));
    })());
  const onSignal = () => {
    clean().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await fn({
      child: c => (children.push(c), c),
      cleanup: f => void cleanups.push(f),
    });
  } finally {
    await clean();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
