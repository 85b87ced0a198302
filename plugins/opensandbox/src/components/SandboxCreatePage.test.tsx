import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { mockApis, renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { configApiRef, identityApiRef } from '@backstage/core-plugin-api';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import type { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { opensandboxApiRef } from '../api';
import { rootRouteRef } from '../routes';
import { createFakeApi, createPermissionApi, withFreshPermissionCache, makeSandbox } from '../__testUtils__/testUtils';
import {
  SandboxCreatePage,
  applyAnnotationDefaults,
  buildCreateRequest,
  DEFAULT_FORM_VALUES,
  OTHER_TEAM,
  ownGroupRefs,
} from './SandboxCreatePage';
import { splitCommand } from '../lib/parse';

const OWNERSHIP = ['user:default/jane.doe', 'group:default/team-a', 'group:default/team-b'];

async function render(
  api: ReturnType<typeof createFakeApi>,
  options: {
    denied?: string[];
    ownershipEntityRefs?: string[];
    route?: string;
    entities?: Entity[];
    maxTimeoutSeconds?: number;
  } = {},
) {
  const permission = createPermissionApi(options.denied);
  api.listTeams.mockResolvedValue(
    (options.ownershipEntityRefs ?? OWNERSHIP).filter(ref => ref.startsWith('group:')).filter((r, i, all) => all.indexOf(r) === i),
  );
  const identityApi = mockApis.identity({
    userEntityRef: 'user:default/jane.doe',
    ownershipEntityRefs: options.ownershipEntityRefs ?? OWNERSHIP,
  });
  const result = await renderInTestApp(
    withFreshPermissionCache(
      <TestApiProvider
        apis={[
          [opensandboxApiRef, api],
          [permissionApiRef, permission.permissionApi],
          [identityApiRef, identityApi],
          [catalogApiRef, catalogApiMock({ entities: options.entities ?? [] })],
          [
            configApiRef,
            mockApis.config({
              data: options.maxTimeoutSeconds === undefined ? {} : { opensandbox: { maxTimeoutSeconds: options.maxTimeoutSeconds } },
            }),
          ],
        ]}
      >
        <Routes>
          <Route path="/opensandbox/create" element={<SandboxCreatePage />} />
          <Route path="/opensandbox/:sandboxId" element={<div>detail page</div>} />
        </Routes>
      </TestApiProvider>
    ),
    { mountedRoutes: { '/opensandbox': rootRouteRef }, routeEntries: [options.route ?? '/opensandbox/create'] },
  );
  // The form appears once the create permission is known.
  if (!options.denied?.includes('opensandbox.sandbox.create')) await screen.findByLabelText(/Image URI/);
  return { ...result, permission };
}

/** Waits until the team select lists the caller's groups. */
async function teamSelect() {
  const select = screen.getByLabelText('Owning team');
  await waitFor(() => expect(select).toBeEnabled());
  return select as HTMLSelectElement;
}

function type(label: string | RegExp, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

// MUI forms are slow to drive in jsdom; leave room when suites run in parallel on a busy machine.
jest.setTimeout(20_000);

describe('SandboxCreatePage', () => {
  it('shows validation errors next to the fields without calling the API', async () => {
    const api = createFakeApi();
    await render(api);
    type(/Image URI/, '');
    type('Timeout (minutes)', '0.5');
    expect((screen.getByLabelText('No expiration (manual cleanup)') as HTMLInputElement).disabled).toBe(false);
    type('CPU', 'lots');
    type('Environment variables', '1BAD=x\nnoequals');
    type('Metadata', 'opensandbox.io/id=x');
    fireEvent.change(await teamSelect(), { target: { value: OTHER_TEAM } });
    type('Other team', 'user:default/jane');
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));

    expect(await screen.findByText('is required')).toBeInTheDocument(); // image.uri
    expect(screen.getByText('is required with an image')).toBeInTheDocument(); // entrypoint
    expect(screen.getByText('enter a whole number of minutes')).toBeInTheDocument();
    expect(screen.getByText('must be a quantity such as "500m", "1", "512Mi" or "2Gi"')).toBeInTheDocument();
    expect(screen.getByText('line 2: expected KEY=VALUE; 1BAD: name must match [A-Za-z_][A-Za-z0-9_]*')).toBeInTheDocument();
    expect(screen.getByText('opensandbox.io/id: keys with the opensandbox.io/ prefix are reserved')).toBeInTheDocument();
    expect(screen.getByText('must be a group entity ref such as group:default/team-a')).toBeInTheDocument();
    expect(api.createSandbox).not.toHaveBeenCalled();
  });

  it('sends the exact body and navigates to the new sandbox', async () => {
    const api = createFakeApi();
    let resolve: (v: any) => void = () => {};
    api.createSandbox.mockReturnValue(new Promise(r => (resolve = r)));
    await render(api);
    type(/Image URI/, ' python:3.11-slim ');
    type(/Entrypoint/, `python -c 'print("hi there")' --flag`);
    type('CPU', '1');
    type('Memory', '2Gi');
    type('Timeout (minutes)', '90');
    type('Environment variables', 'LOG_LEVEL=info\n\nGREETING=hello world');
    type('Metadata', 'name=demo-api\nproject=payments');
    expect((await teamSelect()).value).toBe('group:default/team-a');
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));

    await waitFor(() => expect(api.createSandbox).toHaveBeenCalledTimes(1));
    expect(api.createSandbox).toHaveBeenCalledWith({
      image: { uri: 'python:3.11-slim' },
      entrypoint: ['python', '-c', 'print("hi there")', '--flag'],
      timeout: 5400,
      resourceLimits: { cpu: '1', memory: '2Gi' },
      env: { LOG_LEVEL: 'info', GREETING: 'hello world' },
      metadata: { name: 'demo-api', project: 'payments' },
      team: 'group:default/team-a',
    });
    expect(screen.getByTestId('create-progress')).toHaveTextContent('Creating the sandbox');
    expect(screen.getByRole('button', { name: 'Create' })).toBeDisabled();
    resolve(makeSandbox({ id: 'new-id' }));
    expect(await screen.findByText('detail page')).toBeInTheDocument();
  });

  it('says "must be at least 1 minute" under the minutes field for a timeout of 0', async () => {
    const api = createFakeApi();
    await render(api);
    type('Timeout (minutes)', '0');
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(await screen.findByText('must be at least 1 minute')).toBeInTheDocument();
    expect(screen.getByLabelText('Timeout (minutes)')).toHaveAttribute('aria-invalid', 'true');
    expect(api.createSandbox).not.toHaveBeenCalled();
  });

  it('applies the lifetime cap: no "No expiration", timeouts at most the cap in minutes', async () => {
    const api = createFakeApi();
    api.createSandbox.mockResolvedValue(makeSandbox({ id: 'new-id' }));
    await render(api, { maxTimeoutSeconds: 3600 });
    await teamSelect();
    const noExpiration = screen.getByLabelText('No expiration (manual cleanup)') as HTMLInputElement;
    expect(noExpiration.disabled).toBe(true);
    expect(noExpiration.checked).toBe(false);
    expect(screen.getByTestId('create-noExpiration-unavailable')).toHaveTextContent(
      'Not available: this console requires every sandbox to expire within 60 minutes (1h).',
    );
    expect(screen.getByText('The sandbox is terminated after this time (1 to 60 minutes); it can be renewed up to 60 minutes ahead')).toBeInTheDocument();
    type(/Image URI/, 'python:3.11-slim');
    type(/Entrypoint/, 'python -V');
    type('Timeout (minutes)', '61');
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(await screen.findByText('must be at most 60 minutes')).toBeInTheDocument();
    expect(api.createSandbox).not.toHaveBeenCalled();

    type('Timeout (minutes)', '60');
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(api.createSandbox).toHaveBeenCalledTimes(1));
    expect(api.createSandbox.mock.calls[0][0].timeout).toBe(3600);
  });

  it('sends timeout null for no expiration and shows server errors in an alert', async () => {
    const api = createFakeApi();
    api.createSandbox.mockRejectedValue(
      await ResponseError.fromResponse(
        new Response(
          JSON.stringify({ error: { name: 'InputError', message: 'timeout must be at most 86400 seconds' }, response: { statusCode: 400 } }),
          { status: 400, statusText: 'Bad Request', headers: { 'Content-Type': 'application/json' } },
        ),
      ),
    );
    await render(api);
    await teamSelect();
    type(/Image URI/, 'ubuntu:24.04');
    type(/Entrypoint/, 'sleep infinity');
    fireEvent.click(screen.getByLabelText('No expiration (manual cleanup)'));
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(await screen.findByTestId('create-server-error')).toHaveTextContent(
      'timeout must be at most 86400 seconds (HTTP 400)',
    );
    expect(api.createSandbox).toHaveBeenCalledWith({
      image: { uri: 'ubuntu:24.04' },
      entrypoint: ['sleep', 'infinity'],
      timeout: null,
      resourceLimits: { cpu: '500m', memory: '512Mi' },
      team: 'group:default/team-a',
    });
    expect(screen.getByRole('button', { name: 'Create' })).toBeEnabled();
  });
});

function component(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments-api', namespace: 'default', annotations },
    spec: { type: 'service', lifecycle: 'production', owner: 'group:default/team-a' },
  };
}

const FROM_TAB = '/opensandbox/create?entityRef=component%3Adefault%2Fpayments-api&team=group%3Adefault%2Fteam-b';

describe('SandboxCreatePage opened from an entity tab', () => {
  it('prefills from the annotations, preselects entity and team, and sends them', async () => {
    const api = createFakeApi();
    api.createSandbox.mockResolvedValue(makeSandbox({ id: 'new-id' }));
    await render(api, {
      route: FROM_TAB,
      entities: [
        component({
          'opensandbox.backstage.io/default-image': 'python:3.12-slim',
          'opensandbox.backstage.io/default-entrypoint': 'python -m http.server 8000',
          'opensandbox.backstage.io/default-cpu': '250m',
          'opensandbox.backstage.io/default-memory': '1Gi',
          'opensandbox.backstage.io/default-timeout': '5400',
        }),
      ],
    });
    const value = (label: string | RegExp) => (screen.getByLabelText(label) as HTMLInputElement).value;
    expect([value(/Image URI/), value(/Entrypoint/), value('CPU'), value('Memory'), value('Timeout (minutes)')]).toEqual([
      'python:3.12-slim',
      'python -m http.server 8000',
      '250m',
      '1Gi',
      '90',
    ]);
    expect(value('Catalog entity')).toBe('component:default/payments-api');
    expect(screen.getByTestId('create-entity-defaults')).toHaveTextContent(
      'Creating a sandbox for component:default/payments-api. Defaults from its annotations: opensandbox.backstage.io/default-image, opensandbox.backstage.io/default-entrypoint, opensandbox.backstage.io/default-cpu, opensandbox.backstage.io/default-memory, opensandbox.backstage.io/default-timeout.',
    );
    expect(screen.queryByTestId('annotation-warnings')).not.toBeInTheDocument();
    await waitFor(() => expect((screen.getByLabelText('Owning team') as HTMLSelectElement).value).toBe('group:default/team-b'));

    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(api.createSandbox).toHaveBeenCalledTimes(1));
    expect(api.createSandbox).toHaveBeenCalledWith({
      image: { uri: 'python:3.12-slim' },
      entrypoint: ['python', '-m', 'http.server', '8000'],
      timeout: 5400,
      resourceLimits: { cpu: '250m', memory: '1Gi' },
      team: 'group:default/team-b',
      entityRef: 'component:default/payments-api',
    });
    expect(await screen.findByText('detail page')).toBeInTheDocument();
  });

  it('warns about a bad annotation and keeps the usual default for it', async () => {
    const api = createFakeApi();
    await render(api, {
      route: FROM_TAB,
      entities: [
        component({
          'opensandbox.backstage.io/default-image': 'python:3.12-slim',
          'opensandbox.backstage.io/default-cpu': 'two cores',
        }),
      ],
    });
    expect(screen.getAllByTestId('annotation-warning').map(w => w.textContent)).toEqual([
      'Annotation opensandbox.backstage.io/default-cpu: must be a quantity such as "500m", "1", "512Mi" or "2Gi"',
    ]);
    expect((screen.getByLabelText('CPU') as HTMLInputElement).value).toBe('500m');
    expect((screen.getByLabelText(/Image URI/) as HTMLInputElement).value).toBe('python:3.12-slim');
    expect(screen.getByTestId('create-entity-defaults')).toHaveTextContent(
      'Defaults from its annotations: opensandbox.backstage.io/default-image.',
    );
  });

  it('picks "Other team…" for a team the caller is not in, and still links an unknown entity', async () => {
    const api = createFakeApi();
    await render(api, {
      route: '/opensandbox/create?entityRef=component%3Adefault%2Fmissing&team=group%3Adefault%2Fplatform',
    });
    expect(screen.getByTestId('create-entity-error')).toHaveTextContent(
      'Could not read the defaults of component:default/missing from the catalog (not found)',
    );
    await waitFor(() => expect((screen.getByLabelText('Owning team') as HTMLSelectElement).value).toBe(OTHER_TEAM));
    expect((screen.getByLabelText('Other team') as HTMLInputElement).value).toBe('group:default/platform');
    expect((screen.getByLabelText('Catalog entity') as HTMLInputElement).value).toBe('component:default/missing');
    expect((screen.getByLabelText(/Image URI/) as HTMLInputElement).value).toBe('');
  });
});

describe('SandboxCreatePage permissions and team choice', () => {
  it('offers the caller\'s groups, defaulting to the first, plus "Other team…"', async () => {
    const api = createFakeApi();
    await render(api, {
      ownershipEntityRefs: ['user:default/jane.doe', 'group:default/team-b', 'group:default/platform', 'group:default/team-b'],
    });
    const select = await teamSelect();
    expect(within(select).getAllByRole('option').map(o => [(o as HTMLOptionElement).value, o.textContent])).toEqual([
      ['group:default/team-b', 'group:default/team-b'],
      ['group:default/platform', 'group:default/platform'],
      [OTHER_TEAM, 'Other team…'],
    ]);
    expect(select.value).toBe('group:default/team-b');
    expect(screen.queryByLabelText('Other team')).not.toBeInTheDocument();
  });

  it('sends the picked group', async () => {
    const api = createFakeApi();
    api.createSandbox.mockResolvedValue(makeSandbox({ id: 'new-id' }));
    await render(api);
    type(/Image URI/, 'python:3.11-slim');
    type(/Entrypoint/, 'python -V');
    fireEvent.change(await teamSelect(), { target: { value: 'group:default/team-b' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(api.createSandbox).toHaveBeenCalledTimes(1));
    expect(api.createSandbox.mock.calls[0][0].team).toBe('group:default/team-b');
  });

  it('sends an "Other team…" ref as typed (the server decides)', async () => {
    const api = createFakeApi();
    api.createSandbox.mockResolvedValue(makeSandbox({ id: 'new-id' }));
    await render(api);
    type(/Image URI/, 'python:3.11-slim');
    type(/Entrypoint/, 'python -V');
    fireEvent.change(await teamSelect(), { target: { value: OTHER_TEAM } });
    type('Other team', ' group:default/security ');
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(api.createSandbox).toHaveBeenCalledTimes(1));
    expect(api.createSandbox.mock.calls[0][0].team).toBe('group:default/security');
  });

  it('omits the team when the caller has no group', async () => {
    const api = createFakeApi();
    api.createSandbox.mockResolvedValue(makeSandbox({ id: 'new-id' }));
    await render(api, { ownershipEntityRefs: ['user:default/jane.doe'] });
    const select = await teamSelect();
    expect(within(select).getAllByRole('option').map(o => o.textContent)).toEqual([
      'No team (you are in no group)',
      'Other team…',
    ]);
    type(/Image URI/, 'python:3.11-slim');
    type(/Entrypoint/, 'python -V');
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(api.createSandbox).toHaveBeenCalledTimes(1));
    expect(api.createSandbox.mock.calls[0][0]).not.toHaveProperty('team');
  });

  it('shows "not allowed" instead of the form without opensandbox.sandbox.create', async () => {
    const api = createFakeApi();
    const { permission } = await render(api, { denied: ['opensandbox.sandbox.create'] });
    expect(await screen.findByTestId('not-allowed')).toHaveTextContent(
      'You are not allowed to create sandboxes',
    );
    expect(screen.getByTestId('not-allowed')).toHaveTextContent(
      'This needs the permission opensandbox.sandbox.create',
    );
    expect(screen.queryByRole('form', { name: 'Create sandbox' })).not.toBeInTheDocument();
    expect(screen.queryByLabelText(/Image URI/)).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Back to sandboxes' })).toHaveAttribute('href', '/opensandbox');
    expect(permission.handler).toHaveBeenCalledWith(
      expect.objectContaining({ permission: expect.objectContaining({ name: 'opensandbox.sandbox.create' }) }),
    );
  });
});

describe('ownGroupRefs', () => {
  it('keeps group refs only, in order, once', () => {
    expect(ownGroupRefs(['user:default/a', 'group:default/x', 'Group:default/Y', 'group:default/x'])).toEqual([
      'group:default/x',
      'Group:default/Y',
    ]);
  });
});

describe('SandboxCreatePage "Other team…" for non-administrators', () => {
  it('offers only the caller\'s teams without opensandbox.audit.read', async () => {
    const api = createFakeApi();
    await render(api, { denied: ['opensandbox.audit.read'] });
    const select = await teamSelect();
    expect(within(select).getAllByRole('option').map(o => (o as HTMLOptionElement).value)).toEqual([
      'group:default/team-a',
      'group:default/team-b',
    ]);
  });

  it('keeps the caller\'s first team, with a note, when ?team= is not one of theirs', async () => {
    const api = createFakeApi();
    api.createSandbox.mockResolvedValue(makeSandbox({ id: 'new-id' }));
    await render(api, { denied: ['opensandbox.audit.read'], route: '/opensandbox/create?team=group%3Adefault%2Fplatform' });
    expect((await teamSelect()).value).toBe('group:default/team-a');
    expect(screen.queryByLabelText('Other team')).not.toBeInTheDocument();
    expect(
      screen.getByText('You are not a member of group:default/platform, so it cannot own your sandbox; pick one of your teams'),
    ).toBeInTheDocument();
    type(/Image URI/, 'python:3.11-slim');
    type(/Entrypoint/, 'python -V');
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(api.createSandbox).toHaveBeenCalledTimes(1));
    expect(api.createSandbox.mock.calls[0][0].team).toBe('group:default/team-a');
  });
});

describe('buildCreateRequest', () => {
  const base = { ...DEFAULT_FORM_VALUES, imageUri: 'python:3.11-slim', entrypoint: 'python -V' };

  it('takes whole minutes only, at least 1', () => {
    expect(buildCreateRequest({ ...base, timeoutMinutes: '1.5' }).errors).toEqual({
      timeoutMinutes: ['enter a whole number of minutes'],
    });
    expect(buildCreateRequest({ ...base, timeoutMinutes: '0' }).errors).toEqual({
      timeoutMinutes: ['must be at least 1 minute'],
    });
    expect(buildCreateRequest({ ...base, timeoutMinutes: '' }).errors).toEqual({
      timeoutMinutes: ['enter a whole number of minutes'],
    });
    const { request, errors } = buildCreateRequest({ ...base, timeoutMinutes: '2' });
    expect(errors).toEqual({});
    expect(request.timeout).toBe(120);
  });

  it('applies maxTimeoutSeconds, in minutes', () => {
    const cap = { maxTimeoutSeconds: 86400 };
    expect(buildCreateRequest({ ...base, timeoutMinutes: '1441' }, cap).errors).toEqual({
      timeoutMinutes: ['must be at most 1440 minutes'],
    });
    expect(buildCreateRequest({ ...base, timeoutMinutes: '1440' }, cap)).toEqual({
      request: {
        image: { uri: 'python:3.11-slim' },
        entrypoint: ['python', '-V'],
        timeout: 86400,
        resourceLimits: { cpu: '500m', memory: '512Mi' },
      },
      errors: {},
    });
    expect(buildCreateRequest({ ...base, noExpiration: true }, cap).errors).toEqual({
      timeoutMinutes: ['is required: sandboxes must expire within 1440 minutes'],
    });
    expect(buildCreateRequest({ ...base, noExpiration: true }).errors).toEqual({});
  });

  it('turns annotation timeouts into whole minutes', () => {
    expect(applyAnnotationDefaults(DEFAULT_FORM_VALUES, { timeoutSeconds: 5400 }).timeoutMinutes).toBe('90');
    expect(applyAnnotationDefaults(DEFAULT_FORM_VALUES, { timeoutSeconds: 90 }).timeoutMinutes).toBe('2');
    expect(applyAnnotationDefaults(DEFAULT_FORM_VALUES, { timeoutSeconds: 60 }).timeoutMinutes).toBe('1');
  });

  it('reports an unterminated quote in the entrypoint', () => {
    const { errors } = buildCreateRequest({ ...DEFAULT_FORM_VALUES, imageUri: 'x', entrypoint: `echo 'oops` });
    expect(errors.entrypoint).toEqual([`has an unterminated ' quote`, 'is required with an image']);
  });
});

describe('splitCommand', () => {
  it('splits like a shell', () => {
    expect(splitCommand(`a "b c" 'd "e"' f\\ g ""`).args).toEqual(['a', 'b c', 'd "e"', 'f g', '']);
  });
});
