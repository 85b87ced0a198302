import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { identityApiRef } from '@backstage/core-plugin-api';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import type { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { opensandboxApiRef } from '../api';
import { rootRouteRef } from '../routes';
import {
  createFakeApi,
  createPermissionApi,
  withFreshPermissionCache,
  makeSandbox,
  makeSettings,
} from '../__testUtils__/testUtils';
import { SandboxListPage } from './SandboxListPage';
import { FRESHNESS_EXPLANATION } from './ListControls';
import {
  DEFAULT_LIST_STATE,
  listQueryOf,
  listStateFromSearch,
  listStateToSearch,
  normalizeMetadataFilter,
  normalizeSearch,
  toggleSort,
} from '../lib/listState';

function Location() {
  const location = useLocation();
  return (
    <div data-testid="location">{`${location.pathname}${location.search}`}</div>
  );
}

function DetailStub() {
  const navigate = useNavigate();
  return (
    <button type="button" onClick={() => navigate(-1)}>
      Back
    </button>
  );
}

function page(
  items: ReturnType<typeof makeSandbox>[],
  pagination = {},
  syncedAt?: string | null,
) {
  return {
    items,
    pagination: {
      page: 1,
      pageSize: 20,
      totalItems: items.length,
      totalPages: 1,
      hasNextPage: false,
      ...pagination,
    },
    ...(syncedAt !== undefined ? { syncedAt } : {}),
  };
}

const CATALOG_USERS: Entity[] = ['jane.doe', 'john'].map(name => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: {},
}));

async function render(
  api: ReturnType<typeof createFakeApi>,
  denied: string[] = [],
  options: {
    ownershipEntityRefs?: string[];
    catalogApi?: ReturnType<typeof catalogApiMock.mock>;
    route?: string;
  } = {},
) {
  const { permissionApi } = createPermissionApi(denied);
  const identityApi = mockApis.identity({
    userEntityRef: 'user:default/Jane.Doe',
    ownershipEntityRefs: options.ownershipEntityRefs ?? [
      'user:default/Jane.Doe',
      'group:default/team-a',
      'group:default/team-b',
    ],
  });
  const catalogApi =
    options.catalogApi ?? catalogApiMock({ entities: CATALOG_USERS });
  return renderInTestApp(
    withFreshPermissionCache(
      <TestApiProvider
        apis={[
          [opensandboxApiRef, api],
          [permissionApiRef, permissionApi],
          [identityApiRef, identityApi],
          [catalogApiRef, catalogApi],
        ]}
      >
        <Routes>
          <Route
            path="/opensandbox"
            element={
              <>
                <SandboxListPage />
                <Location />
              </>
            }
          />
          <Route path="/opensandbox/:sandboxId" element={<DetailStub />} />
        </Routes>
      </TestApiProvider>,
    ),
    {
      routeEntries: [options.route ?? '/opensandbox'],
      mountedRoutes: {
        '/opensandbox': rootRouteRef,
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
}

// MUI forms are slow to drive in jsdom; leave room when suites run in parallel on a busy machine.
jest.setTimeout(20_000);

describe('SandboxListPage', () => {
  beforeEach(() => {
    jest.useFakeTimers({
      advanceTimers: true,
      now: Date.parse('2026-06-15T10:47:30Z'),
    });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('renders one row per sandbox with state, name link, image, owner, team, created and countdown', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(
      page([
        makeSandbox(),
        makeSandbox({
          id: 'abcdef0123456789',
          metadata: {},
          status: { state: 'Paused' },
          image: undefined,
          snapshotId: 'snap-1',
          expiresAt: undefined,
          ownership: undefined,
        }),
        makeSandbox({
          id: 'expired-1',
          metadata: { name: 'old' },
          status: { state: 'Weird' },
          expiresAt: '2026-06-15T10:00:00Z',
        }),
      ]),
    );
    await render(api);

    expect(api.listSandboxes).toHaveBeenCalledWith({
      states: [],
      metadata: {},
      page: 1,
      pageSize: 20,
    });
    const links = await screen.findAllByTestId('sandbox-link');
    expect(links.map(l => l.textContent)).toEqual([
      'demo-api',
      'abcdef01',
      'old',
    ]);
    expect(links[0]).toHaveAttribute(
      'href',
      '/opensandbox/6f1c2b7e-3a4d-4f0e-9a51-2c8d7e9b1f20',
    );
    expect(
      screen
        .getAllByTestId('sandbox-state')
        .map(c => [c.textContent, c.getAttribute('data-state-category')]),
    ).toEqual([
      ['Running', 'running'],
      ['Paused', 'paused'],
      ['Weird', 'unknown'],
    ]);
    expect(
      screen.getAllByTestId('sandbox-expires-in').map(e => e.textContent),
    ).toEqual(['in 12m', 'never', 'expired']);
    const firstRow = links[0].closest('tr')!;
    expect(within(firstRow).getByText('python:3.11-slim')).toBeInTheDocument();
    // Owner, team and entity are catalog links (the short ref until the catalog gives a title).
    expect(within(firstRow).getByTestId('owner-link')).toHaveAttribute(
      'href',
      '/catalog/default/user/jane.doe',
    );
    expect(within(firstRow).getByTestId('owner-link')).toHaveTextContent(
      'jane.doe',
    );
    expect(within(firstRow).getByTestId('team-link')).toHaveAttribute(
      'href',
      '/catalog/default/group/team-a',
    );
    expect(
      within(firstRow).queryByTestId('entity-link'),
    ).not.toBeInTheDocument();
    expect(
      within(links[1].closest('tr')!).queryByTestId('owner-link'),
    ).not.toBeInTheDocument();
    // Created: how long ago, the UTC time in the title.
    expect(within(firstRow).getByTestId('sandbox-created')).toHaveTextContent(
      /^47m ago$/,
    );
    expect(within(firstRow).getByTestId('sandbox-created')).toHaveAttribute(
      'title',
      '2026-06-15 10:00:00 UTC',
    );
    // The image shows under the name.
    expect(within(firstRow).getByTestId('sandbox-image')).toHaveAttribute(
      'title',
      'python:3.11-slim',
    );
    expect(
      within(links[1].closest('tr')!).getByText('snapshot snap-1'),
    ).toBeInTheDocument();
    expect(screen.getByText('3 in total')).toBeInTheDocument();
    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: /Create sandbox/ }),
      ).toHaveAttribute('href', '/opensandbox/create'),
    );
  });

  it('disables "Create sandbox" with a tooltip and hides "Audit log" without the permissions', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([makeSandbox()]));
    const user = userEvent.setup({
      delay: null,
      advanceTimers: jest.advanceTimersByTime,
    });
    await render(api, ['opensandbox.sandbox.create', 'opensandbox.audit.read']);
    await screen.findAllByTestId('sandbox-link');
    await waitFor(() =>
      expect(screen.getByTestId('create-gate')).toHaveAttribute(
        'title',
        'You may not create sandboxes (opensandbox.sandbox.create)',
      ),
    );
    const create = screen.getByRole('button', { name: 'Create sandbox' });
    expect(create).toBeDisabled();
    expect(create).not.toHaveAttribute('href');
    await user.hover(screen.getByTestId('create-gate'));
    expect((await screen.findByRole('tooltip')).textContent).toBe(
      'You may not create sandboxes (opensandbox.sandbox.create)',
    );
    expect(
      screen.queryByRole('button', { name: 'Audit log' }),
    ).not.toBeInTheDocument();
  });

  it('links "Audit log" to the audit page when allowed', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([makeSandbox()]));
    await render(api);
    expect(
      await screen.findByRole('button', { name: 'Audit log' }),
    ).toHaveAttribute('href', '/opensandbox/audit');
    expect(
      screen.getByRole('button', { name: /Create sandbox/ }),
    ).toBeEnabled();
    expect(screen.queryByTestId('create-gate')).not.toBeInTheDocument();
  });

  it('disables the empty state\'s "Create sandbox" without opensandbox.sandbox.create', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([]));
    await render(api, ['opensandbox.sandbox.create']);
    expect(await screen.findByText('No sandboxes')).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByTestId('empty-create-gate')).toHaveAttribute(
        'title',
        'You may not create sandboxes (opensandbox.sandbox.create)',
      ),
    );
    expect(
      within(screen.getByTestId('empty-create-gate')).getByRole('button', {
        name: 'Create sandbox',
      }),
    ).toBeDisabled();
  });

  it('shows the empty state', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([]));
    await render(api);
    expect(await screen.findByText('No sandboxes')).toBeInTheDocument();
    await waitFor(() =>
      expect(
        screen
          .getAllByRole('button', { name: 'Create sandbox' })
          .map(b => b.getAttribute('href')),
      ).toEqual(['/opensandbox/create', '/opensandbox/create']),
    );
  });

  it('shows the error panel', async () => {
    const api = createFakeApi();
    const response = new Response(
      JSON.stringify({
        error: { name: 'Error', message: 'upstream unreachable' },
        response: { statusCode: 502 },
      }),
      {
        status: 502,
        statusText: 'Bad Gateway',
        headers: { 'Content-Type': 'application/json' },
      },
    );
    api.listSandboxes.mockRejectedValueOnce(
      await ResponseError.fromResponse(response),
    );
    api.listSandboxes.mockResolvedValue(page([makeSandbox()]));
    await render(api);
    expect(await screen.findByTestId('list-error-message')).toHaveTextContent(
      /^upstream unreachable \(HTTP 502\)$/,
    );
    expect(screen.queryByTestId('sandbox-link')).not.toBeInTheDocument();
    // Retry loads the page again.
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByTestId('sandbox-link')).toHaveTextContent(
      'demo-api',
    );
    expect(screen.queryByTestId('list-error')).not.toBeInTheDocument();
  });

  it('keeps the rows during a refetch, under a progress bar', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValueOnce(page([makeSandbox()]));
    let answer: (value: ReturnType<typeof page>) => void = () => {};
    api.listSandboxes.mockReturnValueOnce(new Promise(r => (answer = r)));
    await render(api);
    await screen.findByTestId('sandbox-link');
    fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    expect(
      await screen.findByRole('progressbar', { name: 'Loading sandboxes' }),
    ).toBeInTheDocument();
    expect(screen.getByTestId('sandbox-link')).toHaveTextContent('demo-api');
    answer(page([makeSandbox({ metadata: { name: 'renamed' } })]));
    await waitFor(() =>
      expect(screen.getByTestId('sandbox-link')).toHaveTextContent('renamed'),
    );
    expect(
      screen.queryByRole('progressbar', { name: 'Loading sandboxes' }),
    ).not.toBeInTheDocument();
  });

  it('tells sandboxes of the same name apart by a short id, and names the service that created one', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(
      page([
        makeSandbox({ id: 'aaaa1111-0000-4000-8000-000000000000' }),
        makeSandbox({
          id: 'bbbb2222-0000-4000-8000-000000000000',
          ownership: {
            service: 'plugin:scaffolder',
            team: 'group:default/team-a',
          },
        }),
      ]),
    );
    await render(api);
    await screen.findAllByTestId('sandbox-link');
    expect(
      screen
        .getAllByTestId('sandbox-short-id')
        .map(e => [e.textContent, e.getAttribute('title')]),
    ).toEqual([
      ['aaaa1111', 'aaaa1111-0000-4000-8000-000000000000'],
      ['bbbb2222', 'bbbb2222-0000-4000-8000-000000000000'],
    ]);
    expect(screen.getByTestId('sandbox-creator-service')).toHaveTextContent(
      /^plugin:scaffolder \(service\)$/,
    );
  });

  it('names the quick filters by their visible text first', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([]));
    await render(api);
    expect(
      await screen.findByRole('button', { name: 'Mine: sandboxes I created' }),
    ).toHaveTextContent('Mine');
    expect(
      screen.getByRole('button', { name: 'My teams: sandboxes of my teams' }),
    ).toHaveTextContent('My teams');
    expect(
      screen.getByRole('button', { name: 'All sandboxes' }),
    ).toHaveTextContent('All');
  });

  it('sends state and metadata filters and resets to page 1', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([makeSandbox()]));
    const user = userEvent.setup({
      delay: null,
      advanceTimers: jest.advanceTimersByTime,
    });
    await render(api);
    await screen.findAllByTestId('sandbox-link');

    fireEvent.mouseDown(screen.getByTestId('state-filter'));
    await user.click(await screen.findByRole('option', { name: 'Running' }));
    await user.click(screen.getByRole('option', { name: 'Paused' }));
    await waitFor(() =>
      expect(api.listSandboxes).toHaveBeenLastCalledWith({
        states: ['Running', 'Paused'],
        metadata: {},
        page: 1,
        pageSize: 20,
      }),
    );
    await user.keyboard('{Escape}');

    const input = screen.getByLabelText('Metadata filter');
    await user.type(input, 'not valid{Enter}');
    expect(screen.getByText('Use key=value')).toBeInTheDocument();
    await user.clear(input);
    await user.type(input, 'project=payments{Enter}');
    await waitFor(() =>
      expect(api.listSandboxes).toHaveBeenLastCalledWith({
        states: ['Running', 'Paused'],
        metadata: { project: 'payments' },
        page: 1,
        pageSize: 20,
      }),
    );
    expect(screen.getByText('project=payments')).toBeInTheDocument();
  });

  it('pages on the server', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockImplementation(async ({ page: p = 1 } = {}) =>
      page([makeSandbox({ id: `sb-${p}`, metadata: { name: `page-${p}` } })], {
        page: p,
        totalItems: 45,
        totalPages: 3,
        hasNextPage: p < 3,
      }),
    );
    const user = userEvent.setup({
      delay: null,
      advanceTimers: jest.advanceTimersByTime,
    });
    await render(api);
    expect((await screen.findByTestId('sandbox-link')).textContent).toBe(
      'page-1',
    );
    await user.click(screen.getByRole('button', { name: /next page/i }));
    await waitFor(() =>
      expect(screen.getByTestId('sandbox-link').textContent).toBe('page-2'),
    );
    expect(api.listSandboxes).toHaveBeenLastCalledWith({
      states: [],
      metadata: {},
      page: 2,
      pageSize: 20,
    });
  });
  it('keeps filters, page and page size in the URL, so Back from a sandbox restores them', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockImplementation(
      async ({ page: p = 1, pageSize = 20, metadata = {} } = {}) =>
        // The name tells which answer the table shows (the table remounts for new data).
        page(
          [
            makeSandbox({
              id: `sb-${p}`,
              metadata: {
                name: metadata.project ? `page-${p}-payments` : `page-${p}`,
              },
            }),
          ],
          {
            page: p,
            pageSize,
            totalItems: 45,
            totalPages: 3,
            hasNextPage: p < 3,
          },
        ),
    );
    const user = userEvent.setup({
      delay: null,
      advanceTimers: jest.advanceTimersByTime,
    });
    await render(api);
    await screen.findByTestId('sandbox-link');
    await waitFor(() =>
      expect(screen.getByTestId('quick-filter-mine')).toBeEnabled(),
    );
    await user.click(screen.getByTestId('quick-filter-mine'));
    await user.type(
      screen.getByLabelText('Metadata filter'),
      'project=payments{Enter}',
    );
    await waitFor(() =>
      expect(screen.getByTestId('location')).toHaveTextContent(
        '/opensandbox?filter=mine&metadata=project%3Dpayments',
      ),
    );
    await waitFor(() =>
      expect(screen.getByTestId('sandbox-link').textContent).toBe(
        'page-1-payments',
      ),
    );
    await user.click(screen.getByRole('button', { name: /next page/i }));
    await waitFor(() =>
      expect(screen.getByTestId('sandbox-link').textContent).toBe(
        'page-2-payments',
      ),
    );
    expect(screen.getByTestId('location')).toHaveTextContent(
      '/opensandbox?filter=mine&metadata=project%3Dpayments&page=2',
    );

    await user.click(screen.getByTestId('sandbox-link'));
    await user.click(await screen.findByRole('button', { name: 'Back' }));
    await waitFor(() =>
      expect(screen.getByTestId('sandbox-link').textContent).toBe(
        'page-2-payments',
      ),
    );
    expect(api.listSandboxes).toHaveBeenLastCalledWith({
      states: [],
      metadata: { project: 'payments' },
      owner: ['user:default/jane.doe'],
      page: 2,
      pageSize: 20,
    });
    expect(screen.getByTestId('quick-filter-mine')).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    expect(screen.getByText('project=payments')).toBeInTheDocument();
  });

  it("starts from a shared link, waiting for the user's refs before listing", async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(
      page([makeSandbox()], {
        page: 2,
        pageSize: 50,
        totalItems: 60,
        totalPages: 2,
      }),
    );
    await render(api, [], {
      route:
        '/opensandbox?filter=teams&state=Running&metadata=project%3Dpayments&page=2&pageSize=50',
    });
    await screen.findByTestId('sandbox-link');
    expect(api.listSandboxes).toHaveBeenCalledTimes(1);
    expect(api.listSandboxes).toHaveBeenCalledWith({
      states: ['Running'],
      metadata: { project: 'payments' },
      team: ['group:default/team-a', 'group:default/team-b'],
      page: 2,
      pageSize: 50,
    });
    expect(screen.getByTestId('quick-filter-teams')).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    expect(screen.getByTestId('state-filter')).toHaveTextContent('Running');
  });

  it('does not trigger material-table\'s "columns ... static, but contain functions" warning when paging', async () => {
    const env = process.env.NODE_ENV;
    const warn = jest.spyOn(console, 'warn');
    try {
      // The check only runs in development builds.
      (process.env as { NODE_ENV?: string }).NODE_ENV = 'development';
      const api = createFakeApi();
      api.listSandboxes.mockImplementation(async ({ page: p = 1 } = {}) =>
        page(
          [makeSandbox({ id: `sb-${p}`, metadata: { name: `page-${p}` } })],
          {
            page: p,
            totalItems: 45,
            totalPages: 3,
            hasNextPage: p < 3,
          },
        ),
      );
      const user = userEvent.setup({
        delay: null,
        advanceTimers: jest.advanceTimersByTime,
      });
      await render(api);
      expect((await screen.findByTestId('sandbox-link')).textContent).toBe(
        'page-1',
      );
      await user.click(screen.getByRole('button', { name: /next page/i }));
      await waitFor(() =>
        expect(screen.getByTestId('sandbox-link').textContent).toBe('page-2'),
      );
      expect(
        warn.mock.calls
          .map(call => String(call[0]))
          .filter(m => m.includes('material table')),
      ).toEqual([]);
    } finally {
      (process.env as { NODE_ENV?: string }).NODE_ENV = env;
      warn.mockRestore();
    }
  });

  it('keeps "Add filter" next to the metadata input when it shows an error', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([makeSandbox()]));
    await render(api);
    await screen.findAllByTestId('sandbox-link');
    fireEvent.change(screen.getByLabelText('Metadata filter'), {
      target: { value: 'opensandbox.io/x=1' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Add filter' }));
    expect(
      screen.getByText('keys with the opensandbox.io/ prefix are reserved'),
    ).toBeInTheDocument();
    // Input and button share one non-wrapping row; the input has a fixed width.
    const group = screen.getByRole('button', { name: 'Add filter' })
      .parentElement!;
    expect(group).toContainElement(screen.getByLabelText('Metadata filter'));
    expect(group).toHaveStyle({ display: 'flex', alignItems: 'flex-start' });
    expect(group.firstElementChild).toHaveStyle({ width: '300px' });
  });

  it('sends owner for "Mine" and the group refs for "My teams", back to everything for "All"', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([makeSandbox()]));
    const user = userEvent.setup({
      delay: null,
      advanceTimers: jest.advanceTimersByTime,
    });
    await render(api);
    await screen.findAllByTestId('sandbox-link');
    expect(api.listSandboxes).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId('quick-filter-all')).toHaveAttribute(
      'aria-pressed',
      'true',
    );

    await waitFor(() =>
      expect(screen.getByTestId('quick-filter-mine')).toBeEnabled(),
    );
    await user.click(screen.getByTestId('quick-filter-mine'));
    await waitFor(() =>
      expect(api.listSandboxes).toHaveBeenLastCalledWith({
        states: [],
        metadata: {},
        owner: ['user:default/jane.doe'],
        page: 1,
        pageSize: 20,
      }),
    );
    expect(screen.getByTestId('quick-filter-mine')).toHaveAttribute(
      'aria-pressed',
      'true',
    );

    await user.click(screen.getByTestId('quick-filter-teams'));
    await waitFor(() =>
      expect(api.listSandboxes).toHaveBeenLastCalledWith({
        states: [],
        metadata: {},
        team: ['group:default/team-a', 'group:default/team-b'],
        page: 1,
        pageSize: 20,
      }),
    );

    await user.click(screen.getByTestId('quick-filter-all'));
    await waitFor(() =>
      expect(api.listSandboxes).toHaveBeenLastCalledWith({
        states: [],
        metadata: {},
        page: 1,
        pageSize: 20,
      }),
    );
    expect(api.listSandboxes).toHaveBeenCalledTimes(4);
  });

  it('sends each of "My teams" once, in the full lower-case form, whatever the case of the ownership refs', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([makeSandbox()]));
    const user = userEvent.setup({
      delay: null,
      advanceTimers: jest.advanceTimersByTime,
    });
    await render(api, [], {
      ownershipEntityRefs: [
        'user:default/Jane.Doe',
        'group:default/team-a',
        'Group:Default/Team-A',
        'GROUP:team-b',
      ],
    });
    await screen.findAllByTestId('sandbox-link');
    await waitFor(() =>
      expect(screen.getByTestId('quick-filter-teams')).toBeEnabled(),
    );
    await user.click(screen.getByTestId('quick-filter-teams'));
    await waitFor(() => expect(api.listSandboxes).toHaveBeenCalledTimes(2));
    expect(api.listSandboxes.mock.lastCall?.[0]?.team).toEqual([
      'group:default/team-a',
      'group:default/team-b',
    ]);
  });

  it('lower-cases typed ownership label filters (entity refs are case-insensitive)', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([makeSandbox()]));
    await render(api);
    await screen.findAllByTestId('sandbox-link');
    fireEvent.change(screen.getByTestId('metadata-filter-input'), {
      target: { value: 'Backstage.io/Team=Team-A' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Add filter' }));
    await waitFor(() =>
      expect(api.listSandboxes).toHaveBeenLastCalledWith({
        states: [],
        metadata: { 'backstage.io/team': 'team-a' },
        page: 1,
        pageSize: 20,
      }),
    );
    expect(
      within(screen.getByTestId('metadata-filter-chips')).getByText(
        'backstage.io/team=team-a',
      ),
    ).toBeInTheDocument();
  });

  it('sends at most 20 teams for "My teams" and disables it for users in no group', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([makeSandbox()]));
    const groups = Array.from(
      { length: 25 },
      (_, i) => `group:default/team-${i}`,
    );
    const user = userEvent.setup({
      delay: null,
      advanceTimers: jest.advanceTimersByTime,
    });
    const first = await render(api, [], {
      ownershipEntityRefs: ['user:default/jane.doe', ...groups],
    });
    await screen.findAllByTestId('sandbox-link');
    await waitFor(() =>
      expect(screen.getByTestId('quick-filter-teams')).toBeEnabled(),
    );
    await user.click(screen.getByTestId('quick-filter-teams'));
    await waitFor(() =>
      expect(api.listSandboxes.mock.lastCall?.[0]?.team).toEqual(
        groups.slice(0, 20),
      ),
    );
    first.unmount();

    await render(api, [], { ownershipEntityRefs: ['user:default/jane.doe'] });
    await waitFor(() =>
      expect(screen.getByTestId('quick-filter-mine')).toBeEnabled(),
    );
    expect(screen.getByTestId('quick-filter-teams')).toBeDisabled();
  });

  it('flags owners missing from the catalog with one batched lookup per page', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(
      page([
        makeSandbox({
          id: 'a',
          metadata: { name: 'a' },
          ownership: { owner: 'user:default/jane.doe' },
        }),
        makeSandbox({
          id: 'b',
          metadata: { name: 'b' },
          ownership: { owner: 'user:default/gone' },
        }),
        makeSandbox({
          id: 'c',
          metadata: { name: 'c' },
          ownership: { owner: 'user:default/jane.doe' },
        }),
        makeSandbox({
          id: 'd',
          metadata: { name: 'd' },
          ownership: { team: 'group:default/team-a' },
        }),
      ]),
    );
    const catalogApi = catalogApiMock.mock({
      getEntitiesByRefs: jest.fn(
        async ({ entityRefs }: { entityRefs: string[] }) => ({
          items: entityRefs.map(ref =>
            CATALOG_USERS.find(u => `user:default/${u.metadata.name}` === ref),
          ),
        }),
      ) as any,
    });
    await render(api, [], { catalogApi });
    await screen.findAllByTestId('sandbox-link');
    await waitFor(() =>
      expect(screen.getAllByTestId('owner-missing')).toHaveLength(1),
    );
    expect(catalogApi.getEntitiesByRefs).toHaveBeenCalledTimes(1);
    expect(catalogApi.getEntitiesByRefs).toHaveBeenCalledWith({
      entityRefs: ['user:default/gone', 'user:default/jane.doe'],
      fields: ['kind', 'metadata.namespace', 'metadata.name'],
    });
    const flagged = screen.getByTestId('owner-missing').closest('tr')!;
    expect(within(flagged).getByTestId('sandbox-link')).toHaveTextContent('b');
    expect(
      screen.getByRole('img', { name: 'Owner not found in the catalog' }),
    ).toBe(screen.getByTestId('owner-missing'));
    // Owner names ("Guest (development)") wrap between words when the window is narrow, never
    // inside a word.
    for (const owner of screen.getAllByTestId('sandbox-owner')) {
      expect(owner).toHaveStyle({
        whiteSpace: 'normal',
        wordBreak: 'normal',
        overflowWrap: 'normal',
      });
    }
  });
});

describe('list state in the URL', () => {
  it('reads and writes every part, leaving defaults out', () => {
    const state = {
      quick: 'mine' as const,
      states: ['Running', 'Paused'],
      metadata: { project: 'payments', name: 'demo' },
      page: 3,
      pageSize: 50,
    };
    const search = listStateToSearch(state).toString();
    expect(search).toBe(
      'filter=mine&state=Running&state=Paused&metadata=project%3Dpayments&metadata=name%3Ddemo&page=3&pageSize=50',
    );
    expect(listStateFromSearch(new URLSearchParams(search))).toEqual(state);
    expect(listStateToSearch(DEFAULT_LIST_STATE).toString()).toBe('');
  });

  it('falls back to the defaults for unknown values', () => {
    expect(
      listStateFromSearch(
        new URLSearchParams(
          'filter=everyone&metadata=bad%20key%3Dx&metadata=novalue&page=-1&pageSize=7',
        ),
      ),
    ).toEqual(DEFAULT_LIST_STATE);
    expect(
      listStateFromSearch(new URLSearchParams('page=2.5&pageSize=100')).page,
    ).toBe(1);
    expect(
      listStateFromSearch(new URLSearchParams('page=2.5&pageSize=100'))
        .pageSize,
    ).toBe(100);
  });

  it('reads ownership label filters and the quick filter case-insensitively', () => {
    expect(
      listStateFromSearch(
        new URLSearchParams(
          'filter=Mine&metadata=Backstage.io%2FTeam%3DTeam-A&metadata=project%3DPayments',
        ),
      ),
    ).toEqual({
      ...DEFAULT_LIST_STATE,
      quick: 'mine',
      metadata: { 'backstage.io/team': 'team-a', project: 'Payments' },
    });
    expect(
      normalizeMetadataFilter('backstage.io/entity-kind', 'Component'),
    ).toEqual(['backstage.io/entity-kind', 'component']);
    expect(normalizeMetadataFilter('name', 'Demo-API')).toEqual([
      'name',
      'Demo-API',
    ]);
  });
});

describe('SandboxListPage search, sort, "Expiring soon" and freshness (server-side)', () => {
  const base = { states: [], metadata: {}, page: 1, pageSize: 20 };
  beforeEach(() => {
    jest.useFakeTimers({
      advanceTimers: true,
      now: Date.parse('2026-06-15T10:47:30Z'),
    });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('searches on the server 300 ms after the last keystroke, once, back on page 1, kept in the URL', async () => {
    // Timers only move when the test moves them, so the debounce is measured exactly.
    jest.useFakeTimers({ now: Date.parse('2026-06-15T10:47:30Z') });
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(
      page([makeSandbox()], { page: 2, totalItems: 30, totalPages: 2 }),
    );
    await render(api, [], { route: '/opensandbox?page=2' });
    await screen.findAllByTestId('sandbox-link');
    expect(api.listSandboxes).toHaveBeenCalledTimes(1);
    expect(api.listSandboxes).toHaveBeenLastCalledWith({ ...base, page: 2 });

    const input = screen.getByTestId('search-input');
    fireEvent.change(input, { target: { value: 'd' } });
    act(() => jest.advanceTimersByTime(200));
    fireEvent.change(input, { target: { value: 'de' } });
    act(() => jest.advanceTimersByTime(200));
    fireEvent.change(input, { target: { value: ' Demo-A ' } });
    act(() => jest.advanceTimersByTime(299));
    expect(api.listSandboxes).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId('location')).toHaveTextContent(
      /^\/opensandbox\?page=2$/,
    );

    act(() => jest.advanceTimersByTime(1));
    await waitFor(() => expect(api.listSandboxes).toHaveBeenCalledTimes(2));
    // Trimmed, case kept (the server compares case-insensitively), page 1.
    expect(api.listSandboxes).toHaveBeenLastCalledWith({
      ...base,
      search: 'Demo-A',
    });
    expect(screen.getByTestId('location')).toHaveTextContent(
      /^\/opensandbox\?search=Demo-A$/,
    );

    // Clearing searches for everything again, at once.
    fireEvent.click(screen.getByRole('button', { name: 'Clear search' }));
    await waitFor(() => expect(api.listSandboxes).toHaveBeenCalledTimes(3));
    expect(api.listSandboxes).toHaveBeenLastCalledWith(base);
    expect(input).toHaveValue('');
    expect(screen.getByTestId('location')).toHaveTextContent(/^\/opensandbox$/);
  });

  it('searches at once on Enter and caps the input at 100 characters', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([makeSandbox()]));
    await render(api);
    await screen.findAllByTestId('sandbox-link');
    const input = screen.getByTestId('search-input');
    expect(input).toHaveAttribute('maxLength', '100');
    fireEvent.change(input, { target: { value: '6f1c2b7e' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() =>
      expect(api.listSandboxes).toHaveBeenLastCalledWith({
        ...base,
        search: '6f1c2b7e',
      }),
    );
    expect(api.listSandboxes).toHaveBeenCalledTimes(2);
  });

  it("sorts on the server from the Name, State, Expires and Created headers and shows the server's order", async () => {
    const api = createFakeApi();
    // The "server" answers in an order no client-side sort of the rows would give.
    api.listSandboxes.mockResolvedValue(
      page([
        makeSandbox({ id: 'b', metadata: { name: 'bravo' } }),
        makeSandbox({ id: 'c', metadata: { name: 'charlie' } }),
        makeSandbox({ id: 'a', metadata: { name: 'alpha' } }),
      ]),
    );
    const user = userEvent.setup({
      delay: null,
      advanceTimers: jest.advanceTimersByTime,
    });
    await render(api, [], { route: '/opensandbox?page=3&state=Running' });
    await screen.findAllByTestId('sandbox-link');
    // The default: newest first.
    expect(screen.getByTestId('sort-createdAt')).toHaveAttribute(
      'data-sort-direction',
      'desc',
    );
    expect(screen.getByTestId('sort-name')).toHaveAttribute(
      'data-sort-direction',
      'none',
    );

    await user.click(screen.getByTestId('sort-name'));
    await waitFor(() =>
      expect(api.listSandboxes).toHaveBeenLastCalledWith({
        ...base,
        states: ['Running'],
        sort: 'name',
        order: 'asc',
      }),
    );
    expect(screen.getByTestId('location')).toHaveTextContent(
      /^\/opensandbox\?state=Running&sort=name$/,
    );
    await waitFor(() =>
      expect(screen.getByTestId('sort-name')).toHaveAttribute(
        'data-sort-direction',
        'asc',
      ),
    );
    await waitFor(() =>
      expect(
        screen.getAllByTestId('sandbox-link').map(l => l.textContent),
      ).toEqual(['bravo', 'charlie', 'alpha']),
    );

    await user.click(screen.getByTestId('sort-name'));
    await waitFor(() =>
      expect(api.listSandboxes).toHaveBeenLastCalledWith({
        ...base,
        states: ['Running'],
        sort: 'name',
        order: 'desc',
      }),
    );
    expect(screen.getByTestId('location')).toHaveTextContent(
      /^\/opensandbox\?state=Running&sort=name&order=desc$/,
    );

    await user.click(screen.getByTestId('sort-expiresAt'));
    await waitFor(() =>
      expect(api.listSandboxes).toHaveBeenLastCalledWith({
        ...base,
        states: ['Running'],
        sort: 'expiresAt',
        order: 'asc',
      }),
    );
    await user.click(screen.getByTestId('sort-state'));
    await waitFor(() =>
      expect(api.listSandboxes).toHaveBeenLastCalledWith({
        ...base,
        states: ['Running'],
        sort: 'state',
        order: 'asc',
      }),
    );

    // Created: newest first is the default and leaves the URL and the request without a sort.
    await user.click(screen.getByTestId('sort-createdAt'));
    await waitFor(() =>
      expect(api.listSandboxes).toHaveBeenLastCalledWith({
        ...base,
        states: ['Running'],
      }),
    );
    expect(screen.getByTestId('location')).toHaveTextContent(
      /^\/opensandbox\?state=Running$/,
    );
    await user.click(screen.getByTestId('sort-createdAt'));
    await waitFor(() =>
      expect(api.listSandboxes).toHaveBeenLastCalledWith({
        ...base,
        states: ['Running'],
        sort: 'createdAt',
        order: 'asc',
      }),
    );
    expect(screen.getByTestId('location')).toHaveTextContent(
      /^\/opensandbox\?state=Running&order=asc$/,
    );
    expect(api.listSandboxes).toHaveBeenCalledTimes(7);
  });

  it('filters "Expiring soon" on the server (expiringWithinSeconds=3600), back on page 1, kept in the URL', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([makeSandbox()]));
    const user = userEvent.setup({
      delay: null,
      advanceTimers: jest.advanceTimersByTime,
    });
    await render(api, [], { route: '/opensandbox?page=2' });
    await screen.findAllByTestId('sandbox-link');
    const toggle = screen.getByTestId('expiring-soon');
    expect(toggle).toHaveAttribute('aria-pressed', 'false');

    await user.click(toggle);
    await waitFor(() =>
      expect(api.listSandboxes).toHaveBeenLastCalledWith({
        ...base,
        expiringWithinSeconds: 3600,
      }),
    );
    expect(screen.getByTestId('location')).toHaveTextContent(
      /^\/opensandbox\?expiring=soon$/,
    );
    await waitFor(() =>
      expect(screen.getByTestId('expiring-soon')).toHaveAttribute(
        'aria-pressed',
        'true',
      ),
    );

    await user.click(screen.getByTestId('expiring-soon'));
    await waitFor(() =>
      expect(api.listSandboxes).toHaveBeenLastCalledWith(base),
    );
    expect(screen.getByTestId('location')).toHaveTextContent(/^\/opensandbox$/);
  });

  it('says "No sandbox matches these filters" for an empty search result', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([]));
    await render(api, [], { route: '/opensandbox?search=nothing-like-this' });
    expect(
      await screen.findByText('No sandbox matches these filters.'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('search-input')).toHaveValue('nothing-like-this');
  });

  it('restores search, sort, "Expiring soon", server and page from a shared link with one request', async () => {
    const api = createFakeApi();
    api.getSettings.mockResolvedValue(
      makeSettings({ servers: ['eu-west', 'us-east'] }),
    );
    api.listSandboxes.mockResolvedValue(
      page([makeSandbox({ server: 'us-east' })], {
        page: 2,
        totalItems: 25,
        totalPages: 2,
      }),
    );
    await render(api, [], {
      route:
        '/opensandbox?search=demo&sort=expiresAt&order=desc&expiring=soon&server=us-east&page=2',
    });
    await screen.findAllByTestId('sandbox-link');
    expect(api.listSandboxes).toHaveBeenCalledTimes(1);
    expect(api.listSandboxes).toHaveBeenCalledWith({
      ...base,
      search: 'demo',
      sort: 'expiresAt',
      order: 'desc',
      expiringWithinSeconds: 3600,
      server: 'us-east',
      page: 2,
    });
    expect(screen.getByTestId('search-input')).toHaveValue('demo');
    expect(screen.getByTestId('expiring-soon')).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    expect(screen.getByTestId('sort-expiresAt')).toHaveAttribute(
      'data-sort-direction',
      'desc',
    );
    await waitFor(() =>
      expect(screen.getByTestId('server-filter')).toHaveTextContent('us-east'),
    );
  });

  it('shows "Updated 12s ago" from syncedAt, ticking, with a tooltip saying where the list comes from', async () => {
    jest.useFakeTimers({ now: Date.parse('2026-06-15T10:47:30Z') });
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(
      page([makeSandbox()], {}, '2026-06-15T10:47:18.000Z'),
    );
    const user = userEvent.setup({
      delay: null,
      advanceTimers: jest.advanceTimersByTime,
    });
    await render(api);
    const freshness = await screen.findByTestId('list-freshness');
    expect(freshness).toHaveTextContent(/^Updated 12s ago$/);
    expect(freshness).toHaveAttribute('data-stale', 'false');
    act(() => jest.advanceTimersByTime(5000));
    expect(screen.getByTestId('list-freshness')).toHaveTextContent(
      /^Updated 17s ago$/,
    );
    await user.hover(screen.getByTestId('list-freshness'));
    expect((await screen.findByRole('tooltip')).textContent).toBe(
      `${FRESHNESS_EXPLANATION} Last sync: 2026-06-15 10:47:18 UTC.`,
    );
    expect(FRESHNESS_EXPLANATION).toBe(
      "The list comes from the console's inventory of sandboxes, refreshed from OpenSandbox every few seconds and on every change made in the console.",
    );
  });

  it('keeps names and images on one line (ellipsis, full text in the title) and shows the team under the owner', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(
      page([
        makeSandbox({
          id: 'a',
          metadata: { name: 'long-lived-workbench' },
          image: { uri: 'ghcr.io/example/batch-job:1.4' },
        }),
        makeSandbox({
          id: 'b',
          metadata: { name: 'team-only' },
          ownership: { team: 'group:default/team-a' },
        }),
      ]),
    );
    await render(api);
    const links = await screen.findAllByTestId('sandbox-link');
    for (const el of [...links, ...screen.getAllByTestId('sandbox-image')]) {
      expect(el).toHaveStyle({
        whiteSpace: 'nowrap',
        overflow: 'hidden',
        textOverflow: 'ellipsis',
      });
    }
    expect(screen.getAllByTestId('sandbox-image')[0]).toHaveAttribute(
      'title',
      'ghcr.io/example/batch-job:1.4',
    );
    expect(links[0]).toHaveAttribute('title', 'long-lived-workbench (a)');
    expect(
      screen.getByRole('columnheader', { name: 'Owner / team' }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('columnheader', { name: 'Image' }),
    ).not.toBeInTheDocument();
    const [first, second] = links.map(l => l.closest('tr')!);
    expect(within(first).getByTestId('owner-link')).toHaveTextContent(
      'jane.doe',
    );
    expect(within(first).getByTestId('team-link')).toHaveTextContent('team-a');
    // No owner: only the team, no "-" above it.
    expect(
      within(second).queryByTestId('sandbox-owner'),
    ).not.toBeInTheDocument();
    expect(within(second).getByTestId('team-link')).toHaveTextContent('team-a');
    for (const el of screen.getAllByTestId('sandbox-expires-in'))
      expect(el.closest('td')).toHaveStyle({ whiteSpace: 'nowrap' });
  });

  it('says "Not synced yet" before the first sync, warns when the last sync is old, and says nothing without syncedAt', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([makeSandbox()], {}, null));
    const first = await render(api);
    expect(await screen.findByTestId('list-freshness')).toHaveTextContent(
      /^Not synced yet$/,
    );
    first.unmount();

    api.listSandboxes.mockResolvedValue(
      page([makeSandbox()], {}, '2026-06-15T10:37:30.000Z'),
    );
    const second = await render(api);
    const stale = await screen.findByTestId('list-freshness');
    expect(stale).toHaveTextContent(/^Updated 10m ago$/);
    expect(stale).toHaveAttribute('data-stale', 'true');
    second.unmount();

    // An older backend without syncedAt: no freshness note at all.
    api.listSandboxes.mockResolvedValue(page([makeSandbox()]));
    await render(api);
    await screen.findAllByTestId('sandbox-link');
    expect(screen.queryByTestId('list-freshness')).not.toBeInTheDocument();
  });
});

describe('SandboxListPage with several OpenSandbox servers', () => {
  const base = { states: [], metadata: {}, page: 1, pageSize: 20 };
  beforeEach(() => {
    jest.useFakeTimers({
      advanceTimers: true,
      now: Date.parse('2026-06-15T10:47:30Z'),
    });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('shows a Server column, filters by server and links each sandbox with its server', async () => {
    const api = createFakeApi();
    api.getSettings.mockResolvedValue(
      makeSettings({ servers: ['eu-west', 'us-east'] }),
    );
    api.listSandboxes.mockResolvedValue(
      page([
        makeSandbox({
          id: 'sb-eu',
          metadata: { name: 'eu-box' },
          server: 'eu-west',
        }),
        makeSandbox({
          id: 'sb-us',
          metadata: { name: 'us-box' },
          server: 'us-east',
        }),
      ]),
    );
    const user = userEvent.setup({
      delay: null,
      advanceTimers: jest.advanceTimersByTime,
    });
    await render(api, [], { route: '/opensandbox?page=2' });
    await waitFor(() =>
      expect(
        screen.getAllByTestId('sandbox-server').map(c => c.textContent),
      ).toEqual(['eu-west', 'us-east']),
    );
    expect(
      screen.getByRole('columnheader', { name: 'Server' }),
    ).toBeInTheDocument();
    expect(
      screen.getAllByTestId('sandbox-link').map(l => l.getAttribute('href')),
    ).toEqual([
      '/opensandbox/servers/eu-west/sandboxes/sb-eu',
      '/opensandbox/servers/us-east/sandboxes/sb-us',
    ]);
    expect(screen.getByTestId('server-filter')).toHaveTextContent(
      'All servers',
    );

    fireEvent.mouseDown(screen.getByTestId('server-filter'));
    await user.click(await screen.findByRole('option', { name: 'us-east' }));
    await waitFor(() =>
      expect(api.listSandboxes).toHaveBeenLastCalledWith({
        ...base,
        server: 'us-east',
      }),
    );
    expect(screen.getByTestId('location')).toHaveTextContent(
      /^\/opensandbox\?server=us-east$/,
    );
    // "Create sandbox" offers the filtered server.
    await waitFor(() =>
      expect(screen.getByTestId('create-gate-link')).toHaveAttribute(
        'href',
        '/opensandbox/create?server=us-east',
      ),
    );

    fireEvent.mouseDown(screen.getByTestId('server-filter'));
    await user.click(
      await screen.findByRole('option', { name: 'All servers' }),
    );
    await waitFor(() =>
      expect(api.listSandboxes).toHaveBeenLastCalledWith(base),
    );
    expect(screen.getByTestId('location')).toHaveTextContent(/^\/opensandbox$/);
  });

  it('shows no Server column or filter with one server, and still links with the server', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(
      page([makeSandbox({ id: 'sb-1', server: 'default' })]),
    );
    await render(api);
    await screen.findAllByTestId('sandbox-link');
    await waitFor(() => expect(api.getSettings).toHaveBeenCalled());
    expect(screen.queryByTestId('server-filter')).not.toBeInTheDocument();
    expect(screen.queryByTestId('sandbox-server')).not.toBeInTheDocument();
    expect(
      screen.queryByRole('columnheader', { name: 'Server' }),
    ).not.toBeInTheDocument();
    expect(screen.getByTestId('sandbox-link')).toHaveAttribute(
      'href',
      '/opensandbox/servers/default/sandboxes/sb-1',
    );
  });
});

describe('list state: search, sort, "Expiring soon" and server', () => {
  it('reads and writes them, leaving defaults out', () => {
    const state = {
      ...DEFAULT_LIST_STATE,
      search: 'demo api',
      sort: 'name' as const,
      order: 'desc' as const,
      expiringSoon: true,
      server: 'eu-west',
      page: 2,
    };
    const search = listStateToSearch(state).toString();
    expect(search).toBe(
      'search=demo+api&sort=name&order=desc&expiring=soon&server=eu-west&page=2',
    );
    expect(listStateFromSearch(new URLSearchParams(search))).toEqual(state);
    expect(listQueryOf(state)).toEqual({
      search: 'demo api',
      sort: 'name',
      order: 'desc',
      expiringWithinSeconds: 3600,
      server: 'eu-west',
    });
    expect(listQueryOf(DEFAULT_LIST_STATE)).toEqual({});
  });

  it('drops default directions, unknown sort keys and directions, bad server names and blank searches', () => {
    expect(
      listStateToSearch({
        ...DEFAULT_LIST_STATE,
        sort: 'name',
        order: 'asc',
      }).toString(),
    ).toBe('sort=name');
    expect(
      listStateToSearch({
        ...DEFAULT_LIST_STATE,
        sort: 'createdAt',
        order: 'desc',
      }).toString(),
    ).toBe('');
    expect(
      listStateToSearch({ ...DEFAULT_LIST_STATE, order: 'asc' }).toString(),
    ).toBe('order=asc');
    expect(
      listStateFromSearch(
        new URLSearchParams(
          'sort=owner&order=sideways&server=Not%20A%20Server&search=%20%20&expiring=later',
        ),
      ),
    ).toEqual(DEFAULT_LIST_STATE);
    expect(
      listStateFromSearch(new URLSearchParams('sort=createdAt&order=DESC')),
    ).toEqual(DEFAULT_LIST_STATE);
    expect(
      listStateFromSearch(new URLSearchParams('sort=expiresAt&order=asc')),
    ).toEqual({ ...DEFAULT_LIST_STATE, sort: 'expiresAt' });
    expect(listQueryOf({ order: 'asc' })).toEqual({
      sort: 'createdAt',
      order: 'asc',
    });
  });

  it('toggles the direction of the active column and starts others in their default direction', () => {
    expect(toggleSort({}, 'name')).toEqual({ sort: 'name', order: undefined });
    expect(toggleSort({ sort: 'name' }, 'name')).toEqual({
      sort: 'name',
      order: 'desc',
    });
    expect(toggleSort({ sort: 'name', order: 'desc' }, 'name')).toEqual({
      sort: 'name',
      order: undefined,
    });
    expect(toggleSort({}, 'createdAt')).toEqual({
      sort: undefined,
      order: 'asc',
    });
    expect(toggleSort({ order: 'asc' }, 'createdAt')).toEqual({
      sort: undefined,
      order: undefined,
    });
    expect(toggleSort({ sort: 'name', order: 'desc' }, 'createdAt')).toEqual({
      sort: undefined,
      order: undefined,
    });
  });

  it('normalises searches: no control characters, trimmed, at most 100 characters', () => {
    expect(normalizeSearch('  demo\tapi\n ')).toBe('demo api');
    expect(normalizeSearch('x'.repeat(150))).toHaveLength(100);
    expect(normalizeSearch('   ')).toBe('');
    // 99 letters and an emoji (two UTF-16 units): the emoji is left out rather than cut in half.
    expect(normalizeSearch(`${'x'.repeat(99)}😀`)).toBe('x'.repeat(99));
  });
});
