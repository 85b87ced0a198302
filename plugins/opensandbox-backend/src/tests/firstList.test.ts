/**
 * A fresh start: the first list is complete (the inventory is synced on demand when it never was),
 * not empty until the scheduler's first run of the sync task.
 */
import request from 'supertest';
import { startSimulator } from '@opensandbox-console/opensandbox-simulator';
import {
  authHeader,
  seedUpstreamSandbox,
  startConsoleBackend,
  TEST_API_KEY,
} from '../__testUtils__/consoleBackend';

jest.setTimeout(60_000);

it('answers the first list after a fresh start with the sandboxes OpenSandbox has', async () => {
  const sim = await startSimulator({ port: 0, apiKey: TEST_API_KEY });
  try {
    const a = await seedUpstreamSandbox(sim.url, {
      owner: 'ada',
      team: 'team-a',
    });
    const b = await seedUpstreamSandbox(sim.url, {
      owner: 'bob',
      team: 'team-b',
    });
    // The scheduled sync runs once an hour here: only the on-demand first sync can fill the list.
    const server = await startConsoleBackend({ simulatorUrl: sim.url });
    const [first, second] = await Promise.all([
      request(server)
        .get('/api/opensandbox/sandboxes')
        .set('Authorization', authHeader('admin')),
      request(server)
        .get('/api/opensandbox/sandboxes')
        .set('Authorization', authHeader('operatorOwnTeam')),
    ]);
    expect(first.body.items.map((s: any) => s.id).sort()).toEqual(
      [a, b].sort(),
    );
    expect(typeof first.body.syncedAt).toBe('string');
    expect(second.body.items.map((s: any) => s.id)).toEqual([a]);
    const log = await (await fetch(`${sim.url}/_simulator/requests`)).json();
    const lists = (Array.isArray(log) ? log : log.requests).filter(
      (r: any) => r.method === 'GET' && r.path === '/v1/sandboxes',
    );
    expect(lists.length).toBeLessThanOrEqual(2); // one first sync (plus at most the scheduler's own run)
  } finally {
    await sim.close();
  }
});
