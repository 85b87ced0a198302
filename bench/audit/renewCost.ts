/**
 * What fail-closed audit costs a mutation (phase 4 of `./run.ts`): renewals through the REAL
 * operation pipeline (`SandboxOperationPipeline`: upstream read, one permission decision, checks,
 * audit, upstream renew, inventory write-through) on the benchmark's PostgreSQL database (its audit
 * table already holding the filled rows), once with the real `DatabaseAuditRecorder` and once with
 * a recorder that writes nothing. Upstream is the simulator in this process; the permission
 * service answers ALLOW at once (no policy round trip), so the difference is the audit alone.
 * Interleaved in blocks, sequential (latency) and 10 concurrent (throughput); statements per
 * renew counted from Knex's query events.
 */
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import type {
  BackstageCredentials,
  LoggerService,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { startSimulator } from '@opensandbox-console/opensandbox-simulator';
import {
  OpenSandboxLifecycleClient,
  opensandboxSandboxRules,
} from '../../plugins/opensandbox-node/src';
import { DatabaseAuditRecorder } from '../../plugins/opensandbox-backend/src/audit/DatabaseAuditRecorder';
import type { DatabaseAuditStore } from '../../plugins/opensandbox-backend/src/audit/DatabaseAuditStore';
import type { AuditRecorder } from '../../plugins/opensandbox-backend/src/audit/types';
import { SandboxInventoryStore } from '../../plugins/opensandbox-backend/src/inventory/SandboxInventoryStore';
import { SandboxOperationPipeline } from '../../plugins/opensandbox-backend/src/operations/SandboxOperationPipeline';
import { SandboxDecisions } from '../../plugins/opensandbox-backend/src/permissions/SandboxDecisions';

const KEY = 'bench-audit-key';
const SANDBOXES = 50;

const quiet: LoggerService = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return quiet;
  },
};

/** A recorder that writes nothing: the pipeline without audit. */
const noAudit: AuditRecorder = {
  begin: async () => ({
    succeed: async () => {},
    fail: async () => {},
    unknown: async () => {},
  }),
  denied: async () => {},
  rejected: async () => {},
};

const allow = async (requests: unknown[]) =>
  requests.map(() => ({ result: AuthorizeResult.ALLOW }));
const permissions = {
  authorize: allow,
  authorizeConditional: allow,
} as unknown as PermissionsService;
const registry = {
  getPermissionRuleset: () => ({
    getRuleByName: (name: string) =>
      Object.values(opensandboxSandboxRules).find(r => r.name === name)!,
  }),
} as unknown as PermissionsRegistryService;
const credentials = {
  $$type: '@backstage/BackstageCredentials',
  principal: { type: 'user', userEntityRef: 'user:default/ada' },
} as unknown as BackstageCredentials;

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  return {
    p50: at(50),
    p95: at(95),
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
  };
}

export async function measureRenewCost(options: {
  knex: Knex;
  store: DatabaseAuditStore;
  renews: number;
}) {
  const { knex, store, renews } = options;
  const sim = await startSimulator({
    port: 0,
    apiKey: KEY,
    sweepIntervalMs: 0,
    seed: Array.from({ length: SANDBOXES }, (_, i) => ({
      id: `renew-${i}`,
      image: 'python:3.12',
      timeout: 7200,
      metadata: {
        'backstage.io/team': 'team-a',
        'backstage.io/team-namespace': 'default',
        'backstage.io/owner': 'ada',
        'backstage.io/owner-namespace': 'default',
      },
    })),
  });
  const client = new OpenSandboxLifecycleClient({
    baseUrl: sim.url,
    apiKey: KEY,
  });
  const inventory = await SandboxInventoryStore.create({
    database: { getClient: async () => knex } as any,
    skipMigrations: true,
  } as any);
  const decisions = new SandboxDecisions(permissions, registry, quiet);
  const noopAuditor = {
    createEvent: async () => ({
      success: async () => {},
      fail: async () => {},
    }),
  } as any;
  const pipelineWith = (audit: AuditRecorder) =>
    new SandboxOperationPipeline({
      servers: [{ name: 'default', client, createTimeoutMs: 180_000 }],
      decisions,
      audit,
      auditStore: store,
      inventory,
      userInfo: {
        getUserInfo: async () => ({
          userEntityRef: 'user:default/ada',
          ownershipEntityRefs: ['user:default/ada', 'group:default/team-a'],
        }),
      },
      logger: quiet,
    });
  const variants = {
    'with audit (DatabaseAuditRecorder)': pipelineWith(
      new DatabaseAuditRecorder({ store, auditor: noopAuditor, logger: quiet }),
    ),
    'without audit (no-op recorder)': pipelineWith(noAudit),
  };
  // Every renewal moves the expiry one second further (a real change, written through).
  const base = Date.now() + 3 * 3_600_000;
  let turn = 0;
  const renewOnce = (pipeline: SandboxOperationPipeline) => {
    turn += 1;
    const expiresAt = new Date(base + turn * 1000).toISOString();
    return pipeline.renew(
      `renew-${turn % SANDBOXES}`,
      { expiresAt },
      { credentials, requestId: `bench-renew-${turn}` },
    );
  };

  let statements = 0;
  const count = () => {
    statements += 1;
  };
  knex.on('query', count);
  const results: Record<
    string,
    { sequential: number[]; statements: number; concurrentRps: number[] }
  > = {};
  try {
    for (const pipeline of Object.values(variants))
      for (let i = 0; i < 20; i++) await renewOnce(pipeline); // warm-up
    const blocks = 10;
    const perBlock = Math.max(1, Math.floor(renews / blocks));
    for (let b = 0; b < blocks; b++) {
      for (const [name, pipeline] of Object.entries(variants)) {
        const r = (results[name] ??= {
          sequential: [],
          statements: 0,
          concurrentRps: [],
        });
        const before = statements;
        for (let i = 0; i < perBlock; i++) {
          const t = performance.now();
          await renewOnce(pipeline);
          r.sequential.push(performance.now() - t);
        }
        r.statements += statements - before;
        // 10 concurrent for the same count: throughput.
        let left = perBlock;
        const t = performance.now();
        await Promise.all(
          Array.from({ length: 10 }, async () => {
            while (left-- > 0) await renewOnce(pipeline);
          }),
        );
        r.concurrentRps.push(perBlock / ((performance.now() - t) / 1000));
      }
    }
  } finally {
    knex.off('query', count);
    await client.close();
    await sim.close();
  }
  const rows = Object.entries(results).map(([name, r]) => {
    const s = stats(r.sequential);
    const rps = [...r.concurrentRps].sort((a, b) => a - b)[
      Math.floor(r.concurrentRps.length / 2)
    ];
    return {
      name,
      ...s,
      statementsPerRenew: r.statements / r.sequential.length,
      concurrentRps: rps,
    };
  });
  console.log(
    `\nrenew through the pipeline (${renews} sequential + ${renews} at 10 concurrent per variant, interleaved in 10 blocks):`,
  );
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(36)} p50 ${r.p50.toFixed(2)} ms  p95 ${r.p95.toFixed(
        2,
      )} ms  mean ${r.mean.toFixed(2)} ms  ` +
        `${r.statementsPerRenew.toFixed(
          1,
        )} statements/renew  ${r.concurrentRps.toFixed(
          0,
        )} renews/s at 10 concurrent`,
    );
  }
  const [withAudit, without] = rows;
  console.log(
    `audit cost per renew: +${(withAudit.p50 - without.p50).toFixed(
      2,
    )} ms at p50 (+${(withAudit.mean - without.mean).toFixed(2)} ms mean), ` +
      `+${(withAudit.statementsPerRenew - without.statementsPerRenew).toFixed(
        1,
      )} statements; throughput ${(
        (100 * withAudit.concurrentRps) /
        without.concurrentRps
      ).toFixed(0)}% of without`,
  );
  return rows;
}
