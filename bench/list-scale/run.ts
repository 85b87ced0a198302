/**
 * Sandbox inventory list benchmark on PostgreSQL (see docs/benchmarks.md).
 *
 *   source scripts/env.sh && node --require @backstage/cli/config/nodeTransform.cjs bench/list-scale/run.ts
 *
 * Env: BENCH_PG_URL (admin connection, default postgresql://postgres@127.0.0.1:5432/postgres),
 * BENCH_SMALL (default 10000), BENCH_LARGE (default 100000), BENCH_QUERIES (per scenario,
 * default 100), BENCH_PAGE_SIZE (list page size, default 50), BENCH_KEEP (set: keep the database
 * for EXPLAIN), BENCH_HTTP (0 skips phase 2), BENCH_HTTP_SANDBOXES (10000), BENCH_HTTP_CALLS (10).
 * Phase 1 creates a fresh database, fills it through the real sync path (syncServer +
 * SandboxInventoryStore.upsertPage from an in-memory fake upstream, pages of 200), times the
 * store's list, and drops it at the end (also on failure). Phase 2 (`./http.ts`) times the list
 * through HTTP on a real backend over the simulator, counting upstream requests and permission
 * decisions per console request.
 */
import { performance } from 'node:perf_hooks';
import { measureHttpList } from './http';
import knexFactory, { Knex } from 'knex';
import type { PermissionCriteria } from '@backstage/plugin-permission-common';
import type { ConsoleSandbox } from '../../plugins/opensandbox-common/src/types';
import { encodeOwnershipMetadata } from '../../plugins/opensandbox-common/src/ownership';
import type { SandboxFilter } from '../../plugins/opensandbox-node/src/permissions/resource';
import {
  InventoryListOptions,
  SandboxInventoryStore,
} from '../../plugins/opensandbox-backend/src/inventory/SandboxInventoryStore';
import { syncServer } from '../../plugins/opensandbox-backend/src/inventory/syncInventory';

const ADMIN_URL =
  process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const SMALL = Number(process.env.BENCH_SMALL ?? 10_000);
const LARGE = Number(process.env.BENCH_LARGE ?? 100_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 100);
const PAGE_SIZE = Number(process.env.BENCH_PAGE_SIZE ?? 50);
const SYNC_PAGE = 200;

const TEAMS = 50;
const OWNERS = 2000;
const ENTITIES = 300;
const SPAN_MS = 30 * 86_400_000;
const NOW = Date.now() - 3_600_000;
const WORDS = [
  'falcon',
  'otter',
  'maple',
  'cobalt',
  'ember',
  'lynx',
  'quartz',
  'willow',
  'raven',
  'delta',
  'aurora',
  'basil',
  'cedar',
  'dune',
  'fjord',
  'garnet',
  'harbor',
  'iris',
  'juniper',
  'kelp',
];
const STATES: Array<[string, number]> = [
  ['Running', 0.6],
  ['Paused', 0.15],
  ['Terminated', 0.1],
  ['Pending', 0.05],
  ['Failed', 0.05],
  ['Stopping', 0.05],
];
const IMAGES = [
  'python:3.12',
  'node:22',
  'ubuntu:24.04',
  'ghcr.io/acme/agent-runner:2.3.1',
  'golang:1.23',
];

let seed = 42;
const rand = () =>
  (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(list: T[]) => list[int(list.length)];
const owner = (i: number) => `user:default/user-${i}`;
const team = (i: number) => `group:default/team-${i}`;

function pickState(): string {
  let r = rand();
  for (const [state, p] of STATES) {
    if ((r -= p) < 0) return state;
  }
  return 'Running';
}

/** One realistic sandbox; i orders creation time (higher = newer). */
function makeSandbox(i: number, total: number): ConsoleSandbox {
  const createdAt = NOW - SPAN_MS + Math.floor((i / total) * SPAN_MS);
  const ownerIndex = int(OWNERS);
  const hasOwner = rand() >= 0.1; // 10% created outside the console: no ownership at all
  const state = pickState();
  const ownership = hasOwner
    ? {
        owner: owner(ownerIndex),
        team: team(ownerIndex % TEAMS),
        ...(rand() < 0.6
          ? { entity: `component:default/svc-${int(ENTITIES)}` }
          : {}),
      }
    : undefined;
  const metadata: Record<string, string> = {
    name: `${pick(WORDS)}-${pick(WORDS)}-${i}`,
    stage: pick(['dev', 'staging', 'prod']),
    ...(ownership ? encodeOwnershipMetadata(ownership) : {}),
    ...(ownership
      ? {
          'backstage.io/create-token': `ct-${i.toString(36)}-${int(
            1e9,
          ).toString(36)}`,
        }
      : {}),
  };
  const hex = ((i * 2654435761) >>> 0).toString(16).padStart(8, '0');
  return {
    id: `${hex}-${(i % 65536).toString(16).padStart(4, '0')}-4${int(4096)
      .toString(16)
      .padStart(3, '0')}-8000-${i.toString(16).padStart(12, '0')}`,
    image: { uri: pick(IMAGES) },
    status: {
      state,
      ...(state === 'Failed'
        ? {
            reason: 'runtime_error',
            message: 'container exited with code 137 (OOMKilled)',
          }
        : {}),
      ...(state === 'Terminated'
        ? {
            reason: pick(['user_delete', 'ttl_expiry']),
            message: 'sandbox terminated',
          }
        : {}),
      lastTransitionAt: new Date(createdAt + 5_000).toISOString(),
    },
    metadata,
    entrypoint: ['python', '-m', 'http.server', '8080'],
    createdAt: new Date(createdAt).toISOString(),
    ...(rand() < 0.7
      ? {
          expiresAt: new Date(
            createdAt + (1 + int(7 * 24)) * 3_600_000,
          ).toISOString(),
        }
      : {}),
    ...(ownership ? { ownership } : {}),
  };
}

/** An in-memory upstream over `items` (kept newest first), offset pages. */
function fakeUpstream(items: ConsoleSandbox[]) {
  let calls = 0;
  const sorted = () =>
    [...items].sort((a, b) =>
      a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0,
    );
  let view = sorted();
  return {
    refresh: () => {
      view = sorted();
    },
    calls: () => calls,
    fetchPage: async (page: number, pageSize: number) => {
      calls++;
      const totalItems = view.length;
      const totalPages = Math.ceil(totalItems / pageSize);
      return {
        items: view.slice((page - 1) * pageSize, page * pageSize),
        pagination: {
          page,
          pageSize,
          totalItems,
          totalPages,
          hasNextPage: page < totalPages,
        },
      };
    },
  };
}

function percentile(sorted: number[], p: number) {
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

type Row = {
  scale: string;
  name: string;
  p50: number;
  p95: number;
  note: string;
};
const rows: Row[] = [];
const syncRows: Array<{
  name: string;
  calls: number;
  ms: number;
  note: string;
}> = [];

async function time(
  scale: string,
  name: string,
  run: () => Promise<{ pagination: { totalItems: number } }>,
) {
  const samples: number[] = [];
  let totals = 0;
  for (let i = 0; i < QUERIES; i++) {
    const t = performance.now();
    const result = await run();
    samples.push(performance.now() - t);
    totals += result.pagination.totalItems;
  }
  samples.sort((a, b) => a - b);
  const row = {
    scale,
    name,
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    note: `avg totalItems ${Math.round(totals / QUERIES)}`,
  };
  rows.push(row);
  console.log(
    `${scale.padEnd(8)} ${name.padEnd(44)} p50 ${row.p50
      .toFixed(2)
      .padStart(7)} ms   p95 ${row.p95.toFixed(2).padStart(7)} ms   ${
      row.note
    }`,
  );
}

async function timeSync(
  name: string,
  upstream: ReturnType<typeof fakeUpstream>,
  store: SandboxInventoryStore,
) {
  const before = upstream.calls();
  const t = performance.now();
  const result = await syncServer({
    server: 'main',
    store,
    fetchPage: upstream.fetchPage,
    pageSize: SYNC_PAGE,
  });
  const ms = performance.now() - t;
  const note = `added ${result.added}, updated ${result.updated}, removed ${result.removed}, seen ${result.seen}`;
  syncRows.push({ name, calls: upstream.calls() - before, ms, note });
  console.log(
    `sync: ${name.padEnd(40)} ${String(upstream.calls() - before).padStart(
      4,
    )} calls ${(ms / 1000).toFixed(2)} s   ${note}`,
  );
}

function operatorFilter(): PermissionCriteria<SandboxFilter> {
  const me = int(OWNERS);
  const myTeams = [team(me % TEAMS), team(int(TEAMS))];
  return {
    anyOf: [
      { property: 'owner', refs: [owner(me)] },
      { property: 'team', refs: myTeams },
    ],
  };
}

async function queries(
  scale: string,
  store: SandboxInventoryStore,
  total: number,
) {
  const list = (o: InventoryListOptions) =>
    store.list({ pageSize: PAGE_SIZE, ...o });
  await time(scale, 'admin first page (createdAt desc)', () => list({}));
  await time(scale, 'admin page at 50% depth', () =>
    list({ page: Math.max(1, Math.floor(total / PAGE_SIZE / 2)) }),
  );
  await time(scale, 'admin sorted by expiresAt asc', () =>
    list({ sort: 'expiresAt' }),
  );
  await time(scale, 'admin sorted by expiresAt desc', () =>
    list({ sort: 'expiresAt', order: 'desc' }),
  );
  await time(scale, 'admin name search (word substring)', () =>
    list({ search: pick(WORDS).slice(1, 5) }),
  );
  await time(scale, 'admin search, rare (name number)', () =>
    list({ search: `-${int(total)}` }),
  );
  await time(scale, 'operator first page (owner OR 2 teams)', () =>
    list({ filter: operatorFilter() }),
  );
  await time(scale, 'operator + state Running', () =>
    list({ filter: operatorFilter(), state: ['Running'] }),
  );
  await time(scale, 'operator + NOT Terminated (negated leaf)', () =>
    list({
      filter: {
        allOf: [
          operatorFilter(),
          { not: { property: 'state', states: ['Terminated'] } },
        ],
      },
    }),
  );
}

async function main() {
  const dbName = `opensandbox_list_bench_${process.pid}`;
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
    pool: { min: 0, max: 10 },
  });
  const started = performance.now();
  try {
    const store = await SandboxInventoryStore.create({
      database: { getClient: async () => knex },
    });
    console.log(
      `PostgreSQL ${
        (await knex.raw('show server_version')).rows[0].server_version
      }, database ${dbName}, page size ${PAGE_SIZE}, ${QUERIES} queries per scenario`,
    );
    const all = Array.from({ length: LARGE }, (_, i) => makeSandbox(i, LARGE));
    // The first SMALL sandboxes: a random sample, so they spread over the whole time range.
    const small = all
      .filter((_, i) => i % Math.round(LARGE / SMALL) === 0)
      .slice(0, SMALL);
    const items = [...small];
    const upstream = fakeUpstream(items);

    await timeSync(`initial sync, ${SMALL} sandboxes`, upstream, store);
    await timeSync(`no-change resync, ${SMALL}`, upstream, store);
    await knex.raw('ANALYZE');
    await queries(`${SMALL / 1000}k`, store, SMALL);

    const inSmall = new Set(small.map(s => s.id));
    items.push(...all.filter(s => !inSmall.has(s.id)));
    upstream.refresh();
    await timeSync(
      `growth sync to ${LARGE} (+${LARGE - SMALL})`,
      upstream,
      store,
    );
    await knex.raw('ANALYZE');
    const size = (
      await knex.raw(
        `select pg_size_pretty(pg_total_relation_size('opensandbox_sandboxes')) as s, pg_size_pretty(pg_total_relation_size('opensandbox_sandbox_labels')) as l`,
      )
    ).rows[0];
    console.log(
      `opensandbox_sandboxes + indexes: ${size.s}; labels + indexes: ${size.l}`,
    );
    await queries(`${LARGE / 1000}k`, store, LARGE);

    await timeSync(`no-change resync, ${LARGE}`, upstream, store);
    // 1% churn: changes, deletions and new sandboxes.
    for (let k = 0; k < LARGE / 100; k++) {
      const i = int(items.length);
      items[i] = {
        ...items[i],
        status: { ...items[i].status, state: 'Paused' },
      };
    }
    items.splice(0, LARGE / 200);
    for (let k = 0; k < LARGE / 200; k++)
      items.push(makeSandbox(LARGE + k, LARGE));
    upstream.refresh();
    await timeSync(`1% churn resync, ${LARGE}`, upstream, store);
    // Right after full resyncs (every row touched, no VACUUM yet): the steady state.
    await time(`${LARGE / 1000}k*`, 'admin first page, after resyncs', () =>
      store.list({ pageSize: PAGE_SIZE }),
    );
    await time(`${LARGE / 1000}k*`, 'operator first page, after resyncs', () =>
      store.list({ pageSize: PAGE_SIZE, filter: operatorFilter() }),
    );

    console.log(
      '\n| scale | query | p50 | p95 | note |\n|---|---|---|---|---|',
    );
    for (const r of rows) {
      console.log(
        `| ${r.scale} | ${r.name} | ${r.p50.toFixed(2)} ms | ${r.p95.toFixed(
          2,
        )} ms | ${r.note} |`,
      );
    }
    console.log(
      '\n| sync | upstream calls | wall time | result |\n|---|---|---|---|',
    );
    for (const r of syncRows) {
      console.log(
        `| ${r.name} | ${r.calls} | ${(r.ms / 1000).toFixed(2)} s | ${
          r.note
        } |`,
      );
    }
    console.log(
      `\nwhole run ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
  } finally {
    await knex.destroy();
    if (process.env.BENCH_KEEP) {
      console.log(
        `kept ${dbName} (BENCH_KEEP): drop it with DROP DATABASE ${dbName}`,
      );
    } else {
      await admin.raw(`DROP DATABASE IF EXISTS ${dbName}`);
      console.log(`dropped ${dbName}`);
    }
    await admin.destroy();
  }
}

main()
  // Phase 2: the same list through HTTP (./http.ts): time per page, upstream requests and
  // permission decisions per console request. BENCH_HTTP=0 skips it.
  .then(() => (process.env.BENCH_HTTP === '0' ? undefined : measureHttpList()))
  .catch(error => {
    console.error(error);
    process.exit(1);
  });
