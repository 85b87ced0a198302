import { fireEvent, screen, waitFor } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { identityApiRef } from '@backstage/core-plugin-api';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { opensandboxApiRef, TeamQuota } from '../api';
import { rootRouteRef } from '../routes';
import {
  backendError,
  createFakeApi,
  createPermissionApi,
  withFreshPermissionCache,
} from '../__testUtils__/testUtils';
import { SandboxCreatePage } from './SandboxCreatePage';
import { quotaCaps, TeamQuotaNotice } from './TeamQuotaNotice';

// MUI forms are slow to drive in jsdom; leave room when suites run in parallel.
jest.setTimeout(20_000);

const NONE: TeamQuota['limits'] = {
  maxSandboxes: null,
  maxTimeoutSeconds: null,
  maxRenewSeconds: null,
  allowedImageRegistries: null,
  maxCpu: null,
  maxMemory: null,
};

function quota(team: string, overrides: Partial<TeamQuota> = {}): TeamQuota {
  return {
    team,
    limits: {
      ...NONE,
      maxSandboxes: 10,
      maxTimeoutSeconds: 7200,
      maxCpu: '2',
      maxMemory: '4Gi',
      allowedImageRegistries: ['ghcr.io/acme/'],
    },
    usage: { sandboxes: 7, reserved: 1 },
    remaining: 2,
    exempt: false,
    ...overrides,
  };
}

function withQuota(
  api: ReturnType<typeof createFakeApi>,
  answer: (team?: string) => Promise<TeamQuota>,
) {
  const getQuota = jest.fn(answer);
  return { api: { ...api, getQuota }, getQuota };
}

async function renderNotice(api: object, team: string) {
  return renderInTestApp(
    <TestApiProvider apis={[[opensandboxApiRef, api]]}>
      <TeamQuotaNotice team={team} />
    </TestApiProvider>,
  );
}

describe('TeamQuotaNotice', () => {
  it('shows the usage, what is left and the caps', async () => {
    const { api, getQuota } = withQuota(createFakeApi(), async team =>
      quota(team!),
    );
    await renderNotice(api, 'group:default/team-a');
    const notice = await screen.findByTestId('create-quota');
    expect(notice).toHaveTextContent(
      'team-a: 8 of 10 sandboxes in use, 2 left. Caps: timeout ≤ 2h; CPU ≤ 2; memory ≤ 4Gi; images from ghcr.io/acme/.',
    );
    expect(getQuota).toHaveBeenCalledWith('group:default/team-a');
  });

  it('warns when the team has no sandbox left, unless the caller is exempt', async () => {
    const full = withQuota(createFakeApi(), async team =>
      quota(team!, { usage: { sandboxes: 10, reserved: 0 }, remaining: 0 }),
    );
    const { unmount } = await renderNotice(full.api, 'group:default/team-a');
    expect(await screen.findByTestId('create-quota')).toHaveTextContent(
      '10 of 10 sandboxes in use, 0 left: delete one or ask an administrator to raise the quota.',
    );
    unmount();
    const exempt = withQuota(createFakeApi(), async team =>
      quota(team!, {
        usage: { sandboxes: 10, reserved: 0 },
        remaining: 0,
        exempt: true,
      }),
    );
    await renderNotice(exempt.api, 'group:default/team-a');
    expect(await screen.findByTestId('create-quota')).toHaveTextContent(
      'You administer the console: these limits do not apply to you.',
    );
  });

  it('renders nothing when no limit applies, on errors, or against a backend without quotas', async () => {
    const unlimited = withQuota(createFakeApi(), async team =>
      quota(team!, { limits: NONE, remaining: null }),
    );
    await renderNotice(unlimited.api, 'group:default/team-a');
    await waitFor(() => expect(unlimited.getQuota).toHaveBeenCalled());
    expect(screen.queryByTestId('create-quota')).toBeNull();

    const refused = withQuota(createFakeApi(), async () => {
      throw await backendError(403, { name: 'NotAllowedError', message: 'no' });
    });
    await renderNotice(refused.api, 'group:default/team-z');
    await waitFor(() => expect(refused.getQuota).toHaveBeenCalled());
    expect(screen.queryByTestId('create-quota')).toBeNull();

    await renderNotice(createFakeApi(), 'group:default/team-a');
    expect(screen.queryByTestId('create-quota')).toBeNull();
  });

  it('lists every kind of cap', () => {
    expect(
      quotaCaps(
        quota('group:default/x', {
          limits: {
            ...NONE,
            maxRenewSeconds: 86400,
            allowedImageRegistries: [],
          },
        }),
      ),
    ).toEqual(['renewal ≤ 1d ahead', 'no image allowed']);
  });

  it('follows the owning team chosen on the create form', async () => {
    const { api, getQuota } = withQuota(createFakeApi(), async team =>
      quota(team!),
    );
    api.listTeams.mockResolvedValue([
      'group:default/team-a',
      'group:default/team-b',
    ]);
    await renderInTestApp(
      withFreshPermissionCache(
        <TestApiProvider
          apis={[
            [opensandboxApiRef, api],
            [
              permissionApiRef,
              createPermissionApi(['opensandbox.admin.manage']).permissionApi,
            ],
            [
              identityApiRef,
              mockApis.identity({
                userEntityRef: 'user:default/jane.doe',
                ownershipEntityRefs: [
                  'group:default/team-a',
                  'group:default/team-b',
                ],
              }),
            ],
            [catalogApiRef, catalogApiMock({ entities: [] })],
          ]}
        >
          <Routes>
            <Route path="/opensandbox/create" element={<SandboxCreatePage />} />
          </Routes>
        </TestApiProvider>,
      ),
      {
        mountedRoutes: { '/opensandbox': rootRouteRef },
        routeEntries: ['/opensandbox/create'],
      },
    );
    expect(await screen.findByTestId('create-quota')).toHaveTextContent(
      'team-a: 8 of 10 sandboxes in use, 2 left.',
    );
    fireEvent.change(await screen.findByTestId('create-team-select'), {
      target: { value: 'group:default/team-b' },
    });
    await waitFor(() =>
      expect(screen.getByTestId('create-quota')).toHaveTextContent(
        'team-b: 8 of 10 sandboxes in use',
      ),
    );
    expect(getQuota).toHaveBeenCalledWith('group:default/team-b');
  });
});
