/**
 * Benchmark (not part of the normal test run): a bulk delete of 100 sandboxes through the console's
 * HTTP API — dry run, then the confirmed execution — against the simulator behind a counting
 * server, with the real permission backend and role policy, the audit log and the inventory.
 * Reports wall times and the most upstream requests in flight. Run with bench/bulk/run.sh
 * (BENCH_BULK=1); see docs/benchmarks.md.
 *
 * Env: BENCH_BULK (set to run), BENCH_BULK_ITEMS (100), BENCH_BULK_LATENCY_MS (every upstream
 * request, default 20), BENCH_BULK_DELETE_MS (extra time of each upstream delete, default 200),
 * BENCH_BULK_CONCURRENCY (comma list, default 1,4,8), BENCH_BULK_OUT (JSON results file),
 * BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING (set: PostgreSQL, else SQLite in memory).
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  authHeader,
  startConsoleBackend,
  syncInventory,
  TEST_API_KEY,
} from '../__testUtils__/consoleBackend';
import { startMeasuredSimulator } from '../__testUtils__/measuredSimulator';

const ITEMS = Number(process.env.BENCH_BULK_ITEMS ?? 100);
const LATENCY_MS = Number(process.env.BENCH_BULK_LATENCY_MS ?? 20);
const DELETE_MS = Number(process.env.BENCH_BULK_DELETE_MS ?? 200);
const CONCURRENCIES = (process.env.BENCH_BULK_CONCURRENCY ?? '1,4,8')
  .split(',')
  .map(Number);
const usePostgres =
  !!process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;

jest.setTimeout(900_000);

const run = process.env.BENCH_BULK ? describe : describe.skip;

run('bulk delete benchmark', () => {
  const databases = TestDatabases.create({
    ids: usePostgres ? ['POSTGRES_15'] : ['SQLITE_3'],
  });
  const results: Array<Record<string, unknown>> = [];

  afterAll(() => {
    // eslint-disable-next-line no-console
    console.log(
      `bulk delete benchmark (${
        usePostgres ? 'PostgreSQL' : 'SQLite'
      }):\n${JSON.stringify(results, null, 2)}`,
    );
    if (process.env.BENCH_BULK_OUT)
      writeFileSync(
        process.env.BENCH_BULK_OUT,
        `${JSON.stringify(results, null, 2)}\n`,
      );
  });

  const scenarios = [
    ...CONCURRENCIES.map(concurrency => ({
      concurrency,
      latencyMs: LATENCY_MS,
      deleteMs: DELETE_MS,
    })),
    { concurrency: 4, latencyMs: 0, deleteMs: 0 },
  ];

  it.each(scenarios)(
    'delete %p',
    async ({ concurrency, latencyMs, deleteMs }) => {
      const knex = await databases.init(
        usePostgres ? 'POSTGRES_15' : 'SQLITE_3',
      );
      const sim = await startMeasuredSimulator({ apiKey: TEST_API_KEY });
      try {
        const server = await startConsoleBackend({
          simulatorUrl: sim.url,
          knex,
          extraConfig: {
            bulk: { maxItems: Math.max(100, ITEMS), concurrency },
            requestTimeoutSeconds: 30,
          },
        });
        for (let i = 0; i < ITEMS; i++) {
          await fetch(`${sim.url}/v1/sandboxes`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'OPEN-SANDBOX-API-KEY': TEST_API_KEY,
            },
            body: JSON.stringify({
              image: { uri: 'alpine:3' },
              entrypoint: ['sleep', 'infinity'],
              timeout: 3600,
              resourceLimits: { cpu: '1', memory: '1Gi' },
              metadata: {
                bench: 'bulk',
                'backstage.io/owner': 'ada',
                'backstage.io/owner-namespace': 'default',
                'backstage.io/team': 'team-a',
                'backstage.io/team-namespace': 'default',
              },
            }),
          });
        }
        await syncInventory(server);
        // Latency on every upstream request from now on, and a slower delete.
        await fetch(`${sim.url}/_simulator/latency`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ latencyMs }),
        });
        if (deleteMs > 0) {
          await fetch(`${sim.url}/_simulator/faults`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              faults: [
                {
                  method: 'DELETE',
                  path: '^/v1/sandboxes/',
                  delayMs: deleteMs,
                },
              ],
            }),
          });
        }
        const body = { filter: { metadata: { bench: 'bulk' } } };
        const ada = authHeader('operatorOwnTeam');

        sim.reset();
        let t0 = performance.now();
        const dry = await request(server)
          .post('/api/opensandbox/bulk/delete')
          .set('Authorization', ada)
          .send(body);
        const dryMs = performance.now() - t0;
        expect(dry.status).toBe(200);
        expect(dry.body.counts['would-succeed']).toBe(ITEMS);
        const dryMax = sim.maxInFlight();
        const dryRequests = sim.requests().length;

        sim.reset();
        t0 = performance.now();
        const exec = await request(server)
          .post('/api/opensandbox/bulk/delete')
          .set('Authorization', ada)
          .send({
            ...body,
            dryRun: false,
            confirmationToken: dry.body.confirmationToken,
          });
        const execMs = performance.now() - t0;
        expect(exec.status).toBe(200);
        expect(exec.body.counts.succeeded).toBe(ITEMS);
        const execRequests = sim.requests();
        results.push({
          items: ITEMS,
          concurrency,
          upstreamLatencyMs: latencyMs,
          extraDeleteMs: deleteMs,
          dryRun: {
            wallMs: Math.round(dryMs),
            maxInFlight: dryMax,
            upstreamRequests: dryRequests,
          },
          execution: {
            wallMs: Math.round(execMs),
            maxInFlight: sim.maxInFlight(),
            upstreamRequests: execRequests.length,
            deletes: execRequests.filter(r => r.method === 'DELETE').length,
            perItemMs: Math.round(execMs / ITEMS),
          },
        });
        expect(sim.maxInFlight()).toBeLessThanOrEqual(concurrency);
      } finally {
        await sim.close();
      }
    },
  );
});
