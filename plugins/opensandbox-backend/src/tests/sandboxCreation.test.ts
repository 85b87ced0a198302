/**
 * How a sandbox was created, as the detail route answers it (`creation`): actor, resource limits,
 * platform and the NAMES of its environment variables, never their values; and the creating
 * service named on sandboxes a service created (`ownership.service`), in lists too.
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

const SECRET = 'value-that-must-never-leave-the-server';
const body = {
  image: { uri: 'alpine:3' },
  entrypoint: ['sleep', 'infinity'],
  timeout: 600,
  resourceLimits: { cpu: '500m', memory: '512Mi' },
  platform: { os: 'linux', arch: 'arm64' },
  env: { API_TOKEN: SECRET, LOG_LEVEL: 'debug' },
  metadata: { name: 'made-by-ci' },
};

describe('sandbox creation details', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let server: Server;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
    server = await startConsoleBackend({ simulatorUrl: sim.url });
  });
  afterAll(() => sim.close());

  it('names the creating service and answers limits, platform and env names, never env values', async () => {
    const created = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', authHeader('service'))
      .send({
        ...body,
        image: { uri: 'alpine:3', auth: { username: 'bot', password: SECRET } },
        team: 'group:default/team-a',
      });
    expect(created.status).toBe(202);
    expect(created.body.ownership).toEqual({
      service: 'external:ci-bot',
      team: 'group:default/team-a',
    });
    expect(created.body.metadata['backstage.io/created-by-service']).toBe(
      'external.ci-bot',
    );
    // The answer (and the inventory row it makes) names the image, never its registry credentials.
    expect(created.body.image).toEqual({ uri: 'alpine:3' });

    const detail = await request(server)
      .get(`/api/opensandbox/sandboxes/${created.body.id}`)
      .set('Authorization', authHeader('admin'));
    expect(detail.status).toBe(200);
    expect(detail.body.creation).toEqual({
      actor: 'external:ci-bot',
      actorType: 'service',
      resourceLimits: { cpu: '500m', memory: '512Mi' },
      envNames: ['API_TOKEN', 'LOG_LEVEL'],
      platform: { os: 'linux', arch: 'arm64' },
    });
    expect(JSON.stringify(detail.body)).not.toContain(SECRET);
    expect(JSON.stringify(created.body)).not.toContain(SECRET);

    await syncInventory(server);
    const list = await request(server)
      .get('/api/opensandbox/sandboxes')
      .set('Authorization', authHeader('admin'));
    const row = list.body.items.find(
      (s: { id: string }) => s.id === created.body.id,
    );
    expect(row.ownership).toEqual({
      service: 'external:ci-bot',
      team: 'group:default/team-a',
    });
    expect(JSON.stringify(list.body)).not.toContain(SECRET);
  });

  it('answers the creating user, and no creation for sandboxes made outside the console', async () => {
    const created = await request(server)
      .post('/api/opensandbox/sandboxes')
      .set('Authorization', authHeader('operatorOwnTeam'))
      .send(body);
    expect(created.status).toBe(202);
    expect(created.body.ownership.service).toBeUndefined();
    const detail = await request(server)
      .get(`/api/opensandbox/sandboxes/${created.body.id}`)
      .set('Authorization', authHeader('admin'));
    expect(detail.body.creation.actorType).toBe('user');
    expect(detail.body.creation.actor).toBe(created.body.ownership.owner);

    const outside = await fetch(`${sim.url}/v1/sandboxes`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'OPEN-SANDBOX-API-KEY': TEST_API_KEY,
      },
      body: JSON.stringify({
        image: { uri: 'alpine:3' },
        entrypoint: ['sh'],
        timeout: 600,
        resourceLimits: { cpu: '1', memory: '1Gi' },
      }),
    }).then(r => r.json());
    const plain = await request(server)
      .get(`/api/opensandbox/sandboxes/${outside.id}`)
      .set('Authorization', authHeader('admin'));
    expect(plain.status).toBe(200);
    expect(plain.body.creation).toBeUndefined();
  });
});
