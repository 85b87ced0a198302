import { OpenSandboxClient } from './OpenSandboxClient';

describe('OpenSandboxClient.getDiagnostics', () => {
  it('GETs the diagnostics of a sandbox, on its server when given', async () => {
    const answer = { kind: 'logs', available: true, text: 'line\n' };
    const fetch = jest.fn(
      async () =>
        new Response(JSON.stringify(answer), {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
        }),
    );
    const client = new OpenSandboxClient({
      discoveryApi: { getBaseUrl: async () => 'http://b/api/opensandbox' },
      fetchApi: { fetch } as any,
    });
    await expect(client.getDiagnostics('a b', 'logs')).resolves.toEqual(answer);
    await client.getDiagnostics('x', 'events', { server: 'eu-west' });
    expect(fetch.mock.calls.map((c: any[]) => [c[0], c[1]])).toEqual([
      [
        'http://b/api/opensandbox/sandboxes/a%20b/diagnostics/logs',
        { method: 'GET' },
      ],
      [
        'http://b/api/opensandbox/servers/eu-west/sandboxes/x/diagnostics/events',
        { method: 'GET' },
      ],
    ]);
  });
});
