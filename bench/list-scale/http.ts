/**
 * The list through HTTP at scale (phase 2 of `./run.ts`, item 2 of the performance issue): the
 * backend of `../lib/backend.ts` (real auth, permission backend with the role policy module,
 * PostgreSQL) over a simulator holding BENCH_HTTP_SANDBOXES (10,000) sandboxes, 5% of them
 * team-a's. Callers: ada (operator of team-a: her list is the CONDITIONAL decision turned into
 * SQL) and pat (admin: everything). For each caller, BENCH_HTTP_CALLS (10) calls of the first page
 * (page of 20, newest first) and of a filtered page (Running, name search "falcon", expiring
 * within 3 h), median and max; the simulator counts the upstream requests and the backend the
 * requests to the permission backend's `/authorize` meanwhile, per console request.
 * Ports: simulator 8121, backend 7121.
 */
import { performance } from 'node:perf_hooks';
import {
  createDatabase,
  median,
  startBackend,
  startSimulator,
  userToken,
  withCleanup,
} from '../lib/processes';

const SANDBOXES = Number(process.env.BENCH_HTTP_SANDBOXES ?? 10_000);
const CALLS = Number(process.env.BENCH_HTTP_CALLS ?? 10);

interface Row {
  caller: string;
  page: string;
  median: number;
  max: number;
  total: number;
  items: number;
  upstreamPerRequest: number;
  decisionsPerRequest: number;
}

async function json(url: string, init?: RequestInit): Promise<any> {
  const res = await fetch(url, init);
  if (!res.ok)
    throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

export async function measureHttpList(): Promise<Row[]> {
  const rows: Row[] = [];
  await withCleanup(async track => {
    const database = `bench_listscale_${process.pid}`;
    track.cleanup(await createDatabase(database));
    const t0 = performance.now();
    const simulator = track.child(
      await startSimulator({
        port: 8121,
        keepAlive: 'server',
        sandboxes: SANDBOXES,
        teamShare: 0.05,
      }),
    );
    const backend = track.child(
      await startBackend({
        port: 7121,
        simulatorUrl: simulator.url,
        database,
        countDecisions: true,
        // The decision cache off: every request asks the permission backend, so the count
        // below is the decisions a request makes (with the cache, a burst asks once).
        extraConfig: {
          inventory: { syncIntervalSeconds: 3600 },
          permissionDecisions: { cacheSeconds: 0 },
        },
      }),
    );
    const tokens = {
      'operator (ada, team-a)': await userToken(backend.url, 'ada'),
      'admin (pat)': await userToken(backend.url, 'pat'),
    };
    // The first list after the start syncs the inventory (pages of 200).
    const tSync = performance.now();
    await json(`${backend.url}/api/opensandbox/sandboxes?pageSize=20`, {
      headers: { authorization: `Bearer ${Object.values(tokens)[1]}` },
    });
    console.log(
      `\nHTTP list over ${SANDBOXES} upstream sandboxes: stack up in ${(
        (tSync - t0) /
        1000
      ).toFixed(1)} s, ` +
        `first list (inventory sync on demand) ${(
          (performance.now() - tSync) /
          1000
        ).toFixed(1)} s`,
    );
    const pages = {
      'first page': '/api/opensandbox/sandboxes?pageSize=20',
      'filtered page':
        '/api/opensandbox/sandboxes?pageSize=20&state=Running&search=falcon&expiringWithinSeconds=10800',
    };
    for (const [caller, token] of Object.entries(tokens)) {
      for (const [page, path] of Object.entries(pages)) {
        const headers = { authorization: `Bearer ${token}` };
        await json(`${backend.url}${path}`, { headers }); // warm
        await json(`${simulator.url}/_bench/count`, { method: 'POST' });
        await json(`${backend.url}/bench/stats`, { method: 'POST' });
        const times: number[] = [];
        let body: any;
        for (let i = 0; i < CALLS; i++) {
          const t = performance.now();
          body = await json(`${backend.url}${path}`, { headers });
          times.push(performance.now() - t);
        }
        const upstream = (await json(`${simulator.url}/_bench/count`))
          .requests as number;
        const decisions = (await json(`${backend.url}/bench/stats`))
          .decisions as number;
        rows.push({
          caller,
          page,
          median: median(times),
          max: Math.max(...times),
          total: body.pagination.totalItems,
          items: body.items.length,
          upstreamPerRequest: upstream / CALLS,
          decisionsPerRequest: decisions / CALLS,
        });
      }
    }
  });
  console.log(
    `caller                   page            median     max   items/total   upstream req/request   decisions/request`,
  );
  for (const r of rows) {
    console.log(
      `${r.caller.padEnd(24)} ${r.page.padEnd(14)} ${r.median
        .toFixed(1)
        .padStart(6)} ms ${r.max.toFixed(1).padStart(6)} ms ` +
        `${`${r.items}/${r.total}`.padStart(12)}   ${r.upstreamPerRequest
          .toFixed(1)
          .padStart(20)}   ${r.decisionsPerRequest.toFixed(1).padStart(17)}`,
    );
  }
  return rows;
}
