/**
 * Live status in the pages: the list, the detail page and the entity tab refetch what changed when
 * a signal arrives (asking `GET /changes` which changes the user may read); without the signals
 * plugin they poll with exponential backoff; nothing runs while the tab is hidden and one check
 * catches up when it becomes visible. Also the "expiring soon" highlight and window, and the
 * renew deep link of expiry warnings.
 */
import { act, screen, waitFor } from '@testing-library/react';
import { Route, Routes, useLocation } from 'react-router-dom';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { identityApiRef } from '@backstage/core-plugin-api';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  catalogApiRef,
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { signalApiRef, SignalApi } from '@backstage/plugin-signals-react';
import type { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { SANDBOX_CHANGES_CHANNEL } from '@opensandbox-console/plugin-opensandbox-common';
import { opensandboxApiRef, SandboxChangesResponse } from '../api';
import { rootRouteRef } from '../routes';
import {
  createFakeApi,
  createPermissionApi,
  makeSandbox,
  makeSettings,
  withFreshPermissionCache,
} from '../__testUtils__/testUtils';
import { SandboxListPage } from './SandboxListPage';
import { SandboxDetailPage } from './SandboxDetailPage';
import { EntitySandboxesContent } from './EntitySandboxesContent';
import { LIVE_POLL } from './useLiveChanges';

jest.setTimeout(30_000);

const ID = '6f1c2b7e-3a4d-4f0e-9a51-2c8d7e9b1f20';
const OTHER = 'aaaaaaaa-0000-4000-8000-000000000002';

function page(items: ReturnType<typeof makeSandbox>[]) {
  return {
    items,
    pagination: {
      page: 1,
      pageSize: 20,
      totalItems: items.length,
      totalPages: 1,
      hasNextPage: false,
    },
  };
}

function changes(
  overrides: Partial<SandboxChangesResponse> = {},
): SandboxChangesResponse {
  return {
    version: 5,
    changed: [],
    removed: [],
    hasMore: false,
    reset: false,
    ...overrides,
  };
}

/** A signal API whose messages the test sends. */
function fakeSignals() {
  const listeners = new Set<(message: any) => void>();
  const channels: string[] = [];
  const api: SignalApi = {
    subscribe: (channel, onMessage) => {
      channels.push(channel);
      const listener = onMessage as (message: any) => void;
      listeners.add(listener);
      return { unsubscribe: () => listeners.delete(listener) };
    },
  };
  return {
    api,
    channels,
    subscribers: () => listeners.size,
    emit: async (message: object) => {
      await act(async () => {
        for (const listener of [...listeners]) listener(message);
      });
    },
  };
}

let visibility: DocumentVisibilityState = 'visible';
beforeAll(() => {
  Object.defineProperty(document, 'visibilityState', {
    configurable: true,
    get: () => visibility,
  });
});
afterEach(() => {
  visibility = 'visible';
});
async function setVisibility(next: DocumentVisibilityState) {
  visibility = next;
  await act(async () => {
    document.dispatchEvent(new Event('visibilitychange'));
  });
}

function Location() {
  const location = useLocation();
  return (
    <div data-testid="location">{`${location.pathname}${location.search}`}</div>
  );
}

function commonApis(
  api: ReturnType<typeof createFakeApi>,
  signals?: SignalApi,
  denied: string[] = [],
) {
  const apis: any[] = [
    [opensandboxApiRef, api],
    [permissionApiRef, createPermissionApi(denied).permissionApi],
    [
      identityApiRef,
      mockApis.identity({
        userEntityRef: 'user:default/jane.doe',
        ownershipEntityRefs: ['user:default/jane.doe', 'group:default/team-a'],
      }),
    ],
    [catalogApiRef, catalogApiMock({ entities: [] })],
  ];
  if (signals) apis.push([signalApiRef, signals]);
  return apis;
}

function renderList(
  api: ReturnType<typeof createFakeApi>,
  signals?: SignalApi,
) {
  return renderInTestApp(
    withFreshPermissionCache(
      <TestApiProvider apis={commonApis(api, signals) as any}>
        <SandboxListPage />
      </TestApiProvider>,
    ),
    {
      routeEntries: ['/opensandbox'],
      mountedRoutes: {
        '/opensandbox': rootRouteRef,
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
}

function renderDetail(
  api: ReturnType<typeof createFakeApi>,
  signals?: SignalApi,
  options: { route?: string; denied?: string[] } = {},
) {
  return renderInTestApp(
    withFreshPermissionCache(
      <TestApiProvider apis={commonApis(api, signals, options.denied) as any}>
        <Routes>
          <Route path="/opensandbox" element={<div>list page</div>} />
          <Route
            path="/opensandbox/servers/:server/sandboxes/:sandboxId"
            element={
              <>
                <SandboxDetailPage />
                <Location />
              </>
            }
          />
        </Routes>
      </TestApiProvider>,
    ),
    {
      routeEntries: [
        options.route ?? `/opensandbox/servers/default/sandboxes/${ID}`,
      ],
      mountedRoutes: {
        '/opensandbox': rootRouteRef,
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
}

const states = () =>
  screen.getAllByTestId('sandbox-state').map(e => e.textContent);

describe('live status with signals', () => {
  it('the list refetches its page when a change the user may read arrives, and only then', async () => {
    const api = createFakeApi();
    const signals = fakeSignals();
    api.listSandboxes
      .mockResolvedValueOnce(page([makeSandbox()]))
      .mockResolvedValue(page([makeSandbox({ status: { state: 'Paused' } })]));
    api.getSandboxChanges = jest
      .fn()
      .mockResolvedValueOnce(changes({ version: 5 }));
    await renderList(api, signals.api);
    await waitFor(() => expect(states()).toEqual(['Running']));
    await waitFor(() => expect(api.getSandboxChanges).toHaveBeenCalledWith());
    expect(signals.channels).toEqual([SANDBOX_CHANGES_CHANNEL]);

    // A change the user may not read (another team's sandbox): no refetch.
    (api.getSandboxChanges as jest.Mock).mockResolvedValueOnce(
      changes({ version: 6 }),
    );
    await signals.emit({
      version: 6,
      servers: ['default'],
      count: 1,
      source: 'sync',
    });
    await waitFor(() =>
      expect(api.getSandboxChanges).toHaveBeenLastCalledWith(5),
    );
    expect(api.listSandboxes).toHaveBeenCalledTimes(1);

    // A signal that is not newer than what the page has seen: not even a /changes call.
    await signals.emit({
      version: 6,
      servers: ['default'],
      count: 1,
      source: 'console',
    });
    expect(api.getSandboxChanges).toHaveBeenCalledTimes(2);

    // Its sandbox was paused directly on OpenSandbox: the page is refetched, without a reload.
    (api.getSandboxChanges as jest.Mock).mockResolvedValueOnce(
      changes({
        version: 8,
        changed: [{ server: 'default', id: ID, version: 8 }],
      }),
    );
    await signals.emit({
      version: 8,
      servers: ['default'],
      count: 1,
      source: 'sync',
    });
    await waitFor(() => expect(states()).toEqual(['Paused']));
    expect(api.getSandboxChanges).toHaveBeenLastCalledWith(6);
    expect(api.listSandboxes).toHaveBeenCalledTimes(2);
    expect(api.listSandboxes).toHaveBeenLastCalledWith({
      states: [],
      metadata: {},
      page: 1,
      pageSize: 20,
    });
  });

  it('the detail page refetches when its sandbox changed, shows "not found" once it is removed', async () => {
    const api = createFakeApi();
    const signals = fakeSignals();
    api.getSandbox
      .mockResolvedValueOnce(makeSandbox({ server: 'default' }))
      .mockResolvedValueOnce(
        makeSandbox({ server: 'default', status: { state: 'Paused' } }),
      )
      .mockRejectedValue(
        await ResponseError.fromResponse(
          new Response(
            JSON.stringify({
              error: {
                name: 'NotFoundError',
                message: `Sandbox ${ID} not found.`,
              },
            }),
            {
              status: 404,
              headers: { 'Content-Type': 'application/json' },
            },
          ),
        ),
      );
    api.getSandboxChanges = jest
      .fn()
      .mockResolvedValueOnce(changes({ version: 5 }));
    await renderDetail(api, signals.api);
    expect((await screen.findByTestId('field-state')).textContent).toBe(
      'Running',
    );
    await waitFor(() => expect(api.getSandboxChanges).toHaveBeenCalledWith());

    // Another sandbox changed: nothing to do.
    (api.getSandboxChanges as jest.Mock).mockResolvedValueOnce(
      changes({
        version: 6,
        changed: [{ server: 'default', id: OTHER, version: 6 }],
      }),
    );
    await signals.emit({
      version: 6,
      servers: ['default'],
      count: 1,
      source: 'console',
    });
    await waitFor(() =>
      expect(api.getSandboxChanges).toHaveBeenLastCalledWith(5),
    );
    expect(api.getSandbox).toHaveBeenCalledTimes(1);

    // This one changed: refetched.
    (api.getSandboxChanges as jest.Mock).mockResolvedValueOnce(
      changes({
        version: 7,
        changed: [{ server: 'default', id: ID, version: 7 }],
      }),
    );
    await signals.emit({
      version: 7,
      servers: ['default'],
      count: 1,
      source: 'sync',
    });
    await waitFor(() =>
      expect(screen.getByTestId('field-state').textContent).toBe('Paused'),
    );
    expect(api.getSandbox).toHaveBeenCalledTimes(2);

    // Removed: the page says so.
    (api.getSandboxChanges as jest.Mock).mockResolvedValueOnce(
      changes({
        version: 9,
        removed: [{ server: 'default', id: ID, version: 9 }],
      }),
    );
    await signals.emit({
      version: 9,
      servers: ['default'],
      count: 1,
      source: 'sync',
    });
    expect(
      await screen.findByText(/It may have been deleted or have expired/),
    ).toBeInTheDocument();
  });

  it('the entity tab refetches on a change', async () => {
    const api = createFakeApi();
    const signals = fakeSignals();
    api.listSandboxes
      .mockResolvedValueOnce(page([makeSandbox()]))
      .mockResolvedValue(page([]));
    api.getSandboxChanges = jest
      .fn()
      .mockResolvedValueOnce(changes({ version: 1 }));
    const group: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: 'team-a', namespace: 'default' },
      spec: {},
    };
    await renderInTestApp(
      withFreshPermissionCache(
        <TestApiProvider apis={commonApis(api, signals.api) as any}>
          <EntityProvider entity={group}>
            <EntitySandboxesContent />
          </EntityProvider>
        </TestApiProvider>,
      ),
      {
        routeEntries: ['/catalog/default/group/team-a/sandboxes'],
        mountedRoutes: {
          '/opensandbox': rootRouteRef,
          '/catalog/:namespace/:kind/:name': entityRouteRef,
        },
      },
    );
    await waitFor(() => expect(states()).toEqual(['Running']));
    await waitFor(() => expect(api.getSandboxChanges).toHaveBeenCalled());
    (api.getSandboxChanges as jest.Mock).mockResolvedValueOnce(
      changes({
        version: 2,
        removed: [{ server: 'default', id: ID, version: 2 }],
      }),
    );
    await signals.emit({
      version: 2,
      servers: ['default'],
      count: 1,
      source: 'console',
    });
    expect(
      await screen.findByText('This team owns no sandbox you can see.'),
    ).toBeInTheDocument();
    expect(api.listSandboxes).toHaveBeenCalledTimes(2);
  });

  it('unsubscribes while the tab is hidden and catches up once when it becomes visible', async () => {
    const api = createFakeApi();
    const signals = fakeSignals();
    api.listSandboxes
      .mockResolvedValueOnce(page([makeSandbox()]))
      .mockResolvedValue(page([makeSandbox({ status: { state: 'Paused' } })]));
    api.getSandboxChanges = jest
      .fn()
      .mockResolvedValueOnce(changes({ version: 5 }));
    await renderList(api, signals.api);
    await waitFor(() => expect(api.getSandboxChanges).toHaveBeenCalledTimes(1));
    expect(signals.subscribers()).toBe(1);

    await setVisibility('hidden');
    expect(signals.subscribers()).toBe(0);
    await signals.emit({
      version: 6,
      servers: ['default'],
      count: 1,
      source: 'sync',
    });
    expect(api.getSandboxChanges).toHaveBeenCalledTimes(1);
    expect(api.listSandboxes).toHaveBeenCalledTimes(1);

    (api.getSandboxChanges as jest.Mock).mockResolvedValueOnce(
      changes({
        version: 6,
        changed: [{ server: 'default', id: ID, version: 6 }],
      }),
    );
    await setVisibility('visible');
    await waitFor(() => expect(states()).toEqual(['Paused']));
    expect(api.getSandboxChanges).toHaveBeenCalledTimes(2);
    expect(api.getSandboxChanges).toHaveBeenLastCalledWith(5);
    expect(api.listSandboxes).toHaveBeenCalledTimes(2);
    expect(signals.subscribers()).toBe(1);
  });
});

describe('live status without signals (fallback poll)', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: Date.parse('2026-06-15T10:00:00Z') });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  /** Lets pending promises and the timers due within `ms` run. */
  const advance = (ms: number) =>
    act(async () => {
      await jest.advanceTimersByTimeAsync(ms);
    });

  it('polls /changes with exponential backoff capped at 60 s, refetching when something changed', async () => {
    const api = createFakeApi();
    api.listSandboxes
      .mockResolvedValueOnce(page([makeSandbox()]))
      .mockResolvedValue(page([makeSandbox({ status: { state: 'Paused' } })]));
    api.getSandboxChanges = jest
      .fn()
      .mockResolvedValue(changes({ version: 5 }));
    await renderList(api);
    await advance(0);
    expect(api.getSandboxChanges).toHaveBeenCalledTimes(1); // the cursor

    // Nothing changes: checks after 5, 10, 20, 40, 60, 60 s.
    const calls = () => (api.getSandboxChanges as jest.Mock).mock.calls.length;
    const times: number[] = [];
    let elapsed = 0;
    while (times.length < 6) {
      await advance(1000);
      elapsed += 1000;
      if (calls() > times.length + 1) times.push(elapsed);
    }
    expect(times.map((t, i) => t - (times[i - 1] ?? 0))).toEqual([
      5000, 10000, 20000, 40000, 60000, 60000,
    ]);
    expect(api.listSandboxes).toHaveBeenCalledTimes(1);

    // A change: refetched, and the poll is back to 5 s.
    (api.getSandboxChanges as jest.Mock).mockResolvedValueOnce(
      changes({
        version: 6,
        changed: [{ server: 'default', id: ID, version: 6 }],
      }),
    );
    await advance(LIVE_POLL.maxMs);
    await waitFor(() => expect(states()).toEqual(['Paused']));
    const before = calls();
    await advance(LIVE_POLL.initialMs);
    expect(calls()).toBe(before + 1);
  });

  it('polls nothing while the tab is hidden and checks once when it becomes visible', async () => {
    const api = createFakeApi();
    api.listSandboxes
      .mockResolvedValueOnce(page([makeSandbox()]))
      .mockResolvedValue(page([makeSandbox({ status: { state: 'Paused' } })]));
    api.getSandboxChanges = jest
      .fn()
      .mockResolvedValue(changes({ version: 5 }));
    await renderList(api);
    await advance(0);
    expect(api.getSandboxChanges).toHaveBeenCalledTimes(1);

    await setVisibility('hidden');
    await advance(30 * 60_000);
    expect(api.getSandboxChanges).toHaveBeenCalledTimes(1);
    expect(api.listSandboxes).toHaveBeenCalledTimes(1);

    (api.getSandboxChanges as jest.Mock).mockResolvedValueOnce(
      changes({
        version: 6,
        changed: [{ server: 'default', id: ID, version: 6 }],
      }),
    );
    await setVisibility('visible');
    await advance(0);
    expect(api.getSandboxChanges).toHaveBeenCalledTimes(2);
    expect(api.getSandboxChanges).toHaveBeenLastCalledWith(5);
    await waitFor(() => expect(states()).toEqual(['Paused']));
    expect(api.listSandboxes).toHaveBeenCalledTimes(2);
  });

  it('re-lists with backoff when the backend has no /changes route', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([makeSandbox()]));
    api.getSandboxChanges = jest.fn().mockRejectedValue(
      await ResponseError.fromResponse(
        new Response('{}', {
          status: 404,
          headers: { 'Content-Type': 'application/json' },
        }),
      ),
    );
    await renderList(api);
    await advance(0);
    expect(api.listSandboxes).toHaveBeenCalledTimes(1);
    await advance(5000);
    expect(api.listSandboxes).toHaveBeenCalledTimes(2);
    await advance(9000);
    expect(api.listSandboxes).toHaveBeenCalledTimes(2);
    await advance(1000);
    expect(api.listSandboxes).toHaveBeenCalledTimes(3);
    expect(api.getSandboxChanges).toHaveBeenCalledTimes(1);
  });
});

describe('expiring soon and the renew deep link', () => {
  it('highlights sandboxes expiring within the first lead time and filters with that window', async () => {
    const now = Date.now();
    const api = createFakeApi();
    api.getSettings.mockResolvedValue(
      makeSettings({ expiringSoonSeconds: 1800 }),
    );
    api.listSandboxes.mockResolvedValue(
      page([
        makeSandbox({
          id: 'soon',
          metadata: { name: 'soon' },
          expiresAt: new Date(now + 20 * 60_000).toISOString(),
        }),
        makeSandbox({
          id: 'later',
          metadata: { name: 'later' },
          expiresAt: new Date(now + 50 * 60_000).toISOString(),
        }),
      ]),
    );
    await renderList(api);
    await waitFor(() =>
      expect(
        screen
          .getAllByTestId('sandbox-expires-in')
          .map(e => e.getAttribute('data-expiring-soon')),
      ).toEqual(['true', null]),
    );
    act(() => screen.getByTestId('expiring-soon').click());
    await waitFor(() =>
      expect(api.listSandboxes).toHaveBeenLastCalledWith(
        expect.objectContaining({ expiringWithinSeconds: 1800 }),
      ),
    );
  });

  it('?renew=1 opens the renew dialog once and leaves the URL', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(
      makeSandbox({
        server: 'default',
        expiresAt: new Date(Date.now() + 600_000).toISOString(),
      }),
    );
    await renderDetail(api, undefined, {
      route: `/opensandbox/servers/default/sandboxes/${ID}?renew=1`,
    });
    expect(await screen.findByRole('dialog')).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByTestId('location').textContent).toBe(
        `/opensandbox/servers/default/sandboxes/${ID}`,
      ),
    );
  });

  it('?renew=1 opens nothing for a user who may not renew', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(makeSandbox({ server: 'default' }));
    await renderDetail(api, undefined, {
      route: `/opensandbox/servers/default/sandboxes/${ID}?renew=1`,
      denied: ['opensandbox.sandbox.update'],
    });
    await waitFor(() =>
      expect(screen.getByTestId('location').textContent).toBe(
        `/opensandbox/servers/default/sandboxes/${ID}`,
      ),
    );
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });
});
