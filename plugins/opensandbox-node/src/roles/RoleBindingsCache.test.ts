import { RoleBindingsCache } from './RoleBindingsCache';

function setup(
  overrides: { staleIfErrorMs?: number; loadTimeoutMs?: number } = {},
) {
  const clock = { now: 1_000_000 };
  const loads: Array<{
    resolve: (v: string[]) => void;
    reject: (e: Error) => void;
    signal: AbortSignal;
  }> = [];
  const errors: Error[] = [];
  const cache = new RoleBindingsCache<string[]>({
    load: signal =>
      new Promise((resolve, reject) => loads.push({ resolve, reject, signal })),
    ttlMs: 10_000,
    fallback: ['config-only'],
    clock: () => clock.now,
    onError: e => errors.push(e),
    ...overrides,
  });
  return { clock, loads, errors, cache };
}

describe('RoleBindingsCache', () => {
  it('serves a loaded value for ttlMs counted from the START of its load, then reloads', async () => {
    const { clock, loads, cache } = setup();
    const first = cache.get();
    clock.now += 300; // the load takes 300 ms
    loads[0].resolve(['v1']);
    expect(await first).toEqual(['v1']);
    clock.now += 9_700; // 10 s after the load started: still fresh
    expect(await cache.get()).toEqual(['v1']);
    expect(loads).toHaveLength(1);
    clock.now += 1; // older than the bound: reload
    const second = cache.get();
    expect(loads).toHaveLength(2);
    loads[1].resolve(['v2']);
    expect(await second).toEqual(['v2']);
  });

  it('shares one load between concurrent callers', async () => {
    const { loads, cache } = setup();
    const all = Promise.all([cache.get(), cache.get(), cache.get()]);
    expect(loads).toHaveLength(1);
    loads[0].resolve(['v1']);
    expect(await all).toEqual([['v1'], ['v1'], ['v1']]);
  });

  it('invalidate() drops the value at once, and does not cache a load that was already running', async () => {
    const { loads, cache } = setup();
    const first = cache.get();
    loads[0].resolve(['v1']);
    await first;
    cache.invalidate();
    const racing = cache.get(); // load 2 starts...
    cache.invalidate(); // ...and a change is committed meanwhile
    const fresh = cache.get(); // a new load, not the racing one
    expect(loads).toHaveLength(3);
    loads[1].resolve(['before-change']);
    loads[2].resolve(['after-change']);
    expect(await racing).toEqual(['before-change']);
    expect(await fresh).toEqual(['after-change']);
    expect(await cache.get()).toEqual(['after-change']);
    expect(loads).toHaveLength(3);
  });

  it('fails closed: the fallback when nothing usable is cached, reported once per failure streak', async () => {
    const { clock, loads, errors, cache } = setup();
    const first = cache.get();
    loads[0].reject(new Error('opensandbox unreachable'));
    expect(await first).toEqual(['config-only']);
    const second = cache.get(); // not cached: tries again
    loads[1].reject(new Error('still unreachable'));
    expect(await second).toEqual(['config-only']);
    expect(errors.map(e => e.message)).toEqual(['opensandbox unreachable']);
    const third = cache.get();
    loads[2].resolve(['v1']);
    expect(await third).toEqual(['v1']);
    clock.now += 10_001;
    const fourth = cache.get();
    loads[3].reject(new Error('down again'));
    // Expired and staleIfErrorMs is 0: the stale copy is NOT served (it could hold a removed binding).
    expect(await fourth).toEqual(['config-only']);
    expect(errors).toHaveLength(2);
  });

  it('serves the last value up to staleIfErrorMs longer while reloading fails', async () => {
    const { clock, loads, cache } = setup({ staleIfErrorMs: 5_000 });
    const first = cache.get();
    loads[0].resolve(['v1']);
    await first;
    clock.now += 14_000;
    const stale = cache.get();
    loads[1].reject(new Error('down'));
    expect(await stale).toEqual(['v1']);
    clock.now += 1_001; // 15.001 s after the load started
    const tooOld = cache.get();
    loads[2].reject(new Error('down'));
    expect(await tooOld).toEqual(['config-only']);
  });

  it('abandons a load after loadTimeoutMs (never above ttlMs) and aborts it', async () => {
    jest.useFakeTimers();
    try {
      const { loads, cache } = setup({ loadTimeoutMs: 60_000 });
      const pending = cache.get();
      jest.advanceTimersByTime(10_000); // clamped to ttlMs
      expect(await pending).toEqual(['config-only']);
      expect(loads[0].signal.aborted).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});
