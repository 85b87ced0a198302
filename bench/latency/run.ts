/**
 * Added latency of the console over calling OpenSandbox directly, side by side with Backstage's
 * proxy-backend (see docs/benchmarks.md):
 *
 *   yarn bench:latency        (= bash bench/run.sh latency)
 *
 * One Backstage backend (`../lib/backend.ts`: real auth, permission backend with the role policy
 * module, audit on PostgreSQL) serves three paths to the simulator (`../lib/simulatorProcess.ts`,
 * its own process):
 * - `direct`: autocannon → simulator (`OPEN-SANDBOX-API-KEY`);
 * - `proxy`: → `/api/proxy/opensandbox/v1/...` (`@backstage/plugin-proxy-backend`, the key injected
 *   by the proxy config's headers; Backstage token required);
 * - `plugin`: → `/api/opensandbox/...` (this plugin: one permission decision, audit on renew).
 * The two backend paths use the same credentials: BENCH_PRINCIPAL=user (default) the Backstage
 * user token of ada (operator of team-a: each decision is a call to the permission backend and
 * its role policy), or =service a static service token (`backend.auth.externalAccess`) of the
 * service bench-operator (operator of team-a by `opensandbox.permissionPolicy.services`: decided
 * in the plugin's process, as Backstage decides services without the policy).
 * Operations: get (`GET /sandboxes/{id}`), list (page of 20), renew (`POST .../renew-expiration`),
 * over the 40 sandboxes of team-a in turn. For each simulator keep-alive mode (`hint`: the
 * development simulator's 1 s `Keep-Alive` hint; `server`: the real server's uvicorn behaviour,
 * no hint, idle connections closed after 30 s) a fresh simulator and backend; then rounds, each
 * running every (operation, connections, path) cell for BENCH_CELL_SECONDS, the order of the paths
 * rotated per round.
 *
 * Env: BENCH_CELL_SECONDS (10), BENCH_ROUNDS (3), BENCH_CONNECTIONS (1,10,50), BENCH_OPS
 * (get,list,renew), BENCH_MODES (hint,server), BENCH_PRINCIPAL (user), BENCH_DECISION_CACHE_SECONDS (plugin default 5), BENCH_PG_URL (admin connection, default
 * postgresql://postgres@127.0.0.1:5432/postgres; CREATEDB needed), BENCH_CPU_PROF (a directory:
 * the backend runs with --cpu-prof there), BENCH_OUT (.cache/bench-latency.json).
 * Ports: simulator 8101, backend 7101.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  API_KEY,
  createDatabase,
  median,
  REPO_ROOT,
  SERVICE_TOKEN,
  startBackend,
  startSimulator,
  userToken,
  withCleanup,
} from '../lib/processes';
import { LoadRequest, LoadResult, runLoad } from '../lib/load';
import { latencyMarkdown } from './markdown';

const CELL_SECONDS = Number(process.env.BENCH_CELL_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '1,10,50')
  .split(',')
  .map(Number);
const OPS = (process.env.BENCH_OPS ?? 'get,list,renew').split(',') as Op[];
const MODES = (process.env.BENCH_MODES ?? 'hint,server').split(',') as Mode[];
const OUT = resolve(
  REPO_ROOT,
  process.env.BENCH_OUT ?? '.cache/bench-latency.json',
);
const PROFILE_DIR = process.env.BENCH_CPU_PROF
  ? resolve(process.env.BENCH_CPU_PROF)
  : undefined;
const PRINCIPAL = (process.env.BENCH_PRINCIPAL ?? 'user') as 'user' | 'service';
/** `opensandbox.permissionDecisions.cacheSeconds` of the plugin; unset: the plugin's default (5). */
const DECISION_CACHE_SECONDS = process.env.BENCH_DECISION_CACHE_SECONDS;
const SIM_PORT = 8101;
const BACKEND_PORT = 7101;
/** Sandboxes on the simulator; 10% (40) belong to team-a, so ada's list page is full too. */
const SANDBOXES = 400;
const TEAM_SHARE = 0.1;

type Op = 'get' | 'list' | 'renew';
type Mode = 'hint' | 'server';
type Path = 'direct' | 'proxy' | 'plugin';
const PATHS: Path[] = ['direct', 'proxy', 'plugin'];

/** The ids of team-a's sandboxes, as `simulatorProcess.ts` seeds them. */
function teamIds(): string[] {
  const ids: string[] = [];
  for (let i = 0; i < SANDBOXES; i++) {
    if (
      i === 0 ||
      Math.floor(i * TEAM_SHARE) !== Math.floor((i - 1) * TEAM_SHARE)
    )
      ids.push(`bench-${String(i).padStart(7, '0')}`);
  }
  return ids;
}

function requestFor(
  op: Op,
  path: Path,
  token: string,
  expiresAt: string,
): LoadRequest {
  const prefix =
    path === 'direct'
      ? '/v1'
      : path === 'proxy'
      ? '/api/proxy/opensandbox/v1'
      : '/api/opensandbox';
  const headers =
    path === 'direct'
      ? { 'OPEN-SANDBOX-API-KEY': API_KEY }
      : { authorization: `Bearer ${token}` };
  const ids = teamIds();
  if (op === 'list')
    return {
      method: 'GET',
      paths: [`${prefix}/sandboxes?pageSize=20`],
      headers,
    };
  if (op === 'get')
    return {
      method: 'GET',
      paths: ids.map(id => `${prefix}/sandboxes/${id}`),
      headers,
    };
  return {
    method: 'POST',
    paths: ids.map(id => `${prefix}/sandboxes/${id}/renew-expiration`),
    headers,
    body: JSON.stringify({ expiresAt }),
  };
}

interface CellSummary {
  op: Op;
  connections: number;
  path: Path;
  rounds: LoadResult[];
  p50: number;
  p99: number;
  rps: number;
  cpuMsPerRequest?: number;
}

const fmt = (n: number | undefined, digits = 2) =>
  n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits);

async function runMode(mode: Mode): Promise<CellSummary[]> {
  const cells = new Map<string, CellSummary>();
  await withCleanup(async track => {
    const database = `bench_latency_${process.pid}_${mode}`;
    track.cleanup(await createDatabase(database));
    const simulator = track.child(
      await startSimulator({
        port: SIM_PORT,
        keepAlive: mode,
        sandboxes: SANDBOXES,
        teamShare: TEAM_SHARE,
      }),
    );
    const backend = track.child(
      await startBackend({
        port: BACKEND_PORT,
        simulatorUrl: simulator.url,
        database,
        extraConfig: {
          inventory: { syncIntervalSeconds: 3600 },
          ...(DECISION_CACHE_SECONDS === undefined
            ? {}
            : {
                permissionDecisions: {
                  cacheSeconds: Number(DECISION_CACHE_SECONDS),
                },
              }),
        },
        nodeArgs: PROFILE_DIR
          ? [
              '--cpu-prof',
              `--cpu-prof-dir=${PROFILE_DIR}`,
              `--cpu-prof-name=latency-${mode}-${process.pid}.cpuprofile`,
            ]
          : [],
      }),
    );
    const token =
      PRINCIPAL === 'service'
        ? SERVICE_TOKEN
        : await userToken(backend.url, 'ada');
    // Renewals keep one expiry (never earlier than the current one), 3 h from now.
    const expiresAt = new Date(Date.now() + 3 * 3_600_000).toISOString();
    const urlOf = (path: Path) =>
      path === 'direct' ? simulator.url : backend.url;
    // Warm-up: JIT, connection pools, the first inventory sync.
    for (const op of OPS) {
      for (const path of PATHS) {
        await runLoad({
          baseUrl: urlOf(path),
          request: requestFor(op, path, token, expiresAt),
          connections: 10,
          seconds: Math.min(3, CELL_SECONDS),
        });
      }
    }
    for (let round = 0; round < ROUNDS; round++) {
      const order = PATHS.map((_, i) => PATHS[(i + round) % PATHS.length]);
      for (const op of OPS) {
        for (const connections of CONNECTIONS) {
          for (const path of order) {
            const result = await runLoad({
              baseUrl: urlOf(path),
              request: requestFor(op, path, token, expiresAt),
              connections,
              seconds: CELL_SECONDS,
              watchPid: path === 'direct' ? simulator.pid : backend.pid,
            });
            const key = `${op}/${connections}/${path}`;
            const cell = cells.get(key) ?? {
              op,
              connections,
              path,
              rounds: [],
              p50: NaN,
              p99: NaN,
              rps: NaN,
            };
            cell.rounds.push(result);
            cells.set(key, cell);
            const bad =
              result.errors +
              Object.values(result.statuses).reduce((a, b) => a + b, 0);
            console.log(
              `[${mode} round ${round + 1}] ${op.padEnd(5)} c=${String(
                connections,
              ).padStart(2)} ${path.padEnd(6)} ` +
                `p50 ${fmt(result.p50)} ms  p99 ${fmt(result.p99)} ms  ${fmt(
                  result.rps,
                  0,
                )} req/s` +
                (result.cpuMsPerRequest !== undefined
                  ? `  cpu ${fmt(result.cpuMsPerRequest, 3)} ms/req`
                  : '') +
                (bad > 0
                  ? `  NON-2XX/ERRORS ${bad} ${JSON.stringify(result.statuses)}`
                  : ''),
            );
          }
        }
      }
    }
  });
  for (const cell of cells.values()) {
    cell.p50 = median(cell.rounds.map(r => r.p50));
    cell.p99 = median(cell.rounds.map(r => r.p99));
    cell.rps = median(cell.rounds.map(r => r.rps));
    const cpu = cell.rounds
      .map(r => r.cpuMsPerRequest)
      .filter((v): v is number => v !== undefined);
    if (cpu.length > 0) cell.cpuMsPerRequest = median(cpu);
  }
  return [...cells.values()];
}

/** Per (op, connections): the added latency of proxy and plugin over direct and their ratios. */
function report(mode: Mode, cells: CellSummary[]) {
  const get = (op: Op, c: number, path: Path) =>
    cells.find(x => x.op === op && x.connections === c && x.path === path)!;
  const rows: Array<Record<string, string | number>> = [];
  console.log(
    `\n== ${PRINCIPAL} principal, simulator keep-alive: ${mode} (medians of ${ROUNDS} rounds, ${CELL_SECONDS} s per cell) ==`,
  );
  console.log(
    'op     conns | direct p50/p99 req/s   | proxy p50/p99 req/s cpu/req  | plugin p50/p99 req/s cpu/req | added p50 proxy/plugin | added p99 proxy/plugin | ratio p50 | ratio p99 | req/s ratio | cpu ratio',
  );
  for (const op of OPS) {
    for (const c of CONNECTIONS) {
      const [d, x, p] = [
        get(op, c, 'direct'),
        get(op, c, 'proxy'),
        get(op, c, 'plugin'),
      ];
      const added = {
        proxy50: x.p50 - d.p50,
        plugin50: p.p50 - d.p50,
        proxy99: x.p99 - d.p99,
        plugin99: p.p99 - d.p99,
      };
      const row = {
        mode,
        principal: PRINCIPAL,
        op,
        connections: c,
        directP50: d.p50,
        directP99: d.p99,
        directRps: d.rps,
        proxyP50: x.p50,
        proxyP99: x.p99,
        proxyRps: x.rps,
        proxyCpuMs: x.cpuMsPerRequest ?? NaN,
        pluginP50: p.p50,
        pluginP99: p.p99,
        pluginRps: p.rps,
        pluginCpuMs: p.cpuMsPerRequest ?? NaN,
        addedP50Proxy: added.proxy50,
        addedP50Plugin: added.plugin50,
        addedP99Proxy: added.proxy99,
        addedP99Plugin: added.plugin99,
        ratioP50: added.plugin50 / added.proxy50,
        ratioP99: added.plugin99 / added.proxy99,
        rpsRatio: p.rps / x.rps,
        cpuRatio: (p.cpuMsPerRequest ?? NaN) / (x.cpuMsPerRequest ?? NaN),
      };
      rows.push(row);
      console.log(
        `${op.padEnd(6)} ${String(c).padStart(5)} | ${fmt(d.p50)}/${fmt(
          d.p99,
        )} ${fmt(d.rps, 0).padStart(6)} | ` +
          `${fmt(x.p50)}/${fmt(x.p99)} ${fmt(x.rps, 0).padStart(6)} ${fmt(
            x.cpuMsPerRequest,
            3,
          )} | ` +
          `${fmt(p.p50)}/${fmt(p.p99)} ${fmt(p.rps, 0).padStart(6)} ${fmt(
            p.cpuMsPerRequest,
            3,
          )} | ` +
          `${fmt(added.proxy50)} / ${fmt(added.plugin50)} | ${fmt(
            added.proxy99,
          )} / ${fmt(added.plugin99)} | ` +
          `${fmt(row.ratioP50)}x | ${fmt(row.ratioP99)}x | ${fmt(
            row.rpsRatio,
          )}x | ${fmt(row.cpuRatio)}x`,
      );
    }
  }
  return rows;
}

async function main() {
  const startedAt = new Date().toISOString();
  const all: Array<Record<string, string | number>> = [];
  const raw: Record<string, CellSummary[]> = {};
  for (const mode of MODES) {
    const cells = await runMode(mode);
    raw[mode] = cells;
    all.push(...report(mode, cells));
  }
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(
    OUT,
    JSON.stringify(
      {
        startedAt,
        principal: PRINCIPAL,
        cellSeconds: CELL_SECONDS,
        rounds: ROUNDS,
        connections: CONNECTIONS,
        ops: OPS,
        modes: MODES,
        rows: all,
        raw,
      },
      null,
      1,
    ),
  );
  console.log(
    latencyMarkdown({
      rows: all,
      principal: PRINCIPAL,
      cellSeconds: CELL_SECONDS,
      rounds: ROUNDS,
    }),
  );
  console.log(`\nresults: ${OUT}`);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
