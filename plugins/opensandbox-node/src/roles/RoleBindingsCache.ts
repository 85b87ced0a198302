/** Options of {@link RoleBindingsCache}. @public */
export interface RoleBindingsCacheOptions<T> {
  /** Reads the current value from the source of truth (the console's database, directly or over HTTP). */
  load: (signal: AbortSignal) => Promise<T>;
  /** How long a loaded value is served, in ms, counted from the START of its load. */
  ttlMs: number;
  /**
   * After `ttlMs`, when reloading fails, the last value is still served until it is
   * `ttlMs + staleIfErrorMs` old; later the `fallback` is. Default 0.
   */
  staleIfErrorMs?: number;
  /** Served when nothing usable is cached and loading fails (the config-only bindings: never more). */
  fallback: T;
  /** A load is abandoned after this many ms; at most `ttlMs` (so the staleness bound holds). Default 5000. */
  loadTimeoutMs?: number;
  /** Epoch ms; tests inject a settable clock. Default `Date.now`. */
  clock?: () => number;
  /** Told about failed loads (at most once per failure streak, and again after a success). */
  onError?: (error: Error) => void;
}

interface Entry<T> {
  value: T;
  /** When the load that produced `value` started. */
  startedAt: number;
}

/**
 * A time-bounded cache of one value (the role bindings), shared by every decision of a process.
 *
 * Staleness bound: a value is served only while `now - startedAt <= ttlMs`, where `startedAt` is
 * when its load STARTED; the source is read after that instant, so a served value reflects every
 * change committed before `now - ttlMs`. Requests that arrive while a load runs wait for it; that
 * load started less than `loadTimeoutMs <= ttlMs` earlier, so the bound is the same. Hence a
 * change is in force at most `ttlMs` after its commit, on every replica (plus `staleIfErrorMs`
 * while the source is failing).
 *
 * Fail closed: when the source cannot be read and nothing younger than `ttlMs + staleIfErrorMs`
 * is cached, `fallback` is served (the config-only bindings, which never grant more than the
 * database bindings would).
 *
 * {@link invalidate} drops the value at once (a change made in this process); a load that was
 * already running when it was called is not cached (it may predate the change).
 * @public
 */
export class RoleBindingsCache<T> {
  readonly #o: Required<Omit<RoleBindingsCacheOptions<T>, 'onError'>> &
    Pick<RoleBindingsCacheOptions<T>, 'onError'>;
  #entry?: Entry<T>;
  #inflight?: { generation: number; promise: Promise<T> };
  #generation = 0;
  #failing = false;

  constructor(options: RoleBindingsCacheOptions<T>) {
    if (!(options.ttlMs >= 0))
      throw new Error('ttlMs must be a non-negative number');
    this.#o = {
      ...options,
      staleIfErrorMs: options.staleIfErrorMs ?? 0,
      clock: options.clock ?? Date.now,
      loadTimeoutMs: Math.max(
        1,
        Math.min(options.loadTimeoutMs ?? 5000, options.ttlMs || 5000),
      ),
    };
  }

  /** The cached value when fresh, else a freshly loaded one (or a fallback, see the class doc). */
  async get(): Promise<T> {
    const now = this.#o.clock();
    const entry = this.#entry;
    if (entry && now - entry.startedAt <= this.#o.ttlMs) return entry.value;
    if (this.#inflight?.generation === this.#generation)
      return this.#inflight.promise;
    const generation = this.#generation;
    const promise = this.#load(generation);
    this.#inflight = { generation, promise };
    return promise;
  }

  /** Forgets the cached value: the next {@link get} loads. */
  invalidate(): void {
    this.#generation++;
    this.#entry = undefined;
  }

  async #load(generation: number): Promise<T> {
    const startedAt = this.#o.clock();
    const controller = new AbortController();
    const timer = setTimeout(
      () =>
        controller.abort(
          new Error(`loading timed out after ${this.#o.loadTimeoutMs} ms`),
        ),
      this.#o.loadTimeoutMs,
    );
    try {
      const value = await Promise.race([
        this.#o.load(controller.signal),
        new Promise<never>((_, reject) =>
          controller.signal.addEventListener('abort', () =>
            reject(controller.signal.reason),
          ),
        ),
      ]);
      if (generation === this.#generation) this.#entry = { value, startedAt };
      this.#failing = false;
      return value;
    } catch (error) {
      if (!this.#failing) {
        this.#failing = true;
        this.#o.onError?.(
          error instanceof Error ? error : new Error(String(error)),
        );
      }
      const entry = this.#entry;
      if (
        entry &&
        this.#o.clock() - entry.startedAt <=
          this.#o.ttlMs + this.#o.staleIfErrorMs
      )
        return entry.value;
      return this.#o.fallback;
    } finally {
      clearTimeout(timer);
      if (this.#inflight?.generation === generation) this.#inflight = undefined;
    }
  }
}
