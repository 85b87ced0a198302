import { createSimulatorApp } from './server';
import { Harness, T0, createBody, startHarness } from './__testUtils__/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    seed: [
      { id: 'old', image: 'a', ageSeconds: 3000, timeout: 3600 },
      { id: 'manual', image: 'a', ageSeconds: 999999 },
    ],
  });
});
afterAll(async () => {
  await h.sim.close();
});
beforeEach(() => {
  h.setNow(T0);
  h.sim.state.reset();
});

const get = (id: string) =>
  h.api.call('GET', '/sandboxes/{sandboxId}', { params: { sandboxId: id } });

describe('expiry', () => {
  it('removes a sandbox once its expiresAt passes (lazy check on the next request)', async () => {
    const id = (
      await h.api.call('POST', '/sandboxes', {
        body: createBody({ timeout: 60 }),
      })
    ).body.id;
    h.advance(59.999);
    expect((await get(id)).status).toBe(200);
    h.advance(0.001);
    const gone = await get(id);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({
      code: 'DOCKER::SANDBOX_NOT_FOUND',
      message: `Sandbox ${id} not found.`,
    });
  });

  it('expires seeded sandboxes relative to their createdAt; manual-cleanup ones never', async () => {
    expect((await get('old')).body.expiresAt).toBe('2026-06-15T10:10:00Z');
    h.advance(600);
    expect((await get('old')).status).toBe(404);
    h.advance(10 * 365 * 86400);
    expect((await get('manual')).status).toBe(200);
  });

  it('keeps counting while paused', async () => {
    const id = (
      await h.api.call('POST', '/sandboxes', {
        body: createBody({ timeout: 120 }),
      })
    ).body.id;
    await h.api.call('POST', '/sandboxes/{sandboxId}/pause', {
      params: { sandboxId: id },
    });
    h.advance(120);
    expect((await get(id)).status).toBe(404);
  });

  it('honours a renewed expiry', async () => {
    const id = (
      await h.api.call('POST', '/sandboxes', {
        body: createBody({ timeout: 60 }),
      })
    ).body.id;
    const renew = await h.api.call(
      'POST',
      '/sandboxes/{sandboxId}/renew-expiration',
      {
        params: { sandboxId: id },
        body: { expiresAt: '2026-06-15T11:00:00Z' },
      },
    );
    expect(renew.status).toBe(200);
    h.advance(3599);
    expect((await get(id)).status).toBe(200);
    h.advance(1);
    expect((await get(id)).status).toBe(404);
  });

  it('drops expired sandboxes from lists', async () => {
    h.advance(600);
    const res = await h.api.call('GET', '/sandboxes');
    expect(res.body.items.map((s: any) => s.id)).toEqual(['manual']);
    expect(res.body.pagination.totalItems).toBe(1);
  });

  it('advances the simulated clock through the control API', async () => {
    const res = await fetch(`${h.sim.url}/_simulator/clock`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: 600 }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      now: '2026-06-15T10:10:00Z',
      expired: ['old'],
    });
    expect((await get('old')).status).toBe(404);
    const created = await h.api.call('POST', '/sandboxes', {
      body: createBody(),
    });
    expect(created.body.createdAt).toBe('2026-06-15T10:10:00Z');
  });
});

describe('background sweep', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('removes expired sandboxes on an interval without any request', () => {
    jest.useFakeTimers();
    let now = T0;
    const { state } = createSimulatorApp({
      now: () => now,
      sweepIntervalMs: 1000,
      seed: [{ id: 'a', image: 'x', timeout: 60 }],
    });
    try {
      expect(state.store.size).toBe(1);
      now += 61_000;
      expect(state.store.size).toBe(1);
      jest.advanceTimersByTime(1000);
      expect(state.store.size).toBe(0);
    } finally {
      state.dispose();
    }
  });
});
