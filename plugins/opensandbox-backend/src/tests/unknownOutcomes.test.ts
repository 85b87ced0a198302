/**
 * Outcomes the console cannot know: a create slower than the console's create timeout (the real
 * server answers only after pulling the image) is audited `unknown`, never `failed`; the
 * reconciliation task settles it from the create token; a retry with the same Idempotency-Key
 * answers the first attempt's sandbox instead of making a second one. Also: a renewal lost by an
 * OpenSandbox restart shows as drift on the detail answer.
 */
import type { Server } from 'node:http';
import request from 'supertest';
import { startSimulator } from '@opensandbox-console/opensandbox-simulator';
import {
  authHeader,
  startConsoleBackend,
  TEST_API_KEY,
} from '../__testUtils__/consoleBackend';
import { RECONCILE_CREATES_TASK_ID } from '../operations/reconcileCreates';

jest.setTimeout(60_000);

const body = {
  image: { uri: 'alpine:3' },
  entrypoint: ['sh'],
  timeout: 3600,
  resourceLimits: { cpu: '1', memory: '1Gi' },
};
const ada = authHeader('operatorOwnTeam');

describe('unknown outcomes', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let server: Server;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
    server = await startConsoleBackend({
      simulatorUrl: sim.url,
      extraConfig: { createTimeoutSeconds: 0.3, requestTimeoutSeconds: 1 },
    });
  });
  afterAll(() => sim.close());
  afterEach(() =>
    control('/create-options', { createDelayMs: 0, blockWhileCreating: false }),
  );

  async function control(path: string, payload?: unknown) {
    const res = await fetch(`${sim.url}/_simulator${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload ?? {}),
    });
    expect(res.ok).toBe(true);
    return res.json().catch(() => undefined);
  }
  async function upstreamSandboxes(): Promise<any[]> {
    const res = await fetch(`${sim.url}/v1/sandboxes?pageSize=200`, {
      headers: { 'OPEN-SANDBOX-API-KEY': TEST_API_KEY },
    });
    return (await res.json()).items;
  }
  /** Polls until the simulator's in-flight creates have completed (an event, not a fixed sleep). */
  async function createsSettled() {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const res = await fetch(`${sim.url}/_simulator/create-options`);
      if ((await res.json()).inFlightCreates === 0) return;
      await new Promise(r => setTimeout(r, 25));
    }
    throw new Error('creates did not complete');
  }
  async function createRows(requestId: string) {
    const res = await request(server)
      .get('/api/opensandbox/audit-events')
      .query({ action: 'sandbox.create' })
      .set('Authorization', authHeader('admin'));
    return (res.body.items as any[]).filter(r => r.requestId === requestId);
  }

  it('audits a timed-out create as unknown, and the reconciliation task settles it with the sandbox id', async () => {
    await control('/create-options', { createDelayMs: 1500 });
    const res = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', ada)
      .send({ ...body, metadata: { name: 'slow-one' } });
    expect(res.status).toBe(504);
    const requestId = res.headers['x-request-id'];
    expect(res.body.error.message).toBe(
      `OpenSandbox did not answer within 0.3 s (create). The create may still have happened: the audit log records it as unknown until the console finds the sandbox. Request id ${requestId}.`,
    );
    expect(
      (await createRows(requestId)).map(r => [
        r.outcome,
        r.httpStatus,
        r.sandboxId,
      ]),
    ).toEqual([['unknown', 504, null]]);

    await createsSettled();
    const [sandbox] = (await upstreamSandboxes()).filter(
      s => s.metadata?.name === 'slow-one',
    );
    expect(sandbox.metadata['backstage.io/owner']).toBe('ada');

    expect(
      (
        await request(server).post(
          `/api/opensandbox/__test/tasks/${RECONCILE_CREATES_TASK_ID}`,
        )
      ).status,
    ).toBe(204);
    let rows = await createRows(requestId);
    for (
      const deadline = Date.now() + 20_000;
      rows[0].outcome === 'unknown' && Date.now() < deadline;

    ) {
      await new Promise(r => setTimeout(r, 25));
      rows = await createRows(requestId);
    }
    expect(
      rows.map(r => [r.outcome, r.sandboxId, r.details.reconciled?.by]),
    ).toEqual([['succeeded', sandbox.id, 'reconciliation']]);
  });

  it("answers a retried create with the same Idempotency-Key with the first attempt's sandbox, never a duplicate", async () => {
    const key = 'retry-key-7d1c';
    await control('/create-options', { createDelayMs: 1500 });
    const first = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', ada)
      .set('Idempotency-Key', key)
      .send({ ...body, metadata: { name: 'idem' } });
    expect(first.status).toBe(504);

    // While OpenSandbox is still creating: no second create, a clear 409.
    const early = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', ada)
      .set('Idempotency-Key', key)
      .send({ ...body, metadata: { name: 'idem' } });
    expect(early.status).toBe(409);
    expect(early.body.error.message).toBe(
      'A create with this Idempotency-Key is still in progress or its outcome is not known yet; retry in a minute with the same key.',
    );

    await createsSettled();
    await control('/create-options', { createDelayMs: 0 });
    const retry = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', ada)
      .set('Idempotency-Key', key)
      .send({ ...body, metadata: { name: 'idem' } });
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    const again = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', ada)
      .set('Idempotency-Key', key)
      .send({ ...body, metadata: { name: 'idem' } });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(retry.body.id);

    // The same key with ANOTHER body is a client mistake, not a retry: 422 naming the header,
    // nothing created (the count of 'idem' sandboxes below stays one).
    const reused = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', ada)
      .set('Idempotency-Key', key)
      .send({ ...body, timeout: 900, metadata: { name: 'idem' } });
    expect(reused.status).toBe(422);
    expect(reused.body.error.name).toBe('IdempotencyKeyReusedError');
    expect(reused.body.error.fields).toEqual([
      {
        field: 'Idempotency-Key',
        message:
          'was already used for a create with a different body; send the same body to retry that create, or a new key to create another sandbox',
      },
    ]);
    expect(
      (await createRows(reused.headers['x-request-id'])).map(r => [
        r.outcome,
        r.httpStatus,
      ]),
    ).toEqual([['failed', 422]]);

    const idem = (await upstreamSandboxes()).filter(
      s => s.metadata?.name === 'idem',
    );
    expect(idem.map(s => s.id)).toEqual([retry.body.id]);
    expect(
      (await createRows(first.headers['x-request-id'])).map(r => [
        r.outcome,
        r.sandboxId,
      ]),
    ).toEqual([['succeeded', retry.body.id]]);

    // Another caller with the same key gets its own sandbox (keys are per caller).
    const bob = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', authHeader('operatorOtherTeam'))
      .set('Idempotency-Key', key)
      .send({ ...body, metadata: { name: 'idem' } });
    expect(bob.status).toBe(202);
    expect(bob.body.id).not.toBe(retry.body.id);

    const badKey = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', ada)
      .set('Idempotency-Key', 'has space')
      .send(body);
    expect(badKey.status).toBe(400);
    expect(badKey.body.error.fields).toEqual([
      {
        field: 'Idempotency-Key',
        message: 'must be 1-255 visible ASCII characters, e.g. a UUID',
      },
    ]);
  });

  it('stays up and answers 504 for reads while OpenSandbox is blocked by a create in progress', async () => {
    const existing = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', ada)
      .send(body);
    await control('/create-options', {
      createDelayMs: 2500,
      blockWhileCreating: true,
    });
    const creating = request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', ada)
      .send(body)
      .then(r => r);
    // Wait until the simulator has the create in flight (an event), then read.
    for (
      const deadline = Date.now() + 10_000;
      Date.now() < deadline;
      await new Promise(r => setTimeout(r, 10))
    ) {
      if (
        (await (await fetch(`${sim.url}/_simulator/create-options`)).json())
          .inFlightCreates > 0
      )
        break;
    }
    const read = await request(server)
      .get(`/api/opensandbox/sandboxes/${existing.body.id}`)
      .set('Authorization', ada);
    expect(read.status).toBe(504);
    expect(read.body.error.name).toBe('UpstreamTimeoutError');
    expect((await request(server).get('/api/opensandbox/health')).status).toBe(
      200,
    );
    expect((await creating).status).toBe(504);
    await createsSettled();
    await control('/create-options', {
      createDelayMs: 0,
      blockWhileCreating: false,
    });
    expect(
      (
        await request(server)
          .get(`/api/opensandbox/sandboxes/${existing.body.id}`)
          .set('Authorization', ada)
      ).status,
    ).toBe(200);
  });

  it('shows a renewal that OpenSandbox lost in a restart as drift on the detail answer', async () => {
    const created = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', ada)
      .send(body);
    const id = created.body.id;
    const expiresAt = new Date(
      Date.parse(created.body.expiresAt) + 3600_000,
    ).toISOString();
    const renewed = await request(server)
      .post(`/api/opensandbox/sandboxes/${id}/renew-expiration`)
      .set('Authorization', ada)
      .send({ expiresAt });
    expect(renewed.status).toBe(200);
    const before = await request(server)
      .get(`/api/opensandbox/sandboxes/${id}`)
      .set('Authorization', ada);
    expect(before.body.lastRenewal).toMatchObject({
      expiresAt: renewed.body.expiresAt,
      actor: 'user:default/ada',
      drift: false,
    });

    await control('/restart');
    const after = await request(server)
      .get(`/api/opensandbox/sandboxes/${id}`)
      .set('Authorization', ada);
    expect(Date.parse(after.body.expiresAt)).toBe(
      Date.parse(created.body.expiresAt),
    );
    expect(after.body.lastRenewal).toMatchObject({
      expiresAt: renewed.body.expiresAt,
      actor: 'user:default/ada',
      drift: true,
    });
  });
});
