/**
 * One autocannon run with sub-millisecond latencies (autocannon's own histogram keeps whole
 * milliseconds, too coarse for a loopback hop), and the CPU time a process spent meanwhile.
 */
import { readFileSync } from 'node:fs';
// autocannon 8 has no types of its own.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const autocannon = require('autocannon');

export interface LoadRequest {
  method: 'GET' | 'POST';
  /** Paths requested in turn (one per request, round robin over all connections). */
  paths: string[];
  headers: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  requests: number;
  errors: number;
  /** Non-2xx answers by status. */
  statuses: Record<string, number>;
  p50: number;
  p99: number;
  mean: number;
  rps: number;
  /** CPU milliseconds per request of the watched process (undefined when none watched). */
  cpuMsPerRequest?: number;
}

/** utime + stime of a process in milliseconds (Linux `/proc/<pid>/stat`, clock ticks of 10 ms). */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[11] = utime, fields[12] = stime (fields 14 and 15 of stat(5), counted from state = 3).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function percentileOf(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[
    Math.min(
      sorted.length - 1,
      Math.max(0, Math.ceil((p / 100) * sorted.length) - 1),
    )
  ];
}

/**
 * Runs `request` against `baseUrl` with `connections` for `seconds` (or `amount` requests).
 * @param watchPid - a process whose CPU time per request is reported.
 */
export async function runLoad(options: {
  baseUrl: string;
  request: LoadRequest;
  connections: number;
  seconds?: number;
  amount?: number;
  watchPid?: number;
  /** Several request kinds, one after another per connection (for mixed loads). */
  requests?: LoadRequest[];
}): Promise<LoadResult> {
  const kinds = options.requests ?? [options.request];
  const turns = kinds.map(() => 0);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const cpuBefore = options.watchPid ? cpuMsOf(options.watchPid) : 0;
  const started = process.hrtime.bigint();
  const instance = autocannon({
    url: options.baseUrl,
    connections: options.connections,
    ...(options.amount
      ? { amount: options.amount }
      : { duration: options.seconds ?? 10 }),
    timeout: 30,
    requests: kinds.map((kind, k) => ({
      method: kind.method,
      headers: kind.body
        ? { ...kind.headers, 'content-type': 'application/json' }
        : kind.headers,
      ...(kind.body ? { body: kind.body } : {}),
      setupRequest: (req: Record<string, unknown>) => {
        const path = kind.paths[turns[k]++ % kind.paths.length];
        return { ...req, path };
      },
    })),
  });
  instance.on(
    'response',
    (
      _client: unknown,
      statusCode: number,
      _bytes: number,
      responseTime: number,
    ) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
      else statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    },
  );
  const result = await instance;
  const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = options.watchPid ? cpuMsOf(options.watchPid) : 0;
  latencies.sort((a, b) => a - b);
  const total =
    latencies.length + Object.values(statuses).reduce((a, b) => a + b, 0);
  return {
    requests: total,
    errors: result.errors ?? 0,
    statuses,
    p50: percentileOf(latencies, 50),
    p99: percentileOf(latencies, 99),
    mean: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
    rps:
      latencies.length /
      (options.amount ? elapsedS : result.duration ?? elapsedS),
    ...(options.watchPid
      ? { cpuMsPerRequest: (cpuAfter - cpuBefore) / Math.max(1, total) }
      : {}),
  };
}
