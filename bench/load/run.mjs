// Load run against the full stack on PostgreSQL, deployed as docs/deployment.md says (demo backend,
// app-config.production.yaml, secrets from env, OpenSandbox simulator, OIDC provider):
//   node bench/load/run.mjs            (or: bash bench/load/run.sh)
// Phase 1: one replica. Phase 2: two replicas on the same database behind a round-robin proxy on
// loopback. Each phase: LOAD_CLIENTS (50) concurrent clients for LOAD_SECONDS (60), mixed
// operations: list 60 %, get 20 %, mutations 20 % (create, renew, pause, resume, delete evenly),
// as the automation client external:ci-bot (operator of team-a, a JWT from the OIDC provider).
// Prints per phase: status counts, latency percentiles per operation, throughput, backend RSS
// before/after, and the audit accounting: the audit rows of the phase, per outcome, must equal the
// mutations attempted per outcome the client saw (exit code 1 otherwise, or on any 5xx).
// Ports: free ones of 7400-7499 / 8400-8499; databases: a fresh prefix, dropped at the end.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import {
  freePorts,
  psqlIn,
  repoRoot,
  startReplicaStack,
} from '../../e2e/replicaStack.mjs';

const CLIENTS = Number(process.env.LOAD_CLIENTS ?? 50);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const MUTATIONS = ['create', 'renew', 'pause', 'resume', 'delete'];

/** RSS of a process in MiB (Linux /proc). */
function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(
    readFileSync(`/proc/${pid}/status`, 'utf8'),
  );
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/** A round-robin HTTP proxy on loopback in front of `targets`. */
function roundRobin(targets, port) {
  let next = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const server = http.createServer((req, res) => {
    const target = new URL(targets[next++ % targets.length]);
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      up => {
        res.writeHead(up.statusCode, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(599);
      res.end();
    });
    req.pipe(upstream);
  });
  return new Promise(resolve =>
    server.listen(port, '127.0.0.1', () => resolve(server)),
  );
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

/** Expected audit outcome of a mutation answered with `status` (see docs/audit.md). */
function outcomeOf(status) {
  if (status >= 200 && status < 300) return 'succeeded';
  if (status === 403) return 'denied';
  if (status === 429) return 'none'; // refused before the audit (rate limit)
  // Refused by the console after reading the sandbox (404 gone, 409 state, 400 a renew that would
  // shorten): audited `failed`. (The load sends no invalid input, which is refused unaudited.)
  if (status === 400 || status === 404 || status === 409) return 'failed';
  return 'failed-or-unknown';
}

async function phase(name, baseUrl, stack, pids) {
  const token = await stack.token();
  const db = `${stack.databasePrefix}opensandbox`;
  const startedAt = new Date();
  const ids = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS * 2 });
  const stats = { latency: {}, status: {}, mutations: {} };
  const rssBefore = pids.map(rssMiB);
  const request = (method, path, body) =>
    new Promise(resolve => {
      const started = performance.now();
      const data = body ? JSON.stringify(body) : undefined;
      const req = http.request(
        `${baseUrl}/api/opensandbox${path}`,
        {
          method,
          agent,
          headers: {
            authorization: `Bearer ${token}`,
            ...(data
              ? {
                  'content-type': 'application/json',
                  'content-length': Buffer.byteLength(data),
                }
              : {}),
          },
        },
        res => {
          const chunks = [];
          res.on('data', c => chunks.push(c));
          res.on('end', () => {
            let json;
            try {
              json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {}
            resolve({
              status: res.statusCode,
              json,
              ms: performance.now() - started,
            });
          });
        },
      );
      req.on('error', () =>
        resolve({ status: 0, ms: performance.now() - started }),
      );
      req.end(data);
    });
  const record = (op, res) => {
    (stats.latency[op] ??= []).push(res.ms);
    stats.status[res.status] = (stats.status[res.status] ?? 0) + 1;
  };
  const pick = () => ids[Math.floor(Math.random() * ids.length)];
  const deadline = Date.now() + SECONDS * 1000;
  const client = async () => {
    while (Date.now() < deadline) {
      const r = Math.random();
      if (r < 0.6) {
        record('list', await request('GET', '/sandboxes?pageSize=20'));
      } else if (r < 0.8 && ids.length > 0) {
        record('get', await request('GET', `/sandboxes/${pick()}`));
      } else {
        const op =
          ids.length < 5
            ? 'create'
            : MUTATIONS[Math.floor(Math.random() * MUTATIONS.length)];
        const id = pick();
        let res;
        if (op === 'create') {
          res = await request('POST', '/sandboxes', {
            image: { uri: 'alpine:3' },
            entrypoint: ['sleep', 'infinity'],
            timeout: 3600,
            resourceLimits: { cpu: '500m', memory: '512Mi' },
            team: 'group:default/team-a',
            metadata: { name: 'load' },
          });
          if (res.status === 202) ids.push(res.json.id);
        } else if (op === 'renew') {
          res = await request('POST', `/sandboxes/${id}/renew-expiration`, {
            expiresAt: new Date(
              Date.now() + 7200_000 + Math.floor(Math.random() * 600_000),
            ).toISOString(),
          });
        } else if (op === 'delete') {
          res = await request('DELETE', `/sandboxes/${id}`);
          if (res.status === 204 || res.status === 404)
            ids.splice(ids.indexOf(id), 1);
        } else {
          res = await request('POST', `/sandboxes/${id}/${op}`);
        }
        record(op, res);
        const outcome = outcomeOf(res.status);
        stats.mutations[outcome] = (stats.mutations[outcome] ?? 0) + 1;
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const elapsed = (performance.now() - t0) / 1000;
  const rssAfter = pids.map(rssMiB);
  // Audit rows of this phase: every outcome settled (no `initiated` left once the requests ended).
  const rows = psqlIn(
    db,
    `SELECT outcome, count(*) FROM opensandbox_audit_events WHERE actor = 'external:ci-bot' AND occurred_at >= ${startedAt.getTime()} GROUP BY outcome ORDER BY outcome`,
  )
    .split('\n')
    .filter(Boolean)
    .map(l => l.split('|'));
  const audit = Object.fromEntries(rows.map(([o, n]) => [o, Number(n)]));
  const total = Object.values(stats.latency).reduce((n, l) => n + l.length, 0);
  console.log(`\n=== ${name}: ${CLIENTS} clients, ${elapsed.toFixed(1)} s ===`);
  console.log(
    `requests ${total}, throughput ${(total / elapsed).toFixed(
      0,
    )} req/s; statuses ${JSON.stringify(stats.status)}`,
  );
  console.log('op       count   p50 ms   p95 ms   p99 ms   max ms');
  for (const [op, list] of Object.entries(stats.latency)) {
    const sorted = [...list].sort((a, b) => a - b);
    const f = p => percentile(sorted, p).toFixed(1).padStart(8);
    console.log(
      `${op.padEnd(8)}${String(list.length).padStart(6)} ${f(50)} ${f(95)} ${f(
        99,
      )} ${sorted[sorted.length - 1].toFixed(1).padStart(8)}`,
    );
  }
  console.log(
    `backend RSS MiB before ${JSON.stringify(rssBefore)} after ${JSON.stringify(
      rssAfter,
    )}`,
  );
  console.log(
    `mutations by expected audit outcome ${JSON.stringify(
      stats.mutations,
    )}; audit rows by outcome ${JSON.stringify(audit)}`,
  );
  const fiveXX = Object.entries(stats.status).filter(
    ([s]) => Number(s) >= 500 || Number(s) === 0,
  );
  const expected = { ...stats.mutations };
  delete expected.none;
  // A 5xx may leave either `failed` or `unknown`: those two are compared together.
  const settledBad = (audit.failed ?? 0) + (audit.unknown ?? 0);
  const matches =
    (audit.initiated ?? 0) === 0 &&
    (audit.succeeded ?? 0) === (expected.succeeded ?? 0) &&
    (audit.denied ?? 0) === (expected.denied ?? 0) &&
    settledBad ===
      (expected.failed ?? 0) + (expected['failed-or-unknown'] ?? 0);
  console.log(
    `5xx: ${
      fiveXX.length === 0 ? 'none' : JSON.stringify(fiveXX)
    }; audit rows = mutations attempted per outcome: ${matches ? 'yes' : 'NO'}`,
  );
  return fiveXX.length === 0 && matches;
}

const [simulatorPort, idpPort, proxyPort] = [
  ...(await freePorts(2, 8400, 8499)),
  ...(await freePorts(1, 7400, 7499)),
];
const backendPorts = (await freePorts(3, 7400, 7499))
  .filter(p => p !== proxyPort)
  .slice(0, 2);
console.log(
  `machine: ${os.cpus().length} x ${os.cpus()[0]?.model}, ${Math.round(
    os.totalmem() / 2 ** 30,
  )} GiB RAM, ${os.type()} ${os.release()}, Node ${
    process.version
  }; PostgreSQL ${execPsqlVersion()}`,
);
function execPsqlVersion() {
  try {
    return psqlIn('postgres', 'SHOW server_version');
  } catch {
    return 'unknown';
  }
}

let ok = true;
const one = await startReplicaStack({
  backendPorts: [backendPorts[0]],
  simulatorPort,
  idpPort,
  logDir: join(repoRoot, '.cache', 'load-1'),
});
try {
  ok =
    (await phase(
      'one replica',
      one.backendUrls[0],
      one,
      one.backends.map(b => b.pid),
    )) && ok;
} finally {
  await one.stop();
}
const two = await startReplicaStack({
  backendPorts,
  simulatorPort,
  idpPort,
  logDir: join(repoRoot, '.cache', 'load-2'),
});
const proxy = await roundRobin(two.backendUrls, proxyPort);
try {
  ok =
    (await phase(
      'two replicas behind a round-robin',
      `http://127.0.0.1:${proxyPort}`,
      two,
      two.backends.map(b => b.pid),
    )) && ok;
} finally {
  proxy.close();
  await two.stop();
}
process.exit(ok ? 0 : 1);
