/**
 * Generated bad input over every route of `openapi.yaml` (fast-check, fixed seed): wrong types,
 * missing and extra fields, huge and deeply nested bodies, unicode and control characters in
 * metadata, invalid label keys and values, negative/huge/fractional timeouts, ports out of range,
 * path traversal and encoded slashes in ids, repeated and conflicting query parameters, invalid
 * cursors, naive and far-future times, wrong content types and wrong methods.
 *
 * Every request answers 4xx with an error body naming the problem (the field, when there is one),
 * none answers 5xx, none reaches OpenSandbox (the simulator's request log stays empty), and no
 * audit row is left `initiated`.
 */
import type { Server } from 'node:http';
import fc from 'fast-check';
import request from 'supertest';
import { startSimulator } from '@opensandbox-console/opensandbox-simulator';
import {
  authHeader,
  seedUpstreamSandbox,
  startConsoleBackend,
  syncInventory,
  TEST_API_KEY,
} from '../__testUtils__/consoleBackend';
import { simulatorControl } from '../__testUtils__/simulatorControl';
import {
  badRequests,
  BadRequest,
  BAD_INPUT_ROUTES,
} from '../__testUtils__/badInputArbitraries';

jest.setTimeout(180_000);

/** The fixed seed and the number of generated requests (reported in docs/deployment.md). */
const BAD_INPUT_SEED = 20261201;
const BAD_INPUT_RUNS = 1200;

describe('generated bad input', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let server: Server;
  let sandboxId: string;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
    server = await startConsoleBackend({
      simulatorUrl: sim.url,
      extraConfig: { maxTimeoutSeconds: 3600 },
    });
    sandboxId = await seedUpstreamSandbox(sim.url, {
      owner: 'ada',
      team: 'team-a',
    });
    await syncInventory(server);
  });
  afterAll(() => sim.close());

  async function send(r: BadRequest) {
    const path = `/api/opensandbox${r.path.replace('{id}', sandboxId)}${
      r.query ? `?${r.query}` : ''
    }`;
    let req = (request(server) as any)
      [r.method](path)
      .set('Authorization', authHeader(r.persona ?? 'admin'));
    for (const [k, v] of Object.entries(r.headers ?? {})) req = req.set(k, v);
    if (r.rawBody !== undefined)
      req = req
        .set('Content-Type', r.contentType ?? 'application/json')
        .send(r.rawBody);
    else if (r.body !== undefined)
      req = req
        .set('Content-Type', r.contentType ?? 'application/json')
        .send(JSON.stringify(r.body));
    return req;
  }

  it(`answers ${BAD_INPUT_RUNS} generated malformed requests (seed ${BAD_INPUT_SEED}) with 4xx naming the problem, before any upstream call`, async () => {
    const control = simulatorControl(sim.url);
    await control.clearRequests();
    const statuses = new Map<number, number>();
    const routes = new Set<string>();
    let sent = 0;
    // Generated from the fixed seed; every request is sent and every problem collected.
    const failures: string[] = [];
    for (const r of fc.sample(badRequests, {
      seed: BAD_INPUT_SEED,
      numRuns: BAD_INPUT_RUNS,
    })) {
      const res = await send(r);
      sent += 1;
      routes.add(r.route);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const context = `${r.method.toUpperCase()} ${r.path}${
        r.query ? `?${r.query}` : ''
      } (${r.what}) → ${res.status} ${res.text?.slice(0, 200)}`;
      const message: unknown = res.body?.error?.message;
      const named = [
        message,
        ...((res.body?.error?.fields ?? []) as { field: string }[]).map(
          f => f.field,
        ),
      ].join(' ');
      if (res.status < 400 || res.status >= 500)
        failures.push(`not a 4xx: ${context}`);
      else if (typeof message !== 'string' || message.length === 0)
        failures.push(`no error message: ${context}`);
      else if (r.names && !named.includes(r.names))
        failures.push(`does not name ${r.names}: ${context}`);
      else if (!res.headers['x-request-id'])
        failures.push(`no X-Request-ID: ${context}`);
      if (res.text?.includes(TEST_API_KEY))
        failures.push(`the key leaked: ${context}`);
    }
    expect([...new Set(failures)]).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(1000);
    // Every route of openapi.yaml got bad input.
    expect([...routes].sort()).toEqual([...BAD_INPUT_ROUTES].sort());
    expect([...statuses.keys()].every(s => s >= 400 && s < 500)).toBe(true);

    // Zero requests reached OpenSandbox.
    expect(await control.requests()).toEqual([]);

    // No audit row left `initiated`; nothing was attempted upstream.
    const initiated = await request(server)
      .get('/api/opensandbox/audit-events')
      .query({ outcome: 'initiated' })
      .set('Authorization', authHeader('admin'));
    expect(initiated.status).toBe(200);
    expect(initiated.body.items).toEqual([]);
    const unknown = await request(server)
      .get('/api/opensandbox/audit-events')
      .query({ outcome: 'unknown' })
      .set('Authorization', authHeader('admin'));
    expect(unknown.body.items).toEqual([]);
    const succeeded = await request(server)
      .get('/api/opensandbox/audit-events')
      .query({ outcome: 'succeeded' })
      .set('Authorization', authHeader('admin'));
    expect(succeeded.body.items).toEqual([]);
  });
});
