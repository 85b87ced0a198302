import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes, useLocation } from 'react-router-dom';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import type { Entity } from '@backstage/catalog-model';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { ResponseError } from '@backstage/errors';
import { AUDIT_ACTIONS, opensandboxApiRef } from '../api';
import { rootRouteRef } from '../routes';
import {
  createFakeApi,
  createPermissionApi,
  makeAuditEvent,
  withFreshPermissionCache,
} from '../__testUtils__/testUtils';
import { AuditLogPage } from './AuditLogPage';
import {
  auditExportFilename,
  auditFilterFromSearch,
  auditSearchProblems,
  formToAuditFilter,
  localInputToUtcIso,
  normalizeActorFilter,
  normalizeTeamFilter,
  utcIsoToLocalInput,
  EMPTY_AUDIT_FILTER_FORM,
} from '../lib/audit';

const NOW = Date.parse('2026-06-15T10:47:30.250Z');

/** Catalog users and groups offered as filter suggestions. */
const CATALOG: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'ada' },
    spec: { profile: { displayName: 'Ada Operator' } },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'bob' },
    spec: { profile: { displayName: 'Bob Operator' } },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'team-a', title: 'Payments' },
    spec: { type: 'team', children: [] },
  },
];

function Location() {
  const location = useLocation();
  return (
    <div data-testid="location">{`${location.pathname}${location.search}`}</div>
  );
}

async function render(
  api: ReturnType<typeof createFakeApi>,
  options: { denied?: string[]; entry?: string } = {},
) {
  const permission = createPermissionApi(options.denied);
  await renderInTestApp(
    withFreshPermissionCache(
      <TestApiProvider
        apis={[
          [opensandboxApiRef, api],
          [permissionApiRef, permission.permissionApi],
          [catalogApiRef, catalogApiMock({ entities: CATALOG })],
        ]}
      >
        <Routes>
          <Route
            path="/opensandbox/audit"
            element={
              <>
                <AuditLogPage />
                <Location />
              </>
            }
          />
        </Routes>
      </TestApiProvider>,
    ),
    {
      mountedRoutes: { '/opensandbox': rootRouteRef },
      routeEntries: [options.entry ?? '/opensandbox/audit'],
    },
  );
  return permission;
}

/** The text input labelled `label` (the open suggestion list carries the same label). */
function input(label: string): HTMLInputElement {
  return screen
    .getAllByLabelText(label)
    .find(e => e.tagName === 'INPUT') as HTMLInputElement;
}

function cells(row: HTMLElement) {
  return Array.from(row.querySelectorAll('td')).map(td => td.textContent);
}

// MUI forms are slow to drive in jsdom; leave room when suites run in parallel on a busy machine.
jest.setTimeout(20_000);

describe('AuditLogPage', () => {
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

  it('shows "not allowed" without opensandbox.audit.read and loads nothing', async () => {
    const api = createFakeApi();
    await render(api, { denied: ['opensandbox.audit.read'] });
    expect(await screen.findByTestId('not-allowed')).toHaveTextContent(
      'You are not allowed to read the audit log',
    );
    expect(screen.getByTestId('not-allowed')).toHaveTextContent(
      'This needs the permission opensandbox.audit.read',
    );
    expect(
      screen.queryByRole('button', { name: 'Export CSV' }),
    ).not.toBeInTheDocument();
    expect(api.listAuditEvents).not.toHaveBeenCalled();
  });

  it('renders the events table with every column', async () => {
    const api = createFakeApi();
    api.listAuditEvents.mockResolvedValue({
      items: [
        makeAuditEvent({
          id: 'e1',
          occurredAt: '2026-06-15T10:30:00.007Z',
          actor: 'user:default/bob',
          action: 'sandbox.delete',
          sandboxId: 'sbx-1234567890',
          team: 'group:default/team-b',
          outcome: 'failed',
          httpStatus: 502,
          errorCode: 'UpstreamError',
          errorMessage: 'upstream unreachable',
          requestId: 'req-9',
        }),
        makeAuditEvent({
          id: 'e2',
          sandboxId: null,
          team: null,
          httpStatus: null,
          outcome: 'initiated',
        }),
      ],
    });
    await render(api);
    await waitFor(() =>
      expect(screen.getAllByTestId('audit-row')).toHaveLength(2),
    );
    expect(api.listAuditEvents).toHaveBeenCalledTimes(1);
    expect(api.listAuditEvents).toHaveBeenCalledWith({}, { limit: 50 });
    const table = screen.getByRole('table', { name: 'Audit events' });
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map(h => h.textContent),
    ).toEqual([
      'Details',
      'Time (UTC)',
      'Actor',
      'Action',
      'Sandbox',
      'Team',
      'Outcome',
      'Error',
    ]);
    const [first, second] = screen.getAllByTestId('audit-row');
    expect(cells(first)).toEqual([
      '',
      '2026-06-15 10:30:00.007',
      'user:default/bob',
      'sandbox.delete',
      'sbx-1234',
      'group:default/team-b',
      'failed',
      'UpstreamError: upstream unreachable',
    ]);
    expect(within(first).getByTestId('audit-sandbox-link')).toHaveAttribute(
      'href',
      '/opensandbox/sbx-1234567890',
    );
    expect(within(first).getByTestId('audit-outcome')).toHaveAttribute(
      'data-outcome',
      'failed',
    );
    expect(cells(second)).toEqual([
      '',
      '2026-06-15 10:00:00.123',
      'user:default/jane.doe',
      'sandbox.create',
      '-',
      '-',
      'initiated',
      '-',
    ]);
    expect(screen.getByTestId('audit-count')).toHaveTextContent(
      '2 events shown',
    );
    expect(
      screen.queryByRole('button', { name: 'Load more' }),
    ).not.toBeInTheDocument();
    expect(screen.getByText(/From and To are read as UTC/)).toBeInTheDocument();
    // Short columns never wrap; the error takes the rest of the width, one truncated line with the
    // full text in a tooltip (it never widens the table).
    for (const column of ['actor', 'sandbox', 'team', 'outcome']) {
      expect(first.querySelector(`td[data-column="${column}"]`)).toHaveStyle({
        whiteSpace: 'nowrap',
      });
    }
    expect(first.querySelector('td[data-column="error"]')).toHaveStyle({
      width: '100%',
      maxWidth: '0',
    });
    const error = within(first).getByTestId('audit-error-text');
    expect(error).toHaveStyle({
      overflow: 'hidden',
      textOverflow: 'ellipsis',
      whiteSpace: 'nowrap',
    });
    await user.hover(error);
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'UpstreamError: upstream unreachable',
    );
  });

  it('expands a row to its secondary fields', async () => {
    const api = createFakeApi();
    api.listAuditEvents.mockResolvedValue({
      items: [
        makeAuditEvent({
          id: 'e1',
          outcome: 'failed',
          httpStatus: 502,
          errorCode: 'UpstreamError',
          errorMessage: 'upstream unreachable',
          requestId: 'req-9',
          batchId: 'batch-1',
          details: { request: { image: { uri: 'alpine:3' } } },
        }),
      ],
    });
    await render(api);
    const toggle = await screen.findByRole('button', {
      name: 'Show details of sandbox.create at 2026-06-15 10:00:00.123',
    });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    expect(screen.queryByTestId('audit-row-details')).not.toBeInTheDocument();
    await user.click(toggle);
    const details = screen.getByTestId('audit-row-details');
    expect(
      screen.getByRole('button', {
        name: 'Hide details of sandbox.create at 2026-06-15 10:00:00.123',
      }),
    ).toHaveAttribute('aria-expanded', 'true');
    const facts = Array.from(details.querySelectorAll('dt')).map(dt => [
      dt.textContent,
      dt.nextElementSibling?.textContent,
    ]);
    expect(facts).toEqual([
      ['Event ID', 'e1'],
      ['Team', 'group:default/team-a'],
      ['HTTP status', '502'],
      ['Request ID', 'req-9'],
      ['Error', 'UpstreamError: upstream unreachable'],
      ['Channel', 'http'],
      ['Batch ID', 'batch-1'],
      ['Client IP', '10.0.0.1'],
      ['User agent', 'jest'],
    ]);
    // No before/after recorded: no diff table; the request details are shown.
    expect(within(details).queryByTestId('audit-diff')).not.toBeInTheDocument();
    expect(
      JSON.parse(
        within(details).getByTestId('audit-details-json').textContent!,
      ),
    ).toEqual({ request: { image: { uri: 'alpine:3' } } });
    await user.click(screen.getByRole('button', { name: /^Hide details/ }));
    expect(screen.queryByTestId('audit-row-details')).not.toBeInTheDocument();
  });

  it("shows an event's before → after diff of the changed fields", async () => {
    const api = createFakeApi();
    api.listAuditEvents.mockResolvedValue({
      items: [
        makeAuditEvent({
          id: 'renew',
          action: 'sandbox.renew',
          details: {
            request: { expiresAt: '2026-06-15T12:00:00.000Z' },
            before: { expiresAt: '2026-06-15T11:00:00.000Z' },
            after: { expiresAt: '2026-06-15T12:00:00.000Z' },
            shortened: false,
          },
        }),
        makeAuditEvent({
          id: 'meta',
          action: 'sandbox.metadata.update',
          details: {
            before: { name: 'a', stage: 'dev', keep: 'x' },
            after: { stage: 'qa', keep: 'x', owner: 'ops' },
          },
        }),
        makeAuditEvent({
          id: 'pause',
          action: 'sandbox.pause',
          details: { before: { state: 'Running' } },
        }),
      ],
    });
    await render(api);
    await waitFor(() =>
      expect(screen.getAllByTestId('audit-row')).toHaveLength(3),
    );
    const diffOf = async (index: number) => {
      await user.click(screen.getAllByTestId('audit-row-toggle')[index]);
      const details = screen.getAllByTestId('audit-row-details').at(-1)!;
      return within(details)
        .getAllByTestId('audit-diff-row')
        .map(row => cells(row));
    };
    expect(await diffOf(0)).toEqual([
      ['expiresAt', '2026-06-15T11:00:00.000Z', '2026-06-15T12:00:00.000Z'],
    ]);
    expect(
      screen.getByRole('table', { name: 'Changed fields' }),
    ).toBeInTheDocument();
    expect(await diffOf(1)).toEqual([
      ['name', 'a', 'not recorded'],
      ['owner', 'not recorded', 'ops'],
      ['stage', 'dev', 'qa'],
    ]);
    expect(await diffOf(2)).toEqual([['state', 'Running', 'not recorded']]);
  });

  it('shows the exact forms the filters match', async () => {
    const api = createFakeApi();
    await render(api);
    await waitFor(() => expect(api.listAuditEvents).toHaveBeenCalledTimes(1));
    expect(input('Actor')).toHaveAttribute('placeholder', 'ada');
    expect(
      screen.getByText('A user name, display name or ref, or a service name'),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Sandbox ID')).toHaveAttribute(
      'placeholder',
      '6f1c2b7e-3a4d-4f0e-9a51-2c8d7e9b1f20',
    );
    expect(
      screen.getByText('The full sandbox UUID, not the 8-character short form'),
    ).toBeInTheDocument();
    expect(input('Team')).toHaveAttribute('placeholder', 'team-a');
    expect(screen.getByText('A group name, title or ref')).toBeInTheDocument();
  });

  it('filters by an actor, sandbox or team clicked in the table', async () => {
    const api = createFakeApi();
    api.listAuditEvents.mockResolvedValue({
      items: [
        makeAuditEvent({
          actor: 'user:default/bob',
          sandboxId: 'sbx-1234567890',
          team: 'group:default/team-b',
        }),
      ],
    });
    await render(api, { entry: '/opensandbox/audit?outcome=succeeded' });
    await waitFor(() =>
      expect(screen.getAllByTestId('audit-row')).toHaveLength(1),
    );
    await user.click(
      screen.getByRole('button', {
        name: 'Filter by team group:default/team-b',
      }),
    );
    await waitFor(() => expect(api.listAuditEvents).toHaveBeenCalledTimes(2));
    expect(api.listAuditEvents).toHaveBeenLastCalledWith(
      { team: 'group:default/team-b', outcome: 'succeeded' },
      { limit: 50 },
    );
    expect(input('Team')).toHaveValue('group:default/team-b');
    expect(screen.getByTestId('location')).toHaveTextContent(
      '/opensandbox/audit?team=group%3Adefault%2Fteam-b&outcome=succeeded',
    );
    await waitFor(() =>
      expect(screen.getAllByTestId('audit-row')).toHaveLength(1),
    );
    await user.click(
      screen.getByRole('button', { name: 'Filter by sandbox sbx-1234567890' }),
    );
    await waitFor(() => expect(api.listAuditEvents).toHaveBeenCalledTimes(3));
    expect(api.listAuditEvents).toHaveBeenLastCalledWith(
      {
        sandboxId: 'sbx-1234567890',
        team: 'group:default/team-b',
        outcome: 'succeeded',
      },
      { limit: 50 },
    );
    await waitFor(() =>
      expect(screen.getAllByTestId('audit-row')).toHaveLength(1),
    );
    await user.click(
      screen.getByRole('button', { name: 'Filter by actor user:default/bob' }),
    );
    await waitFor(() => expect(api.listAuditEvents).toHaveBeenCalledTimes(4));
    expect(input('Actor')).toHaveValue('user:default/bob');
  });

  it('says which values of a link it ignored', async () => {
    const api = createFakeApi();
    await render(api, {
      entry: '/opensandbox/audit?outcome=bogus&team=group%3Adefault%2Fteam-a',
    });
    expect(await screen.findByTestId('audit-link-problems')).toHaveTextContent(
      'This link has filter values the audit log does not understand, so they were ignored: outcome "bogus" is not one of initiated, succeeded, failed, denied, unknown.',
    );
    await waitFor(() => expect(api.listAuditEvents).toHaveBeenCalledTimes(1));
    expect(api.listAuditEvents).toHaveBeenCalledWith(
      { team: 'group:default/team-a' },
      { limit: 50 },
    );
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));
    await waitFor(() =>
      expect(
        screen.queryByTestId('audit-link-problems'),
      ).not.toBeInTheDocument(),
    );
    expect(screen.getByTestId('location')).toHaveTextContent(
      /^\/opensandbox\/audit\?team=group%3Adefault%2Fteam-a$/,
    );
  });

  it('passes the filters exactly and keeps them in the URL', async () => {
    const api = createFakeApi();
    await render(api);
    await waitFor(() => expect(api.listAuditEvents).toHaveBeenCalledTimes(1));
    fireEvent.change(input('Actor'), {
      target: { value: ' user:default/alice ' },
    });
    fireEvent.change(screen.getByLabelText('Action'), {
      target: { value: 'sandbox.delete' },
    });
    fireEvent.change(screen.getByLabelText('Sandbox ID'), {
      target: { value: 'sbx-1' },
    });
    fireEvent.change(input('Team'), {
      target: { value: 'group:default/team-a' },
    });
    fireEvent.change(screen.getByLabelText('Outcome'), {
      target: { value: 'denied' },
    });
    fireEvent.change(screen.getByLabelText('From (UTC)'), {
      target: { value: '2026-06-01T00:00' },
    });
    fireEvent.change(screen.getByLabelText('To (UTC)'), {
      target: { value: '2026-06-15T12:30:15' },
    });
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));

    await waitFor(() => expect(api.listAuditEvents).toHaveBeenCalledTimes(2));
    expect(api.listAuditEvents).toHaveBeenLastCalledWith(
      {
        actor: 'user:default/alice',
        action: 'sandbox.delete',
        sandboxId: 'sbx-1',
        team: 'group:default/team-a',
        outcome: 'denied',
        from: '2026-06-01T00:00:00.000Z',
        to: '2026-06-15T12:30:15.000Z',
      },
      { limit: 50 },
    );
    expect(screen.getByTestId('location')).toHaveTextContent(
      '/opensandbox/audit?actor=user%3Adefault%2Falice&action=sandbox.delete&sandboxId=sbx-1&team=group%3Adefault%2Fteam-a&outcome=denied&from=2026-06-01T00%3A00%3A00.000Z&to=2026-06-15T12%3A30%3A15.000Z',
    );

    await user.click(screen.getByRole('button', { name: 'Clear' }));
    await waitFor(() => expect(api.listAuditEvents).toHaveBeenCalledTimes(3));
    expect(api.listAuditEvents).toHaveBeenLastCalledWith({}, { limit: 50 });
    expect(input('Actor')).toHaveValue('');
    expect(screen.getByTestId('location')).toHaveTextContent(
      /^\/opensandbox\/audit$/,
    );
  });

  it('accepts actor and team refs in any case and sends them as the server stores them', async () => {
    const api = createFakeApi();
    await render(api);
    await waitFor(() => expect(api.listAuditEvents).toHaveBeenCalledTimes(1));
    fireEvent.change(input('Actor'), {
      target: { value: ' User:Default/Bob ' },
    });
    fireEvent.change(input('Team'), {
      target: { value: 'Group:Default/Team-A' },
    });
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));
    await waitFor(() => expect(api.listAuditEvents).toHaveBeenCalledTimes(2));
    expect(api.listAuditEvents).toHaveBeenLastCalledWith(
      { actor: 'user:default/bob', team: 'group:default/team-a' },
      { limit: 50 },
    );
    expect(screen.getByTestId('location')).toHaveTextContent(
      /^\/opensandbox\/audit\?actor=user%3Adefault%2Fbob&team=group%3Adefault%2Fteam-a$/,
    );
  });

  it('accepts a short name typed in Actor and Team', async () => {
    const api = createFakeApi();
    await render(api);
    await waitFor(() => expect(api.listAuditEvents).toHaveBeenCalledTimes(1));
    fireEvent.change(input('Actor'), { target: { value: 'ada' } });
    fireEvent.change(input('Team'), { target: { value: 'team-a' } });
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));
    await waitFor(() => expect(api.listAuditEvents).toHaveBeenCalledTimes(2));
    expect(api.listAuditEvents).toHaveBeenLastCalledWith(
      { actor: 'user:default/ada', team: 'group:default/team-a' },
      { limit: 50 },
    );
    // A service subject stays as typed.
    fireEvent.change(input('Actor'), { target: { value: 'external:ci-bot' } });
    fireEvent.change(input('Team'), { target: { value: '' } });
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));
    await waitFor(() =>
      expect(api.listAuditEvents).toHaveBeenLastCalledWith(
        { actor: 'external:ci-bot' },
        { limit: 50 },
      ),
    );
  });

  it('suggests catalog users and groups, and resolves a typed display name', async () => {
    const api = createFakeApi();
    await render(api);
    await waitFor(() => expect(api.listAuditEvents).toHaveBeenCalledTimes(1));
    const actor = input('Actor');
    await user.click(actor);
    await user.type(actor, 'Operator');
    const options = await screen.findAllByTestId('entity-ref-suggestion');
    expect(options.map(o => o.textContent)).toEqual([
      'Ada Operator (user:default/ada)',
      'Bob Operator (user:default/bob)',
    ]);
    await user.click(options[1]);
    expect(actor).toHaveValue('user:default/bob');
    // A display name typed in full (any case) becomes the ref: `payments` is team-a's title.
    fireEvent.change(input('Team'), { target: { value: 'payments' } });
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));
    await waitFor(() => expect(api.listAuditEvents).toHaveBeenCalledTimes(2));
    expect(api.listAuditEvents).toHaveBeenLastCalledWith(
      { actor: 'user:default/bob', team: 'group:default/team-a' },
      { limit: 50 },
    );
  });

  it('normalises actor and team refs of a shared link', async () => {
    const api = createFakeApi();
    await render(api, {
      entry: '/opensandbox/audit?actor=USER%3Ajane.doe&team=Group%3ATeam-B',
    });
    await waitFor(() => expect(api.listAuditEvents).toHaveBeenCalledTimes(1));
    expect(api.listAuditEvents).toHaveBeenCalledWith(
      { actor: 'user:default/jane.doe', team: 'group:default/team-b' },
      { limit: 50 },
    );
    expect(input('Team')).toHaveValue('group:default/team-b');
  });

  it('refuses From not earlier than To without calling the API', async () => {
    const api = createFakeApi();
    await render(api);
    await waitFor(() => expect(api.listAuditEvents).toHaveBeenCalledTimes(1));
    fireEvent.change(screen.getByLabelText('From (UTC)'), {
      target: { value: '2026-06-15T10:00' },
    });
    fireEvent.change(screen.getByLabelText('To (UTC)'), {
      target: { value: '2026-06-15T10:00' },
    });
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(
      await screen.findByText('Must be later than From'),
    ).toBeInTheDocument();
    expect(api.listAuditEvents).toHaveBeenCalledTimes(1);
  });

  it('starts from the filter in the URL', async () => {
    const api = createFakeApi();
    await render(api, {
      entry:
        '/opensandbox/audit?sandboxId=sbx-9&outcome=denied&from=2026-06-01T00%3A00%3A00.000Z',
    });
    await waitFor(() => expect(api.listAuditEvents).toHaveBeenCalledTimes(1));
    expect(api.listAuditEvents).toHaveBeenCalledWith(
      {
        sandboxId: 'sbx-9',
        outcome: 'denied',
        from: '2026-06-01T00:00:00.000Z',
      },
      { limit: 50 },
    );
    expect(screen.getByLabelText('Sandbox ID')).toHaveValue('sbx-9');
    expect(screen.getByLabelText('Outcome')).toHaveValue('denied');
    expect(screen.getByLabelText('From (UTC)')).toHaveValue('2026-06-01T00:00');
  });

  it('filters by the batch of a bulk action from the link of its result, and by a typed batch id', async () => {
    const api = createFakeApi();
    await render(api, { entry: '/opensandbox/audit?batchId=0b7c1c1e-5555' });
    await waitFor(() => expect(api.listAuditEvents).toHaveBeenCalledTimes(1));
    expect(api.listAuditEvents).toHaveBeenCalledWith(
      { batchId: '0b7c1c1e-5555' },
      { limit: 50 },
    );
    expect(screen.getByLabelText('Batch ID')).toHaveValue('0b7c1c1e-5555');
    await user.clear(screen.getByLabelText('Batch ID'));
    await user.type(screen.getByLabelText('Batch ID'), ' other-batch ');
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));
    await waitFor(() =>
      expect(api.listAuditEvents).toHaveBeenLastCalledWith(
        { batchId: 'other-batch' },
        { limit: 50 },
      ),
    );
    expect(screen.getByTestId('location')).toHaveTextContent(
      '/opensandbox/audit?batchId=other-batch',
    );
  });

  it('appends the next page with the cursor on "Load more"', async () => {
    const api = createFakeApi();
    api.listAuditEvents
      .mockResolvedValueOnce({
        items: [
          makeAuditEvent({ id: 'e3', requestId: 'req-3' }),
          makeAuditEvent({ id: 'e2', requestId: 'req-2' }),
        ],
        nextCursor: 'cur-A',
      })
      .mockResolvedValueOnce({
        items: [makeAuditEvent({ id: 'e1', requestId: 'req-1' })],
        nextCursor: 'cur-B',
      })
      .mockResolvedValueOnce({
        items: [makeAuditEvent({ id: 'e0', requestId: 'req-0' })],
      });
    await render(api, {
      entry: '/opensandbox/audit?actor=user%3Adefault%2Fjane.doe',
    });
    await waitFor(() =>
      expect(screen.getAllByTestId('audit-row')).toHaveLength(2),
    );
    expect(screen.getByTestId('audit-count')).toHaveTextContent(
      '2 events shown; more available',
    );

    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() =>
      expect(screen.getAllByTestId('audit-row')).toHaveLength(3),
    );
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() =>
      expect(screen.getAllByTestId('audit-row')).toHaveLength(4),
    );

    expect(api.listAuditEvents.mock.calls).toEqual([
      [{ actor: 'user:default/jane.doe' }, { limit: 50 }],
      [{ actor: 'user:default/jane.doe' }, { limit: 50, cursor: 'cur-A' }],
      [{ actor: 'user:default/jane.doe' }, { limit: 50, cursor: 'cur-B' }],
    ]);
    expect(
      screen
        .getAllByTestId('audit-row')
        .map(r => r.getAttribute('data-event-id')),
    ).toEqual(['e3', 'e2', 'e1', 'e0']);
    expect(
      screen.queryByRole('button', { name: 'Load more' }),
    ).not.toBeInTheDocument();
    expect(screen.getByTestId('audit-count')).toHaveTextContent(
      '4 events shown',
    );
  });

  it('exports the applied filter as CSV and NDJSON and saves the Blob', async () => {
    const api = createFakeApi();
    const csv = new Blob(['id,occurredAt\r\n'], { type: 'text/csv' });
    const ndjson = new Blob(['{}\n'], { type: 'application/x-ndjson' });
    api.exportAuditEvents
      .mockResolvedValueOnce(csv)
      .mockResolvedValueOnce(ndjson);
    const createObjectURL = jest.fn((_blob: Blob) => 'blob:audit-1');
    const revokeObjectURL = jest.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const saved: Array<{ href: string; download: string }> = [];
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function record(this: HTMLAnchorElement) {
        saved.push({ href: this.href, download: this.download });
      });
    try {
      await render(api, {
        entry:
          '/opensandbox/audit?team=group%3Adefault%2Fteam-a&outcome=failed',
      });
      await waitFor(() => expect(api.listAuditEvents).toHaveBeenCalledTimes(1));
      // Typed but not applied: the export uses the applied filter, like the table.
      fireEvent.change(input('Actor'), {
        target: { value: 'user:default/not-applied' },
      });

      await user.click(screen.getByRole('button', { name: 'Export CSV' }));
      await waitFor(() => expect(saved).toHaveLength(1));
      await waitFor(() =>
        expect(
          screen.getByRole('button', { name: 'Export NDJSON' }),
        ).toBeEnabled(),
      );
      await user.click(screen.getByRole('button', { name: 'Export NDJSON' }));
      await waitFor(() => expect(saved).toHaveLength(2));

      expect(api.exportAuditEvents.mock.calls).toEqual([
        [{ team: 'group:default/team-a', outcome: 'failed' }, 'csv'],
        [{ team: 'group:default/team-a', outcome: 'failed' }, 'ndjson'],
      ]);
      expect(createObjectURL.mock.calls.map(c => c[0])).toEqual([csv, ndjson]);
      expect(saved).toEqual([
        {
          href: 'blob:audit-1',
          download: 'opensandbox-audit-20260615T104730Z.csv',
        },
        {
          href: 'blob:audit-1',
          download: 'opensandbox-audit-20260615T104730Z.ndjson',
        },
      ]);
    } finally {
      click.mockRestore();
    }
  });

  it('shows export errors', async () => {
    const api = createFakeApi();
    api.exportAuditEvents.mockRejectedValue(
      await ResponseError.fromResponse(
        new Response(
          JSON.stringify({
            error: { name: 'NotAllowedError', message: 'not allowed' },
            response: { statusCode: 403 },
          }),
          {
            status: 403,
            statusText: 'Forbidden',
            headers: { 'Content-Type': 'application/json' },
          },
        ),
      ),
    );
    await render(api);
    await waitFor(() => expect(api.listAuditEvents).toHaveBeenCalledTimes(1));
    await user.click(screen.getByRole('button', { name: 'Export CSV' }));
    expect(await screen.findByTestId('export-error')).toHaveTextContent(
      'Could not export the audit log: not allowed (HTTP 403)',
    );
  });

  it('shows list errors', async () => {
    const api = createFakeApi();
    api.listAuditEvents.mockRejectedValue(
      await ResponseError.fromResponse(
        new Response(
          JSON.stringify({
            error: {
              name: 'InputError',
              message: 'from must be earlier than to',
            },
            response: { statusCode: 400 },
          }),
          {
            status: 400,
            statusText: 'Bad Request',
            headers: { 'Content-Type': 'application/json' },
          },
        ),
      ),
    );
    await render(api);
    expect(await screen.findByTestId('audit-error')).toHaveTextContent(
      'Could not load audit events: from must be earlier than to (HTTP 400)',
    );
  });
});

describe('audit helpers', () => {
  it('lists what a link had that the filter ignores', () => {
    const params = new URLSearchParams(
      'action=sandbox.nuke&outcome=bogus&from=yesterday&to=2026-06-15T10%3A00%3A00Z&actor=x',
    );
    expect(auditSearchProblems(params)).toEqual([
      `action "sandbox.nuke" is not one of ${AUDIT_ACTIONS.join(', ')}`,
      'outcome "bogus" is not one of initiated, succeeded, failed, denied, unknown',
      'from "yesterday" is not a date-time such as 2026-06-15T10:00:00Z',
    ]);
    expect(auditFilterFromSearch(params)).toEqual({
      actor: 'user:default/x',
      to: '2026-06-15T10:00:00Z',
    });
    expect(
      auditSearchProblems(
        new URLSearchParams('outcome=denied&from=1718445600000'),
      ),
    ).toEqual([]);
  });

  it('reads datetime-local values as UTC', () => {
    expect(localInputToUtcIso('2026-06-15T10:00')).toBe(
      '2026-06-15T10:00:00.000Z',
    );
    expect(localInputToUtcIso('2026-06-15T10:00:05')).toBe(
      '2026-06-15T10:00:05.000Z',
    );
    expect(localInputToUtcIso('15/06/2026')).toBeUndefined();
    expect(utcIsoToLocalInput('2026-06-15T10:00:00.000Z')).toBe(
      '2026-06-15T10:00',
    );
    expect(utcIsoToLocalInput('2026-06-15T10:00:05Z')).toBe(
      '2026-06-15T10:00:05',
    );
    expect(utcIsoToLocalInput('1781517600000')).toBe('2026-06-15T10:00');
  });

  it('builds the filter without empty fields', () => {
    expect(
      formToAuditFilter({
        ...EMPTY_AUDIT_FILTER_FORM,
        actor: '  ',
        team: ' group:default/x ',
      }),
    ).toEqual({
      filter: { team: 'group:default/x' },
      errors: {},
    });
    expect(
      formToAuditFilter({ ...EMPTY_AUDIT_FILTER_FORM, from: 'nope' }).errors,
    ).toEqual({
      from: 'Enter a date and time',
    });
  });

  it('normalises user and group refs but keeps service subjects as typed', () => {
    expect(normalizeActorFilter('User:Default/Bob')).toBe('user:default/bob');
    expect(normalizeActorFilter('user:bob')).toBe('user:default/bob');
    expect(normalizeActorFilter(' external:CI-Bot ')).toBe('external:CI-Bot');
    expect(normalizeActorFilter('plugin:catalog')).toBe('plugin:catalog');
    expect(normalizeTeamFilter('Group:Default/Team-A')).toBe(
      'group:default/team-a',
    );
    expect(normalizeTeamFilter('team-a')).toBe('group:default/team-a');
    expect(normalizeTeamFilter('Prod/Team-A')).toBe('group:prod/team-a');
    expect(normalizeTeamFilter('user:default/x')).toBe('user:default/x');
    expect(normalizeTeamFilter('a:b:c')).toBe('a:b:c');
  });

  it('names exports with the UTC time', () => {
    expect(
      auditExportFilename('csv', Date.parse('2026-01-02T03:04:05.678Z')),
    ).toBe('opensandbox-audit-20260102T030405Z.csv');
  });
});
