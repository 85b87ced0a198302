import React from 'react';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router-dom';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { ResponseError } from '@backstage/errors';
import { opensandboxApiRef } from '../api';
import { rootRouteRef } from '../routes';
import { createFakeApi, makeSandbox } from '../testUtils';
import { SandboxDetailPage } from './SandboxDetailPage';
import { computeRenewedExpiry, renewInputError } from './SandboxActions';

const ID = '6f1c2b7e-3a4d-4f0e-9a51-2c8d7e9b1f20';
const NOW = Date.parse('2026-06-15T10:47:30Z');

async function render(api: ReturnType<typeof createFakeApi>) {
  return renderInTestApp(
    <TestApiProvider apis={[[opensandboxApiRef, api]]}>
      <Routes>
        <Route path="/opensandbox" element={<div>list page</div>} />
        <Route path="/opensandbox/:sandboxId" element={<SandboxDetailPage />} />
      </Routes>
    </TestApiProvider>,
    { mountedRoutes: { '/opensandbox': rootRouteRef }, routeEntries: [`/opensandbox/${ID}`] },
  );
}

async function conflict(message: string) {
  return ResponseError.fromResponse(
    new Response(JSON.stringify({ error: { name: 'ConflictError', message }, response: { statusCode: 409 } }), {
      status: 409,
      statusText: 'Conflict',
      headers: { 'Content-Type': 'application/json' },
    }),
  );
}

describe('SandboxDetailPage', () => {
  let user: ReturnType<typeof userEvent.setup>;
  beforeEach(() => {
    jest.useFakeTimers({ advanceTimers: true, now: NOW });
    user = userEvent.setup({ delay: null, advanceTimers: jest.advanceTimersByTime });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('renders the sandbox fields', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(makeSandbox());
    await render(api);
    expect(await screen.findByTestId('field-state')).toHaveTextContent('Running');
    expect(api.getSandbox).toHaveBeenCalledWith(ID);
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('demo-api');
    expect(screen.getByTestId('field-reason')).toHaveTextContent('CONTAINER_RUNNING');
    expect(screen.getByTestId('field-message')).toHaveTextContent('Sandbox container started successfully.');
    expect(screen.getByTestId('field-last-transition')).toHaveTextContent('2026-06-15 10:00:00 UTC');
    expect(screen.getByTestId('field-id')).toHaveTextContent(ID);
    expect(screen.getByTestId('field-image')).toHaveTextContent('python:3.11-slim');
    expect(screen.getByTestId('field-entrypoint')).toHaveTextContent('python -m http.server 8000');
    expect(screen.getByTestId('field-created')).toHaveTextContent('2026-06-15 10:00:00 UTC (47m ago)');
    expect(screen.getByTestId('field-expires')).toHaveTextContent('2026-06-15 11:00:00 UTC (in 12m)');
    expect(screen.getByTestId('field-owner')).toHaveTextContent('user:default/jane.doe');
    expect(screen.getByTestId('field-team')).toHaveTextContent('group:default/team-a');
    const metadata = screen.getByTestId('metadata-table');
    expect(within(metadata).getAllByRole('row').map(r => r.textContent)).toEqual(['namedemo-api', 'projectpayments']);
    expect(screen.getByRole('button', { name: 'Pause' })).toBeEnabled();
    expect(screen.queryByRole('button', { name: 'Resume' })).not.toBeInTheDocument();
  });

  it('hides Renew for manual-cleanup sandboxes and offers Resume when paused', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(makeSandbox({ expiresAt: undefined, status: { state: 'Paused' } }));
    await render(api);
    expect(await screen.findByTestId('field-expires')).toHaveTextContent('Never (manual cleanup)');
    expect(screen.queryByRole('button', { name: 'Renew' })).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Resume' }));
    await waitFor(() => expect(api.resumeSandbox).toHaveBeenCalledWith(ID));
    await waitFor(() => expect(api.getSandbox).toHaveBeenCalledTimes(2));
    expect(api.pauseSandbox).not.toHaveBeenCalled();
  });

  it('pauses and refreshes; shows action errors in an alert', async () => {
    const api = createFakeApi();
    api.getSandbox.mockResolvedValue(makeSandbox());
    api.pauseSandbox.mockRejectedValueOnce(await conflict('sandbox is not running'));
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
    api.renewExpiration.mockResolvedValue({ expiresAt: '2026-06-15T11:30:00Z' });
    await render(api);
    await user.click(await screen.findByRole('button', { name: 'Renew' }));
    const input = screen.getByLabelText('Extend by (minutes)');
    await user.clear(input);
    await user.type(input, '-5');
    expect(screen.getByText(/can only extend/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Renew' })).toBeDisabled();
    await user.clear(input);
    await user.type(input, '30');
    expect(screen.getByText('New expiry: 2026-06-15 11:30:00 UTC')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Renew' }));
    await waitFor(() => expect(api.renewExpiration).toHaveBeenCalledWith(ID, '2026-06-15T11:30:00.000Z'));
    await waitFor(() => expect(api.getSandbox).toHaveBeenCalledTimes(2));
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
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
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
    await user.click(screen.getByRole('checkbox', { name: 'Use server proxy' }));
    await user.click(screen.getByRole('button', { name: 'Get endpoint' }));
    expect(await screen.findByTestId('endpoint-url')).toHaveTextContent('http://gw.example.com/sandboxes/abc/port/3000');
    expect(api.getEndpoint).toHaveBeenCalledWith(ID, 3000, { useServerProxy: true });
    expect(screen.getByRole('table', { name: 'Required headers' })).toHaveTextContent('X-Access-Token');
    expect(screen.getByText('tok-123')).toBeInTheDocument();
  });

  it('shows a 404 as an error panel', async () => {
    const api = createFakeApi();
    api.getSandbox.mockRejectedValue(
      await ResponseError.fromResponse(
        new Response(
          JSON.stringify({ error: { name: 'NotFoundError', message: `Sandbox ${ID} not found` }, response: { statusCode: 404 } }),
          { status: 404, statusText: 'Not Found', headers: { 'Content-Type': 'application/json' } },
        ),
      ),
    );
    await render(api);
    expect((await screen.findAllByText(`Sandbox ${ID} not found`)).length).toBeGreaterThan(0);
  });
});

describe('renew helpers', () => {
  it('extends from the current expiry when it is later than now', () => {
    expect(computeRenewedExpiry('2026-06-15T11:00:00Z', 30, NOW)).toBe('2026-06-15T11:30:00.000Z');
  });
  it('extends from now when the sandbox already expired', () => {
    expect(computeRenewedExpiry('2026-06-15T10:00:00Z', 30, NOW)).toBe('2026-06-15T11:17:30.000Z');
  });
  it('rejects non-positive and fractional input', () => {
    expect(renewInputError('0', '2026-06-15T11:00:00Z', NOW)).toBe(
      'A renewal can only extend the lifetime; enter a positive number of minutes',
    );
    expect(renewInputError('1.5', '2026-06-15T11:00:00Z', NOW)).toBe('Enter a whole number of minutes');
    expect(renewInputError('10', '2026-06-15T11:00:00Z', NOW)).toBeUndefined();
  });
});
