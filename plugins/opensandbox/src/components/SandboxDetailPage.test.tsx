import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router-dom';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { configApiRef } from '@backstage/core-plugin-api';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { ResponseError } from '@backstage/errors';
import { opensandboxApiRef } from '../api';
import { rootRouteRef } from '../routes';
import {
  backendError,
  createFakeApi,
  createPermissionApi,
  withFreshPermissionCache,
  makeAuditEvent,
  makeSandbox,
  makeSettings,
} from '../__testUtils__/testUtils';
import { renewedNotice, SandboxDetailPage } from './SandboxDetailPage';
import {
  computeRenewedExpiry,
  renewInputError,
  renewUntilCheck,
} from './SandboxActions';

const ID = '6f1c2b7e-3a4d-4f0e-9a51-2c8d7e9b1f20';
const NOW = Date.parse('2026-06-15T10:47:30Z');

async function render(
  api: ReturnType<typeof createFakeApi>,
  permission: ReturnType<typeof createPermissionApi> = createPermissionApi(),
  config: object = {},
) {
  return renderInTestApp(
    withFreshPermissionCache(
      <TestApiProvider
        apis={[
          [opensandboxApiRef, api],
          [permissionApiRef, permission.permissionApi],
          [configApiRef, mockApis.config({ data: config })],
        ]}
      >
        <Routes>
          <Route path="/opensandbox" element={<div>list page</div>} />
          <Route
            path="/opensandbox/:sandboxId"
            element={<SandboxDetailPage />}
          />
        </Routes>
      </TestApiProvider>,
    ),
    {
      mountedRoutes: { '/opensandbox': rootRouteRef },
      routeEntries: [`/opensandbox/${ID}`],
    },
  );
}

async function conflict(message: string) {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: 'ConflictError', message },
        response: { statusCode: 409 },
      }),
      {
        status: 409,
        statusText: 'Conflict',
        headers: { 'Content-Type': 'application/json' },
      },
    ),
  );
}

// MUI forms are slow to drive in jsdom; leave room when suites run in parallel on a busy machine.
jest.setTimeout(20_000);

describe('SandboxDetailPage', () => {
  let user: ReturnType<typeof userEvent.setup>;
  beforeEach(() => {
    jest.useFakeTimers({ advanceTimers: true, now: NOW });
    user = userEvent.setup({
      delay: null,
      advanceTimers: jest.advanceTimersByTime,
    });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('renders the sandbox fields', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(makeSandbox());
    await render(api);
    expect(await screen.findByTestId('field-state')).toHaveTextContent(
      'Running',
    );
    expect(api.getSandbox).toHaveBeenCalledWith(ID);
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent(
      'demo-api',
    );
    expect(screen.getByTestId('field-reason')).toHaveTextContent(
      'CONTAINER_RUNNING',
    );
    expect(screen.getByTestId('field-message')).toHaveTextContent(
      'Sandbox container started successfully.',
    );
    expect(screen.getByTestId('field-last-transition')).toHaveTextContent(
      '2026-06-15 10:00:00 UTC',
    );
    expect(screen.getByTestId('field-id')).toHaveTextContent(ID);
    expect(screen.getByTestId('field-image')).toHaveTextContent(
      'python:3.11-slim',
    );
    expect(screen.getByTestId('field-entrypoint')).toHaveTextContent(
      'python -m http.server 8000',
    );
    expect(screen.getByTestId('field-created')).toHaveTextContent(
      '2026-06-15 10:00:00 UTC (47m ago)',
    );
    expect(screen.getByTestId('field-expires')).toHaveTextContent(
      '2026-06-15 11:00:00 UTC (in 12m)',
    );
    expect(screen.getByTestId('field-owner')).toHaveTextContent(
      'user:default/jane.doe',
    );
    expect(screen.getByTestId('field-team')).toHaveTextContent(
      'group:default/team-a',
    );
    const metadata = screen.getByTestId('metadata-table');
    expect(
      within(metadata)
        .getAllByRole('row')
        .map(r => r.textContent),
    ).toEqual(['namedemo-api', 'projectpayments']);
    expect(screen.getByRole('button', { name: 'Pause' })).toBeEnabled();
    expect(
      screen.queryByRole('button', { name: 'Resume' }),
    ).not.toBeInTheDocument();
  });

  it('shows limits, env variable names (never values), platform, the creating service and a copy button for the id', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(
      makeSandbox({
        platform: { os: 'linux', arch: 'arm64' },
        metadata: {
          name: 'demo-api',
          project: 'payments',
          'backstage.io/team': 'team-a',
          'backstage.io/create-token': 't1',
        },
        ownership: {
          service: 'plugin:scaffolder',
          team: 'group:default/team-a',
        },
        creation: {
          actor: 'plugin:scaffolder',
          actorType: 'service',
          resourceLimits: { cpu: '500m', memory: '512Mi', gpu: '1' },
          envNames: ['API_TOKEN', 'LOG_LEVEL'],
        },
      }),
    );
    await render(api);
    expect(await screen.findByTestId('field-cpu')).toHaveTextContent(
      /^500m \(0\.5 CPU\)$/,
    );
    expect(screen.getByTestId('field-memory')).toHaveTextContent(/^512Mi$/);
    expect(screen.getByTestId('field-limit-gpu')).toHaveTextContent(/^1$/);
    expect(screen.getByTestId('field-env')).toHaveTextContent(
      /^API_TOKEN, LOG_LEVELValues are not shown$/,
    );
    expect(screen.getByTestId('field-platform')).toHaveTextContent(
      /^linux\/arm64$/,
    );
    expect(screen.getByTestId('field-created-by')).toHaveTextContent(
      /^plugin:scaffolder \(service\)$/,
    );
    expect(
      screen.getByRole('button', { name: 'Copy sandbox ID' }),
    ).toBeInTheDocument();
    // backstage.io/* labels are folded away until asked for.
    const metadata = screen.getByTestId('metadata-table');
    expect(
      within(metadata)
        .getAllByRole('row')
        .map(r => r.textContent),
    ).toEqual(['namedemo-api', 'projectpayments']);
    await user.click(
      screen.getByRole('button', { name: 'Show 2 internal labels' }),
    );
    expect(within(metadata).getAllByRole('row')).toHaveLength(4);
    expect(
      screen.getByRole('button', { name: 'Hide 2 internal labels' }),
    ).toHaveAttribute('aria-expanded', 'true');
  });

  it('shows "-" and the runtime default for sandboxes created outside the console, the owner as creator', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(makeSandbox());
    await render(api);
    expect(await screen.findByTestId('field-cpu')).toHaveTextContent(/^-$/);
    expect(screen.getByTestId('field-env')).toHaveTextContent(/^-$/);
    expect(screen.getByTestId('field-platform')).toHaveTextContent(
      /^Any \(runtime default\)$/,
    );
    expect(screen.getByTestId('field-created-by')).toHaveTextContent(
      'jane.doe',
    );
  });

  it('disables Pause on a Failed sandbox saying why, and warns that its endpoint will not answer', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(
      makeSandbox({
        status: { state: 'Failed', reason: 'CONTAINER_EXITED_ERROR' },
      }),
    );
    await render(api);
    const pause = await screen.findByRole('button', { name: 'Pause' });
    expect(pause).toBeDisabled();
    expect(screen.getByTestId('pause-gate')).toHaveAttribute(
      'title',
      'Only a Running sandbox can be paused; this one is Failed.',
    );
    expect(screen.getByTestId('pause-gate')).toHaveAttribute('tabindex', '0');
    expect(screen.getByTestId('endpoint-state-warning')).toHaveTextContent(
      'The sandbox has Failed: its endpoint will not answer.',
    );
  });

  it('hides Renew for manual-cleanup sandboxes and offers Resume when paused', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(
      makeSandbox({ expiresAt: undefined, status: { state: 'Paused' } }),
    );
    await render(api);
    expect(await screen.findByTestId('field-expires')).toHaveTextContent(
      'Never (manual cleanup)',
    );
    expect(
      screen.queryByRole('button', { name: 'Renew' }),
    ).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Resume' }));
    await waitFor(() => expect(api.resumeSandbox).toHaveBeenCalledWith(ID));
    await waitFor(() => expect(api.getSandbox).toHaveBeenCalledTimes(2));
    expect(api.pauseSandbox).not.toHaveBeenCalled();
  });

  it('pauses and refreshes; shows action errors in an alert', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(makeSandbox());
    api.pauseSandbox.mockRejectedValueOnce(
      await conflict('sandbox is not running'),
    );
    await render(api);
    await user.click(await screen.findByRole('button', { name: 'Pause' }));
    expect(await screen.findByTestId('action-error')).toHaveTextContent(
      'Could not pause the sandbox: sandbox is not running (HTTP 409)',
    );
    expect(api.getSandbox).toHaveBeenCalledTimes(1);
    await user.click(screen.getByRole('button', { name: 'Pause' }));
    await waitFor(() => expect(api.pauseSandbox).toHaveBeenCalledTimes(2));
    await waitFor(() => expect(api.getSandbox).toHaveBeenCalledTimes(2));
    expect(screen.queryByTestId('action-error')).not.toBeInTheDocument();
  });

  it('renews from the later of now and the current expiry, refusing to shorten', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(makeSandbox());
    api.renewExpiration.mockResolvedValue({
      expiresAt: '2026-06-15T11:30:00Z',
    });
    await render(api);
    await user.click(await screen.findByRole('button', { name: 'Renew' }));
    const input = screen.getByLabelText('Extend by (minutes)');
    await user.clear(input);
    await user.type(input, '-5');
    expect(screen.getByText(/can only extend/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Renew' })).toBeDisabled();
    await user.clear(input);
    await user.type(input, '30');
    expect(
      screen.getByText('New expiry: 2026-06-15 11:30:00 UTC'),
    ).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Renew' }));
    await waitFor(() =>
      expect(api.renewExpiration).toHaveBeenCalledWith(
        ID,
        '2026-06-15T11:30:00.000Z',
      ),
    );
    await waitFor(() => expect(api.getSandbox).toHaveBeenCalledTimes(2));
  });

  it('refuses renewals beyond the lifetime cap of GET /settings, in minutes', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(makeSandbox()); // expires 11:00, now 10:47:30
    api.renewExpiration.mockResolvedValue({
      expiresAt: '2026-06-15T11:47:00Z',
    });
    api.getSettings.mockResolvedValue(
      makeSettings({ maxTimeoutSeconds: 3600 }),
    );
    // The frontend config's opensandbox.maxTimeoutSeconds is not what counts (the app never has it).
    await render(api, createPermissionApi(), {
      opensandbox: { maxTimeoutSeconds: 999999 },
    });
    await user.click(await screen.findByRole('button', { name: 'Renew' }));
    const dialog = screen.getByRole('dialog');
    await waitFor(() =>
      expect(dialog).toHaveTextContent(
        'The new expiry may be at most 60 minutes from now.',
      ),
    );
    const input = screen.getByLabelText('Extend by (minutes)');
    await user.clear(input);
    await user.type(input, '60');
    expect(
      screen.getByText(
        'Sandboxes may live at most 60 minutes from now: extend by at most 47 minutes',
      ),
    ).toBeInTheDocument();
    expect(screen.getByTestId('renew-confirm')).toBeDisabled();
    await user.clear(input);
    await user.type(input, '47');
    expect(
      screen.getByText('New expiry: 2026-06-15 11:47:00 UTC'),
    ).toBeInTheDocument();
    await user.click(screen.getByTestId('renew-confirm'));
    await waitFor(() =>
      expect(api.renewExpiration).toHaveBeenCalledWith(
        ID,
        '2026-06-15T11:47:00.000Z',
      ),
    );
  });

  it('says "Sandbox <id> not found." with a way back for a missing or unreadable sandbox', async () => {
    const api = createFakeApi();
    api.getSandbox.mockRejectedValue(
      await ResponseError.fromResponse(
        new Response(
          JSON.stringify({
            error: {
              name: 'NotFoundError',
              message: `Sandbox ${ID} not found.`,
            },
            response: { statusCode: 404 },
          }),
          {
            status: 404,
            statusText: 'Not Found',
            headers: { 'Content-Type': 'application/json' },
          },
        ),
      ),
    );
    await render(api);
    expect(
      await screen.findByText(`Sandbox ${ID} not found.`),
    ).toBeInTheDocument();
    expect(screen.queryByText(/Request failed/)).not.toBeInTheDocument();
    expect(
      screen.getByText(
        'It may have been deleted or have expired, or you may not be allowed to see it.',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Back to sandboxes' }),
    ).toHaveAttribute('href', '/opensandbox');
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent(
      'Sandbox',
    );
    expect(screen.getByRole('link', { name: 'Sandboxes' })).toHaveAttribute(
      'href',
      '/opensandbox',
    );
  });

  it('links "Sandboxes" in the header back to the list', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(makeSandbox());
    await render(api);
    expect(await screen.findByTestId('field-state')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Sandboxes' })).toHaveAttribute(
      'href',
      '/opensandbox',
    );
  });

  it('asks for confirmation before deleting, then goes back to the list', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(makeSandbox());
    await render(api);
    await user.click(await screen.findByRole('button', { name: 'Delete' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('This terminates sandbox demo-api');
    expect(api.deleteSandbox).not.toHaveBeenCalled();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(api.deleteSandbox).not.toHaveBeenCalled();

    await user.click(screen.getByRole('button', { name: 'Delete' }));
    await user.click(await screen.findByTestId('confirm-delete'));
    await waitFor(() => expect(api.deleteSandbox).toHaveBeenCalledWith(ID));
    expect(await screen.findByText('list page')).toBeInTheDocument();
  });

  it('looks up an endpoint and shows the URL and headers', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(makeSandbox());
    api.getEndpoint.mockResolvedValue({
      endpoint: 'gw.example.com/sandboxes/abc/port/3000',
      headers: { 'X-Access-Token': 'tok-123' },
    });
    await render(api);
    const port = await screen.findByLabelText('Port');
    await user.clear(port);
    await user.type(port, '3000');
    await user.click(
      screen.getByRole('checkbox', { name: 'Use server proxy' }),
    );
    await user.click(screen.getByRole('button', { name: 'Get endpoint' }));
    expect(await screen.findByTestId('endpoint-url')).toHaveTextContent(
      'http://gw.example.com/sandboxes/abc/port/3000',
    );
    expect(api.getEndpoint).toHaveBeenCalledWith(ID, 3000, {
      useServerProxy: true,
    });
    expect(
      screen.getByRole('table', { name: 'Required headers' }),
    ).toHaveTextContent('X-Access-Token');
    expect(screen.getByText('tok-123')).toBeInTheDocument();
  });
});

describe('SandboxDetailPage permissions', () => {
  let user: ReturnType<typeof userEvent.setup>;
  beforeEach(() => {
    jest.useFakeTimers({ advanceTimers: true, now: NOW });
    user = userEvent.setup({
      delay: null,
      advanceTimers: jest.advanceTimersByTime,
    });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  async function tooltipOf(testId: string) {
    await user.hover(screen.getByTestId(testId));
    return (await screen.findByRole('tooltip')).textContent;
  }

  it('enables every action when allowed, asking with the sandbox id as resourceRef', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(makeSandbox());
    const permission = createPermissionApi();
    await render(api, permission);
    await screen.findByTestId('field-state');
    for (const name of [
      'Renew',
      'Pause',
      'Edit metadata',
      'Delete',
      'Get endpoint',
    ]) {
      await waitFor(() =>
        expect(screen.getByRole('button', { name })).toBeEnabled(),
      );
    }
    expect(screen.queryByTestId('renew-gate')).not.toBeInTheDocument();
    expect(screen.queryByTestId('delete-gate')).not.toBeInTheDocument();
    expect(screen.queryByTestId('endpoint-gate')).not.toBeInTheDocument();
    const asked = permission.handler.mock.calls.map(([r]) => [
      r.permission.name,
      (r as any).resourceRef,
    ]);
    expect(asked).toEqual(
      expect.arrayContaining([
        ['opensandbox.sandbox.update', ID],
        ['opensandbox.sandbox.delete', ID],
        ['opensandbox.sandbox.endpoint', ID],
        ['opensandbox.audit.read', undefined],
      ]),
    );
  });

  it('disables update actions with a tooltip without opensandbox.sandbox.update', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(makeSandbox());
    await render(api, createPermissionApi(['opensandbox.sandbox.update']));
    await screen.findByTestId('field-state');
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Delete' })).toBeEnabled(),
    );
    expect(screen.getByRole('button', { name: 'Renew' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Pause' })).toBeDisabled();
    expect(
      screen.getByRole('button', { name: 'Edit metadata' }),
    ).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Get endpoint' })).toBeEnabled();
    expect(await tooltipOf('renew-gate')).toBe(
      'You may not change this sandbox (opensandbox.sandbox.update)',
    );
  });

  it('disables Resume the same way for a paused sandbox', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(
      makeSandbox({ status: { state: 'Paused' } }),
    );
    await render(api, createPermissionApi(['opensandbox.sandbox.update']));
    await screen.findByTestId('field-state');
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Delete' })).toBeEnabled(),
    );
    expect(screen.getByRole('button', { name: 'Resume' })).toBeDisabled();
    expect(await tooltipOf('resume-gate')).toBe(
      'You may not change this sandbox (opensandbox.sandbox.update)',
    );
  });

  it('disables Delete and Get endpoint with tooltips when those are denied', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(makeSandbox());
    await render(
      api,
      createPermissionApi([
        'opensandbox.sandbox.delete',
        'opensandbox.sandbox.endpoint',
      ]),
    );
    await screen.findByTestId('field-state');
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Renew' })).toBeEnabled(),
    );
    expect(screen.getByRole('button', { name: 'Delete' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Get endpoint' })).toBeDisabled();
    expect(await tooltipOf('delete-gate')).toBe(
      'You may not delete this sandbox (opensandbox.sandbox.delete)',
    );
    await user.unhover(screen.getByTestId('delete-gate'));
    await waitFor(() =>
      expect(screen.queryByRole('tooltip')).not.toBeInTheDocument(),
    );
    expect(await tooltipOf('endpoint-gate')).toBe(
      'You may not get endpoints of this sandbox (opensandbox.sandbox.endpoint)',
    );
  });

  it('keeps the actions disabled while the permissions load', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(makeSandbox());
    const pending = {
      permissionApi: { authorize: () => new Promise<never>(() => {}) } as any,
      handler: jest.fn(),
    };
    await render(api, pending);
    await screen.findByTestId('field-state');
    for (const name of [
      'Renew',
      'Pause',
      'Edit metadata',
      'Delete',
      'Get endpoint',
    ]) {
      expect(screen.getByRole('button', { name })).toBeDisabled();
    }
    expect(await tooltipOf('delete-gate')).toBe('Checking your permissions…');
  });

  it('shows the history card with the sandbox history to readers, linking the audit log with opensandbox.audit.read', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(makeSandbox());
    api.listSandboxHistory.mockResolvedValueOnce({
      items: [
        makeAuditEvent({
          id: 'e2',
          occurredAt: '2026-06-15T10:30:00.000Z',
          action: 'sandbox.pause',
          outcome: 'denied',
          httpStatus: 403,
          errorCode: 'NotAllowedError',
          errorMessage: 'not allowed',
          requestId: 'req-2',
          actor: 'user:default/bob',
        }),
        makeAuditEvent({ id: 'e1' }),
      ],
      nextCursor: 'cursor-1',
    });
    api.listSandboxHistory.mockResolvedValueOnce({
      items: [
        makeAuditEvent({
          id: 'e0',
          occurredAt: '2026-06-15T09:59:00.000Z',
          actor: 'ci-bot',
          actorType: 'service',
          action: 'sandbox.renew',
          requestId: 'req-0',
          httpStatus: 200,
        }),
      ],
    });
    await render(api);
    const history = await screen.findByTestId('sandbox-history');
    await waitFor(() =>
      expect(within(history).getAllByTestId('audit-row')).toHaveLength(2),
    );
    expect(api.listSandboxHistory).toHaveBeenCalledWith(ID, { limit: 10 });
    expect(api.listAuditEvents).not.toHaveBeenCalled();
    const rows = () =>
      within(history)
        .getAllByTestId('audit-row')
        .map(r =>
          Array.from(r.querySelectorAll('td')).map(td => td.textContent),
        );
    expect(
      within(history)
        .getAllByRole('columnheader')
        .map(h => h.textContent),
    ).toEqual(['Details', 'Time (UTC)', 'Actor', 'Action', 'Outcome', 'Error']);
    expect(rows()).toEqual([
      [
        '',
        '2026-06-15 10:30:00.000',
        'user:default/bob',
        'sandbox.pause',
        'denied',
        'NotAllowedError: not allowed',
      ],
      [
        '',
        '2026-06-15 10:00:00.123',
        'user:default/jane.doe',
        'sandbox.create',
        'succeeded',
        '-',
      ],
    ]);
    await user.click(
      within(history).getByRole('button', { name: 'Load more' }),
    );
    await waitFor(() =>
      expect(within(history).getAllByTestId('audit-row')).toHaveLength(3),
    );
    expect(api.listSandboxHistory).toHaveBeenLastCalledWith(ID, {
      limit: 10,
      cursor: 'cursor-1',
    });
    expect(rows()[2]).toEqual([
      '',
      '2026-06-15 09:59:00.000',
      'ci-bot (service)',
      'sandbox.renew',
      'succeeded',
      '-',
    ]);
    expect(
      within(history).queryByRole('button', { name: 'Load more' }),
    ).not.toBeInTheDocument();
    expect(
      await screen.findByRole('link', { name: /Open in audit log/ }),
    ).toHaveAttribute('href', `/opensandbox/audit?sandboxId=${ID}`);
  });

  it('shows the history without opensandbox.audit.read, without the audit log link', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(makeSandbox());
    api.listSandboxHistory.mockResolvedValue({
      items: [makeAuditEvent({ id: 'e1', clientIp: null, userAgent: null })],
    });
    await render(api, createPermissionApi(['opensandbox.audit.read']));
    await screen.findByTestId('field-state');
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Delete' })).toBeEnabled(),
    );
    const history = screen.getByTestId('sandbox-history');
    await waitFor(() =>
      expect(within(history).getAllByTestId('audit-row')).toHaveLength(1),
    );
    expect(
      screen.queryByRole('link', { name: /Open in audit log/ }),
    ).not.toBeInTheDocument();
    expect(api.listAuditEvents).not.toHaveBeenCalled();
  });

  it('edits metadata with a merge patch of the changes', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(
      makeSandbox({
        metadata: {
          name: 'demo-api',
          project: 'payments',
          'backstage.io/owner': 'jane.doe',
        },
      }),
    );
    api.updateMetadata.mockResolvedValue(makeSandbox());
    await render(api);
    await screen.findByTestId('field-state');
    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: 'Edit metadata' }),
      ).toBeEnabled(),
    );
    await user.click(screen.getByRole('button', { name: 'Edit metadata' }));
    const input = screen.getByTestId('metadata-edit-input');
    expect(input).toHaveValue('name=demo-api\nproject=payments');
    expect(screen.getByRole('dialog')).toHaveTextContent(
      'Managed by the console (not editable): backstage.io/owner',
    );
    fireEvent.change(input, {
      target: { value: 'name=demo-api-2\nstage=dev\nbackstage.io/team=x' },
    });
    expect(
      screen.getByText(
        'backstage.io/team: is managed by the console and cannot be changed',
      ),
    ).toBeInTheDocument();
    expect(
      within(screen.getByRole('dialog')).getByRole('button', { name: 'Save' }),
    ).toBeDisabled();
    fireEvent.change(input, {
      target: { value: 'name=demo-api-2\nstage=dev' },
    });
    await user.click(
      within(screen.getByRole('dialog')).getByRole('button', { name: 'Save' }),
    );
    await waitFor(() =>
      expect(api.updateMetadata).toHaveBeenCalledWith(ID, {
        name: 'demo-api-2',
        stage: 'dev',
        project: null,
      }),
    );
    await waitFor(() => expect(api.getSandbox).toHaveBeenCalledTimes(2));
  });
});

describe('renew helpers', () => {
  it('extends from the current expiry when it is later than now', () => {
    expect(computeRenewedExpiry('2026-06-15T11:00:00Z', 30, NOW)).toBe(
      '2026-06-15T11:30:00.000Z',
    );
  });
  it('extends from now when the sandbox already expired', () => {
    expect(computeRenewedExpiry('2026-06-15T10:00:00Z', 30, NOW)).toBe(
      '2026-06-15T11:17:30.000Z',
    );
  });
  it('rejects non-positive and fractional input', () => {
    expect(renewInputError('0', '2026-06-15T11:00:00Z', NOW)).toBe(
      'A renewal can only extend the lifetime; enter a positive number of minutes',
    );
    expect(renewInputError('1.5', '2026-06-15T11:00:00Z', NOW)).toBe(
      'Enter a whole number of minutes',
    );
    expect(renewInputError('10', '2026-06-15T11:00:00Z', NOW)).toBeUndefined();
  });
  it('applies maxTimeoutSeconds, saying how many minutes are left', () => {
    // now 10:47:30, cap 1h: the new expiry may be at most 11:47:30.
    expect(renewInputError('48', '2026-06-15T11:00:00Z', NOW, 3600)).toBe(
      'Sandboxes may live at most 60 minutes from now: extend by at most 47 minutes',
    );
    expect(
      renewInputError('47', '2026-06-15T11:00:00Z', NOW, 3600),
    ).toBeUndefined();
    expect(renewInputError('61', '2026-06-15T10:00:00Z', NOW, 3600)).toBe(
      'Sandboxes may live at most 60 minutes from now: extend by at most 60 minutes',
    );
    expect(
      renewInputError('60', '2026-06-15T10:00:00Z', NOW, 3600),
    ).toBeUndefined();
    expect(renewInputError('1', '2026-06-15T11:47:00Z', NOW, 3600)).toBe(
      'Sandboxes may live at most 60 minutes from now, and this one already expires about that late',
    );
  });
});

describe('SandboxDetailPage renewals', () => {
  let user: ReturnType<typeof userEvent.setup>;
  beforeEach(() => {
    jest.useFakeTimers({ advanceTimers: true, now: NOW });
    user = userEvent.setup({
      delay: null,
      advanceTimers: jest.advanceTimersByTime,
    });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  async function openUntil(api: ReturnType<typeof createFakeApi>) {
    await render(api);
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Renew' })).toBeEnabled(),
    );
    await user.click(screen.getByRole('button', { name: 'Renew' }));
    await user.click(screen.getByRole('radio', { name: 'Set the new expiry' }));
    return screen.getByLabelText('New expiry (UTC)') as HTMLInputElement;
  }

  it('warns about an earlier expiry and sends allowShorten only after "Shorten the expiration" is ticked', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(makeSandbox()); // expires 11:00, now 10:47:30
    api.renewExpiration.mockResolvedValue({
      expiresAt: '2026-06-15T10:55:00Z',
    });
    const input = await openUntil(api);
    fireEvent.change(input, { target: { value: '2026-06-15T10:55' } });
    expect(screen.getByTestId('renew-shorten-warning')).toHaveTextContent(
      "2026-06-15 10:55:00 UTC is earlier than the current expiry (2026-06-15 11:00:00 UTC): this shortens the sandbox's lifetime by 5m, and OpenSandbox terminates it at the new time.",
    );
    expect(screen.getByTestId('renew-confirm')).toBeDisabled();
    await user.click(
      screen.getByRole('checkbox', { name: 'Shorten the expiration' }),
    );
    expect(screen.getByTestId('renew-confirm')).toBeEnabled();
    await user.click(screen.getByTestId('renew-confirm'));
    await waitFor(() => expect(api.renewExpiration).toHaveBeenCalledTimes(1));
    expect(api.renewExpiration.mock.calls[0]).toEqual([
      ID,
      '2026-06-15T10:55:00.000Z',
      { allowShorten: true },
    ]);
    expect(await screen.findByTestId('action-notice')).toHaveTextContent(
      'Expiry moved to 2026-06-15 10:55:00 UTC.',
    );
  });

  it('never sends allowShorten for a later expiry, and forgets the confirmation when the time changes', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(makeSandbox());
    api.renewExpiration.mockResolvedValue({
      expiresAt: '2026-06-15T11:40:00Z',
    });
    const input = await openUntil(api);
    fireEvent.change(input, { target: { value: '2026-06-15T10:58' } });
    await user.click(
      screen.getByRole('checkbox', { name: 'Shorten the expiration' }),
    );
    fireEvent.change(input, { target: { value: '2026-06-15T11:40' } });
    expect(
      screen.queryByTestId('renew-shorten-warning'),
    ).not.toBeInTheDocument();
    expect(
      screen.getByText('New expiry: 2026-06-15 11:40:00 UTC'),
    ).toBeInTheDocument();
    await user.click(screen.getByTestId('renew-confirm'));
    await waitFor(() => expect(api.renewExpiration).toHaveBeenCalledTimes(1));
    expect(api.renewExpiration.mock.calls[0]).toEqual([
      ID,
      '2026-06-15T11:40:00.000Z',
    ]);
  });

  it('shows the expiry the server answered, not the one asked for, and refreshes the sandbox', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValueOnce(makeSandbox());
    api.getSandbox.mockResolvedValue(
      makeSandbox({ expiresAt: '2026-06-15T11:30:07Z' }),
    );
    api.renewExpiration.mockResolvedValue({
      expiresAt: '2026-06-15T11:30:07Z',
    });
    await render(api);
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Renew' })).toBeEnabled(),
    );
    await user.click(screen.getByRole('button', { name: 'Renew' }));
    await user.click(screen.getByTestId('renew-confirm')); // default: extend by 30 minutes
    expect(await screen.findByTestId('action-notice')).toHaveTextContent(
      'Expiry moved to 2026-06-15 11:30:07 UTC. OpenSandbox set this instead of the requested 2026-06-15 11:30:00 UTC.',
    );
    expect(api.renewExpiration.mock.calls[0]).toEqual([
      ID,
      '2026-06-15T11:30:00.000Z',
    ]);
    await waitFor(() => expect(api.getSandbox).toHaveBeenCalledTimes(2));
    await waitFor(() =>
      expect(screen.getByTestId('field-expires')).toHaveTextContent(
        '2026-06-15 11:30:07 UTC',
      ),
    );
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    // Refresh drops the notice: it could contradict the fresh data.
    await user.click(screen.getByRole('button', { name: 'Refresh' }));
    await waitFor(() => expect(api.getSandbox).toHaveBeenCalledTimes(3));
    expect(screen.queryByTestId('action-notice')).not.toBeInTheDocument();
  });

  it('keeps the dialog open on a refused renewal, with the field error next to the input and the request id', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(makeSandbox());
    api.renewExpiration.mockRejectedValueOnce(
      await backendError(400, {
        name: 'InputError',
        message:
          'expiresAt is earlier than the current expiry; set allowShorten to shorten it',
        fields: [
          {
            field: 'expiresAt',
            message:
              'is earlier than the current expiry; set allowShorten to shorten it',
          },
        ],
        requestId: 'req-renew-400',
      }),
    );
    await render(api);
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Renew' })).toBeEnabled(),
    );
    await user.click(screen.getByRole('button', { name: 'Renew' }));
    await user.click(screen.getByTestId('renew-confirm'));
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByTestId('renew-error-message'),
    ).toHaveTextContent(
      'Could not renew the sandbox: New expiry is earlier than the current expiry; set allowShorten to shorten it (HTTP 400)',
    );
    expect(
      document.getElementById('opensandbox-renew-minutes-helper-text'),
    ).toHaveTextContent(
      /^is earlier than the current expiry; set allowShorten to shorten it$/,
    );
    expect(within(dialog).getByTestId('request-id-value')).toHaveTextContent(
      'req-renew-400',
    );
    expect(api.getSandbox).toHaveBeenCalledTimes(1);
  });

  it('warns when OpenSandbox lost the last renewal, and "Renew again" renews to it', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(
      makeSandbox({
        expiresAt: '2026-06-15T11:00:00Z',
        lastRenewal: {
          expiresAt: '2026-06-15T12:00:00Z',
          renewedAt: '2026-06-15T10:30:00Z',
          actor: 'user:default/jane.doe',
          drift: true,
        },
      }),
    );
    api.renewExpiration.mockResolvedValue({
      expiresAt: '2026-06-15T12:00:00Z',
    });
    await render(api);
    const notice = await screen.findByTestId('renewal-drift');
    expect(notice).toHaveTextContent(
      'The expiry differs from the last renewal' +
        'OpenSandbox now reports 2026-06-15 11:00:00 UTC, but user:default/jane.doe renewed it to 2026-06-15 12:00:00 UTC at 2026-06-15 10:30:00 UTC. ' +
        'The OpenSandbox server may have restarted and lost that renewal; renew again to restore the expiry you want.',
    );
    await waitFor(() =>
      expect(screen.getByTestId('renew-again')).toBeEnabled(),
    );
    await user.click(screen.getByTestId('renew-again'));
    expect(
      (screen.getByLabelText('New expiry (UTC)') as HTMLInputElement).value,
    ).toBe('2026-06-15T12:00');
    expect(
      screen.getByRole('radio', { name: 'Set the new expiry' }),
    ).toBeChecked();
    await user.click(screen.getByTestId('renew-confirm'));
    await waitFor(() => expect(api.renewExpiration).toHaveBeenCalledTimes(1));
    expect(api.renewExpiration.mock.calls[0]).toEqual([
      ID,
      '2026-06-15T12:00:00.000Z',
    ]);
  });

  it('shows no drift warning when the last renewal still holds', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(
      makeSandbox({
        lastRenewal: {
          expiresAt: '2026-06-15T11:00:00Z',
          renewedAt: '2026-06-15T10:30:00Z',
          actor: 'user:default/jane.doe',
          drift: false,
        },
      }),
    );
    await render(api);
    await screen.findByTestId('field-state');
    expect(screen.queryByTestId('renewal-drift')).not.toBeInTheDocument();
  });

  it('disables "Renew again" without opensandbox.sandbox.update', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(
      makeSandbox({
        lastRenewal: {
          expiresAt: '2026-06-15T12:00:00Z',
          renewedAt: '2026-06-15T10:30:00Z',
          actor: 'ci-bot',
          drift: true,
        },
      }),
    );
    await render(api, createPermissionApi(['opensandbox.sandbox.update']));
    await screen.findByTestId('renewal-drift');
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Delete' })).toBeEnabled(),
    );
    expect(screen.getByTestId('renew-again')).toBeDisabled();
  });
});

describe('SandboxDetailPage action errors', () => {
  let user: ReturnType<typeof userEvent.setup>;
  beforeEach(() => {
    jest.useFakeTimers({ advanceTimers: true, now: NOW });
    user = userEvent.setup({
      delay: null,
      advanceTimers: jest.advanceTimersByTime,
    });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it("shows the server's 409 message of a pause and its request id (from the body)", async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(makeSandbox());
    api.pauseSandbox.mockRejectedValue(
      await backendError(409, {
        name: 'ConflictError',
        message: 'sandbox is Paused; pause needs Running',
        requestId: 'req-409',
      }),
    );
    await render(api);
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Pause' })).toBeEnabled(),
    );
    await user.click(screen.getByRole('button', { name: 'Pause' }));
    expect(await screen.findByTestId('action-error-message')).toHaveTextContent(
      /^Could not pause the sandbox: sandbox is Paused; pause needs Running \(HTTP 409\)$/,
    );
    expect(screen.getByTestId('request-id-value')).toHaveTextContent(
      /^req-409$/,
    );
    expect(
      screen.getByRole('button', { name: 'Copy request ID' }),
    ).toBeInTheDocument();
  });

  it('says when to retry a 429 resume, with the request id from the X-Request-ID header', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(
      makeSandbox({ status: { state: 'Paused' } }),
    );
    api.resumeSandbox.mockRejectedValue(
      await backendError(
        429,
        {
          name: 'TooManyRequestsError',
          message: 'OpenSandbox is busy (429); try again shortly.',
        },
        { 'Retry-After': '120', 'X-Request-ID': 'req-header-429' },
      ),
    );
    await render(api);
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Resume' })).toBeEnabled(),
    );
    await user.click(screen.getByRole('button', { name: 'Resume' }));
    const alert = await screen.findByTestId('action-error');
    expect(screen.getByTestId('action-error-message')).toHaveTextContent(
      'Could not resume the sandbox: OpenSandbox is busy (429); try again shortly. (HTTP 429)',
    );
    expect(within(alert).getByTestId('retry-after')).toHaveTextContent(
      /^Try again in 2 minutes\.$/,
    );
    expect(within(alert).getByTestId('request-id-value')).toHaveTextContent(
      'req-header-429',
    );
  });

  it('shows the request id of a failed delete and stays on the page', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(makeSandbox());
    api.deleteSandbox.mockRejectedValue(
      await backendError(502, {
        name: 'UpstreamGatewayError',
        message: 'OpenSandbox could not delete the sandbox.',
        requestId: 'req-del',
      }),
    );
    await render(api);
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Delete' })).toBeEnabled(),
    );
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    await user.click(await screen.findByTestId('confirm-delete'));
    expect(await screen.findByTestId('action-error-message')).toHaveTextContent(
      'Could not delete the sandbox: OpenSandbox could not delete the sandbox. (HTTP 502)',
    );
    expect(screen.getByTestId('request-id-value')).toHaveTextContent('req-del');
    expect(screen.queryByText('list page')).not.toBeInTheDocument();
  });
});

describe('renew until helpers', () => {
  it('checks an absolute expiry typed as UTC', () => {
    expect(renewUntilCheck('', '2026-06-15T11:00:00Z', NOW)).toEqual({
      error: 'Enter a date and time (UTC)',
      shortens: false,
    });
    expect(
      renewUntilCheck('2026-06-15T10:40', '2026-06-15T11:00:00Z', NOW),
    ).toEqual({
      error: 'The new expiry must be in the future',
      shortens: false,
    });
    expect(
      renewUntilCheck('2026-06-15T11:00', '2026-06-15T11:00:00Z', NOW),
    ).toEqual({
      error: 'This is the current expiry; pick another time',
      shortens: false,
    });
    expect(
      renewUntilCheck('2026-06-15T10:50', '2026-06-15T11:00:00Z', NOW),
    ).toEqual({
      expiresAt: '2026-06-15T10:50:00.000Z',
      shortens: true,
    });
    expect(
      renewUntilCheck('2026-06-15T11:10:30', '2026-06-15T11:00:00Z', NOW),
    ).toEqual({
      expiresAt: '2026-06-15T11:10:30.000Z',
      shortens: false,
    });
    expect(
      renewUntilCheck('2026-06-15T11:50', '2026-06-15T11:00:00Z', NOW, 3600),
    ).toEqual({
      error:
        'Sandboxes may live at most 60 minutes from now: pick 2026-06-15 11:47:30 UTC or earlier',
      shortens: false,
    });
  });

  it('words the notice after a renewal', () => {
    expect(
      renewedNotice('2026-06-15T11:30:00Z', '2026-06-15T11:30:00.000Z'),
    ).toBe('Expiry moved to 2026-06-15 11:30:00 UTC.');
    expect(
      renewedNotice('2026-06-15T11:31:00Z', '2026-06-15T11:30:00.000Z'),
    ).toBe(
      'Expiry moved to 2026-06-15 11:31:00 UTC. OpenSandbox set this instead of the requested 2026-06-15 11:30:00 UTC.',
    );
  });
});

describe('SandboxDetailPage of a sandbox on a named OpenSandbox server', () => {
  const SERVER = 'eu-west';
  const ON = { server: SERVER };
  let user: ReturnType<typeof userEvent.setup>;
  beforeEach(() => {
    jest.useFakeTimers({ advanceTimers: true, now: NOW });
    user = userEvent.setup({
      delay: null,
      advanceTimers: jest.advanceTimersByTime,
    });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  async function renderAt(
    route: string,
    api: ReturnType<typeof createFakeApi>,
    permission: ReturnType<typeof createPermissionApi> = createPermissionApi(),
  ) {
    return renderInTestApp(
      withFreshPermissionCache(
        <TestApiProvider
          apis={[
            [opensandboxApiRef, api],
            [permissionApiRef, permission.permissionApi],
          ]}
        >
          <Routes>
            <Route path="/opensandbox" element={<div>list page</div>} />
            <Route
              path="/opensandbox/servers/:server/sandboxes/:sandboxId"
              element={<SandboxDetailPage />}
            />
            <Route
              path="/opensandbox/sandboxes/:sandboxId"
              element={<SandboxDetailPage />}
            />
          </Routes>
        </TestApiProvider>,
      ),
      {
        mountedRoutes: { '/opensandbox': rootRouteRef },
        routeEntries: [route],
      },
    );
  }

  it('reads the sandbox from its server and names it <server>/<id> in the permission checks', async () => {
    const api = createFakeApi();
    api.getSettings.mockResolvedValue(
      makeSettings({ servers: ['default', SERVER] }),
    );
    api.getSandbox.mockResolvedValue(makeSandbox({ server: SERVER }));
    const permission = createPermissionApi();
    await renderAt(
      `/opensandbox/servers/${SERVER}/sandboxes/${ID}`,
      api,
      permission,
    );
    expect(await screen.findByTestId('field-state')).toHaveTextContent(
      'Running',
    );
    expect(api.getSandbox).toHaveBeenCalledWith(ID, ON);
    await waitFor(() =>
      expect(screen.getByTestId('field-server')).toHaveTextContent(SERVER),
    );
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Delete' })).toBeEnabled(),
    );
    const asked = permission.handler.mock.calls.map(([r]) => [
      r.permission.name,
      (r as any).resourceRef,
    ]);
    expect(asked).toEqual(
      expect.arrayContaining([
        ['opensandbox.sandbox.update', `${SERVER}/${ID}`],
        ['opensandbox.sandbox.delete', `${SERVER}/${ID}`],
        ['opensandbox.sandbox.endpoint', `${SERVER}/${ID}`],
      ]),
    );
    expect(asked.filter(([, ref]) => ref === ID)).toEqual([]);
    // The history comes from the same server.
    expect(api.listSandboxHistory).toHaveBeenCalledWith(ID, {
      limit: 10,
      server: SERVER,
    });
  });

  it('pauses, renews, edits metadata, gets endpoints and deletes on that server', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(makeSandbox({ server: SERVER }));
    api.renewExpiration.mockResolvedValue({
      expiresAt: '2026-06-15T11:30:00Z',
    });
    api.updateMetadata.mockResolvedValue(makeSandbox({ server: SERVER }));
    api.getEndpoint.mockResolvedValue({ endpoint: 'gw.example.com/x' });
    await renderAt(`/opensandbox/servers/${SERVER}/sandboxes/${ID}`, api);
    await screen.findByTestId('field-state');
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Pause' })).toBeEnabled(),
    );

    await user.click(screen.getByRole('button', { name: 'Pause' }));
    await waitFor(() => expect(api.pauseSandbox).toHaveBeenCalledWith(ID, ON));

    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Renew' })).toBeEnabled(),
    );
    await user.click(screen.getByRole('button', { name: 'Renew' }));
    const minutes = screen.getByLabelText('Extend by (minutes)');
    await user.clear(minutes);
    await user.type(minutes, '30');
    await user.click(screen.getByTestId('renew-confirm'));
    await waitFor(() =>
      expect(api.renewExpiration).toHaveBeenCalledWith(
        ID,
        '2026-06-15T11:30:00.000Z',
        ON,
      ),
    );

    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: 'Edit metadata' }),
      ).toBeEnabled(),
    );
    await user.click(screen.getByRole('button', { name: 'Edit metadata' }));
    fireEvent.change(screen.getByTestId('metadata-edit-input'), {
      target: { value: 'name=demo-api\nproject=payments\nstage=dev' },
    });
    await user.click(
      within(screen.getByRole('dialog')).getByRole('button', { name: 'Save' }),
    );
    await waitFor(() =>
      expect(api.updateMetadata).toHaveBeenCalledWith(ID, { stage: 'dev' }, ON),
    );

    const port = screen.getByLabelText('Port');
    await user.clear(port);
    await user.type(port, '3000');
    await user.click(screen.getByRole('button', { name: 'Get endpoint' }));
    await waitFor(() =>
      expect(api.getEndpoint).toHaveBeenCalledWith(ID, 3000, {
        useServerProxy: false,
        server: SERVER,
      }),
    );

    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Delete' })).toBeEnabled(),
    );
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    await user.click(await screen.findByTestId('confirm-delete'));
    await waitFor(() => expect(api.deleteSandbox).toHaveBeenCalledWith(ID, ON));
    expect(await screen.findByText('list page')).toBeInTheDocument();
    // Every read of the page went to the same server.
    for (const call of api.getSandbox.mock.calls)
      expect(call).toEqual([ID, ON]);
  });

  it('resumes on that server and sends allowShorten together with the server', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValueOnce(
      makeSandbox({ server: SERVER, status: { state: 'Paused' } }),
    );
    api.getSandbox.mockResolvedValue(makeSandbox({ server: SERVER }));
    api.renewExpiration.mockResolvedValue({
      expiresAt: '2026-06-15T10:55:00Z',
    });
    await renderAt(`/opensandbox/servers/${SERVER}/sandboxes/${ID}`, api);
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Resume' })).toBeEnabled(),
    );
    await user.click(screen.getByRole('button', { name: 'Resume' }));
    await waitFor(() => expect(api.resumeSandbox).toHaveBeenCalledWith(ID, ON));

    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Renew' })).toBeEnabled(),
    );
    await user.click(screen.getByRole('button', { name: 'Renew' }));
    await user.click(screen.getByRole('radio', { name: 'Set the new expiry' }));
    fireEvent.change(screen.getByLabelText('New expiry (UTC)'), {
      target: { value: '2026-06-15T10:55' },
    });
    await user.click(
      screen.getByRole('checkbox', { name: 'Shorten the expiration' }),
    );
    await user.click(screen.getByTestId('renew-confirm'));
    await waitFor(() => expect(api.renewExpiration).toHaveBeenCalledTimes(1));
    expect(api.renewExpiration.mock.calls[0]).toEqual([
      ID,
      '2026-06-15T10:55:00.000Z',
      { allowShorten: true, server: SERVER },
    ]);
  });

  it('keeps /opensandbox/sandboxes/:id on the default server (no server in the calls, id as resourceRef), without a Server row for one server', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(makeSandbox({ server: 'default' }));
    const permission = createPermissionApi();
    await renderAt(`/opensandbox/sandboxes/${ID}`, api, permission);
    expect(await screen.findByTestId('field-state')).toHaveTextContent(
      'Running',
    );
    expect(api.getSandbox.mock.calls[0]).toEqual([ID]);
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Pause' })).toBeEnabled(),
    );
    await user.click(screen.getByRole('button', { name: 'Pause' }));
    await waitFor(() => expect(api.pauseSandbox.mock.calls[0]).toEqual([ID]));
    expect(screen.queryByTestId('field-server')).not.toBeInTheDocument();
    const asked = permission.handler.mock.calls
      .map(([r]) => (r as any).resourceRef)
      .filter(Boolean);
    expect(new Set(asked)).toEqual(new Set([ID]));
  });
});
