import { OpenSandboxClient } from './OpenSandboxClient';

const BASE = 'http://localhost:7007/api/opensandbox';

describe('OpenSandboxClient.getSandboxChanges', () => {
  it('GETs /changes, with ?since= when given', async () => {
    const body = {
      version: 7,
      changed: [{ server: 'default', id: 'a', version: 7 }],
      removed: [],
      hasMore: false,
      reset: false,
    };
    const fetch = jest.fn(
      async (_url: string, _init?: RequestInit) =>
        new Response(JSON.stringify(body), { status: 200 }),
    );
    const client = new OpenSandboxClient({
      discoveryApi: { getBaseUrl: async () => BASE },
      fetchApi: { fetch } as any,
    });
    await expect(client.getSandboxChanges()).resolves.toEqual(body);
    await expect(client.getSandboxChanges(0)).resolves.toEqual(body);
    await expect(client.getSandboxChanges(42)).resolves.toEqual(body);
    expect(fetch.mock.calls.map(([url, init]) => [url, init?.method])).toEqual([
      [`${BASE}/changes`, 'GET'],
      [`${BASE}/changes?since=0`, 'GET'],
      [`${BASE}/changes?since=42`, 'GET'],
    ]);
  });
});
