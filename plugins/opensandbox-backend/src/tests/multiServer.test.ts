/**
 * Several OpenSandbox servers (or one API key per tenant): one inventory merges them, lists say
 * which server each sandbox is on, create picks the server from the team, sandboxes are addressed
 * as /servers/<name>/sandboxes/<id>, and each server's sync adds and removes only its own.
 */
import type { Server } from 'node:http';
import request from 'supertest';
import { startSimulator } from '@opensandbox-console/opensandbox-simulator';
import {
  authHeader,
  startConsoleBackend,
  syncInventory,
  TEST_API_KEY,
} from '../__testUtils__/consoleBackend';

jest.setTimeout(60_000);

const body = {
  image: { uri: 'alpine:3' },
  entrypoint: ['sh'],
  timeout: 3600,
  resourceLimits: { cpu: '1', memory: '1Gi' },
};

describe('several OpenSandbox servers', () => {
  let eu: Awaited<ReturnType<typeof startSimulator>>;
  let us: Awaited<ReturnType<typeof startSimulator>>;
  let server: Server;

  beforeAll(async () => {
    eu = await startSimulator({ port: 0, apiKey: TEST_API_KEY, startupMs: 0 });
    us = await startSimulator({
      port: 0,
      apiKey: 'us-tenant-key',
      startupMs: 0,
    });
    server = await startConsoleBackend({
      simulatorUrl: eu.url,
      extraConfig: {
        servers: [
          {
            name: 'eu',
            baseUrl: eu.url,
            apiKey: TEST_API_KEY,
            teams: ['Group:Default/Team-A'],
          },
          { name: 'us', baseUrl: us.url, apiKey: 'us-tenant-key' },
        ],
      },
    });
  });
  afterAll(async () => {
    await eu.close();
    await us.close();
  });

  it("creates on the team's server, lists both servers together and addresses sandboxes by server", async () => {
    const settings = await request(server)
      .get('/api/opensandbox/settings')
      .set('Authorization', authHeader('viewer'));
    expect(settings.body.servers).toEqual(['eu', 'us']);

    const adas = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', authHeader('operatorOwnTeam'))
      .send(body);
    expect([adas.status, adas.body.server]).toEqual([202, 'eu']);
    const bobs = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', authHeader('operatorOtherTeam'))
      .send(body);
    expect([bobs.status, bobs.body.server]).toEqual([202, 'us']);
    const refused = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', authHeader('operatorOtherTeam'))
      .send({ ...body, server: 'eu' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields).toEqual([
      {
        field: 'server',
        message: 'eu does not serve team group:default/team-b',
      },
    ]);

    // Created directly on us (its own tenant key), outside the console.
    const res = await fetch(`${us.url}/v1/sandboxes`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'OPEN-SANDBOX-API-KEY': 'us-tenant-key',
      },
      body: JSON.stringify({
        ...body,
        metadata: {
          'backstage.io/team': 'team-b',
          'backstage.io/team-namespace': 'default',
        },
      }),
    });
    const direct = (await res.json()).id;
    await syncInventory(server, 'us');
    await syncInventory(server, 'eu');

    const all = await request(server)
      .get('/api/opensandbox/sandboxes')
      .query({ pageSize: 200 })
      .set('Authorization', authHeader('admin'));
    expect(
      all.body.items.map((s: any) => `${s.server}/${s.id}`).sort(),
    ).toEqual(
      [`eu/${adas.body.id}`, `us/${bobs.body.id}`, `us/${direct}`].sort(),
    );
    expect(typeof all.body.syncedAt).toBe('string');
    const onlyUs = await request(server)
      .get('/api/opensandbox/sandboxes')
      .query({ server: 'us' })
      .set('Authorization', authHeader('admin'));
    expect(onlyUs.body.items.map((s: any) => s.id).sort()).toEqual(
      [bobs.body.id, direct].sort(),
    );
    const bobSees = await request(server)
      .get('/api/opensandbox/sandboxes')
      .set('Authorization', authHeader('operatorOtherTeam'));
    expect(bobSees.body.items.map((s: any) => s.id).sort()).toEqual(
      [bobs.body.id, direct].sort(),
    );

    expect(
      (
        await request(server)
          .get(`/api/opensandbox/servers/us/sandboxes/${bobs.body.id}`)
          .set('Authorization', authHeader('operatorOtherTeam'))
      ).status,
    ).toBe(200);
    expect(
      (
        await request(server)
          .get(`/api/opensandbox/sandboxes/${bobs.body.id}`)
          .set('Authorization', authHeader('admin'))
      ).status,
    ).toBe(404);
    expect(
      (
        await request(server)
          .get(`/api/opensandbox/servers/mars/sandboxes/${bobs.body.id}`)
          .set('Authorization', authHeader('admin'))
      ).status,
    ).toBe(400);

    const deleted = await request(server)
      .delete(`/api/opensandbox/servers/us/sandboxes/${bobs.body.id}`)
      .set('Authorization', authHeader('operatorOtherTeam'));
    expect(deleted.status).toBe(204);
    // Deleted directly on eu: gone from the list after eu's sync, us untouched.
    await fetch(`${eu.url}/v1/sandboxes/${adas.body.id}`, {
      method: 'DELETE',
      headers: { 'OPEN-SANDBOX-API-KEY': TEST_API_KEY },
    });
    await syncInventory(server, 'eu');
    const after = await request(server)
      .get('/api/opensandbox/sandboxes')
      .set('Authorization', authHeader('admin'));
    expect(after.body.items.map((s: any) => `${s.server}/${s.id}`)).toEqual([
      `us/${direct}`,
    ]);
  });
});
