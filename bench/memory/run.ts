/**
 * Backend memory under load through the console (see docs/benchmarks.md):
 *
 *   yarn bench:memory        (= bash bench/run.sh memory)
 *
 * The backend of `../lib/backend.ts` (real auth, permission backend with the role policy module,
 * audit and inventory on PostgreSQL) against the simulator (`../lib/simulatorProcess.ts`, the
 * real server's keep-alive), then:
 * 1. RSS at start: once the backend is ready, after one request of each kind and 10 s idle;
 * 2. BENCH_REQUESTS (100,000) mixed requests through the plugin at BENCH_CONNECTIONS (10): per
 *    connection in turn 6 gets (over team-a's 40 sandboxes), 3 lists (page of 20) and 1 renew,
 *    as ada (operator of team-a); RSS sampled every 250 ms (peak);
 * 3. RSS right after the load and after BENCH_IDLE_SECONDS (60) idle (sampled each second).
 * Targets: after the load and the idle time at most 20 MB above the start; peak growth <= 300 MB.
 *
 * Env: BENCH_REQUESTS, BENCH_CONNECTIONS, BENCH_IDLE_SECONDS, BENCH_SETTLE_SECONDS (10),
 * BENCH_PG_URL, BENCH_NODE_OPTIONS (extra flags for the backend, e.g. --max-semi-space-size=...),
 * BENCH_OUT (.cache/bench-memory.json). Ports: simulator 8111, backend 7111.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  createDatabase,
  REPO_ROOT,
  rssOf,
  startBackend,
  startSimulator,
  userToken,
  withCleanup,
} from '../lib/processes';
import { LoadRequest, runLoad } from '../lib/load';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 100_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
const SETTLE_SECONDS = Number(process.env.BENCH_SETTLE_SECONDS ?? 10);
const OUT = resolve(
  REPO_ROOT,
  process.env.BENCH_OUT ?? '.cache/bench-memory.json',
);
const SANDBOXES = 400;
const TEAM_SHARE = 0.1;

const MB = (bytes: number) => bytes / (1024 * 1024);
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

async function main() {
  const startedAt = new Date().toISOString();
  let result: Record<string, unknown> = {};
  await withCleanup(async track => {
    const database = `bench_memory_${process.pid}`;
    track.cleanup(await createDatabase(database));
    const simulator = track.child(
      await startSimulator({
        port: 8111,
        keepAlive: 'server',
        sandboxes: SANDBOXES,
        teamShare: TEAM_SHARE,
      }),
    );
    const backend = track.child(
      await startBackend({
        port: 7111,
        simulatorUrl: simulator.url,
        database,
        nodeArgs: (process.env.BENCH_NODE_OPTIONS ?? '')
          .split(' ')
          .filter(Boolean),
      }),
    );
    const token = await userToken(backend.url, 'ada');
    const headers = { authorization: `Bearer ${token}` };
    const ids: string[] = [];
    for (let i = 0; i < SANDBOXES; i++) {
      if (
        i === 0 ||
        Math.floor(i * TEAM_SHARE) !== Math.floor((i - 1) * TEAM_SHARE)
      )
        ids.push(`bench-${String(i).padStart(7, '0')}`);
    }
    const get: LoadRequest = {
      method: 'GET',
      paths: ids.map(id => `/api/opensandbox/sandboxes/${id}`),
      headers,
    };
    const list: LoadRequest = {
      method: 'GET',
      paths: ['/api/opensandbox/sandboxes?pageSize=20'],
      headers,
    };
    const renew: LoadRequest = {
      method: 'POST',
      paths: ids.map(id => `/api/opensandbox/sandboxes/${id}/renew-expiration`),
      headers,
      body: JSON.stringify({
        expiresAt: new Date(Date.now() + 3 * 3_600_000).toISOString(),
      }),
    };
    // One of each (the first list syncs the inventory), then settle.
    await runLoad({
      baseUrl: backend.url,
      request: get,
      requests: [list, get, renew],
      connections: 1,
      amount: 3,
    });
    await sleep(SETTLE_SECONDS * 1000);
    const start = rssOf(backend.pid);
    console.log(`RSS at start: ${MB(start).toFixed(1)} MB`);

    let peak = start;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssOf(backend.pid));
    }, 250);
    const mix = [get, get, list, get, get, list, get, renew, get, list];
    const t0 = Date.now();
    const load = await runLoad({
      baseUrl: backend.url,
      request: get,
      requests: mix,
      connections: CONNECTIONS,
      amount: REQUESTS,
      watchPid: backend.pid,
    });
    clearInterval(sampler);
    const loadSeconds = (Date.now() - t0) / 1000;
    const afterLoad = rssOf(backend.pid);
    peak = Math.max(peak, afterLoad);
    const bad =
      load.errors + Object.values(load.statuses).reduce((a, b) => a + b, 0);
    console.log(
      `${load.requests} requests in ${loadSeconds.toFixed(
        0,
      )} s (${load.rps.toFixed(0)} req/s, p50 ${load.p50.toFixed(1)} ms, ` +
        `p99 ${load.p99.toFixed(1)} ms, ${load.cpuMsPerRequest?.toFixed(
          2,
        )} ms CPU/request, non-2xx/errors ${bad} ${JSON.stringify(
          load.statuses,
        )})`,
    );
    console.log(
      `RSS peak: ${MB(peak).toFixed(1)} MB (+${MB(peak - start).toFixed(
        1,
      )}), right after: ${MB(afterLoad).toFixed(1)} MB`,
    );
    const idle: number[] = [];
    for (let s = 1; s <= IDLE_SECONDS; s++) {
      await sleep(1000);
      idle.push(rssOf(backend.pid));
    }
    const afterIdle = idle[idle.length - 1] ?? afterLoad;
    console.log(
      `RSS after ${IDLE_SECONDS} s idle: ${MB(afterIdle).toFixed(1)} MB (${
        MB(afterIdle - start) >= 0 ? '+' : ''
      }${MB(afterIdle - start).toFixed(1)})`,
    );
    const idleTarget = MB(afterIdle - start) <= 20;
    const peakTarget = MB(peak - start) <= 300;
    console.log(
      `targets: after idle <= start + 20 MB: ${
        idleTarget ? 'met' : 'MISSED'
      }; peak growth <= 300 MB: ${peakTarget ? 'met' : 'MISSED'}`,
    );
    result = {
      startedAt,
      requests: load.requests,
      nonOk: bad,
      connections: CONNECTIONS,
      loadSeconds,
      rps: load.rps,
      p50: load.p50,
      p99: load.p99,
      cpuMsPerRequest: load.cpuMsPerRequest,
      rssStartMb: MB(start),
      rssPeakMb: MB(peak),
      rssAfterLoadMb: MB(afterLoad),
      rssAfterIdleMb: MB(afterIdle),
      idleSeries: idle.map(MB),
      targets: { idle: idleTarget, peak: peakTarget },
    };
  });
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify(result, null, 1));
  console.log(`results: ${OUT}`);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
