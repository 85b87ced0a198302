/**
 * The agent actions through the actions registry's HTTP surface
 * (`/api/opensandbox/.backstage/actions/v1/...`) and through the MCP actions backend
 * (`/api/mcp-actions/v1`, with the MCP SDK's client), against the REAL permission backend with the
 * role policy and the simulator: a permitted user, forbidden users, services with and without a
 * role; the results, the errors an agent sees, and the audit rows (actor, channel `mcp`, outcome).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startSimulator } from '@opensandbox-console/opensandbox-simulator';
import { SANDBOX_ACTION_NAMES } from '../actions';
import {
  serviceHeader,
  startAgentBackend,
  userHeader,
} from '../__testUtils__/agentBackend';
import {
  seedUpstreamSandbox,
  TEST_API_KEY,
} from '../__testUtils__/consoleBackend';

jest.setTimeout(60_000);

const ADA = userHeader('user:default/ada'); // operator, team-a
const BOB = userHeader('user:default/bob'); // operator, team-b
const VIC = userHeader('user:default/vic'); // viewer, team-a
const PAT = userHeader('user:default/pat'); // admin
const CI_BOT = serviceHeader('external:ci-bot'); // service: operator, team-a
const NOBODY = serviceHeader('external:nobody'); // service without a role

const ACTIONS = '/api/opensandbox/.backstage/actions/v1/actions';

describe('agent actions', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let server: Server;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
    server = await startAgentBackend({ simulatorUrl: sim.url });
  });

  afterAll(async () => {
    await sim.close();
  });

  function invoke(name: string, auth: string, input: Record<string, unknown>) {
    return request(server)
      .post(`${ACTIONS}/opensandbox:${name}/invoke`)
      .set('Authorization', auth)
      .send(input);
  }

  async function ok(
    name: string,
    auth: string,
    input: Record<string, unknown>,
  ) {
    const res = await invoke(name, auth, input);
    if (res.status !== 200)
      throw new Error(
        `${name} answered ${res.status}: ${JSON.stringify(res.body)}`,
      );
    return res.body.output;
  }

  async function events(query: Record<string, string>) {
    const res = await request(server)
      .get('/api/opensandbox/audit-events')
      .query(query)
      .set('Authorization', PAT);
    expect(res.status).toBe(200);
    return res.body.items as any[];
  }

  const createInput = {
    image: 'python:3.12-slim',
    entrypoint: ['python', '-m', 'http.server', '8000'],
    timeoutSeconds: 600,
    cpu: '500m',
    memory: '512Mi',
    name: 'agent-made',
  };

  it('registers the eight actions under the plugin id, with truthful attributes and schemas', async () => {
    const res = await request(server).get(ACTIONS).set('Authorization', ADA);
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(
      res.body.actions.map((a: any) => [a.id, a]),
    );
    expect(Object.keys(byId).sort()).toEqual(
      SANDBOX_ACTION_NAMES.map(n => `opensandbox:${n}`).sort(),
    );
    const attributes = (name: string) => byId[`opensandbox:${name}`].attributes;
    for (const name of [
      'list-sandboxes',
      'get-sandbox',
      'get-sandbox-endpoint',
    ]) {
      expect(attributes(name)).toEqual({
        readOnly: true,
        destructive: false,
        idempotent: true,
      });
    }
    expect(attributes('create-sandbox')).toEqual({
      readOnly: false,
      destructive: false,
      idempotent: false,
    });
    expect(attributes('renew-sandbox')).toEqual({
      readOnly: false,
      destructive: false,
      idempotent: false,
    });
    expect(attributes('pause-sandbox')).toEqual({
      readOnly: false,
      destructive: false,
      idempotent: true,
    });
    expect(attributes('resume-sandbox')).toEqual({
      readOnly: false,
      destructive: false,
      idempotent: true,
    });
    expect(attributes('delete-sandbox')).toEqual({
      readOnly: false,
      destructive: true,
      idempotent: true,
    });
    const create = byId['opensandbox:create-sandbox'];
    expect(create.pluginId).toBe('opensandbox');
    expect(create.schema.input.required).toEqual(
      expect.arrayContaining(['image', 'entrypoint']),
    );
    expect(create.schema.input.properties.timeoutSeconds.description).toMatch(
      /seconds/,
    );
    expect(create.description).toMatch(/NotAllowedError/);
  });

  it('a permitted user runs every action; each mutation is audited as that user on channel mcp', async () => {
    const created = await ok('create-sandbox', ADA, {
      ...createInput,
      idempotencyKey: 'agent-test-1',
    });
    const id = created.sandbox.id;
    expect(created.replayed).toBe(false);
    expect(created.sandbox).toMatchObject({
      name: 'agent-made',
      owner: 'user:default/ada',
      team: 'group:default/team-a',
      server: 'default',
      url: `http://console.example.com/opensandbox/servers/default/sandboxes/${id}`,
    });
    expect(typeof created.sandbox.expiresAt).toBe('string');

    // A retry with the same key answers the same sandbox.
    const replay = await ok('create-sandbox', ADA, {
      ...createInput,
      idempotencyKey: 'agent-test-1',
    });
    expect(replay).toMatchObject({ replayed: true, sandbox: { id } });

    const got = await ok('get-sandbox', ADA, { sandboxId: id });
    expect(got.sandbox).toMatchObject({
      id,
      state: 'Running',
      image: 'python:3.12-slim',
      owner: 'user:default/ada',
    });

    const mine = await ok('list-sandboxes', ADA, {
      ownedByMe: true,
      search: 'agent-made',
    });
    expect(mine.items.map((s: any) => s.id)).toEqual([id]);
    expect(mine).toMatchObject({ page: 1, totalItems: 1, hasNextPage: false });

    const endpoint = await ok('get-sandbox-endpoint', ADA, {
      sandboxId: id,
      port: 8000,
    });
    expect(endpoint.endpoint).toMatch(/\/8000$/);
    expect(endpoint.url).toBe(`http://${endpoint.endpoint}`);

    const renewed = await ok('renew-sandbox', ADA, {
      sandboxId: id,
      expiresInSeconds: 7200,
    });
    expect(Date.parse(renewed.expiresAt)).toBeGreaterThan(
      Date.parse(created.sandbox.expiresAt),
    );
    expect(
      (await ok('get-sandbox', ADA, { sandboxId: id })).lastRenewal,
    ).toMatchObject({ actor: 'user:default/ada', drift: false });

    const paused = await ok('pause-sandbox', ADA, { sandboxId: id });
    const pausedAgain = await invoke('pause-sandbox', ADA, { sandboxId: id });
    expect(pausedAgain.status).toBe(409);
    expect(pausedAgain.body.error.name).toBe('ConflictError');
    expect(pausedAgain.body.error.message).toMatch(
      /pause needs a Running sandbox.*get-sandbox/,
    );
    const resumed = await ok('resume-sandbox', ADA, { sandboxId: id });
    const deleted = await ok('delete-sandbox', ADA, { sandboxId: id });
    expect(deleted).toEqual({ sandboxId: id, requestId: expect.any(String) });

    const gone = await invoke('get-sandbox', ADA, { sandboxId: id });
    expect(gone.status).toBe(404);
    expect(gone.body.error).toMatchObject({ name: 'NotFoundError' });
    expect(gone.body.error.message).toMatch(/not found.*you may not read it/);

    const rows = await events({ sandboxId: id });
    expect(
      rows.map(r => [r.action, r.outcome, r.actor, r.actorType, r.channel]),
    ).toEqual([
      ['sandbox.delete', 'succeeded', 'user:default/ada', 'user', 'mcp'],
      ['sandbox.resume', 'succeeded', 'user:default/ada', 'user', 'mcp'],
      ['sandbox.pause', 'failed', 'user:default/ada', 'user', 'mcp'],
      ['sandbox.pause', 'succeeded', 'user:default/ada', 'user', 'mcp'],
      ['sandbox.renew', 'succeeded', 'user:default/ada', 'user', 'mcp'],
      ['sandbox.create', 'succeeded', 'user:default/ada', 'user', 'mcp'],
    ]);
    // The request ids the actions answer name their rows.
    expect(rows.map(r => r.requestId)).toEqual(
      expect.arrayContaining([
        created.requestId,
        renewed.requestId,
        paused.requestId,
        resumed.requestId,
        deleted.requestId,
      ]),
    );
  });

  it('forbidden users get clear 403/404 errors, audited as denied; bad input is a 400 naming the field', async () => {
    const id = await seedUpstreamSandbox(sim.url, {
      owner: 'ada',
      team: 'team-a',
    });

    const viewerCreate = await invoke('create-sandbox', VIC, createInput);
    expect(viewerCreate.status).toBe(403);
    expect(viewerCreate.body.error.name).toBe('NotAllowedError');
    expect(viewerCreate.body.error.message).toMatch(/not allowed/i);

    const viewerPause = await invoke('pause-sandbox', VIC, { sandboxId: id });
    expect(viewerPause.status).toBe(403);
    expect(viewerPause.body.error.name).toBe('NotAllowedError');

    // Another team's sandbox is "not found", exactly like a missing one, for every action.
    const inputs: Record<string, Record<string, unknown>> = {
      'get-sandbox': { sandboxId: id },
      'get-sandbox-endpoint': { sandboxId: id, port: 8000 },
      'renew-sandbox': { sandboxId: id, expiresInSeconds: 7200 },
      'pause-sandbox': { sandboxId: id },
      'resume-sandbox': { sandboxId: id },
      'delete-sandbox': { sandboxId: id },
    };
    for (const [name, input] of Object.entries(inputs)) {
      const res = await invoke(name, BOB, input);
      expect([name, res.status, res.body.error?.name]).toEqual([
        name,
        404,
        'NotFoundError',
      ]);
    }
    const bobList = await ok('list-sandboxes', BOB, {});
    expect(bobList.items.map((s: any) => s.id)).not.toContain(id);

    const badQuantity = await invoke('create-sandbox', ADA, {
      ...createInput,
      cpu: 'lots',
    });
    expect(badQuantity.status).toBe(400);
    expect(badQuantity.body.error.name).toBe('InputError');
    expect(badQuantity.body.error.message).toMatch(/resourceLimits\.cpu/);
    const missing = await invoke('create-sandbox', ADA, { image: 'alpine:3' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(
      /Invalid input to action "opensandbox:create-sandbox"/,
    );
    const both = await invoke('renew-sandbox', ADA, {
      sandboxId: id,
      expiresInSeconds: 600,
      expiresAt: '2030-01-01T00:00:00Z',
    });
    expect(both.status).toBe(400);
    expect(both.body.error.message).toMatch(
      /exactly one of expiresInSeconds or expiresAt/,
    );
    const shorter = await invoke('renew-sandbox', ADA, {
      sandboxId: id,
      expiresInSeconds: 60,
    });
    expect(shorter.status).toBe(400);
    expect(shorter.body.error.message).toMatch(
      /expiresAt.*earlier than the current expiration/,
    );

    const rows = await events({ sandboxId: id });
    expect(
      rows.map(r => [r.action, r.outcome, r.httpStatus, r.actor, r.channel]),
    ).toEqual([
      ['sandbox.renew', 'failed', 400, 'user:default/ada', 'mcp'],
      ['sandbox.delete', 'denied', 404, 'user:default/bob', 'mcp'],
      ['sandbox.resume', 'denied', 404, 'user:default/bob', 'mcp'],
      ['sandbox.pause', 'denied', 404, 'user:default/bob', 'mcp'],
      ['sandbox.renew', 'denied', 404, 'user:default/bob', 'mcp'],
      ['sandbox.pause', 'denied', 403, 'user:default/vic', 'mcp'],
    ]);
    const denied = await events({
      actor: 'user:default/vic',
      action: 'sandbox.create',
    });
    expect(denied.map(r => [r.outcome, r.httpStatus, r.channel])).toEqual([
      ['denied', 403, 'mcp'],
    ]);
  });

  it('a service acts as itself within its role; a service without a role is refused', async () => {
    const noTeam = await invoke('create-sandbox', CI_BOT, createInput);
    expect(noTeam.status).toBe(400);
    expect(noTeam.body.error.message).toMatch(
      /team.*required when a service creates/,
    );

    const created = await ok('create-sandbox', CI_BOT, {
      ...createInput,
      team: 'group:default/team-a',
    });
    const id = created.sandbox.id;
    expect(created.sandbox).toMatchObject({ team: 'group:default/team-a' });
    expect(created.sandbox.owner).toBeUndefined();
    const listed = await ok('list-sandboxes', CI_BOT, {
      team: ['group:default/team-a'],
    });
    expect(listed.items.map((s: any) => s.id)).toContain(id);
    expect(
      (await ok('get-sandbox', CI_BOT, { sandboxId: id })).sandbox,
    ).toMatchObject({ id, state: 'Running' });
    expect(
      (await ok('get-sandbox-endpoint', CI_BOT, { sandboxId: id, port: 8000 }))
        .url,
    ).toMatch(/^http:\/\/.+\/8000$/);
    await ok('renew-sandbox', CI_BOT, {
      sandboxId: id,
      expiresInSeconds: 3600,
    });
    await ok('pause-sandbox', CI_BOT, { sandboxId: id });
    await ok('resume-sandbox', CI_BOT, { sandboxId: id });
    const ownedByMe = await invoke('list-sandboxes', CI_BOT, {
      ownedByMe: true,
    });
    expect(ownedByMe.status).toBe(400);

    expect((await ok('list-sandboxes', NOBODY, {})).items).toEqual([]);
    const refused = await invoke('create-sandbox', NOBODY, {
      ...createInput,
      team: 'group:default/team-a',
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.name).toBe('NotAllowedError');
    expect(
      (await invoke('delete-sandbox', NOBODY, { sandboxId: id })).status,
    ).toBe(404);

    await ok('delete-sandbox', CI_BOT, { sandboxId: id });
    const rows = await events({ sandboxId: id });
    expect(
      rows.map(r => [r.action, r.outcome, r.actor, r.actorType, r.channel]),
    ).toEqual([
      ['sandbox.delete', 'succeeded', 'external:ci-bot', 'service', 'mcp'],
      ['sandbox.delete', 'denied', 'external:nobody', 'service', 'mcp'],
      ['sandbox.resume', 'succeeded', 'external:ci-bot', 'service', 'mcp'],
      ['sandbox.pause', 'succeeded', 'external:ci-bot', 'service', 'mcp'],
      ['sandbox.renew', 'succeeded', 'external:ci-bot', 'service', 'mcp'],
      ['sandbox.create', 'succeeded', 'external:ci-bot', 'service', 'mcp'],
    ]);
  });

  it('upstream failures keep their status and become errors an agent can act on (never upstream text)', async () => {
    const faults = (rules: unknown[]) =>
      fetch(`${sim.url}/_simulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(rules),
      });
    await faults([
      {
        method: 'POST',
        path: '^/v1/sandboxes$',
        status: 503,
        body: {
          code: 'KUBERNETES::POOL_CAPACITY_EXHAUSTED',
          message: 'pool p-17 on node-9 is full',
        },
        times: 1,
      },
    ]);
    try {
      const res = await invoke('create-sandbox', ADA, {
        ...createInput,
        name: 'no-capacity',
      });
      expect(res.status).toBe(429);
      expect(res.body.error.name).toBe('ServiceUnavailableError');
      expect(res.body.error.message).toMatch(
        /^CapacityExhaustedError: The OpenSandbox pool has no capacity left.*Retry after \d+ s\./,
      );
      expect(JSON.stringify(res.body)).not.toContain('node-9');
    } finally {
      await faults([]);
    }
    const rows = await events({
      actor: 'user:default/ada',
      action: 'sandbox.create',
      outcome: 'failed',
    });
    expect(
      rows
        .filter(r => r.details?.request?.metadata?.name === 'no-capacity')
        .map(r => [r.httpStatus, r.errorCode, r.channel]),
    ).toEqual([[429, 'KUBERNETES::POOL_CAPACITY_EXHAUSTED', 'mcp']]);
  });

  describe('through the MCP endpoint', () => {
    async function connect(auth: string) {
      const { port } = server.address() as AddressInfo;
      const client = new Client({
        name: 'opensandbox-test-agent',
        version: '1.0.0',
      });
      await client.connect(
        new StreamableHTTPClientTransport(
          new URL(`http://localhost:${port}/api/mcp-actions/v1`),
          {
            requestInit: { headers: { Authorization: auth } },
          },
        ),
      );
      return client;
    }

    it('an MCP client lists the sandbox tools and creates, renews and deletes a sandbox as the user', async () => {
      const client = await connect(ADA);
      try {
        const { tools } = await client.listTools();
        expect(tools.map(t => t.name).sort()).toEqual(
          SANDBOX_ACTION_NAMES.map(n => `opensandbox.${n}`).sort(),
        );
        const del = tools.find(t => t.name === 'opensandbox.delete-sandbox')!;
        expect(del.annotations).toMatchObject({
          destructiveHint: true,
          idempotentHint: true,
          readOnlyHint: false,
        });

        const created: any = await client.callTool({
          name: 'opensandbox.create-sandbox',
          arguments: { ...createInput, name: 'via-mcp' },
        });
        expect(created.isError).toBeFalsy();
        const id = created.structuredContent.sandbox.id;
        expect(created.structuredContent.sandbox).toMatchObject({
          name: 'via-mcp',
          owner: 'user:default/ada',
          state: 'Running',
        });

        const renewed: any = await client.callTool({
          name: 'opensandbox.renew-sandbox',
          arguments: { sandboxId: id, expiresInSeconds: 3600 },
        });
        expect(renewed.isError).toBeFalsy();
        expect(renewed.structuredContent).toMatchObject({
          sandboxId: id,
          expiresAt: expect.any(String),
        });

        const deleted: any = await client.callTool({
          name: 'opensandbox.delete-sandbox',
          arguments: { sandboxId: id },
        });
        expect(deleted.isError).toBeFalsy();

        // Errors reach the agent as tool errors with the console's explanation.
        const missing: any = await client.callTool({
          name: 'opensandbox.get-sandbox',
          arguments: { sandboxId: id },
        });
        expect(missing.isError).toBe(true);
        expect(missing.content[0].text).toMatch(
          /^NotFoundError: Sandbox .* not found\..*you may not read it/,
        );

        const rows = await events({ sandboxId: id });
        expect(
          rows.map(r => [r.action, r.outcome, r.actor, r.channel]),
        ).toEqual([
          ['sandbox.delete', 'succeeded', 'user:default/ada', 'mcp'],
          ['sandbox.renew', 'succeeded', 'user:default/ada', 'mcp'],
          ['sandbox.create', 'succeeded', 'user:default/ada', 'mcp'],
        ]);
      } finally {
        await client.close();
      }
    });

    it('a forbidden user gets a tool error, audited as denied', async () => {
      const client = await connect(VIC);
      try {
        const res: any = await client.callTool({
          name: 'opensandbox.create-sandbox',
          arguments: { ...createInput, name: 'vic-via-mcp' },
        });
        expect(res.isError).toBe(true);
        expect(res.content[0].text).toMatch(/^NotAllowedError: /);
      } finally {
        await client.close();
      }
      const rows = await events({
        actor: 'user:default/vic',
        action: 'sandbox.create',
      });
      expect(
        rows
          .filter(r => r.details?.request?.metadata?.name === 'vic-via-mcp')
          .map(r => [r.outcome, r.channel]),
      ).toEqual([['denied', 'mcp']]);
    });

    it('a service token reaches the console as plugin:mcp-actions (Backstage forwards no service identity)', async () => {
      const client = await connect(
        serviceHeader('external:some-agent', 'mcp-actions'),
      );
      let id: string;
      try {
        const created: any = await client.callTool({
          name: 'opensandbox.create-sandbox',
          arguments: {
            ...createInput,
            team: 'group:default/team-a',
            name: 'service-via-mcp',
          },
        });
        expect(created.isError).toBeFalsy();
        id = created.structuredContent.sandbox.id;
        const deleted: any = await client.callTool({
          name: 'opensandbox.delete-sandbox',
          arguments: { sandboxId: id },
        });
        expect(deleted.isError).toBeFalsy();
      } finally {
        await client.close();
      }
      const rows = await events({ sandboxId: id! });
      expect(
        rows.map(r => [r.action, r.outcome, r.actor, r.actorType, r.channel]),
      ).toEqual([
        ['sandbox.delete', 'succeeded', 'plugin:mcp-actions', 'service', 'mcp'],
        ['sandbox.create', 'succeeded', 'plugin:mcp-actions', 'service', 'mcp'],
      ]);
    });
  });
});
