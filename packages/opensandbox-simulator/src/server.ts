/** Assembles the express app and starts/stops the HTTP server. */
import { AddressInfo } from 'node:net';
import express, { Express } from 'express';
import { SimulatorState, createState } from './context';
import {
  apiKeyAuth,
  bufferBody,
  errorHandler,
  latencyAndFaults,
  lazySweep,
  logRequests,
  methodNotAllowed,
  notFound,
  plainJson,
  requestId,
  waitWhileCreateBlocks,
} from './middleware';
import { controlRoutes } from './routes/control';
import { diagnosticsRoutes } from './routes/diagnostics';
import { sandboxRoutes } from './routes/sandboxes';
import { snapshotRoutes } from './routes/snapshots';
import { FaultRule, SeedSandbox } from './types';

/** Default API key when none is configured. */
export const DEFAULT_API_KEY = 'dev-opensandbox-key';

/** Options of {@link createSimulatorApp} and {@link startSimulator}. */
export interface SimulatorOptions {
  /**
   * Expected `OPEN-SANDBOX-API-KEY`. Default `dev-opensandbox-key`.
   * `null` or `''` disables the check (like an upstream server without a key).
   */
  apiKey?: string | null;
  /** TCP port; 0 (the default for {@link startSimulator}) picks a free port. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Sandboxes loaded at start and on every reset. */
  seed?: SeedSandbox[];
  /** Delay added to every API request (not control requests), in milliseconds. Default 0. */
  latencyMs?: number;
  /** Initial fault rules (restored on reset). */
  faults?: FaultRule[];
  /** Base clock in epoch milliseconds (UTC). Default `Date.now`. Tests inject a fake. */
  now?: () => number;
  /** Maximum create `timeout` in seconds (400 `SANDBOX::INVALID_PARAMETER` beyond). Unlimited by default. */
  maxTimeoutSeconds?: number;
  /** Host used in direct endpoints (`<host>:<port>/proxy/<port>`). Default `127.0.0.1`. */
  endpointHost?: string;
  /** Period of the background expiry sweep in milliseconds; 0 disables it. Default 1000. */
  sweepIntervalMs?: number;
  /** Number of requests kept by the request log. Default 1000. */
  requestLogSize?: number;
  /**
   * Simulated start-up time in milliseconds (simulated clock): GET/list show
   * `createdAt` (and `status.lastTransitionAt`) = the create request's start +
   * `startupMs`, while the create answer shows the request start. Default 1500.
   */
  startupMs?: number;
  /**
   * Real (wall-clock) milliseconds every create takes before it answers (the
   * "image pull"). The create completes even if the client disconnects. Default 0.
   */
  createDelayMs?: number;
  /**
   * While a create is in its `createDelayMs`, hold every other API request
   * until it finishes (the real server's event loop is blocked by the pull).
   * Default false.
   */
  blockWhileCreating?: boolean;
  /**
   * Regular expression (source text) of image URIs that cannot be pulled:
   * create answers 500 `DOCKER::SANDBOX_IMAGE_PULL_FAILED`. `null` or `''`
   * lets every image pull. Default `does-not-exist|nonexistent|unpullable`.
   */
  unpullableImagePattern?: string | null;
}

/** The app plus a handle on its state. */
export interface SimulatorApp {
  app: Express;
  state: SimulatorState;
}

/**
 * Builds the simulator's express app without listening. Call
 * `state.dispose()` when done to stop the (unref'ed) expiry sweep timer.
 */
export function createSimulatorApp(
  options: SimulatorOptions = {},
): SimulatorApp {
  const apiKey =
    options.apiKey === undefined
      ? DEFAULT_API_KEY
      : options.apiKey || undefined;
  const state = createState({ ...options, apiKey });
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');

  app.use(plainJson);
  app.use(requestId);
  app.use('/_simulator', controlRoutes(state));
  app.use(logRequests(state));
  app.use(bufferBody);
  app.use(latencyAndFaults(state));
  app.use(waitWhileCreateBlocks(state));
  app.use(lazySweep(state));
  app
    .route('/health')
    .head(methodNotAllowed('GET'))
    .get((_req, res) => {
      res.status(200).json({ status: 'healthy' });
    })
    .all(methodNotAllowed('GET'));
  app.use(apiKeyAuth(state));
  const endpointHost = options.endpointHost ?? '127.0.0.1';
  for (const prefix of ['/v1', '/']) {
    app.use(prefix, sandboxRoutes(state, { endpointHost }));
    app.use(prefix, snapshotRoutes());
    app.use(prefix, diagnosticsRoutes(state));
  }
  app.use(notFound);
  app.use(errorHandler);
  return { app, state };
}

/** A running simulator. */
export interface RunningSimulator {
  /** Server root, `http://<host>:<port>`; the lifecycle API is at `${url}/v1`. */
  url: string;
  /** The port actually bound. */
  port: number;
  /** The API key clients must send (undefined when the check is disabled). */
  apiKey?: string;
  /** State handle (store, clock, faults, request log). */
  state: SimulatorState;
  /** Stops listening, closes connections and the sweep timer. */
  close(): Promise<void>;
}

/** Starts the simulator on `options.port` (default 0, a free port) and `options.host` (default 127.0.0.1). */
export async function startSimulator(
  options: SimulatorOptions = {},
): Promise<RunningSimulator> {
  const { app, state } = createSimulatorApp(options);
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<import('node:http').Server>(
    (resolve, reject) => {
      const s = app.listen(options.port ?? 0, host, () => resolve(s));
      s.once('error', reject);
    },
  );
  server.keepAliveTimeout = 1000;
  const port = (server.address() as AddressInfo).port;
  let urlHost = host === '0.0.0.0' ? '127.0.0.1' : host;
  if (host.includes(':')) urlHost = `[${host}]`;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    apiKey: state.apiKey,
    state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        state.dispose();
        server.close(err => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
