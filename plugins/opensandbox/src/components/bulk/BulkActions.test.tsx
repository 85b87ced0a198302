import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes, useLocation } from 'react-router-dom';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { identityApiRef } from '@backstage/core-plugin-api';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import type {
  BulkCheckResponse,
  BulkRunResponse,
} from '@opensandbox-console/plugin-opensandbox-common';
import { opensandboxApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import {
  backendError,
  createFakeApi,
  createPermissionApi,
  makeSandbox,
  withFreshPermissionCache,
} from '../../__testUtils__/testUtils';
import { bulkFilterOf } from '../../lib/bulk';
import { SandboxListPage } from '../SandboxListPage';

jest.setTimeout(30_000);

function Location() {
  const location = useLocation();
  return (
    <div data-testid="location">{`${location.pathname}${location.search}`}</div>
  );
}

const A = makeSandbox({ id: 'aaaaaaaa-1111', metadata: { name: 'alpha' } });
const B = makeSandbox({
  id: 'bbbbbbbb-2222',
  metadata: { name: 'beta' },
  status: { state: 'Paused' },
});
const C = makeSandbox({ id: 'cccccccc-3333', metadata: { name: 'gamma' } });

function listPage(items = [A, B, C], totalItems = items.length) {
  return {
    items,
    pagination: {
      page: 1,
      pageSize: 20,
      totalItems,
      totalPages: Math.ceil(totalItems / 20),
      hasNextPage: totalItems > 20,
    },
    syncedAt: null,
  };
}

function checkAnswer(
  overrides: Partial<BulkCheckResponse> = {},
): BulkCheckResponse {
  return {
    action: 'pause',
    dryRun: true,
    total: 2,
    counts: {
      'would-succeed': 1,
      denied: 0,
      'not-applicable': 1,
      'not-found': 0,
      error: 0,
    },
    items: [
      {
        id: A.id,
        server: 'default',
        outcome: 'would-succeed',
        sandbox: { name: 'alpha', state: 'Running' },
      },
      {
        id: B.id,
        server: 'default',
        outcome: 'not-applicable',
        reason:
          'Sandbox bbbbbbbb-2222 is Paused; pause needs a Running sandbox.',
        sandbox: { name: 'beta', state: 'Paused' },
      },
    ],
    confirmationToken: 'v1.1.token',
    confirmationExpiresAt: '2026-06-15T11:00:00.000Z',
    ...overrides,
  };
}

function runAnswer(overrides: Partial<BulkRunResponse> = {}): BulkRunResponse {
  return {
    action: 'pause',
    dryRun: false,
    batchId: '0b7c1c1e-5555-4e4e-8f8f-000000000001',
    total: 2,
    counts: { succeeded: 1, failed: 0, denied: 0, skipped: 1 },
    items: [
      { id: A.id, server: 'default', outcome: 'succeeded', requestId: 'r-1' },
      {
        id: B.id,
        server: 'default',
        outcome: 'skipped',
        skipReason: 'not-applicable',
        reason:
          'Sandbox bbbbbbbb-2222 is Paused; pause needs a Running sandbox.',
        requestId: 'r-2',
      },
    ],
    ...overrides,
  };
}

async function render(
  api: ReturnType<typeof createFakeApi>,
  denied: string[] = [],
  route = '/opensandbox',
) {
  const { permissionApi } = createPermissionApi(denied);
  const identityApi = mockApis.identity({
    userEntityRef: 'user:default/jane.doe',
    ownershipEntityRefs: ['user:default/jane.doe', 'group:default/team-a'],
  });
  return renderInTestApp(
    withFreshPermissionCache(
      <TestApiProvider
        apis={[
          [opensandboxApiRef, api],
          [permissionApiRef, permissionApi],
          [identityApiRef, identityApi],
        ]}
      >
        <Routes>
          <Route path="/opensandbox" element={<SandboxListPage />} />
          <Route path="/opensandbox/audit" element={<Location />} />
        </Routes>
      </TestApiProvider>,
    ),
    { routeEntries: [route], mountedRoutes: { '/opensandbox': rootRouteRef } },
  );
}

describe('bulk actions on the sandbox list', () => {
  it('shows no selection and no toolbar to users who may neither change nor delete the sandboxes', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(listPage());
    await render(api, [
      'opensandbox.sandbox.update',
      'opensandbox.sandbox.delete',
    ]);
    await screen.findByText('alpha');
    // Give the permission checks time to answer, then nothing bulk is there.
    await waitFor(() => expect(api.listSandboxes).toHaveBeenCalled());
    expect(screen.queryByTestId('bulk-toolbar')).not.toBeInTheDocument();
    expect(screen.queryAllByTestId('select-row')).toHaveLength(0);
  });

  it('disables Delete (with the reason) for users who may change but not delete', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(listPage());
    await render(api, ['opensandbox.sandbox.delete']);
    await userEvent.click((await screen.findAllByTestId('select-row'))[0]);
    await waitFor(() => expect(screen.getByTestId('bulk-pause')).toBeEnabled());
    expect(screen.getByTestId('bulk-delete')).toBeDisabled();
  });

  it('selects rows, shows the dry run per sandbox, then runs it and shows the results with the batch', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(listPage());
    (api.runBulk as jest.Mock)
      .mockResolvedValueOnce(checkAnswer())
      .mockResolvedValueOnce(runAnswer());
    await render(api);
    await userEvent.click((await screen.findAllByTestId('select-row'))[0]);
    await userEvent.click(screen.getAllByTestId('select-row')[1]);
    expect(screen.getByTestId('bulk-selected')).toHaveTextContent(
      '2 selected.',
    );
    await waitFor(() => expect(screen.getByTestId('bulk-pause')).toBeEnabled());
    await userEvent.click(screen.getByTestId('bulk-pause'));

    // The dry run first: the selected sandboxes, explicitly.
    const dialog = await screen.findByRole('dialog');
    await within(dialog).findByTestId('bulk-check-items');
    expect(api.runBulk).toHaveBeenNthCalledWith(1, 'pause', {
      items: [{ id: A.id }, { id: B.id }],
      dryRun: true,
    });
    expect(
      within(dialog).getByTestId('bulk-dry-run-summary'),
    ).toHaveTextContent(
      'Dry run: nothing has changed yet. 2 sandboxes selected; pause would apply to 1 sandbox.',
    );
    expect(within(dialog).getByTestId('bulk-check-counts')).toHaveTextContent(
      '1 would-succeed1 not-applicable',
    );
    const rows = within(dialog).getAllByTestId('bulk-item');
    expect(rows.map(r => r.textContent)).toEqual([
      'alphaRunningwould-succeed',
      'betaPausednot-applicableSandbox bbbbbbbb-2222 is Paused; pause needs a Running sandbox.',
    ]);

    await userEvent.click(within(dialog).getByTestId('bulk-execute'));
    await within(dialog).findByTestId('bulk-run-items');
    expect(api.runBulk).toHaveBeenNthCalledWith(2, 'pause', {
      items: [{ id: A.id }, { id: B.id }],
      dryRun: false,
      confirmationToken: 'v1.1.token',
    });
    expect(within(dialog).getByTestId('bulk-run-summary')).toHaveTextContent(
      'Done: 1 of 2 sandboxes paused.',
    );
    expect(within(dialog).getByTestId('bulk-run-counts')).toHaveTextContent(
      '1 succeeded1 skipped',
    );
    expect(within(dialog).getAllByTestId('bulk-item')[1]).toHaveTextContent(
      'not-applicable: Sandbox bbbbbbbb-2222 is Paused',
    );
    expect(within(dialog).getByTestId('bulk-batch-id')).toHaveTextContent(
      runAnswer().batchId,
    );

    // Close: the selection is cleared and the list reloaded.
    const listCalls = api.listSandboxes.mock.calls.length;
    await userEvent.click(within(dialog).getByTestId('bulk-close'));
    await waitFor(() =>
      expect(api.listSandboxes.mock.calls.length).toBeGreaterThan(listCalls),
    );
    expect(screen.getByTestId('bulk-selected')).toHaveTextContent(
      'Select sandboxes to renew',
    );
  });

  it('keeps the dialog open while the list reloads and empties (e.g. a live update)', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(listPage());
    (api.runBulk as jest.Mock)
      .mockResolvedValueOnce(checkAnswer())
      .mockResolvedValueOnce(runAnswer());
    await render(api);
    await userEvent.click((await screen.findAllByTestId('select-row'))[0]);
    await waitFor(() => expect(screen.getByTestId('bulk-pause')).toBeEnabled());
    await userEvent.click(screen.getByTestId('bulk-pause'));
    const dialog = await screen.findByRole('dialog');
    await within(dialog).findByTestId('bulk-check-items');
    api.listSandboxes.mockResolvedValue(listPage([]));
    const calls = api.listSandboxes.mock.calls.length;
    fireEvent.click(screen.getByLabelText('Refresh'));
    await waitFor(() =>
      expect(api.listSandboxes.mock.calls.length).toBeGreaterThan(calls),
    );
    await waitFor(() =>
      expect(screen.queryByTestId('bulk-toolbar')).not.toBeInTheDocument(),
    );
    await userEvent.click(
      within(screen.getByRole('dialog')).getByTestId('bulk-execute'),
    );
    expect(await screen.findByTestId('bulk-run-counts')).toHaveTextContent(
      '1 succeeded1 skipped',
    );
  });

  it('links the result to the audit log filtered by the batch', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(listPage());
    (api.runBulk as jest.Mock)
      .mockResolvedValueOnce(checkAnswer())
      .mockResolvedValueOnce(runAnswer());
    await render(api);
    await userEvent.click((await screen.findAllByTestId('select-row'))[0]);
    await waitFor(() => expect(screen.getByTestId('bulk-pause')).toBeEnabled());
    await userEvent.click(screen.getByTestId('bulk-pause'));
    await userEvent.click(await screen.findByTestId('bulk-execute'));
    await userEvent.click(await screen.findByTestId('bulk-audit-link'));
    expect(await screen.findByTestId('location')).toHaveTextContent(
      `/opensandbox/audit?batchId=${runAnswer().batchId}`,
    );
  });

  it('selects all sandboxes matching the filter, and a delete needs the number typed', async () => {
    const api = createFakeApi();
    const rows = Array.from({ length: 20 }, (_, i) =>
      makeSandbox({ id: `sandbox-${i}`, metadata: { name: `s-${i}` } }),
    );
    api.listSandboxes.mockResolvedValue(listPage(rows, 45));
    const check = checkAnswer({
      action: 'delete',
      total: 45,
      counts: {
        'would-succeed': 44,
        denied: 1,
        'not-applicable': 0,
        'not-found': 0,
        error: 0,
      },
      items: [
        {
          id: 'sandbox-0',
          server: 'default',
          outcome: 'denied',
          reason: 'not allowed',
        },
      ],
    });
    (api.runBulk as jest.Mock)
      .mockResolvedValueOnce(check)
      .mockResolvedValueOnce(
        runAnswer({
          action: 'delete',
          total: 45,
          counts: { succeeded: 44, failed: 0, denied: 1, skipped: 0 },
          items: [],
        }),
      );
    await render(
      api,
      [],
      '/opensandbox?state=Running&metadata=project%3Dpayments&search=demo&sort=name',
    );
    await screen.findByText('s-0');
    await userEvent.click(screen.getByTestId('select-page'));
    expect(screen.getByTestId('bulk-selected')).toHaveTextContent(
      '20 selected.',
    );
    await userEvent.click(screen.getByTestId('bulk-select-all-matching'));
    expect(screen.getByTestId('bulk-selected')).toHaveTextContent(
      'All 45 sandboxes matching this filter are selected.',
    );
    await waitFor(() =>
      expect(screen.getByTestId('bulk-delete')).toBeEnabled(),
    );
    await userEvent.click(screen.getByTestId('bulk-delete'));

    const dialog = await screen.findByRole('dialog');
    await within(dialog).findByTestId('bulk-check-items');
    // The server resolves the filter (no sort, no paging).
    expect(api.runBulk).toHaveBeenNthCalledWith(1, 'delete', {
      filter: {
        state: ['Running'],
        metadata: { project: 'payments' },
        search: 'demo',
      },
      dryRun: true,
    });
    const execute = within(dialog).getByTestId('bulk-execute');
    expect(execute).toHaveTextContent('Delete 44 sandboxes');
    expect(execute).toBeDisabled();
    const input = within(dialog).getByTestId('bulk-confirm-input');
    await userEvent.type(input, '45');
    expect(execute).toBeDisabled();
    await userEvent.clear(input);
    await userEvent.type(input, '44');
    expect(execute).toBeEnabled();
    await userEvent.click(execute);
    await within(dialog).findByTestId('bulk-run-counts');
    expect(api.runBulk).toHaveBeenNthCalledWith(2, 'delete', {
      filter: {
        state: ['Running'],
        metadata: { project: 'payments' },
        search: 'demo',
      },
      dryRun: false,
      confirmationToken: 'v1.1.token',
    });
  });

  it('says so when the selection changed since the dry run, and checks again on request', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(listPage());
    const changed = await backendError(409, {
      name: 'BulkConfirmationError',
      message:
        'The selection changed since the dry run (or the token belongs to another request): nothing was deleted. Run the dry run again and confirm its result.',
    });
    const check = checkAnswer({
      action: 'delete',
      counts: {
        'would-succeed': 2,
        denied: 0,
        'not-applicable': 0,
        'not-found': 0,
        error: 0,
      },
    });
    (api.runBulk as jest.Mock)
      .mockResolvedValueOnce(check)
      .mockRejectedValueOnce(changed)
      .mockResolvedValueOnce(check);
    await render(api);
    await userEvent.click((await screen.findAllByTestId('select-row'))[0]);
    await waitFor(() =>
      expect(screen.getByTestId('bulk-delete')).toBeEnabled(),
    );
    await userEvent.click(screen.getByTestId('bulk-delete'));
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(
      await within(dialog).findByTestId('bulk-confirm-input'),
      '2',
    );
    await userEvent.click(within(dialog).getByTestId('bulk-execute'));
    expect(
      await within(dialog).findByTestId('bulk-error-message'),
    ).toHaveTextContent(/selection changed since the dry run/);
    expect(within(dialog).getByTestId('bulk-execute')).toBeDisabled();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Check again' }),
    );
    await waitFor(() => expect(api.runBulk).toHaveBeenCalledTimes(3));
    expect((api.runBulk as jest.Mock).mock.calls[2][1]).toMatchObject({
      dryRun: true,
    });
    await waitFor(() =>
      expect(
        within(dialog).queryByTestId('bulk-error'),
      ).not.toBeInTheDocument(),
    );
  });

  it('renews by a chosen extension, checked again when it changes', async () => {
    const api = createFakeApi();
    api.listSandboxes.mockResolvedValue(listPage());
    (api.runBulk as jest.Mock).mockResolvedValue(
      checkAnswer({ action: 'renew' }),
    );
    await render(api);
    await userEvent.click((await screen.findAllByTestId('select-row'))[2]);
    await waitFor(() => expect(screen.getByTestId('bulk-renew')).toBeEnabled());
    await userEvent.click(screen.getByTestId('bulk-renew'));
    const dialog = await screen.findByRole('dialog');
    await within(dialog).findByTestId('bulk-check-items');
    expect(api.runBulk).toHaveBeenLastCalledWith('renew', {
      items: [{ id: C.id }],
      extendSeconds: 3600,
      dryRun: true,
    });
    await userEvent.click(within(dialog).getByTestId('bulk-extend'));
    await userEvent.click(await screen.findByRole('option', { name: '1 day' }));
    await waitFor(() =>
      expect(api.runBulk).toHaveBeenLastCalledWith('renew', {
        items: [{ id: C.id }],
        extendSeconds: 86400,
        dryRun: true,
      }),
    );
  });

  it('maps the list filter to the bulk filter', () => {
    expect(
      bulkFilterOf({
        states: [],
        metadata: {},
        owner: ['user:default/jane.doe'],
        team: [],
        search: '  ',
        sort: 'name',
        order: 'desc',
        expiringWithinSeconds: 3600,
        server: 'eu',
      }),
    ).toEqual({
      owner: ['user:default/jane.doe'],
      expiringWithinSeconds: 3600,
      server: 'eu',
    });
  });
});
