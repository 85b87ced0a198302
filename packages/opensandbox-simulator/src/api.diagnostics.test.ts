/**
 * The deprecated plain-text diagnostics (`GET /v1/sandboxes/{id}/diagnostics/{kind}`, upstream
 * `api/devops.py` with the Docker runtime), the structured form answering 501, and failures made
 * representable (seed fields, `POST /_simulator/sandboxes/{id}/fail`).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { parse } from 'yaml';
import { loadSeedFile } from './seed';
import { Harness, T0, createBody, startHarness } from './__testUtils__/harness';

/** `ErrorResponse` of `spec/diagnostic-api.yml` (the vendored upstream Diagnostics API). */
const diagnosticSpec = parse(
  readFileSync(resolve(__dirname, '../spec/diagnostic-api.yml'), 'utf8'),
);
const errorResponse = new Ajv2020({ strict: false }).compile(
  diagnosticSpec.components.schemas.ErrorResponse,
);

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    seed: [
      {
        id: 'oom',
        image: 'ghcr.io/example/batch-job:1.4',
        entrypoint: ['/app/run.sh'],
        ageSeconds: 1800,
        timeout: 7200,
        exitCode: 137,
        oomKilled: true,
        resourceLimits: { cpu: '1', memory: '256Mi' },
        env: { LOG_LEVEL: 'debug', API_TOKEN: 'secret-value' },
        metadata: { name: 'failed-batch' },
        logs: ['starting', 'loading rows', 'Killed'],
      },
      {
        id: 'done',
        image: 'alpine:3',
        entrypoint: ['true'],
        ageSeconds: 30,
        exitCode: 0,
      },
      {
        id: 'quiet',
        image: 'alpine:3',
        entrypoint: ['sleep', 'infinity'],
        ageSeconds: 600,
        timeout: 3600,
      },
      {
        id: 'chatty',
        image: 'python:3.12-slim',
        entrypoint: ['python'],
        ageSeconds: 3600,
        timeout: 7200,
        logs: ['one', 'two', 'three', 'four', 'five'],
      },
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

async function diag(path: string, key: string | undefined = h.sim.apiKey) {
  const res = await fetch(`${h.sim.url}/v1/sandboxes/${path}`, {
    headers: key ? { 'OPEN-SANDBOX-API-KEY': key } : {},
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('plain-text diagnostics', () => {
  it('serves logs as docker logs --timestamps, text/plain with Deprecation: true', async () => {
    const res = await diag('oom/diagnostics/logs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('deprecation')).toBe('true');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    // Created 30 min before T0, exited a minute later: three lines spread over that minute.
    expect(res.text).toBe(
      '2026-06-15T09:30:15.000000000Z starting\n2026-06-15T09:30:30.000000000Z loading rows\n2026-06-15T09:30:45.000000000Z Killed\n',
    );
  });

  it('keeps the last `tail` lines and the lines newer than `since`', async () => {
    // chatty: created at T0 - 60 min, five lines 10 minutes apart (T0 - 50 min ... T0 - 10 min).
    expect((await diag('chatty/diagnostics/logs?tail=2')).text).toBe(
      '2026-06-15T09:40:00.000000000Z four\n2026-06-15T09:50:00.000000000Z five\n',
    );
    expect((await diag('chatty/diagnostics/logs?since=25m')).text).toBe(
      '2026-06-15T09:40:00.000000000Z four\n2026-06-15T09:50:00.000000000Z five\n',
    );
    // Unparsable `since` means 10 minutes, as upstream.
    expect((await diag('chatty/diagnostics/logs?since=yesterday')).text).toBe(
      '2026-06-15T09:50:00.000000000Z five\n',
    );
    expect((await diag('chatty/diagnostics/logs?since=1h&tail=1')).text).toBe(
      '2026-06-15T09:50:00.000000000Z five\n',
    );
  });

  it('answers "(no logs)" for a container that printed nothing', async () => {
    expect((await diag('quiet/diagnostics/logs')).text).toBe('(no logs)');
    const created = await h.api.call('POST', '/sandboxes', {
      body: createBody(),
    });
    expect((await diag(`${created.body.id}/diagnostics/logs`)).text).toBe(
      '(no logs)',
    );
  });

  it('reconstructs events from the container state', async () => {
    const res = await diag('oom/diagnostics/events?limit=10');
    expect(res.status).toBe(200);
    expect(res.headers.get('deprecation')).toBe('true');
    const lines = res.text.split('\n');
    expect(lines[0]).toMatch(/^Container: {2}[0-9a-f]{12} \(sandbox-oom\)$/);
    expect(lines.slice(1)).toEqual([
      'Status:     exited',
      'Created:    2026-06-15T09:30:00.000000000Z',
      'Started:    2026-06-15T09:30:00.000000000Z',
      'Finished:   2026-06-15T09:31:00.000000000Z',
      'Event:      OOMKilled - container was killed due to out-of-memory',
      'Event:      Exited with code 137',
    ]);
    expect(
      (await diag('quiet/diagnostics/events')).text.split('\n').slice(1),
    ).toEqual([
      'Status:     running',
      'Created:    2026-06-15T09:50:00.000000000Z',
      'Started:    2026-06-15T09:50:00.000000000Z',
    ]);
  });

  it('serves inspect without the Deprecation header, masking secret-looking environment variables', async () => {
    const res = await diag('oom/diagnostics/inspect');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('deprecation')).toBeNull();
    const lines = res.text.split('\n');
    expect(lines.slice(1, 10)).toEqual([
      'Name:           sandbox-oom',
      'Image:          ghcr.io/example/batch-job:1.4',
      'Status:         exited',
      'Running:        False',
      'Paused:         False',
      'OOMKilled:      True',
      'Exit Code:      137',
      'Started At:     2026-06-15T09:30:00.000000000Z',
      'Finished At:    2026-06-15T09:31:00.000000000Z',
    ]);
    expect(res.text).toContain(
      '  CPU:          1.00 cores\n  Memory:       256 MiB\n',
    );
    expect(res.text).toContain(
      'Labels:\n  name=failed-batch\n  opensandbox.io/id=oom',
    );
    expect(res.text).toContain(
      'Environment:\n  LOG_LEVEL=debug\n  API_TOKEN=***',
    );
    expect(res.text).not.toContain('secret-value');
  });

  it('serves a summary of inspect, events and the last log lines', async () => {
    const res = await diag('oom/diagnostics/summary?tail=1&event_limit=5');
    expect(res.status).toBe(200);
    expect(res.headers.get('deprecation')).toBeNull();
    expect(
      res.text.startsWith(
        `${'='.repeat(
          72,
        )}\nSANDBOX DIAGNOSTICS SUMMARY\nSandbox ID: oom\n${'='.repeat(72)}\n`,
      ),
    ).toBe(true);
    expect(res.text).toContain(
      `${'-'.repeat(40)}\nINSPECT\n${'-'.repeat(40)}\nContainer ID:`,
    );
    expect(res.text).toContain('EVENTS');
    expect(res.text).toMatch(
      /LOGS \(last 1 lines\)\n-{40}\n2026-06-15T09:30:45.000000000Z Killed\n$/,
    );
  });

  it('answers the structured form (?scope=) with 501 DIAGNOSTICS_NOT_IMPLEMENTED, even before the lookup', async () => {
    for (const path of [
      'oom/diagnostics/logs?scope=container',
      'oom/diagnostics/events?scope=runtime',
      'nope/diagnostics/logs?scope=all',
    ]) {
      const res = await diag(path);
      expect(res.status).toBe(501);
      expect(res.headers.get('content-type')).toBe('application/json');
      const body = JSON.parse(res.text);
      expect(body).toEqual({
        code: 'DIAGNOSTICS_NOT_IMPLEMENTED',
        message:
          'The stable Diagnostics API is not implemented by this OpenSandbox server.',
      });
      expect(errorResponse(body)).toBe(true);
    }
  });

  it('answers 404 for an unknown sandbox, 401 without the key, 422 for bad parameters, 405 for other methods', async () => {
    for (const kind of ['logs', 'events', 'inspect', 'summary']) {
      const res = await diag(`nope/diagnostics/${kind}`);
      expect(res.status).toBe(404);
      expect(JSON.parse(res.text)).toEqual({
        code: 'DOCKER::SANDBOX_NOT_FOUND',
        message: 'Sandbox nope not found.',
      });
    }
    expect((await diag('oom/diagnostics/logs', '')).status).toBe(401);
    const bad = await diag('oom/diagnostics/logs?tail=0');
    expect(bad.status).toBe(422);
    expect(JSON.parse(bad.text).detail[0]).toMatchObject({
      type: 'greater_than_equal',
      loc: ['query', 'tail'],
    });
    expect((await diag('oom/diagnostics/events?limit=501')).status).toBe(422);
    const post = await fetch(`${h.sim.url}/v1/sandboxes/oom/diagnostics/logs`, {
      method: 'POST',
      headers: { 'OPEN-SANDBOX-API-KEY': h.sim.apiKey! },
    });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });

  it('is also mounted without /v1, like every upstream route', async () => {
    const res = await fetch(`${h.sim.url}/sandboxes/oom/diagnostics/events`, {
      headers: { 'OPEN-SANDBOX-API-KEY': h.sim.apiKey! },
    });
    expect(res.status).toBe(200);
  });
});

describe('failures', () => {
  const get = (id: string) =>
    h.api.call('GET', '/sandboxes/{sandboxId}', { params: { sandboxId: id } });

  it('seeds exited containers like the Docker runtime reports them', async () => {
    expect((await get('oom')).body.status).toEqual({
      state: 'Failed',
      reason: 'CONTAINER_EXITED_ERROR',
      message: 'Sandbox container exited with code 137.',
      lastTransitionAt: '2026-06-15T09:31:00Z',
    });
    expect((await get('done')).body.status).toEqual({
      state: 'Terminated',
      reason: 'CONTAINER_EXITED',
      message: 'Sandbox container exited successfully.',
      lastTransitionAt: '2026-06-15T10:00:00Z',
    });
  });

  it('POST /_simulator/sandboxes/{id}/fail makes a running sandbox fail now', async () => {
    const id = (await h.api.call('POST', '/sandboxes', { body: createBody() }))
      .body.id;
    h.advance(120);
    const res = await fetch(`${h.sim.url}/_simulator/sandboxes/${id}/fail`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        exitCode: 127,
        logs: ['/bin/sh: 1: serve: not found'],
      }),
    });
    expect(res.status).toBe(200);
    expect((await res.json()).status).toEqual({
      state: 'Failed',
      reason: 'CONTAINER_EXITED_ERROR',
      message: 'Sandbox container exited with code 127.',
      lastTransitionAt: '2026-06-15T10:02:00Z',
    });
    const got = await get(id);
    expect(got.body.status.state).toBe('Failed');
    // Docker refuses pause of an exited container; the sandbox stays listed until deleted.
    const pause = await h.api.call('POST', '/sandboxes/{sandboxId}/pause', {
      params: { sandboxId: id },
    });
    expect(pause.status).toBe(409);
    expect((await diag(`${id}/diagnostics/logs`)).text).toBe(
      '2026-06-15T10:02:00.000000000Z /bin/sh: 1: serve: not found\n',
    );
    expect((await diag(`${id}/diagnostics/events`)).text).toContain(
      'Event:      Exited with code 127',
    );
  });

  it('plays other runtimes with a given state, reason and message; an out-of-memory kill defaults to 137', async () => {
    const fail = (id: string, body: unknown) =>
      fetch(`${h.sim.url}/_simulator/sandboxes/${id}/fail`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const k8s = await fail('quiet', {
      state: 'Failed',
      reason: 'POD_PLATFORM_UNSCHEDULABLE',
      message:
        "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity.",
    });
    expect((await k8s.json()).status).toMatchObject({
      state: 'Failed',
      reason: 'POD_PLATFORM_UNSCHEDULABLE',
    });
    const oom = await fail('chatty', { oomKilled: true });
    expect((await oom.json()).status.message).toBe(
      'Sandbox container exited with code 137.',
    );
    expect((await diag('chatty/diagnostics/inspect')).text).toContain(
      'OOMKilled:      True',
    );

    expect((await fail('chatty', { exitCode: 300 })).status).toBe(400);
    expect(await (await fail('chatty', { colour: 'red' })).json()).toEqual({
      code: 'SIMULATOR::BAD_REQUEST',
      message:
        "unknown field 'colour' (known: exitCode, oomKilled, state, reason, message, logs)",
    });
    expect((await fail('nope', {})).status).toBe(404);
  });

  it('reset restores the seeded state', async () => {
    await fetch(`${h.sim.url}/_simulator/sandboxes/quiet/fail`, {
      method: 'POST',
    });
    h.sim.state.reset();
    expect((await get('quiet')).body.status.state).toBe('Running');
  });

  it('the demo seed holds an out-of-memory-killed sandbox with logs', async () => {
    const seed = loadSeedFile(resolve(__dirname, '../seed/demo.yaml'));
    const failed = seed.find(s => s.metadata?.name === 'failed-batch');
    expect(failed).toMatchObject({
      state: 'Failed',
      exitCode: 137,
      oomKilled: true,
    });
    expect(failed?.logs?.at(-1)).toBe('Killed');
  });
});
