import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useLocation } from 'react-router-dom';
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
import type { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { opensandboxApiRef } from '../api';
import { rootRouteRef } from '../routes';
import {
  createFakeApi,
  createPermissionApi,
  makeSandbox,
  makeSettings,
  withFreshPermissionCache,
} from '../__testUtils__/testUtils';
import { EntitySandboxesContent } from './EntitySandboxesContent';

const TEAM_A: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-a', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

const PAYMENTS: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: {
      'opensandbox.backstage.io/default-image': 'python:3.12-slim',
      'opensandbox.backstage.io/default-cpu': 'lots',
    },
  },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: 'group:default/team-a',
  },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-a' }],
};

/** Mixed sandboxes: one per team/entity combination the tab may see. */
const SANDBOXES = [
  makeSandbox({
    id: 'sbx-1',
    metadata: { name: 'pay-dev' },
    ownership: {
      owner: 'user:default/jane.doe',
      team: 'group:default/team-a',
      entity: 'component:default/payments-api',
    },
  }),
  makeSandbox({
    id: 'sbx-2',
    metadata: { name: 'team-scratch' },
    ownership: { owner: 'user:default/ada', team: 'group:default/team-a' },
  }),
];

function page(
  items: ReturnType<typeof makeSandbox>[],
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
    },
    ...(syncedAt !== undefined ? { syncedAt } : {}),
  };
}

function Location() {
  const location = useLocation();
  return (
    <div data-testid="location">{`${location.pathname}${location.search}`}</div>
  );
}

async function render(
  entity: Entity,
  api: ReturnType<typeof createFakeApi>,
  options: {
    ownershipEntityRefs?: string[];
    denied?: string[];
    route?: string;
  } = {},
) {
  const identityApi = mockApis.identity({
    userEntityRef: 'user:default/jane.doe',
    ownershipEntityRefs: options.ownershipEntityRefs ?? [
      'user:default/jane.doe',
      'group:default/team-a',
    ],
  });
  return renderInTestApp(
    withFreshPermissionCache(
      <TestApiProvider
        apis={[
          [opensandboxApiRef, api],
          [permissionApiRef, createPermissionApi(options.denied).permissionApi],
          [identityApiRef, identityApi],
          [catalogApiRef, catalogApiMock({ entities: [TEAM_A, PAYMENTS] })],
        ]}
      >
        <EntityProvider entity={entity}>
          <EntitySandboxesContent />
          <Location />
        </EntityProvider>
      </TestApiProvider>,
    ),
    {
      routeEntries: [
        options.route ?? '/catalog/default/component/payments-api/sandboxes',
      ],
      mountedRoutes: {
        '/opensandbox': rootRouteRef,
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
}

jest.setTimeout(20_000);

describe('EntitySandboxesContent', () => {
  it("lists a group's team sandboxes and creates with the team preselected", async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page(SANDBOXES));
    await render(TEAM_A, api);

    const links = await screen.findAllByTestId('sandbox-link');
    expect(api.listSandboxes).toHaveBeenCalledTimes(1);
    expect(api.listSandboxes).toHaveBeenCalledWith({
      team: ['group:default/team-a'],
      page: 1,
      pageSize: 20,
    });
    expect(links.map(l => [l.textContent, l.getAttribute('href')])).toEqual([
      ['pay-dev', '/opensandbox/sbx-1'],
      ['team-scratch', '/opensandbox/sbx-2'],
    ]);
    expect(screen.getByText('Sandboxes of this team')).toBeInTheDocument();
    // The team column is left out on a team's tab; the entity column links the component.
    expect(screen.queryByTestId('team-link')).not.toBeInTheDocument();
    expect(
      screen.getAllByTestId('entity-link').map(l => l.getAttribute('href')),
    ).toEqual(['/catalog/default/component/payments-api']);
    expect(
      screen.getAllByTestId('owner-link').map(l => l.getAttribute('href')),
    ).toEqual(['/catalog/default/user/jane.doe', '/catalog/default/user/ada']);
    expect(screen.queryByTestId('annotation-warnings')).not.toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByTestId('entity-create-gate-link')).toHaveAttribute(
        'href',
        '/opensandbox/create?team=group%3Adefault%2Fteam-a',
      ),
    );
  });

  it("lists a component's sandboxes, warns about a bad annotation and preselects entity and owner team", async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([SANDBOXES[0]]));
    await render(PAYMENTS, api);

    const links = await screen.findAllByTestId('sandbox-link');
    expect(api.listSandboxes).toHaveBeenCalledWith({
      entity: ['component:default/payments-api'],
      page: 1,
      pageSize: 20,
    });
    expect(links.map(l => l.textContent)).toEqual(['pay-dev']);
    expect(screen.getByText('Sandboxes of this component')).toBeInTheDocument();
    expect(screen.queryByTestId('entity-link')).not.toBeInTheDocument();
    expect(screen.getByTestId('team-link')).toHaveAttribute(
      'href',
      '/catalog/default/group/team-a',
    );
    expect(
      screen.getAllByTestId('annotation-warning').map(w => w.textContent),
    ).toEqual([
      'Annotation opensandbox.backstage.io/default-cpu: must be a quantity such as "500m", "1", "512Mi" or "2Gi"',
    ]);
    await waitFor(() =>
      expect(screen.getByTestId('entity-create-gate-link')).toHaveAttribute(
        'href',
        '/opensandbox/create?entityRef=component%3Adefault%2Fpayments-api&team=group%3Adefault%2Fteam-a',
      ),
    );
  });

  it("leaves the team out when the user is not in the component's owner group", async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([]));
    await render(PAYMENTS, api, {
      ownershipEntityRefs: ['user:default/bob', 'group:default/team-b'],
    });
    expect(await screen.findByText('No sandboxes')).toBeInTheDocument();
    expect(
      screen.getByText(
        'No sandbox you can see was created for this component.',
      ),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(
        screen.getByTestId('entity-empty-create-gate-link'),
      ).toHaveAttribute(
        'href',
        '/opensandbox/create?entityRef=component%3Adefault%2Fpayments-api',
      ),
    );
  });

  it('disables "Create sandbox" without opensandbox.sandbox.create', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page(SANDBOXES));
    await render(TEAM_A, api, { denied: ['opensandbox.sandbox.create'] });
    await screen.findAllByTestId('sandbox-link');
    await waitFor(() =>
      expect(screen.getByTestId('entity-create-gate')).toHaveAttribute(
        'title',
        'You may not create sandboxes (opensandbox.sandbox.create)',
      ),
    );
    expect(
      within(screen.getByTestId('entity-create-gate')).getByRole('button', {
        name: /Create sandbox/,
      }),
    ).toBeDisabled();
  });

  it('disables "Create sandbox" on a group that is not one of the caller\'s teams (non-admin)', async () => {
    const api = createFakeApi();
    api.listTeams.mockResolvedValue(['group:default/team-b']);
    api.listSandboxes.mockResolvedValue(page(SANDBOXES));
    await render(TEAM_A, api, { denied: ['opensandbox.admin.manage'] });
    await screen.findAllByTestId('sandbox-link');
    await waitFor(() =>
      expect(screen.getByTestId('entity-create-gate')).toHaveAttribute(
        'title',
        'You are not a member of group:default/team-a; only its members and administrators can create sandboxes for it',
      ),
    );
    expect(
      within(screen.getByTestId('entity-create-gate')).getByRole('button', {
        name: /Create sandbox/,
      }),
    ).toBeDisabled();
    expect(
      screen.queryByTestId('entity-create-gate-link'),
    ).not.toBeInTheDocument();
  });

  it('keeps "Create sandbox" on any group for administrators', async () => {
    const api = createFakeApi();
    api.listTeams.mockResolvedValue(['group:default/team-b']);
    api.listSandboxes.mockResolvedValue(page(SANDBOXES));
    await render(TEAM_A, api);
    await waitFor(() =>
      expect(screen.getByTestId('entity-create-gate-link')).toHaveAttribute(
        'href',
        '/opensandbox/create?team=group%3Adefault%2Fteam-a',
      ),
    );
  });

  it('shows the server error', async () => {
    const api = createFakeApi();
    const response = new Response(
      JSON.stringify({
        error: { name: 'InputError', message: 'entity must be entity refs' },
        response: { statusCode: 400 },
      }),
      {
        status: 400,
        statusText: 'Bad Request',
        headers: { 'Content-Type': 'application/json' },
      },
    );
    api.listSandboxes.mockRejectedValue(
      await ResponseError.fromResponse(response),
    );
    await render(PAYMENTS, api);
    expect(
      (await screen.findAllByText(/entity must be entity refs/)).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByTestId('sandbox-link')).not.toBeInTheDocument();
  });

  it('explains that other kinds have no sandboxes', async () => {
    const api = createFakeApi();
    await render(
      { ...TEAM_A, kind: 'User', metadata: { name: 'jane.doe' } },
      api,
    );
    expect(
      await screen.findByText('No sandboxes for this kind of entity'),
    ).toBeInTheDocument();
    expect(api.listSandboxes).not.toHaveBeenCalled();
  });
});

describe('EntitySandboxesContent search, sort, "Expiring soon", servers and freshness', () => {
  const TAB = '/catalog/default/component/payments-api/sandboxes';
  const entityFilter = { entity: ['component:default/payments-api'] };
  beforeEach(() => {
    jest.useFakeTimers({
      advanceTimers: true,
      now: Date.parse('2026-06-15T10:47:30Z'),
    });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('searches, sorts and filters "Expiring soon" on the server next to the entity filter, in the URL', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(
      page([SANDBOXES[0]], '2026-06-15T10:47:27.000Z'),
    );
    const user = userEvent.setup({
      delay: null,
      advanceTimers: jest.advanceTimersByTime,
    });
    await render(PAYMENTS, api, { route: `${TAB}?page=2` });
    await screen.findAllByTestId('sandbox-link');
    expect(api.listSandboxes).toHaveBeenLastCalledWith({
      ...entityFilter,
      page: 2,
      pageSize: 20,
    });
    expect(screen.getByTestId('list-freshness')).toHaveTextContent(
      /^Updated [34]s ago$/,
    );

    fireEvent.change(screen.getByTestId('search-input'), {
      target: { value: 'pay' },
    });
    await waitFor(() =>
      expect(api.listSandboxes).toHaveBeenLastCalledWith({
        ...entityFilter,
        search: 'pay',
        page: 1,
        pageSize: 20,
      }),
    );
    expect(screen.getByTestId('location')).toHaveTextContent(
      new RegExp(`^${TAB}\\?search=pay$`),
    );

    await user.click(await screen.findByTestId('sort-name'));
    await waitFor(() =>
      expect(api.listSandboxes).toHaveBeenLastCalledWith({
        ...entityFilter,
        search: 'pay',
        sort: 'name',
        order: 'asc',
        page: 1,
        pageSize: 20,
      }),
    );
    await user.click(screen.getByTestId('expiring-soon'));
    await waitFor(() =>
      expect(api.listSandboxes).toHaveBeenLastCalledWith({
        ...entityFilter,
        search: 'pay',
        sort: 'name',
        order: 'asc',
        expiringWithinSeconds: 3600,
        page: 1,
        pageSize: 20,
      }),
    );
    expect(screen.getByTestId('location')).toHaveTextContent(
      new RegExp(`^${TAB}\\?search=pay&sort=name&expiring=soon$`),
    );
  });

  it('says the search matched nothing instead of "no sandbox was created for this component"', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(page([]));
    await render(PAYMENTS, api, { route: `${TAB}?search=zzz` });
    expect(
      await screen.findByText('No sandbox matches the search and filters.'),
    ).toBeInTheDocument();
    expect(api.listSandboxes).toHaveBeenCalledWith({
      ...entityFilter,
      search: 'zzz',
      page: 1,
      pageSize: 20,
    });
  });

  it('shows the Server column and filter with several servers and links sandboxes with their server', async () => {
    const api = createFakeApi();
    api.getSettings.mockResolvedValue(
      makeSettings({ servers: ['eu-west', 'us-east'] }),
    );
    api.listSandboxes.mockResolvedValue(
      page([{ ...SANDBOXES[0], server: 'us-east' }]),
    );
    const user = userEvent.setup({
      delay: null,
      advanceTimers: jest.advanceTimersByTime,
    });
    await render(PAYMENTS, api);
    await waitFor(() =>
      expect(screen.getByTestId('sandbox-server')).toHaveTextContent('us-east'),
    );
    expect(screen.getByTestId('sandbox-link')).toHaveAttribute(
      'href',
      '/opensandbox/servers/us-east/sandboxes/sbx-1',
    );
    fireEvent.mouseDown(screen.getByTestId('server-filter'));
    await user.click(await screen.findByRole('option', { name: 'eu-west' }));
    await waitFor(() =>
      expect(api.listSandboxes).toHaveBeenLastCalledWith({
        ...entityFilter,
        server: 'eu-west',
        page: 1,
        pageSize: 20,
      }),
    );
  });
});
