/**
 * The template actions run by the REAL scaffolder in a test backend, with the OpenSandbox Console
 * plugin, the real permission backend and role policy, and the simulator as upstream: the demo's
 * "Sandbox for a component" template as a permitted and a forbidden user (results, audit rows on
 * channel `scaffolder`), the renew/get-endpoint/delete actions, and dry runs that make no call to
 * OpenSandbox (the simulator's request log proves it).
 */
import type { Server } from 'node:http';
import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import { startSimulator } from '@opensandbox-console/opensandbox-simulator';
import {
  exampleTemplate,
  startScaffolderBackend,
  TEST_API_KEY,
} from '../__testUtils__/scaffolderBackend';

jest.setTimeout(60_000);

const ADA = mockCredentials.user.header('user:default/ada'); // operator, team-a
const VIC = mockCredentials.user.header('user:default/vic'); // viewer, team-a
const PAT = mockCredentials.user.header('user:default/pat'); // admin

interface TaskEvent {
  id: number;
  type: string;
  body: { message?: string; status?: string; output?: Record<string, any> };
}

describe('OpenSandbox template actions in the scaffolder', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let server: Server;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
    server = await startScaffolderBackend({ simulatorUrl: sim.url });
  });

  afterAll(async () => {
    await sim.close();
  });

  /** Starts a task and follows its event log (long polling) until it completes. */
  async function runTask(
    auth: string,
    templateRef: string,
    values: Record<string, unknown>,
  ) {
    const created = await request(server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', auth)
      .send({ templateRef, values });
    expect(created.status).toBe(201);
    const taskId = created.body.id;
    const log: TaskEvent[] = [];
    for (let polls = 0; polls < 100; polls++) {
      const after = log.length > 0 ? { after: log[log.length - 1].id } : {};
      const res = await request(server)
        .get(`/api/scaffolder/v2/tasks/${taskId}/events`)
        .query(after)
        .set('Authorization', auth);
      expect(res.status).toBe(200);
      log.push(...(res.body as TaskEvent[]));
      const completion = log.find(e => e.type === 'completion');
      if (completion) {
        const task = await request(server)
          .get(`/api/scaffolder/v2/tasks/${taskId}`)
          .set('Authorization', auth);
        return {
          status: task.body.status as string,
          output: completion.body.output ?? {},
          log: log.map(e => e.body.message ?? ''),
        };
      }
    }
    throw new Error(`task ${taskId} did not complete`);
  }

  async function auditRows(query: Record<string, string>) {
    const res = await request(server)
      .get('/api/opensandbox/audit-events')
      .query(query)
      .set('Authorization', PAT);
    expect(res.status).toBe(200);
    return res.body.items as any[];
  }

  async function upstream(path: string) {
    const res = await fetch(`${sim.url}${path}`, {
      headers: { 'OPEN-SANDBOX-API-KEY': TEST_API_KEY },
    });
    return { status: res.status, body: await res.json() };
  }

  /**
   * Upstream calls since the log was cleared, except the console's own background inventory sync
   * (`GET /v1/sandboxes?pageSize=200`, scheduled at startup, unrelated to templates).
   */
  async function upstreamCalls() {
    const res = await fetch(`${sim.url}/_simulator/requests`);
    const { requests } = await res.json();
    return (requests as any[])
      .filter(r => !String(r.path).startsWith('/_simulator'))
      .filter(
        r =>
          !(
            r.method === 'GET' &&
            r.path === '/v1/sandboxes' &&
            r.query?.pageSize === '200'
          ),
      )
      .map(r => `${r.method} ${r.path}`);
  }

  it('"Sandbox for a component" creates the sandbox from the annotations as the user, with its link and endpoint', async () => {
    const task = await runTask(ADA, 'template:default/sandbox-for-component', {
      component: 'component:default/payments-api',
      port: 8000,
      name: 'payments-preview',
    });
    expect(task.status).toBe('completed');
    const [consoleLink, endpointLink, componentLink] = task.output.links;
    const id = consoleLink.url.split('/').pop();
    expect(consoleLink.url).toBe(
      `http://console.example.com/opensandbox/servers/default/sandboxes/${id}`,
    );
    expect(endpointLink).toMatchObject({
      title: 'Sandbox endpoint (port 8000)',
      url: expect.stringMatching(/^http:\/\/.+\/8000$/),
    });
    expect(componentLink).toMatchObject({
      entityRef: 'component:default/payments-api',
    });
    expect(task.output.text[0].content).toContain(
      `Sandbox \`${id}\` on server \`default\``,
    );

    // The component's annotations gave image, command and lifetime; the owner is the user.
    const sandbox = await upstream(`/v1/sandboxes/${id}`);
    expect(sandbox.status).toBe(200);
    expect(sandbox.body).toMatchObject({
      image: { uri: 'python:3.12-slim' },
      entrypoint: ['python', '-m', 'http.server', '8000'],
      metadata: expect.objectContaining({
        name: 'payments-preview',
        'backstage.io/owner': 'ada',
        'backstage.io/team': 'team-a',
        'backstage.io/entity': 'payments-api',
        'backstage.io/entity-kind': 'component',
      }),
    });

    const rows = await auditRows({ sandboxId: id });
    expect(
      rows.map(r => [
        r.action,
        r.outcome,
        r.actor,
        r.actorType,
        r.channel,
        r.team,
      ]),
    ).toEqual([
      [
        'sandbox.create',
        'succeeded',
        'user:default/ada',
        'user',
        'scaffolder',
        'group:default/team-a',
      ],
    ]);
    // The request the console received: the annotation defaults, and the name from the form.
    expect(rows[0].details.request).toMatchObject({
      timeout: 3600,
      resourceLimits: { cpu: '500m', memory: '512Mi' },
      entityRef: 'component:default/payments-api',
      metadata: { name: 'payments-preview' },
    });
  });

  it('a user whose role may not create gets a failed task naming the refusal, audited as denied', async () => {
    const task = await runTask(VIC, 'template:default/sandbox-for-component', {
      component: 'component:default/payments-api',
      name: 'vic-try',
    });
    expect(task.status).toBe('failed');
    expect(task.log.join('\n')).toMatch(
      /The OpenSandbox console refused to create the sandbox: NotAllowedError: /,
    );
    const rows = await auditRows({
      actor: 'user:default/vic',
      action: 'sandbox.create',
    });
    expect(rows.map(r => [r.outcome, r.httpStatus, r.channel])).toEqual([
      ['denied', 403, 'scaffolder'],
    ]);
  });

  it('renew, get-endpoint and delete act on a sandbox as the user; deleting a missing one can be ignored', async () => {
    const seeded = await fetch(`${sim.url}/v1/sandboxes`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'OPEN-SANDBOX-API-KEY': TEST_API_KEY,
      },
      body: JSON.stringify({
        image: { uri: 'alpine:3' },
        entrypoint: ['sleep', 'infinity'],
        timeout: 600,
        resourceLimits: { cpu: '1', memory: '1Gi' },
        metadata: {
          'backstage.io/owner': 'ada',
          'backstage.io/owner-namespace': 'default',
          'backstage.io/team': 'team-a',
          'backstage.io/team-namespace': 'default',
        },
      }),
    });
    const { id } = await seeded.json();
    const task = await runTask(ADA, 'template:default/sandbox-maintenance', {
      sandboxId: id,
      expiresInSeconds: 7200,
    });
    expect(task.status).toBe('completed');
    expect(task.output).toMatchObject({
      url: expect.stringMatching(/^http:\/\/.+\/9000$/),
      deleted: true,
      deletedAgain: false,
    });
    expect(Date.parse(task.output.expiresAt)).toBeGreaterThan(
      Date.now() + 3600_000,
    );
    expect((await upstream(`/v1/sandboxes/${id}`)).status).toBe(404);

    const rows = await auditRows({ sandboxId: id });
    expect(rows.map(r => [r.action, r.outcome, r.actor, r.channel])).toEqual([
      ['sandbox.delete', 'failed', 'user:default/ada', 'scaffolder'],
      ['sandbox.delete', 'succeeded', 'user:default/ada', 'scaffolder'],
      ['sandbox.renew', 'succeeded', 'user:default/ada', 'scaffolder'],
    ]);
  });

  it('a dry run of the template makes no OpenSandbox call and creates nothing', async () => {
    const before = await upstream('/v1/sandboxes?pageSize=200');
    const auditBefore = await auditRows({});
    await fetch(`${sim.url}/_simulator/requests`, { method: 'DELETE' });

    const res = await request(server)
      .post('/api/scaffolder/v2/dry-run')
      .set('Authorization', ADA)
      .send({
        template: exampleTemplate(),
        values: { component: 'component:default/payments-api', port: 8000 },
        directoryContents: [],
      });
    expect(res.status).toBe(200);
    const messages = (res.body.log as any[])
      .map(e => e.body.message)
      .join('\n');
    expect(messages).toContain('Dry run: no sandbox was created.');
    expect(messages).toContain('image python:3.12-slim');
    expect(messages).toContain(
      'Dry run: the endpoint of port 8000 of sandbox dry-run was not looked up.',
    );
    expect(res.body.output.links[0].url).toBe(
      'http://console.example.com/opensandbox/sandboxes/dry-run',
    );

    expect(await upstreamCalls()).toEqual([]);
    expect(
      (await upstream('/v1/sandboxes?pageSize=200')).body.pagination.totalItems,
    ).toBe(before.body.pagination.totalItems);
    expect((await auditRows({})).length).toBe(auditBefore.length);
  });

  it('a dry run still checks the inputs (no image anywhere, a bad quantity): the step fails before any call', async () => {
    await fetch(`${sim.url}/_simulator/requests`, { method: 'DELETE' });
    const res = await request(server)
      .post('/api/scaffolder/v2/dry-run')
      .set('Authorization', ADA)
      .send({
        template: {
          ...exampleTemplate(),
          spec: {
            ...(exampleTemplate().spec as object),
            steps: [
              {
                id: 'sandbox',
                action: 'opensandbox:sandbox:create',
                input: { entrypoint: 'sleep 60', cpu: 'two cores' },
              },
            ],
            output: {},
          },
        },
        values: { component: 'component:default/payments-api' },
        directoryContents: [],
      });
    // The scaffolder answers a dry run whose step failed with the step's error.
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
    expect(res.body.error.message).toMatch(
      /^Invalid sandbox: image\.uri is required; resourceLimits\.cpu must be a quantity/,
    );
    expect(await upstreamCalls()).toEqual([]);
  });
});
