/**
 * Audit log benchmark on PostgreSQL (see docs/benchmarks.md).
 *
 *   source scripts/env.sh && node --require @backstage/cli/config/nodeTransform.cjs bench/audit/run.ts
 *
 * Env: BENCH_PG_URL (admin connection, default postgresql://postgres@127.0.0.1:5432/postgres),
 * BENCH_ROWS (default 1000000), BENCH_PATH_ROWS (rows written through the store's insert path,
 * default 20000), BENCH_QUERIES (per scenario, default 200), BENCH_MAX_SECONDS (fill budget,
 * default 900), BENCH_RENEWS (phase 4, renewals per variant, default 1000; 0 skips it).
 * Creates a fresh database and drops it at the end.
 *
 * Phase 4 (`./renewCost.ts`): renewals through the real operation pipeline with the real audit
 * recorder and with a no-op one, on the filled table: what fail-closed audit costs a mutation.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import knexFactory, { Knex } from 'knex';
import { measureRenewCost } from './renewCost';
import { DatabaseAuditStore } from '../../plugins/opensandbox-backend/src/audit/DatabaseAuditStore';
import { encodeCursor } from '../../plugins/opensandbox-backend/src/audit/cursor';
import {
  AUDIT_TABLE,
  toRow,
} from '../../plugins/opensandbox-backend/src/audit/rowMapping';
import { AUDIT_ACTIONS } from '../../plugins/opensandbox-common/src/audit';
import type { AuditEventRecord } from '../../plugins/opensandbox-backend/src/audit/records';
import type { AuditOutcome } from '../../plugins/opensandbox-backend/src/audit/types';

const ADMIN_URL =
  process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const PATH_ROWS = Math.min(ROWS, Number(process.env.BENCH_PATH_ROWS ?? 20_000));
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const RENEWS = Number(process.env.BENCH_RENEWS ?? 1000);
const MAX_SECONDS = Number(process.env.BENCH_MAX_SECONDS ?? 900);
const PATH_CONCURRENCY = 16;
const BULK_CHUNK = 1000;
const BULK_CONCURRENCY = 4;

const ACTORS = 2000;
const SANDBOXES = 100_000;
const TEAMS = 50;
const SPAN_MS = 365 * 86_400_000;
const END = Date.UTC(2026, 10, 29);
const START = END - SPAN_MS;
const ACTIONS = AUDIT_ACTIONS;
const OUTCOMES: AuditOutcome[] = [
  'succeeded',
  'succeeded',
  'succeeded',
  'succeeded',
  'failed',
  'denied',
];

let seed = 42;
const rand = () =>
  (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)];
const actor = (i: number) => `user:default/user-${i}`;
const sandbox = (i: number) => `sbx-${i.toString(36).padStart(6, '0')}`;

function record(i: number): AuditEventRecord {
  const at = START + Math.floor((i / ROWS) * SPAN_MS);
  return {
    id: randomUUID(),
    occurredAt: at,
    actor: actor(Math.floor(rand() * ACTORS)),
    actorType: 'user',
    action: pick(ACTIONS),
    sandboxId: sandbox(Math.floor(rand() * SANDBOXES)),
    team: `group:default/team-${Math.floor(rand() * TEAMS)}`,
    outcome: pick(OUTCOMES),
    httpStatus: 200,
    errorCode: null,
    errorMessage: null,
    requestId: randomUUID(),
    clientIp: '10.0.0.1',
    userAgent: 'bench/1.0',
    batchId: null,
    details: { image: { uri: 'python:3.12' }, timeout: 3600 },
    updatedAt: at,
  };
}

function percentile(sorted: number[], p: number) {
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

async function timeQueries(name: string, run: () => Promise<unknown>) {
  const samples: number[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const t = performance.now();
    await run();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  console.log(
    `${name.padEnd(34)} p50 ${percentile(samples, 50).toFixed(
      2,
    )} ms   p95 ${percentile(samples, 95).toFixed(2)} ms   (n=${QUERIES})`,
  );
}

async function main() {
  const dbName = `opensandbox_audit_bench_${process.pid}`;
  const admin = knexFactory({
    client: 'pg',
    connection: ADMIN_URL,
    pool: { min: 0, max: 1 },
  });
  await admin.raw(`CREATE DATABASE ${dbName}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  const knex: Knex = knexFactory({
    client: 'pg',
    connection: url.toString(),
    pool: { min: 0, max: 20 },
  });
  const deadline = Date.now() + MAX_SECONDS * 1000;
  try {
    let clockValue = START;
    const store = await DatabaseAuditStore.create({
      database: { getClient: async () => knex },
      clock: () => clockValue,
    });
    console.log(
      `PostgreSQL ${
        (await knex.raw('show server_version')).rows[0].server_version
      }, database ${dbName}`,
    );

    // 1. The real insert path (insertInitiated, one row per statement), PATH_CONCURRENCY in flight.
    let next = 0;
    const t1 = performance.now();
    await Promise.all(
      Array.from({ length: PATH_CONCURRENCY }, async () => {
        while (next < PATH_ROWS) {
          const r = record(next++);
          clockValue = r.occurredAt;
          await store.insertInitiated({
            actor: r.actor,
            actorType: 'user',
            action: r.action,
            sandboxId: r.sandboxId!,
            team: r.team!,
            requestId: r.requestId,
            clientIp: r.clientIp!,
            userAgent: r.userAgent!,
            details: r.details,
          });
        }
      }),
    );
    const s1 = (performance.now() - t1) / 1000;
    console.log(
      `insert path (insertInitiated, ${PATH_CONCURRENCY} concurrent): ${PATH_ROWS} rows in ${s1.toFixed(
        1,
      )} s = ${Math.round(PATH_ROWS / s1)} rows/s`,
    );

    // 2. Bulk fill: same row mapping (toRow), multi-row INSERTs of 1000, 4 in flight.
    const t2 = performance.now();
    let cursor = PATH_ROWS;
    await Promise.all(
      Array.from({ length: BULK_CONCURRENCY }, async () => {
        while (cursor < ROWS) {
          if (Date.now() > deadline)
            throw new Error(`fill exceeded BENCH_MAX_SECONDS=${MAX_SECONDS}`);
          const from = cursor;
          cursor = Math.min(ROWS, cursor + BULK_CHUNK);
          const rows = [];
          for (let i = from; i < cursor; i++) rows.push(toRow(record(i)));
          await knex(AUDIT_TABLE).insert(rows);
        }
      }),
    );
    const bulkRows = ROWS - PATH_ROWS;
    const s2 = (performance.now() - t2) / 1000;
    console.log(
      `bulk fill (multi-row INSERT x${BULK_CHUNK}, ${BULK_CONCURRENCY} concurrent): ${bulkRows} rows in ${s2.toFixed(
        1,
      )} s = ${Math.round(bulkRows / s2)} rows/s`,
    );
    await knex.raw(`ANALYZE ${AUDIT_TABLE}`);
    const [{ count }] = await knex(AUDIT_TABLE).count({ count: '*' });
    const size = (
      await knex.raw(
        `select pg_size_pretty(pg_total_relation_size('${AUDIT_TABLE}')) as s`,
      )
    ).rows[0].s;
    console.log(`rows: ${count}, table + indexes: ${size}`);

    // 3. Queries (page of 50, newest first).
    const deep = await knex(AUDIT_TABLE)
      .select('occurred_at', 'seq')
      .orderBy([
        { column: 'occurred_at', order: 'desc' },
        { column: 'seq', order: 'desc' },
      ])
      .offset(Math.floor(Number(count) * 0.9))
      .first();
    const deepCursor = encodeCursor({
      occurredAt: Number(deep.occurred_at),
      seq: Number(deep.seq),
    });
    await timeQueries('by actor', () =>
      store.query({ actor: actor(Math.floor(rand() * ACTORS)) }, { limit: 50 }),
    );
    await timeQueries('by sandbox', () =>
      store.query(
        { sandboxId: sandbox(Math.floor(rand() * SANDBOXES)) },
        { limit: 50 },
      ),
    );
    await timeQueries('by time range (1 day)', () => {
      const from = START + Math.floor(rand() * (SPAN_MS - 86_400_000));
      return store.query({ from, to: from + 86_400_000 }, { limit: 50 });
    });
    await timeQueries('by team + outcome', () =>
      store.query(
        {
          team: `group:default/team-${Math.floor(rand() * TEAMS)}`,
          outcome: 'failed',
        },
        { limit: 50 },
      ),
    );
    await timeQueries('cursor page at 90% depth', () =>
      store.query({}, { limit: 50, cursor: deepCursor }),
    );
    await timeQueries('actor, page 2 via cursor', async () => {
      const filter = { actor: actor(Math.floor(rand() * ACTORS)) };
      const first = await store.query(filter, { limit: 50 });
      return store.query(filter, { limit: 50, cursor: first.nextCursor });
    });

    // 4. What fail-closed audit costs a mutation: renew through the pipeline with and without it.
    if (RENEWS > 0) await measureRenewCost({ knex, store, renews: RENEWS });
  } finally {
    await knex.destroy();
    await admin.raw(`DROP DATABASE IF EXISTS ${dbName}`);
    await admin.destroy();
    console.log(`dropped ${dbName}`);
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
