// Two replicas of the demo backend on one PostgreSQL database, deployed as docs/deployment.md says
// (app-config.production.yaml, OIDC and the OpenSandbox key from environment variables), started
// together; then one of them is killed with SIGKILL in the middle of a create and restarted.
// Proves: migrations ran once without a lock error; the scheduled tasks run once per interval
// across both; a client alternating between them sees consistent results; audit rows from both
// are complete and ordered; after the SIGKILL no audit row stays `initiated` (the reconciliation
// resolves it); Backstage's security headers; CORS only for the app's origin; no SSRF through ids;
// the OpenSandbox key in no response, header, log line or audit row.
// Own ports (free ones of 7400-7499 and 8400-8499) and databases: no e2e lock needed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  freePorts,
  psqlIn,
  repoRoot,
  startReplicaStack,
} from './replicaStack.mjs';

const SYNC_SECONDS = 4;
let stack;
let token;
const seen = []; // every response text and header block, checked for the key at the end

before(
  async () => {
    const [simulatorPort, idpPort] = await freePorts(2, 8400, 8499);
    stack = await startReplicaStack({
      backendPorts: await freePorts(2, 7400, 7499),
      simulatorPort,
      idpPort,
      logDir: join(repoRoot, '.cache', `replicas-${process.pid}`),
      extraEnv: {
        APP_CONFIG_opensandbox_createTimeoutSeconds: '3',
        APP_CONFIG_opensandbox_reconcileIntervalSeconds: '5',
        APP_CONFIG_opensandbox_inventory_syncIntervalSeconds:
          String(SYNC_SECONDS),
      },
    });
    token = await stack.token();
  },
  { timeout: 300_000 },
);

after(async () => {
  // Stops every process of the run and drops its databases.
  await stack?.stop();
});

async function call(replica, method, path, { body, headers = {} } = {}) {
  const res = await fetch(
    `${stack.backendUrls[replica]}/api/opensandbox${path}`,
    {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body ? JSON.stringify(body) : undefined,
    },
  );
  const text = await res.text();
  seen.push(text, JSON.stringify([...res.headers]));
  let json;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, json, text };
}
/** A GET whose path is sent exactly as given (no URL normalisation). */
function rawGet(replica, path) {
  const url = new URL(stack.backendUrls[replica]);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: `/api/opensandbox${path}`,
        headers: { authorization: `Bearer ${token}` },
      },
      res => {
        let text = '';
        res.on('data', c => (text += c));
        res.on('end', () => {
          seen.push(text, JSON.stringify(res.headers));
          resolve({ status: res.statusCode, json: JSON.parse(text), text });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}
async function simulator(path, init) {
  const res = await fetch(`${stack.simulatorUrl}${path}`, init);
  return res.json();
}
const createBody = {
  image: { uri: 'alpine:3' },
  entrypoint: ['sleep', 'infinity'],
  timeout: 3600,
  resourceLimits: { cpu: '1', memory: '1Gi' },
  team: 'group:default/team-a',
};

test(
  'migrations ran once on the shared database, without a lock error',
  { timeout: 90_000 },
  () => {
    const db = `${stack.databasePrefix}opensandbox`;
    const rows = psqlIn(db, 'SELECT name FROM knex_migrations ORDER BY id')
      .split('\n')
      .filter(Boolean);
    assert.ok(rows.length > 0);
    assert.equal(
      new Set(rows).size,
      rows.length,
      `a migration ran twice: ${rows}`,
    );
    // The console's own migrations wait for the other replica's lock (src/migrateLatest.ts) and
    // ran once (above). Backstage's own plugins, and its scheduler's tables in the console's
    // database, do not wait: a replica that lost their race is restarted once, as an
    // orchestrator would, and named here.
    if (stack.coreMigrationLockRestarts.length > 0) {
      console.log(
        `# restarted once after a Backstage migration race (core plugin or scheduler tables): ${JSON.stringify(
          stack.coreMigrationLockRestarts,
        )}`,
      );
    }
    // The scheduled tasks share one schedule row each (the scheduler's lock), not one per replica.
    const tasks = psqlIn(
      db,
      'SELECT id FROM backstage_backend_tasks__tasks ORDER BY id',
    ).split('\n');
    for (const id of [
      'opensandbox-reconcile-unknown-creates',
      'opensandbox-inventory-sync-default',
      'opensandbox-expiry-warnings',
    ]) {
      assert.equal(tasks.filter(t => t === id).length, 1, `${id} in ${tasks}`);
    }
    assert.ok(
      tasks.some(t => /audit.*retention/.test(t)),
      `audit retention task in ${tasks}`,
    );
  },
);

test(
  'a client alternating between the replicas sees consistent results; audit rows from both are complete and ordered',
  { timeout: 90_000 },
  async () => {
    const created = await call(0, 'POST', '/sandboxes', {
      body: { ...createBody, metadata: { name: 'replicas-1' } },
    });
    assert.equal(created.status, 202, created.text);
    const id = created.json.id;
    const onB = await call(1, 'GET', `/sandboxes/${id}`);
    assert.equal(onB.status, 200);
    assert.equal(onB.json.id, id);
    const listB = await call(1, 'GET', '/sandboxes?pageSize=200');
    assert.ok(
      listB.json.items.some(s => s.id === id),
      'the list of the other replica has the new sandbox',
    );
    assert.equal((await call(1, 'POST', `/sandboxes/${id}/pause`)).status, 202);
    const onA = await call(0, 'GET', `/sandboxes/${id}`);
    assert.equal(onA.json.status.state, 'Paused');
    const listA = await call(0, 'GET', '/sandboxes?pageSize=200');
    assert.equal(
      listA.json.items.find(s => s.id === id)?.status.state,
      'Paused',
    );
    assert.equal(
      (await call(0, 'POST', `/sandboxes/${id}/resume`)).status,
      202,
    );
    assert.equal((await call(1, 'DELETE', `/sandboxes/${id}`)).status, 204);
    assert.equal((await call(0, 'GET', `/sandboxes/${id}`)).status, 404);

    // The audit rows written by both replicas: complete (no initiated), in the order they happened.
    const db = `${stack.databasePrefix}opensandbox`;
    const rows = psqlIn(
      db,
      `SELECT action, outcome FROM opensandbox_audit_events WHERE sandbox_id = '${id}' ORDER BY occurred_at, seq`,
    ).split('\n');
    assert.deepEqual(rows, [
      'sandbox.create|succeeded',
      'sandbox.pause|succeeded',
      'sandbox.resume|succeeded',
      'sandbox.delete|succeeded',
    ]);
  },
);

test(
  'scheduled tasks run once per interval across both replicas',
  { timeout: 90_000 },
  async () => {
    // The inventory sync (global, every SYNC_SECONDS) lists upstream with pageSize=200: two
    // uncoordinated replicas would list about twice per interval. Observe five intervals.
    const start = Date.now();
    let syncs = [];
    while (Date.now() - start < SYNC_SECONDS * 5 * 1000) {
      await new Promise(r => setTimeout(r, 1000));
    }
    const log = await simulator('/_simulator/requests');
    const entries = Array.isArray(log) ? log : log.requests;
    syncs = entries
      .filter(
        r =>
          r.method === 'GET' &&
          /^\/v1\/sandboxes$/.test(r.path) &&
          String(r.query?.pageSize) === '200' &&
          Date.parse(r.at) >= start,
      )
      .map(r => Date.parse(r.at));
    // Once per interval: at most 5 runs (+1 at the window's edges) in 5 intervals, never two at
    // once; two uncoordinated replicas would run about 10.
    assert.ok(
      syncs.length >= 2 && syncs.length <= 6,
      `${syncs.length} syncs in ${SYNC_SECONDS * 5} s`,
    );
    for (let i = 1; i < syncs.length; i++) {
      assert.ok(
        syncs[i] - syncs[i - 1] >= SYNC_SECONDS * 1000 * 0.5,
        `two syncs ${syncs[i] - syncs[i - 1]} ms apart`,
      );
    }
    console.log(
      `# inventory syncs in ${SYNC_SECONDS * 5} s across both replicas: ${
        syncs.length
      }, gaps ${syncs
        .slice(1)
        .map((t, i) => t - syncs[i])
        .join(', ')} ms`,
    );
  },
);

test(
  'security: Backstage security headers; CORS only for the app origin; no SSRF through ids',
  { timeout: 90_000 },
  async () => {
    const health = await fetch(
      `${stack.backendUrls[0]}/api/opensandbox/health`,
      { headers: { origin: stack.appBaseUrl } },
    );
    for (const h of [
      'content-security-policy',
      'strict-transport-security',
      'x-content-type-options',
      'x-frame-options',
      'referrer-policy',
    ]) {
      assert.ok(health.headers.get(h), `${h} missing`);
    }
    assert.equal(health.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(
      health.headers.get('access-control-allow-origin'),
      stack.appBaseUrl,
    );
    for (const origin of [
      'https://evil.example',
      'http://localhost:3000',
      'null',
    ]) {
      const res = await fetch(
        `${stack.backendUrls[1]}/api/opensandbox/sandboxes`,
        {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST' },
        },
      );
      assert.equal(
        res.headers.get('access-control-allow-origin'),
        null,
        `CORS granted to ${origin}`,
      );
    }

    await fetch(`${stack.simulatorUrl}/_simulator/requests`, {
      method: 'DELETE',
    });
    for (const id of [
      '..%2F..%2Fadmin',
      '%2E%2E',
      'x%40evil.example',
      '%2F%2Fevil.example%2Fv1',
      'http%3A%2F%2F169.254.169.254%2F',
      'a%2F..%2F..%2Fb',
    ]) {
      const res = await rawGet(0, `/sandboxes/${id}`); // sent byte for byte (fetch would normalise %2E%2E)
      assert.equal(res.status, 400, `${id}: ${res.text}`);
      assert.equal(
        res.json.error.message,
        'sandboxId must be 1-128 letters, digits, "-", "_" or "."',
      );
    }
    const port = await rawGet(0, '/sandboxes/abc/endpoints/80%2F..%2Fadmin');
    assert.equal(port.status, 400);
    const server = await rawGet(
      0,
      '/servers/http%3A%2F%2Fevil.example/sandboxes/abc',
    );
    assert.equal(server.status, 400);
    // Nothing but the scheduled inventory sync (GET /v1/sandboxes, which may fall in this
    // window) reached OpenSandbox.
    const upstream = await simulator('/_simulator/requests');
    const others = (
      Array.isArray(upstream) ? upstream : upstream.requests
    ).filter(r => !(r.method === 'GET' && r.path === '/v1/sandboxes'));
    assert.deepEqual(others, [], 'no request of these reached OpenSandbox');
  },
);

test(
  'a replica killed with SIGKILL in the middle of a create: after restart no audit row stays initiated',
  { timeout: 240_000 },
  async () => {
    await fetch(`${stack.simulatorUrl}/_simulator/create-options`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ createDelayMs: 1500 }),
    });
    const creating = call(0, 'POST', '/sandboxes', {
      body: { ...createBody, metadata: { name: 'killed-mid-create' } },
    }).catch(error => ({ error }));
    for (
      const deadline = Date.now() + 30_000;
      Date.now() < deadline;
      await new Promise(r => setTimeout(r, 10))
    ) {
      if ((await simulator('/_simulator/create-options')).inFlightCreates > 0)
        break;
    }
    process.kill(-stack.backends[0].pid, 'SIGKILL');
    const answer = await creating;
    assert.ok(answer.error, 'the client lost its connection');
    const db = `${stack.databasePrefix}opensandbox`;
    assert.equal(
      psqlIn(
        db,
        "SELECT outcome FROM opensandbox_audit_events WHERE action = 'sandbox.create' AND details::text LIKE '%killed-mid-create%'",
      ),
      'initiated',
    );

    // The other replica keeps serving; the killed one comes back on the same database.
    assert.equal((await call(1, 'GET', '/sandboxes?pageSize=1')).status, 200);
    await stack.restart(0);
    let outcome;
    for (
      const deadline = Date.now() + 120_000;
      Date.now() < deadline;
      await new Promise(r => setTimeout(r, 500))
    ) {
      outcome = psqlIn(
        db,
        "SELECT outcome || '|' || coalesce(sandbox_id, '') FROM opensandbox_audit_events WHERE action = 'sandbox.create' AND details::text LIKE '%killed-mid-create%'",
      );
      if (!outcome.startsWith('initiated')) break;
    }
    const upstream = await fetch(
      `${stack.simulatorUrl}/v1/sandboxes?metadata=${encodeURIComponent(
        'name=killed-mid-create',
      )}`,
      {
        headers: { 'OPEN-SANDBOX-API-KEY': stack.secrets.apiKey },
      },
    ).then(r => r.json());
    assert.equal(upstream.items.length, 1);
    assert.equal(outcome, `succeeded|${upstream.items[0].id}`);
    assert.equal(
      psqlIn(
        db,
        "SELECT count(*) FROM opensandbox_audit_events WHERE outcome = 'initiated'",
      ),
      '0',
    );
  },
);

test(
  'the OpenSandbox key is in no response, header, log line or audit row',
  { timeout: 90_000 },
  () => {
    const key = stack.secrets.apiKey;
    for (const text of seen)
      assert.ok(!text.includes(key), 'a response carries the key');
    for (const backend of stack.backends)
      assert.ok(
        !readFileSync(backend.logFile, 'utf8').includes(key),
        `${backend.logFile} carries the key`,
      );
    const db = `${stack.databasePrefix}opensandbox`;
    assert.equal(
      psqlIn(
        db,
        `SELECT count(*) FROM opensandbox_audit_events WHERE details::text LIKE '%${key}%' OR coalesce(error_message, '') LIKE '%${key}%'`,
      ),
      '0',
    );
  },
);
