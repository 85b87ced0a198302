import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { mockApis, renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { identityApiRef } from '@backstage/core-plugin-api';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import type { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { opensandboxApiRef } from '../api';
import { rootRouteRef } from '../routes';
import { createFakeApi, createPermissionApi, withFreshPermissionCache, makeSandbox } from '../__testUtils__/testUtils';
import { SandboxListPage } from './SandboxListPage';
import { DEFAULT_LIST_STATE, listStateFromSearch, listStateToSearch, normalizeMetadataFilter } from '../lib/listState';

function Location() {
  const location = useLocation();
  return <div data-testid="location">{`${location.pathname}${location.search}`}</div>;
}

function DetailStub() {
  const navigate = useNavigate();
  return (
    <button type="button" onClick={() => navigate(-1)}>
      Back
    </button>
  );
}

function page(items: ReturnType<typeof makeSandbox>[], pagination = {}) {
  return {
    items,
    pagination: { page: 1, pageSize: 20, totalItems: items.length, totalPages: 1, hasNextPage: false, ...pagination },
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
  const catalogApi = options.catalogApi ?? catalogApiMock({ entities: CATALOG_USERS });
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
      </TestApiProvider>
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
    jest.useFakeTimers({ advanceTimers: true, now: Date.parse('2026-06-15T10:47:30Z') });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('renders one row per sandbox with state, name link, image, owner, created and countdown', async () => {
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
        makeSandbox({ id: 'expired-1', metadata: { name: 'old' }, status: { state: 'Weird' }, expiresAt: '2026-06-15T10:00:00Z' }),
      ]),
    );
    await render(api);

    expect(api.listSandboxes).toHaveBeenCalledWith({ states: [], metadata: {}, page: 1, pageSize: 20 });
    const links = await screen.findAllByTestId('sandbox-link');
    expect(links.map(l => l.textContent)).toEqual(['demo-api', 'abcdef01', 'old']);
    expect(links[0]).toHaveAttribute('href', '/opensandbox/6f1c2b7e-3a4d-4f0e-9a51-2c8d7e9b1f20');
    expect(screen.getAllByTestId('sandbox-state').map(c => [c.textContent, c.getAttribute('data-state-category')])).toEqual([
      ['Running', 'running'],
      ['Paused', 'paused'],
      ['Weird', 'unknown'],
    ]);
    expect(screen.getAllByTestId('sandbox-expires-in').map(e => e.textContent)).toEqual(['in 12m', 'never', 'expired']);
    const firstRow = links[0].closest('tr')!;
    expect(within(firstRow).getByText('python:3.11-slim')).toBeInTheDocument();
    // Owner, team and entity are catalog links (the short ref until the catalog gives a title).
    expect(within(firstRow).getByTestId('owner-link')).toHaveAttribute('href', '/catalog/default/user/jane.doe');
    expect(within(firstRow).getByTestId('owner-link')).toHaveTextContent('jane.doe');
    expect(within(firstRow).getByTestId('team-link')).toHaveAttribute('href', '/catalog/default/group/team-a');
    expect(within(firstRow).queryByTestId('entity-link')).not.toBeInTheDocument();
    expect(within(links[1].closest('tr')!).queryByTestId('owner-link')).not.toBeInTheDocument();
    expect(within(firstRow).getByText('2026-06-15 10:00:00 UTC')).toBeInTheDocument();
    expect(within(links[1].closest('tr')!).getByText('snapshot snap-1')).toBeInTheDocument();
    expect(screen.getByText('3 in total')).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByRole('button', { name: /Create sandbox/ })).toHaveAttribute('href', '/opensandbox/create'),
    );
  });

  it('disables "Create sandbox" with a tooltip and hides "Audit log" without the permissions', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([makeSandbox()]));
    const user = userEvent.setup({ delay: null, advanceTimers: jest.advanceTimersByTime });
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
    expect(screen.queryByRole('button', { name: 'Audit log' })).not.toBeInTheDocument();
  });

  it('links "Audit log" to the audit page when allowed', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([makeSandbox()]));
    await render(api);
    expect(await screen.findByRole('button', { name: 'Audit log' })).toHaveAttribute('href', '/opensandbox/audit');
    expect(screen.getByRole('button', { name: /Create sandbox/ })).toBeEnabled();
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
    expect(within(screen.getByTestId('empty-create-gate')).getByRole('button', { name: 'Create sandbox' })).toBeDisabled();
  });

  it('shows the empty state', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([]));
    await render(api);
    expect(await screen.findByText('No sandboxes')).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getAllByRole('button', { name: 'Create sandbox' }).map(b => b.getAttribute('href'))).toEqual([
        '/opensandbox/create',
        '/opensandbox/create',
      ]),
    );
  });

  it('shows the error panel', async () => {
    const api = createFakeApi();
    const response = new Response(
      JSON.stringify({ error: { name: 'Error', message: 'upstream unreachable' }, response: { statusCode: 502 } }),
      { status: 502, statusText: 'Bad Gateway', headers: { 'Content-Type': 'application/json' } },
    );
    api.listSandboxes.mockRejectedValue(await ResponseError.fromResponse(response));
    await render(api);
    expect((await screen.findAllByText(/upstream unreachable/)).length).toBeGreaterThan(0);
    expect(screen.queryByTestId('sandbox-link')).not.toBeInTheDocument();
  });

  it('sends state and metadata filters and resets to page 1', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([makeSandbox()]));
    const user = userEvent.setup({ delay: null, advanceTimers: jest.advanceTimersByTime });
    await render(api);
    await screen.findAllByTestId('sandbox-link');

    fireEvent.mouseDown(screen.getByTestId('state-filter'));
    await user.click(await screen.findByRole('option', { name: 'Running' }));
    await user.click(screen.getByRole('option', { name: 'Paused' }));
    await waitFor(() =>
      expect(api.listSandboxes).toHaveBeenLastCalledWith({ states: ['Running', 'Paused'], metadata: {}, page: 1, pageSize: 20 }),
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
    const user = userEvent.setup({ delay: null, advanceTimers: jest.advanceTimersByTime });
    await render(api);
    expect((await screen.findByTestId('sandbox-link')).textContent).toBe('page-1');
    await user.click(screen.getByRole('button', { name: /next page/i }));
    await waitFor(() => expect(screen.getByTestId('sandbox-link').textContent).toBe('page-2'));
    expect(api.listSandboxes).toHaveBeenLastCalledWith({ states: [], metadata: {}, page: 2, pageSize: 20 });
  });
  it('keeps filters, page and page size in the URL, so Back from a sandbox restores them', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockImplementation(async ({ page: p = 1, pageSize = 20, metadata = {} } = {}) =>
      // The name tells which answer the table shows (the table remounts for new data).
      page([makeSandbox({ id: `sb-${p}`, metadata: { name: metadata.project ? `page-${p}-payments` : `page-${p}` } })], {
        page: p,
        pageSize,
        totalItems: 45,
        totalPages: 3,
        hasNextPage: p < 3,
      }),
    );
    const user = userEvent.setup({ delay: null, advanceTimers: jest.advanceTimersByTime });
    await render(api);
    await screen.findByTestId('sandbox-link');
    await waitFor(() => expect(screen.getByTestId('quick-filter-mine')).toBeEnabled());
    await user.click(screen.getByTestId('quick-filter-mine'));
    await user.type(screen.getByLabelText('Metadata filter'), 'project=payments{Enter}');
    await waitFor(() =>
      expect(screen.getByTestId('location')).toHaveTextContent('/opensandbox?filter=mine&metadata=project%3Dpayments'),
    );
    await waitFor(() => expect(screen.getByTestId('sandbox-link').textContent).toBe('page-1-payments'));
    await user.click(screen.getByRole('button', { name: /next page/i }));
    await waitFor(() => expect(screen.getByTestId('sandbox-link').textContent).toBe('page-2-payments'));
    expect(screen.getByTestId('location')).toHaveTextContent('/opensandbox?filter=mine&metadata=project%3Dpayments&page=2');

    await user.click(screen.getByTestId('sandbox-link'));
    await user.click(await screen.findByRole('button', { name: 'Back' }));
    await waitFor(() => expect(screen.getByTestId('sandbox-link').textContent).toBe('page-2-payments'));
    expect(api.listSandboxes).toHaveBeenLastCalledWith({
      states: [],
      metadata: { project: 'payments' },
      owner: ['user:default/jane.doe'],
      page: 2,
      pageSize: 20,
    });
    expect(screen.getByTestId('quick-filter-mine')).toHaveAttribute('aria-pressed', 'true');
    expect(screen.getByText('project=payments')).toBeInTheDocument();
  });

  it('starts from a shared link, waiting for the user\'s refs before listing', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([makeSandbox()], { page: 2, pageSize: 50, totalItems: 60, totalPages: 2 }));
    await render(api, [], { route: '/opensandbox?filter=teams&state=Running&metadata=project%3Dpayments&page=2&pageSize=50' });
    await screen.findByTestId('sandbox-link');
    expect(api.listSandboxes).toHaveBeenCalledTimes(1);
    expect(api.listSandboxes).toHaveBeenCalledWith({
      states: ['Running'],
      metadata: { project: 'payments' },
      team: ['group:default/team-a', 'group:default/team-b'],
      page: 2,
      pageSize: 50,
    });
    expect(screen.getByTestId('quick-filter-teams')).toHaveAttribute('aria-pressed', 'true');
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
        page([makeSandbox({ id: `sb-${p}`, metadata: { name: `page-${p}` } })], {
          page: p,
          totalItems: 45,
          totalPages: 3,
          hasNextPage: p < 3,
        }),
      );
      const user = userEvent.setup({ delay: null, advanceTimers: jest.advanceTimersByTime });
      await render(api);
      expect((await screen.findByTestId('sandbox-link')).textContent).toBe('page-1');
      await user.click(screen.getByRole('button', { name: /next page/i }));
      await waitFor(() => expect(screen.getByTestId('sandbox-link').textContent).toBe('page-2'));
      expect(warn.mock.calls.map(call => String(call[0])).filter(m => m.includes('material table'))).toEqual([]);
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
    fireEvent.change(screen.getByLabelText('Metadata filter'), { target: { value: 'opensandbox.io/x=1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add filter' }));
    expect(screen.getByText('keys with the opensandbox.io/ prefix are reserved')).toBeInTheDocument();
    // Input and button share one non-wrapping row; the input has a fixed width.
    const group = screen.getByRole('button', { name: 'Add filter' }).parentElement!;
    expect(group).toContainElement(screen.getByLabelText('Metadata filter'));
    expect(group).toHaveStyle({ display: 'flex', alignItems: 'flex-start' });
    expect(group.firstElementChild).toHaveStyle({ width: '300px' });
  });

  it('sends owner for "Mine" and the group refs for "My teams", back to everything for "All"', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([makeSandbox()]));
    const user = userEvent.setup({ delay: null, advanceTimers: jest.advanceTimersByTime });
    await render(api);
    await screen.findAllByTestId('sandbox-link');
    expect(api.listSandboxes).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId('quick-filter-all')).toHaveAttribute('aria-pressed', 'true');

    await waitFor(() => expect(screen.getByTestId('quick-filter-mine')).toBeEnabled());
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
    expect(screen.getByTestId('quick-filter-mine')).toHaveAttribute('aria-pressed', 'true');

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
      expect(api.listSandboxes).toHaveBeenLastCalledWith({ states: [], metadata: {}, page: 1, pageSize: 20 }),
    );
    expect(api.listSandboxes).toHaveBeenCalledTimes(4);
  });

  it('sends each of "My teams" once, in the full lower-case form, whatever the case of the ownership refs', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([makeSandbox()]));
    const user = userEvent.setup({ delay: null, advanceTimers: jest.advanceTimersByTime });
    await render(api, [], {
      ownershipEntityRefs: ['user:default/Jane.Doe', 'group:default/team-a', 'Group:Default/Team-A', 'GROUP:team-b'],
    });
    await screen.findAllByTestId('sandbox-link');
    await waitFor(() => expect(screen.getByTestId('quick-filter-teams')).toBeEnabled());
    await user.click(screen.getByTestId('quick-filter-teams'));
    await waitFor(() => expect(api.listSandboxes).toHaveBeenCalledTimes(2));
    expect(api.listSandboxes.mock.lastCall?.[0]?.team).toEqual(['group:default/team-a', 'group:default/team-b']);
  });

  it('lower-cases typed ownership label filters (entity refs are case-insensitive)', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([makeSandbox()]));
    await render(api);
    await screen.findAllByTestId('sandbox-link');
    fireEvent.change(screen.getByTestId('metadata-filter-input'), { target: { value: 'Backstage.io/Team=Team-A' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add filter' }));
    await waitFor(() =>
      expect(api.listSandboxes).toHaveBeenLastCalledWith({
        states: [],
        metadata: { 'backstage.io/team': 'team-a' },
        page: 1,
        pageSize: 20,
      }),
    );
    expect(within(screen.getByTestId('metadata-filter-chips')).getByText('backstage.io/team=team-a')).toBeInTheDocument();
  });

  it('sends at most 20 teams for "My teams" and disables it for users in no group', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([makeSandbox()]));
    const groups = Array.from({ length: 25 }, (_, i) => `group:default/team-${i}`);
    const user = userEvent.setup({ delay: null, advanceTimers: jest.advanceTimersByTime });
    const first = await render(api, [], { ownershipEntityRefs: ['user:default/jane.doe', ...groups] });
    await screen.findAllByTestId('sandbox-link');
    await waitFor(() => expect(screen.getByTestId('quick-filter-teams')).toBeEnabled());
    await user.click(screen.getByTestId('quick-filter-teams'));
    await waitFor(() => expect(api.listSandboxes.mock.lastCall?.[0]?.team).toEqual(groups.slice(0, 20)));
    first.unmount();

    await render(api, [], { ownershipEntityRefs: ['user:default/jane.doe'] });
    await waitFor(() => expect(screen.getByTestId('quick-filter-mine')).toBeEnabled());
    expect(screen.getByTestId('quick-filter-teams')).toBeDisabled();
  });

  it('flags owners missing from the catalog with one batched lookup per page', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(
      page([
        makeSandbox({ id: 'a', metadata: { name: 'a' }, ownership: { owner: 'user:default/jane.doe' } }),
        makeSandbox({ id: 'b', metadata: { name: 'b' }, ownership: { owner: 'user:default/gone' } }),
        makeSandbox({ id: 'c', metadata: { name: 'c' }, ownership: { owner: 'user:default/jane.doe' } }),
        makeSandbox({ id: 'd', metadata: { name: 'd' }, ownership: { team: 'group:default/team-a' } }),
      ]),
    );
    const catalogApi = catalogApiMock.mock({
      getEntitiesByRefs: jest.fn(async ({ entityRefs }: { entityRefs: string[] }) => ({
        items: entityRefs.map(ref => CATALOG_USERS.find(u => `user:default/${u.metadata.name}` === ref)),
      })) as any,
    });
    await render(api, [], { catalogApi });
    await screen.findAllByTestId('sandbox-link');
    await waitFor(() => expect(screen.getAllByTestId('owner-missing')).toHaveLength(1));
    expect(catalogApi.getEntitiesByRefs).toHaveBeenCalledTimes(1);
    expect(catalogApi.getEntitiesByRefs).toHaveBeenCalledWith({
      entityRefs: ['user:default/gone', 'user:default/jane.doe'],
      fields: ['kind', 'metadata.namespace', 'metadata.name'],
    });
    const flagged = screen.getByTestId('owner-missing').closest('tr')!;
    expect(within(flagged).getByTestId('sandbox-link')).toHaveTextContent('b');
    expect(screen.getByRole('img', { name: 'Owner not found in the catalog' })).toBe(screen.getByTestId('owner-missing'));
    // Owner names stay on one line ("Guest (development)" never breaks mid-word).
    for (const owner of screen.getAllByTestId('sandbox-owner')) expect(owner).toHaveStyle({ whiteSpace: 'nowrap' });
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
    expect(search).toBe('filter=mine&state=Running&state=Paused&metadata=project%3Dpayments&metadata=name%3Ddemo&page=3&pageSize=50');
    expect(listStateFromSearch(new URLSearchParams(search))).toEqual(state);
    expect(listStateToSearch(DEFAULT_LIST_STATE).toString()).toBe('');
  });

  it('falls back to the defaults for unknown values', () => {
    expect(
      listStateFromSearch(new URLSearchParams('filter=everyone&metadata=bad%20key%3Dx&metadata=novalue&page=-1&pageSize=7')),
    ).toEqual(DEFAULT_LIST_STATE);
    expect(listStateFromSearch(new URLSearchParams('page=2.5&pageSize=100')).page).toBe(1);
    expect(listStateFromSearch(new URLSearchParams('page=2.5&pageSize=100')).pageSize).toBe(100);
  });

  it('reads ownership label filters and the quick filter case-insensitively', () => {
    expect(
      listStateFromSearch(
        new URLSearchParams('filter=Mine&metadata=Backstage.io%2FTeam%3DTeam-A&metadata=project%3DPayments'),
      ),
    ).toEqual({
      ...DEFAULT_LIST_STATE,
      quick: 'mine',
      metadata: { 'backstage.io/team': 'team-a', project: 'Payments' },
    });
    expect(normalizeMetadataFilter('backstage.io/entity-kind', 'Component')).toEqual(['backstage.io/entity-kind', 'component']);
    expect(normalizeMetadataFilter('name', 'Demo-API')).toEqual(['name', 'Demo-API']);
  });
});
