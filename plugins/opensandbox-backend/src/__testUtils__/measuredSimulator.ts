/**
 * The simulator behind a counting HTTP server: how many OpenSandbox API requests (control routes
 * excluded) were in flight at once, measured at the socket level (arrival → response closed), for
 * tests and benchmarks of the console's upstream concurrency.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createSimulatorApp,
  SimulatorOptions,
  SimulatorState,
} from '@opensandbox-console/opensandbox-simulator';

/** One API request the simulator served. */
export interface MeasuredRequest {
  method: string;
  path: string;
  /** `performance.now()` at arrival and when the response closed. */
  start: number;
  end?: number;
}

export interface MeasuredSimulator {
  url: string;
  state: SimulatorState;
  /** Most API requests in flight at once since the last {@link reset}. */
  maxInFlight(): number;
  /** API requests in flight now. */
  inFlight(): number;
  /** API requests since the last {@link reset}, in arrival order. */
  requests(): MeasuredRequest[];
  /** Forgets the requests and the maximum. */
  reset(): void;
  close(): Promise<void>;
}

export async function startMeasuredSimulator(
  options: SimulatorOptions = {},
): Promise<MeasuredSimulator> {
  const { app, state } = createSimulatorApp(options);
  let current = 0;
  let max = 0;
  let log: MeasuredRequest[] = [];
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (!path.startsWith('/_simulator')) {
      const entry: MeasuredRequest = {
        method: req.method ?? 'GET',
        path,
        start: performance.now(),
      };
      log.push(entry);
      current += 1;
      max = Math.max(max, current);
      res.on('close', () => {
        current -= 1;
        entry.end = performance.now();
      });
    }
    app(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.listen(0, '127.0.0.1', () => resolve());
    server.once('error', reject);
  });
  server.keepAliveTimeout = 1000;
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    maxInFlight: () => max,
    inFlight: () => current,
    requests: () => [...log],
    reset: () => {
      max = current;
      log = [];
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        state.dispose();
        server.close(err => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
