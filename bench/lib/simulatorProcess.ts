/**
 * The OpenSandbox simulator as a process of its own for the benchmarks (so its CPU is not the
 * measured backend's), behind a plain `http.Server` with a chosen keep-alive behaviour and a
 * request counter. Started by `./processes.ts`; prints `ready <url>` when listening.
 *
 * Env:
 * - `BENCH_SIM_PORT` (required), `BENCH_SIM_API_KEY` (required);
 * - `BENCH_SIM_KEEPALIVE`: `hint` (default) = what the development simulator does: Node's
 *   `keepAliveTimeout` of 1 s, announced to clients as `Keep-Alive: timeout=1` (undici then
 *   closes every connection after its response, since the hint minus its 2 s safety margin is
 *   <= 0); `server` = what the real server does: uvicorn closes connections idle for
 *   `timeout_keep_alive` seconds (OpenSandbox `server.timeout_keep_alive`, default 30; uvicorn's own
 *   default is 5) and sends no `Keep-Alive` header. `BENCH_SIM_IDLE_SECONDS` (30) sets that idle time;
 * - `BENCH_SIM_SANDBOXES` (0): seed sandboxes, `BENCH_SIM_TEAM_SHARE` (0.05) of them owned by
 *   `BENCH_SIM_TEAM` (`team-a`, the rest by 19 other teams), 80% Running, a quarter of the names
 *   with `falcon`, all expiring in 2 h;
 *   the first one is `bench-0000000`, owned by `BENCH_SIM_OWNER` (`ada`) of the team.
 *
 * Control routes (not counted): `GET /_bench/count` → `{ requests }` API requests served since
 * the last `POST /_bench/count/reset`.
 */
import http from 'node:http';
import {
  createSimulatorApp,
  SeedSandbox,
} from '@opensandbox-console/opensandbox-simulator';

const port = Number(process.env.BENCH_SIM_PORT);
const apiKey = process.env.BENCH_SIM_API_KEY;
const mode = process.env.BENCH_SIM_KEEPALIVE ?? 'hint';
const idleSeconds = Number(process.env.BENCH_SIM_IDLE_SECONDS ?? 30);
const count = Number(process.env.BENCH_SIM_SANDBOXES ?? 0);
const share = Number(process.env.BENCH_SIM_TEAM_SHARE ?? 0.05);
const team = process.env.BENCH_SIM_TEAM ?? 'team-a';
const owner = process.env.BENCH_SIM_OWNER ?? 'ada';

if (!Number.isInteger(port) || !apiKey || !['hint', 'server'].includes(mode)) {
  throw new Error(
    'BENCH_SIM_PORT, BENCH_SIM_API_KEY and BENCH_SIM_KEEPALIVE=hint|server are required',
  );
}

const WORDS = ['falcon', 'otter', 'maple', 'cobalt'];

/** Sandbox i: every 1/share-th belongs to `team` (i = 0 always), the rest to team-x1..x19. */
function seedSandbox(i: number): SeedSandbox {
  const ours =
    i === 0 ||
    (share > 0 && Math.floor(i * share) !== Math.floor((i - 1) * share));
  const teamName = ours ? team : `team-x${1 + (i % 19)}`;
  const user = ours ? (i === 0 ? owner : `user-${i % 7}`) : `user-${i % 500}`;
  return {
    id: `bench-${String(i).padStart(7, '0')}`,
    image: 'python:3.12',
    state: Math.floor(i / 3) % 5 === 4 ? 'Paused' : 'Running',
    ageSeconds: count - i,
    timeout: 7200 + (count - i),
    resourceLimits: { cpu: '500m', memory: '512Mi' },
    metadata: {
      name: `bench-${WORDS[Math.floor(i / 7) % WORDS.length]}-${i}`,
      'backstage.io/owner': user,
      'backstage.io/owner-namespace': 'default',
      'backstage.io/team': teamName,
      'backstage.io/team-namespace': 'default',
    },
  };
}

const { app, state } = createSimulatorApp({
  apiKey,
  seed: Array.from({ length: count }, (_, i) => seedSandbox(i)),
  requestLogSize: 10,
  // Creates and renews answer at once (no simulated image pull).
  startupMs: 0,
});

let requests = 0;
const server = http.createServer((req, res) => {
  const url = req.url ?? '/';
  if (url.startsWith('/_bench/count')) {
    if (req.method === 'POST') requests = 0;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ requests }));
    return;
  }
  if (!url.startsWith('/_simulator')) requests += 1;
  app(req, res);
});
if (mode === 'hint') {
  server.keepAliveTimeout = 1000;
} else {
  // No Keep-Alive header (Node only sends one while keepAliveTimeout > 0); idle sockets are closed
  // after idleSeconds by the socket timeout instead.
  server.keepAliveTimeout = 0;
  server.timeout = idleSeconds * 1000;
}
server.headersTimeout = 60_000;
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready http://127.0.0.1:${port}\n`);
});
const stop = () => {
  state.dispose();
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
