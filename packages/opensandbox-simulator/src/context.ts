/** The simulator's mutable state, shared by middleware and routes. */
import { SimulatorClock } from './clock';
import { FaultInjector } from './faults';
import { RequestLog } from './requestLog';
import {
  DEFAULT_STARTUP_MS,
  DEFAULT_UNPULLABLE_IMAGE_PATTERN,
  SandboxStore,
} from './store';
import { FaultRule, SeedSandbox } from './types';

/**
 * How `POST /sandboxes` behaves; changeable at runtime with
 * {@link SimulatorState.setCreateOptions} or `POST /_simulator/create-options`.
 */
export interface CreateOptions {
  /**
   * Real (wall-clock) milliseconds a create takes before it answers, like an
   * image pull: validation errors still answer at once, the sandbox appears
   * and the 202 (or the image pull 500) is sent after the delay. The create
   * completes even when the client has disconnected meanwhile. Default 0.
   */
  createDelayMs: number;
  /**
   * While a create is in its `createDelayMs`, every other API request
   * (including `/health` and other creates) waits until it has finished, like
   * the real server whose event loop is blocked by the image pull. Control
   * requests (`/_simulator/*`) and requests answered by fault rules do not
   * wait. Default false.
   */
  blockWhileCreating: boolean;
  /**
   * Simulated milliseconds (simulated clock) between the create request and
   * the container's creation: GET/list `createdAt` = the create answer's
   * `createdAt` + `startupMs`. Default 1500.
   */
  startupMs: number;
  /**
   * Regular expression (source text) for image URIs whose pull fails with 500
   * `DOCKER::SANDBOX_IMAGE_PULL_FAILED`; `null` (or `''`) lets every image
   * pull. Default `does-not-exist|nonexistent|unpullable`.
   */
  unpullableImagePattern: string | null;
}

/** Outcome of {@link SimulatorState.restart}. */
export interface RestartResult {
  /** Sandboxes kept. */
  sandboxes: number;
  /** Ids whose renewed `expiresAt` was dropped (back to the creation-time expiry). */
  reverted: string[];
  /** Ids removed because their creation-time expiry had already passed. */
  expired: string[];
}

/** Handle on a simulator's state, for tests and the control API. */
export interface SimulatorState {
  /** The sandboxes. */
  readonly store: SandboxStore;
  /** Simulated clock (epoch ms, UTC); `clock.advance(seconds)` moves it forward. */
  readonly clock: SimulatorClock;
  /** Active fault rules. */
  readonly faults: FaultInjector;
  /** Recent API requests (API key redacted). */
  readonly requests: RequestLog;
  /** API key expected in `OPEN-SANDBOX-API-KEY`; undefined means no check. */
  readonly apiKey?: string;
  /** Added delay for every API request, in milliseconds. */
  latencyMs: number;
  /** Restores the seed, the initial fault rules, latency and create options; clears the log and clock offset. */
  reset(): void;
  /** Removes expired sandboxes now; returns their ids. */
  sweep(): string[];
  /**
   * Simulates a restart of the real server: renewals (kept in memory only
   * upstream) are lost, every `expiresAt` goes back to the creation-time
   * expiry, and sandboxes already past it are removed. Everything else stays.
   */
  restart(): RestartResult;
  /** The current create options. */
  getCreateOptions(): CreateOptions;
  /**
   * Changes some create options; returns all of them.
   * @throws Error on an invalid value (negative number, bad regular expression)
   */
  setCreateOptions(patch: Partial<CreateOptions>): CreateOptions;
  /** Number of creates currently in their `createDelayMs`. */
  readonly inFlightCreates: number;
  /** Resolves once no create is in progress (at once when none is). */
  whenCreatesSettled(): Promise<void>;
  /** Resolves once no blocking create (`blockWhileCreating`) is in progress. */
  waitUntilUnblocked(): Promise<void>;
  /**
   * Runs `work` (the provisioning of a create) after `createDelayMs`, holding
   * the server-wide block while `blockWhileCreating` is on.
   */
  runCreate<T>(work: () => T): Promise<T>;
  /** Stops the periodic expiry sweep. */
  dispose(): void;
}

/** Options of {@link createState}. */
export interface StateOptions {
  apiKey?: string;
  now?: () => number;
  seed?: SeedSandbox[];
  faults?: FaultRule[];
  latencyMs?: number;
  maxTimeoutSeconds?: number;
  sweepIntervalMs?: number;
  requestLogSize?: number;
  createDelayMs?: number;
  blockWhileCreating?: boolean;
  startupMs?: number;
  unpullableImagePattern?: string | null;
}

function nonNegative(name: string, value: unknown, unit: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`${name} must be a non-negative number of ${unit}`);
  }
  return value;
}

function toRegExp(pattern: unknown): RegExp | undefined {
  if (pattern === null || pattern === undefined || pattern === '')
    return undefined;
  if (typeof pattern !== 'string')
    throw new Error('unpullableImagePattern must be a string or null');
  try {
    return new RegExp(pattern);
  } catch (e) {
    throw new Error(
      `unpullableImagePattern is not a valid regular expression: ${
        (e as Error).message
      }`,
    );
  }
}

/**
 * Checks and normalises create options (all fields optional).
 * @throws Error on an invalid value
 */
export function validateCreateOptions(
  patch: Partial<CreateOptions>,
): Partial<CreateOptions> {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
    throw new Error('create options must be an object');
  const known = [
    'createDelayMs',
    'blockWhileCreating',
    'startupMs',
    'unpullableImagePattern',
  ];
  for (const key of Object.keys(patch)) {
    if (!known.includes(key))
      throw new Error(
        `unknown create option '${key}' (known: ${known.join(', ')})`,
      );
  }
  const out: Partial<CreateOptions> = {};
  if (patch.createDelayMs !== undefined)
    out.createDelayMs = nonNegative(
      'createDelayMs',
      patch.createDelayMs,
      'milliseconds',
    );
  if (patch.startupMs !== undefined)
    out.startupMs = nonNegative('startupMs', patch.startupMs, 'milliseconds');
  if (patch.blockWhileCreating !== undefined) {
    if (typeof patch.blockWhileCreating !== 'boolean')
      throw new Error('blockWhileCreating must be a boolean');
    out.blockWhileCreating = patch.blockWhileCreating;
  }
  if (patch.unpullableImagePattern !== undefined) {
    toRegExp(patch.unpullableImagePattern);
    out.unpullableImagePattern = patch.unpullableImagePattern || null;
  }
  return out;
}

/** Builds the state; the periodic sweep timer is `unref()`ed. */
export function createState(opts: StateOptions): SimulatorState {
  const clock = new SimulatorClock(opts.now ?? Date.now);
  const initialCreate: CreateOptions = {
    createDelayMs: 0,
    blockWhileCreating: false,
    startupMs: DEFAULT_STARTUP_MS,
    unpullableImagePattern: DEFAULT_UNPULLABLE_IMAGE_PATTERN,
    ...validateCreateOptions({
      createDelayMs: opts.createDelayMs,
      blockWhileCreating: opts.blockWhileCreating,
      startupMs: opts.startupMs,
      unpullableImagePattern: opts.unpullableImagePattern,
    }),
  };
  let create: CreateOptions = { ...initialCreate };
  const store = new SandboxStore({
    now: () => clock.now(),
    maxTimeoutSeconds: opts.maxTimeoutSeconds,
    startupMs: create.startupMs,
    unpullableImage: toRegExp(create.unpullableImagePattern),
  });
  const faults = new FaultInjector(opts.faults ?? []);
  const requests = new RequestLog(opts.requestLogSize ?? 1000);
  store.reset(opts.seed ?? []);
  const interval = opts.sweepIntervalMs ?? 1000;
  const timer =
    interval > 0 ? setInterval(() => store.sweep(), interval) : undefined;
  timer?.unref();

  let gate: Promise<void> | undefined;
  let inFlight = 0;
  let settledWaiters: Array<() => void> = [];

  const applyCreate = (next: CreateOptions) => {
    create = next;
    store.startupMs = next.startupMs;
    store.unpullableImage = toRegExp(next.unpullableImagePattern);
  };
  const waitUntilUnblocked = async () => {
    while (gate) await gate;
  };

  return {
    store,
    clock,
    faults,
    requests,
    apiKey: opts.apiKey,
    latencyMs: opts.latencyMs ?? 0,
    reset() {
      clock.reset();
      store.reset(opts.seed ?? []);
      faults.set(opts.faults ?? []);
      requests.clear();
      this.latencyMs = opts.latencyMs ?? 0;
      applyCreate({ ...initialCreate });
    },
    sweep: () => store.sweep(),
    restart() {
      const reverted = store.restart();
      const expired = store.sweep();
      return { sandboxes: store.size, reverted, expired };
    },
    getCreateOptions: () => ({ ...create }),
    setCreateOptions(patch) {
      applyCreate({ ...create, ...validateCreateOptions(patch) });
      return { ...create };
    },
    get inFlightCreates() {
      return inFlight;
    },
    whenCreatesSettled: () =>
      inFlight === 0
        ? Promise.resolve()
        : new Promise<void>(resolve => settledWaiters.push(resolve)),
    waitUntilUnblocked,
    async runCreate<T>(work: () => T): Promise<T> {
      inFlight += 1;
      let release: (() => void) | undefined;
      try {
        const delayMs = create.createDelayMs;
        if (delayMs > 0) {
          if (create.blockWhileCreating) {
            await waitUntilUnblocked();
            gate = new Promise<void>(resolve => {
              release = resolve;
            });
          }
          await new Promise(resolve => setTimeout(resolve, delayMs));
        }
        return work();
      } finally {
        if (release) {
          gate = undefined;
          release();
        }
        inFlight -= 1;
        if (inFlight === 0) {
          const waiters = settledWaiters;
          settledWaiters = [];
          waiters.forEach(w => w());
        }
      }
    },
    dispose: () => {
      if (timer) clearInterval(timer);
    },
  };
}
