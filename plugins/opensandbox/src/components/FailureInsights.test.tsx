import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { configApiRef } from '@backstage/core-plugin-api';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { opensandboxApiRef } from '../api';
import { rootRouteRef } from '../routes';
import {
  backendError,
  createFakeApi,
  createPermissionApi,
  makeAuditEvent,
  makeSandbox,
  withFreshPermissionCache,
} from '../__testUtils__/testUtils';
import {
  FailureBadge,
  FailureExplanationLink,
  FailurePanel,
} from './FailureInsights';
import { DiagnosticsCard } from './DiagnosticsCard';
import { SandboxDetailPage } from './SandboxDetailPage';
import { AuditEventsTable } from './AuditEventsTable';

jest.setTimeout(20_000);

const ID = 'c2a4e6f8-1b3d-4f5a-8c7e-9d0f1a2b3c4d';
const OOM = makeSandbox({
  id: ID,
  image: { uri: 'ghcr.io/example/batch-job:1.4' },
  status: {
    state: 'Failed',
    reason: 'CONTAINER_EXITED_ERROR',
    message: 'Sandbox container exited with code 137.',
    lastTransitionAt: '2026-06-15T09:31:00Z',
  },
  metadata: { name: 'failed-batch' },
});
const LOGS =
  '2026-06-15T09:30:45.000000000Z loading rows\n2026-06-15T09:30:50.000000000Z Killed\n';

async function renderPlain(node: JSX.Element, api = createFakeApi()) {
  return renderInTestApp(
    <TestApiProvider apis={[[opensandboxApiRef, api]]}>{node}</TestApiProvider>,
  );
}

describe('FailurePanel', () => {
  it('explains a Failed sandbox with the suggested action and what OpenSandbox reported', async () => {
    const onShow = jest.fn();
    await renderPlain(<FailurePanel sandbox={OOM} onShow={onShow} />);
    const panel = screen.getByTestId('failure-panel');
    expect(panel).toHaveAttribute('data-failure-id', 'exit-137');
    expect(screen.getByTestId('failure-title')).toHaveTextContent(
      'The program was killed (exit code 137), most often for using too much memory',
    );
    expect(screen.getByTestId('failure-explanation')).toHaveTextContent(
      "Exit code 137 means the main process was stopped with SIGKILL (128 + 9). Most often the kernel killed it because it used more memory than the sandbox's limit; a forced stop of the container gives the same code.",
    );
    expect(screen.getByTestId('failure-action')).toHaveTextContent(
      'What to do: Create the sandbox again with more memory (for example 1Gi instead of 512Mi) or make the program use less; the logs show what it was doing last.',
    );
    expect(screen.getByTestId('failure-reported')).toHaveTextContent(
      'CONTAINER_EXITED_ERROR: Sandbox container exited with code 137.',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Show logs' }));
    expect(onShow).toHaveBeenCalledWith('logs');
  });

  it('explains a Pending sandbox whose reason is a known failure (image pull)', async () => {
    await renderPlain(
      <FailurePanel
        sandbox={makeSandbox({
          status: {
            state: 'Pending',
            reason: 'ImagePullBackOff',
            message: 'Back-off pulling image',
          },
        })}
      />,
    );
    expect(screen.getByTestId('failure-title')).toHaveTextContent(
      'The image could not be pulled',
    );
    // Without onShow there is no button.
    expect(screen.queryByTestId('failure-show-diagnostics')).toBeNull();
  });

  it('shows nothing for a healthy sandbox', async () => {
    await renderPlain(<FailurePanel sandbox={makeSandbox()} />);
    expect(screen.queryByTestId('failure-panel')).toBeNull();
  });

  it('still flags a Failed sandbox it has no specific explanation for', async () => {
    await renderPlain(
      <FailurePanel
        sandbox={makeSandbox({
          status: {
            state: 'Failed',
            reason: 'FAILED',
            message: 'BatchSandbox failed',
          },
        })}
      />,
    );
    expect(screen.getByTestId('failure-panel')).toHaveAttribute(
      'data-failure-id',
      'failed',
    );
    expect(screen.getByTestId('failure-title')).toHaveTextContent(
      'The sandbox failed',
    );
  });
});

describe('FailureBadge', () => {
  it('shows the one-line explanation on hover, and nothing for a healthy sandbox', async () => {
    await renderPlain(
      <>
        <FailureBadge status={OOM.status} />
        <FailureBadge status={makeSandbox().status} />
      </>,
    );
    const badges = screen.getAllByTestId('failure-badge');
    expect(badges).toHaveLength(1);
    expect(badges[0]).toHaveAccessibleName(
      'The program was killed (exit code 137), most often for using too much memory',
    );
    expect(badges[0]).toHaveTextContent('');
    fireEvent.mouseOver(badges[0]);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'The program was killed (exit code 137), most often for using too much memory',
    );
  });
});

describe('FailureExplanationLink (audit rows)', () => {
  it('opens the explanation of an error code in a dialog', async () => {
    await renderPlain(
      <FailureExplanationLink
        facts={{
          errorCode: 'KUBERNETES::POOL_CAPACITY_EXHAUSTED',
          message: 'pool p1 exhausted',
        }}
      />,
    );
    fireEvent.click(
      screen.getByRole('button', {
        name: 'Why: No pre-started sandbox is free right now',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('heading')).toHaveTextContent(
      'No pre-started sandbox is free right now',
    );
    expect(within(dialog).getByTestId('failure-action')).toHaveTextContent(
      'What to do: Try again in a minute. If it keeps happening, ask the platform team to enlarge the pool.',
    );
    expect(dialog).toHaveTextContent(
      'Error code: KUBERNETES::POOL_CAPACITY_EXHAUSTED',
    );
    fireEvent.click(within(dialog).getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('renders nothing for a code without an explanation', async () => {
    await renderPlain(
      <FailureExplanationLink facts={{ errorCode: 'SOMETHING::NEW' }} />,
    );
    expect(screen.queryByTestId('failure-why')).toBeNull();
  });

  it('links the failed and denied rows of the audit table, not the succeeded ones', async () => {
    const events = {
      items: [
        makeAuditEvent({
          id: '1',
          outcome: 'failed',
          httpStatus: 400,
          errorCode: 'DOCKER::SANDBOX_IMAGE_PULL_FAILED',
          errorMessage: 'Failed to pull image x',
        }),
        makeAuditEvent({
          id: '2',
          outcome: 'denied',
          httpStatus: 403,
          errorCode: 'QuotaExceededError',
          errorMessage: 'team-a has 3 of 3 sandboxes',
        }),
        makeAuditEvent({ id: '3', outcome: 'succeeded' }),
      ],
      loading: false,
      loadMore: jest.fn(),
    } as any;
    await renderPlain(
      <AuditEventsTable
        events={events}
        label="Audit events"
        columns={['outcome', 'error']}
      />,
    );
    const why = screen.getAllByTestId('failure-why');
    expect(why.map(b => b.getAttribute('data-failure-id'))).toEqual([
      'image-pull',
      'team-quota',
    ]);
    // The error cell's text is unchanged (the button has no text).
    expect(screen.getAllByTestId('audit-error-text')[0]).toHaveTextContent(
      'DOCKER::SANDBOX_IMAGE_PULL_FAILED: Failed to pull image x',
    );
    fireEvent.click(why[1]);
    expect(await screen.findByRole('dialog')).toHaveTextContent(
      'The team has reached its sandbox quota',
    );
  });
});

describe('DiagnosticsCard', () => {
  it('shows the logs in a scrollable monospace box, reloads them with the refresh button, and switches tabs', async () => {
    const api = createFakeApi();
    api.getDiagnostics = jest.fn(async (_id: string, kind: any) => ({
      kind,
      available: true,
      text: kind === 'logs' ? LOGS : `${kind} text`,
    }));
    await renderPlain(<DiagnosticsCard api={api} sandboxId={ID} />, api);
    const text = await screen.findByTestId('diagnostics-text');
    expect(text.tagName).toBe('PRE');
    expect(text.textContent).toBe(LOGS);
    expect(api.getDiagnostics).toHaveBeenCalledWith(ID, 'logs');

    fireEvent.click(screen.getByRole('button', { name: 'Reload diagnostics' }));
    await waitFor(() => expect(api.getDiagnostics).toHaveBeenCalledTimes(2));

    fireEvent.click(screen.getByRole('tab', { name: 'Events' }));
    await waitFor(() =>
      expect(screen.getByTestId('diagnostics-text')).toHaveTextContent(
        'events text',
      ),
    );
    expect(api.getDiagnostics).toHaveBeenLastCalledWith(ID, 'events');
  });

  it('calls the sandbox on its server', async () => {
    const api = createFakeApi();
    api.getDiagnostics = jest.fn(async (_id: string, kind: any) => ({
      kind,
      available: true,
      text: 'x',
    }));
    await renderPlain(
      <DiagnosticsCard
        api={api}
        sandboxId={ID}
        server="eu-west"
        kind="inspect"
      />,
      api,
    );
    await screen.findByTestId('diagnostics-text');
    expect(api.getDiagnostics).toHaveBeenCalledWith(ID, 'inspect', {
      server: 'eu-west',
    });
  });

  it('degrades to a clear notice when the OpenSandbox server has no diagnostics', async () => {
    const api = createFakeApi();
    api.getDiagnostics = jest.fn(async (_id: string, kind: any) => ({
      kind,
      available: false,
      text: '',
      reason: 'This OpenSandbox server does not offer logs diagnostics.',
    }));
    await renderPlain(<DiagnosticsCard api={api} sandboxId={ID} />, api);
    expect(
      await screen.findByTestId('diagnostics-unavailable'),
    ).toHaveTextContent('Logs are not available from this OpenSandbox server.');
    expect(screen.queryByTestId('diagnostics-text')).toBeNull();
  });

  it('says so when the console backend has no diagnostics route', async () => {
    const api = createFakeApi();
    await renderPlain(<DiagnosticsCard api={api} sandboxId={ID} />, api);
    expect(screen.getByTestId('diagnostics-unsupported')).toHaveTextContent(
      "Diagnostics are not available: this console's backend does not offer them.",
    );
    expect(
      screen.getByRole('button', { name: 'Reload diagnostics' }),
    ).toBeDisabled();
  });

  it('shows an error with the request id when the call fails', async () => {
    const api = createFakeApi();
    const error = await backendError(502, {
      name: 'UpstreamGatewayError',
      message: 'OpenSandbox could not be reached.',
      requestId: 'req-9',
    });
    api.getDiagnostics = jest.fn().mockRejectedValue(error);
    await renderPlain(<DiagnosticsCard api={api} sandboxId={ID} />, api);
    expect(await screen.findByTestId('diagnostics-error')).toHaveTextContent(
      'Could not load the logs: OpenSandbox could not be reached. (HTTP 502)',
    );
    expect(screen.getByTestId('diagnostics-error')).toHaveTextContent('req-9');
  });
});

describe('SandboxDetailPage failure insights', () => {
  async function renderDetail(api: ReturnType<typeof createFakeApi>) {
    return renderInTestApp(
      withFreshPermissionCache(
        <TestApiProvider
          apis={[
            [opensandboxApiRef, api],
            [permissionApiRef, createPermissionApi().permissionApi],
            [configApiRef, mockApis.config({ data: {} })],
          ]}
        >
          <Routes>
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

  it('explains the failed sandbox and shows its logs', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(OOM);
    api.getDiagnostics = jest.fn(async (_id: string, kind: any) => ({
      kind,
      available: true,
      text: kind === 'logs' ? LOGS : 'Event:      Exited with code 137',
    }));
    await renderDetail(api);
    expect(await screen.findByTestId('failure-panel')).toHaveAttribute(
      'data-failure-id',
      'exit-137',
    );
    expect(await screen.findByTestId('diagnostics-text')).toHaveTextContent(
      'Killed',
    );
    expect(api.getDiagnostics).toHaveBeenCalledWith(ID, 'logs');
    // The page's own Refresh button is still the only one with that name.
    expect(screen.getByRole('button', { name: 'Refresh' })).toBeInTheDocument();
  });

  it('opens on the events when the explanation says to look there, and "Show logs" switches', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(
      makeSandbox({
        id: ID,
        status: {
          state: 'Failed',
          reason: 'POD_PLATFORM_UNSCHEDULABLE',
          message: '0/1 nodes are available',
        },
      }),
    );
    api.getDiagnostics = jest.fn(async (_id: string, kind: any) => ({
      kind,
      available: true,
      text: `${kind} text`,
    }));
    await renderDetail(api);
    expect(await screen.findByTestId('diagnostics-text')).toHaveTextContent(
      'events text',
    );
    expect(screen.getByRole('tab', { name: 'Events' })).toHaveAttribute(
      'aria-selected',
      'true',
    );
    fireEvent.click(screen.getByRole('tab', { name: 'Logs' }));
    await waitFor(() =>
      expect(screen.getByTestId('diagnostics-text')).toHaveTextContent(
        'logs text',
      ),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Show events' }));
    await waitFor(() =>
      expect(screen.getByTestId('diagnostics-text')).toHaveTextContent(
        'events text',
      ),
    );
  });

  it('shows no failure panel for a running sandbox', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(makeSandbox({ id: ID }));
    await renderDetail(api);
    await screen.findByTestId('field-state');
    expect(screen.queryByTestId('failure-panel')).toBeNull();
    expect(screen.getByTestId('diagnostics-card')).toBeInTheDocument();
  });
});

describe('SandboxTable failure badge', () => {
  it('marks the failed row with its one-line explanation, not the running one', async () => {
    const { SandboxTable } = await import('./SandboxTable');
    const items = [
      OOM,
      makeSandbox({ id: 'running-1', metadata: { name: 'demo-api' } }),
    ];
    const page = {
      value: {
        items,
        pagination: {
          page: 1,
          pageSize: 20,
          totalItems: 2,
          totalPages: 1,
          hasNextPage: false,
        },
      },
      loading: false,
      retry: jest.fn(),
      pageSize: 20,
      setPage: jest.fn(),
      setPageSize: jest.fn(),
    };
    await renderInTestApp(
      <TestApiProvider apis={[[opensandboxApiRef, createFakeApi()]]}>
        <SandboxTable page={page} title="Sandboxes" emptyContent="none" />
      </TestApiProvider>,
      { mountedRoutes: { '/opensandbox': rootRouteRef } },
    );
    const rows = screen
      .getAllByRole('row')
      .filter(r => within(r).queryByTestId('sandbox-link'));
    expect(rows).toHaveLength(2);
    expect(within(rows[0]).getByTestId('failure-badge')).toHaveAccessibleName(
      'The program was killed (exit code 137), most often for using too much memory',
    );
    expect(within(rows[0]).getByTestId('sandbox-state')).toHaveTextContent(
      'Failed',
    );
    expect(within(rows[1]).queryByTestId('failure-badge')).toBeNull();
  });
});
