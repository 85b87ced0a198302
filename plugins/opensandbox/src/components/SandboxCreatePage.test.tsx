import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Route, Routes, useLocation, useParams } from 'react-router-dom';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { identityApiRef } from '@backstage/core-plugin-api';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import type { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { opensandboxApiRef } from '../api';
import { rootRouteRef } from '../routes';
import {
  backendError,
  createFakeApi,
  createPermissionApi,
  withFreshPermissionCache,
  makeSandbox,
  makeSettings,
} from '../__testUtils__/testUtils';
import {
  SandboxCreatePage,
  applyAnnotationDefaults,
  buildCreateRequest,
  DEFAULT_FORM_VALUES,
  formFieldOf,
  OTHER_TEAM,
  ownGroupRefs,
  serverFieldErrors,
} from './SandboxCreatePage';
import { splitCommand } from '../lib/parse';

function ServerDetailStub() {
  const { server, sandboxId } = useParams();
  return <div>{`detail page of ${sandboxId} on ${server}`}</div>;
}

/** The detail route: says so, with the notice the create page sent along. */
function DetailStub() {
  const notice = (useLocation().state as { notice?: string } | null)?.notice;
  return (
    <>
      <div>detail page</div>
      <div data-testid="carried-notice">{notice}</div>
    </>
  );
}

const OWNERSHIP = [
  'user:default/jane.doe',
  'group:default/team-a',
  'group:default/team-b',
];

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
  // The lifetime cap comes from the backend's GET /settings, never from the frontend config.
  if (options.maxTimeoutSeconds !== undefined) {
    api.getSettings.mockResolvedValue(
      makeSettings({ maxTimeoutSeconds: options.maxTimeoutSeconds }),
    );
  }
  api.listTeams.mockResolvedValue(
    (options.ownershipEntityRefs ?? OWNERSHIP)
      .filter(ref => ref.startsWith('group:'))
      .filter((r, i, all) => all.indexOf(r) === i),
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
        ]}
      >
        <Routes>
          <Route path="/opensandbox/create" element={<SandboxCreatePage />} />
          <Route path="/opensandbox/:sandboxId" element={<DetailStub />} />
          <Route
            path="/opensandbox/servers/:server/sandboxes/:sandboxId"
            element={<ServerDetailStub />}
          />
        </Routes>
      </TestApiProvider>,
    ),
    {
      mountedRoutes: { '/opensandbox': rootRouteRef },
      routeEntries: [options.route ?? '/opensandbox/create'],
    },
  );
  // The form appears once the create permission is known.
  if (!options.denied?.includes('opensandbox.sandbox.create'))
    await screen.findByLabelText(/Image URI/);
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

// Idempotency keys are random UUIDs; make them predictable: key-1, key-2, ...
let keys = 0;
beforeEach(() => {
  keys = 0;
  jest
    .spyOn(globalThis.crypto, 'randomUUID')
    .mockImplementation(() => `key-${++keys}` as any);
});
afterEach(() => {
  jest.restoreAllMocks();
});

/** Waits until `GET /settings` answered and the "No expiration" option shows (no lifetime cap). */
async function noExpirationOption() {
  return (await screen.findByLabelText(
    'No expiration (manual cleanup)',
  )) as HTMLInputElement;
}

describe('SandboxCreatePage', () => {
  it('shows validation errors next to the fields without calling the API', async () => {
    const api = createFakeApi();
    await render(api);
    type(/Image URI/, '');
    type('Timeout (minutes)', '0.5');
    expect((await noExpirationOption()).disabled).toBe(false);
    type('CPU', 'lots');
    type('Environment variables', '1BAD=x\nnoequals');
    type('Metadata', 'opensandbox.io/id=x');
    fireEvent.change(await teamSelect(), { target: { value: OTHER_TEAM } });
    type('Other team', 'user:default/jane');
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));

    expect(await screen.findByText('is required')).toBeInTheDocument(); // image.uri
    expect(screen.getByText('is required with an image')).toBeInTheDocument(); // entrypoint
    expect(
      screen.getByText('enter a whole number of minutes'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'must be a quantity such as "500m", "1", "512Mi" or "2Gi"',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'line 2: expected KEY=VALUE; 1BAD: name must match [A-Za-z_][A-Za-z0-9_]*',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'opensandbox.io/id: keys with the opensandbox.io/ prefix are reserved',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'must be a group entity ref such as group:default/team-a',
      ),
    ).toBeInTheDocument();
    expect(api.createSandbox).not.toHaveBeenCalled();
    // The focus is on the first field in error, so the keyboard starts where the problems start.
    await waitFor(() =>
      expect(document.activeElement).toBe(screen.getByLabelText(/Image URI/)),
    );
  });

  it('moves the focus to the first field in error when only a later field is wrong', async () => {
    const api = createFakeApi();
    await render(api);
    await fillValidForm();
    type('Memory', 'plenty');
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() =>
      expect(document.activeElement).toBe(screen.getByLabelText('Memory')),
    );
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
    expect(api.createSandbox).toHaveBeenCalledWith(
      {
        image: { uri: 'python:3.11-slim' },
        entrypoint: ['python', '-c', 'print("hi there")', '--flag'],
        timeout: 5400,
        resourceLimits: { cpu: '1', memory: '2Gi' },
        env: { LOG_LEVEL: 'info', GREETING: 'hello world' },
        metadata: { name: 'demo-api', project: 'payments' },
        team: 'group:default/team-a',
      },
      { idempotencyKey: 'key-1' },
    );
    expect(screen.getByTestId('create-progress')).toHaveTextContent(
      'Creating the sandbox',
    );
    expect(screen.getByRole('button', { name: 'Create' })).toBeDisabled();
    resolve(makeSandbox({ id: 'new-id' }));
    expect(await screen.findByText('detail page')).toBeInTheDocument();
    // The detail page shows it as its "created" message.
    expect(screen.getByTestId('carried-notice')).toHaveTextContent(
      /^Sandbox "demo-api" created\.$/,
    );
  });

  it('says "must be at least 1 minute" under the minutes field for a timeout of 0', async () => {
    const api = createFakeApi();
    await render(api);
    type('Timeout (minutes)', '0');
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(
      await screen.findByText('must be at least 1 minute'),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Timeout (minutes)')).toHaveAttribute(
      'aria-invalid',
      'true',
    );
    expect(api.createSandbox).not.toHaveBeenCalled();
  });

  it('applies the lifetime cap of GET /settings: no "No expiration", timeouts at most the cap in minutes', async () => {
    const api = createFakeApi();
    api.createSandbox.mockResolvedValue(makeSandbox({ id: 'new-id' }));
    await render(api, { maxTimeoutSeconds: 3600 });
    await teamSelect();
    expect(
      await screen.findByTestId('create-noExpiration-unavailable'),
    ).toHaveTextContent(
      'This console requires every sandbox to expire within 60 minutes (1h); sandboxes without expiration are not available.',
    );
    expect(
      screen.queryByLabelText('No expiration (manual cleanup)'),
    ).not.toBeInTheDocument();
    expect(screen.queryByText(/No expiration/)).not.toBeInTheDocument();
    expect(api.getSettings).toHaveBeenCalled();
    expect(
      screen.getByText(
        'The sandbox is terminated after this time (1 to 60 minutes); it can be renewed up to 60 minutes ahead',
      ),
    ).toBeInTheDocument();
    type(/Image URI/, 'python:3.11-slim');
    type(/Entrypoint/, 'python -V');
    type('Timeout (minutes)', '61');
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(
      await screen.findByText('must be at most 60 minutes'),
    ).toBeInTheDocument();
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
          JSON.stringify({
            error: {
              name: 'InputError',
              message: 'timeout must be at most 86400 seconds',
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
    await teamSelect();
    type(/Image URI/, 'ubuntu:24.04');
    type(/Entrypoint/, 'sleep infinity');
    fireEvent.click(await noExpirationOption());
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(await screen.findByTestId('create-server-error')).toHaveTextContent(
      'timeout must be at most 86400 seconds (HTTP 400)',
    );
    expect(api.createSandbox).toHaveBeenCalledWith(
      {
        image: { uri: 'ubuntu:24.04' },
        entrypoint: ['sleep', 'infinity'],
        timeout: null,
        resourceLimits: { cpu: '500m', memory: '512Mi' },
        team: 'group:default/team-a',
      },
      { idempotencyKey: 'key-1' },
    );
    expect(screen.getByRole('button', { name: 'Create' })).toBeEnabled();
  });
});

function component(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments-api', namespace: 'default', annotations },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: 'group:default/team-a',
    },
  };
}

const FROM_TAB =
  '/opensandbox/create?entityRef=component%3Adefault%2Fpayments-api&team=group%3Adefault%2Fteam-b';

describe('SandboxCreatePage opened from an entity tab', () => {
  it('prefills from the annotations, preselects entity and team, and sends them', async () => {
    const api = createFakeApi();
    api.createSandbox.mockResolvedValue(makeSandbox({ id: 'new-id' }));
    await render(api, {
      route: FROM_TAB,
      entities: [
        component({
          'opensandbox.backstage.io/default-image': 'python:3.12-slim',
          'opensandbox.backstage.io/default-entrypoint':
            'python -m http.server 8000',
          'opensandbox.backstage.io/default-cpu': '250m',
          'opensandbox.backstage.io/default-memory': '1Gi',
          'opensandbox.backstage.io/default-timeout': '5400',
        }),
      ],
    });
    const value = (label: string | RegExp) =>
      (screen.getByLabelText(label) as HTMLInputElement).value;
    expect([
      value(/Image URI/),
      value(/Entrypoint/),
      value('CPU'),
      value('Memory'),
      value('Timeout (minutes)'),
    ]).toEqual([
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
    await waitFor(() =>
      expect(
        (screen.getByLabelText('Owning team') as HTMLSelectElement).value,
      ).toBe('group:default/team-b'),
    );

    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(api.createSandbox).toHaveBeenCalledTimes(1));
    expect(api.createSandbox).toHaveBeenCalledWith(
      {
        image: { uri: 'python:3.12-slim' },
        entrypoint: ['python', '-m', 'http.server', '8000'],
        timeout: 5400,
        resourceLimits: { cpu: '250m', memory: '1Gi' },
        team: 'group:default/team-b',
        entityRef: 'component:default/payments-api',
      },
      { idempotencyKey: 'key-1' },
    );
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
    expect(
      screen.getAllByTestId('annotation-warning').map(w => w.textContent),
    ).toEqual([
      'Annotation opensandbox.backstage.io/default-cpu: must be a quantity such as "500m", "1", "512Mi" or "2Gi"',
    ]);
    expect((screen.getByLabelText('CPU') as HTMLInputElement).value).toBe(
      '500m',
    );
    expect((screen.getByLabelText(/Image URI/) as HTMLInputElement).value).toBe(
      'python:3.12-slim',
    );
    expect(screen.getByTestId('create-entity-defaults')).toHaveTextContent(
      'Defaults from its annotations: opensandbox.backstage.io/default-image.',
    );
  });

  it('picks "Other team…" for a team the caller is not in, and still links an unknown entity', async () => {
    const api = createFakeApi();
    await render(api, {
      route:
        '/opensandbox/create?entityRef=component%3Adefault%2Fmissing&team=group%3Adefault%2Fplatform',
    });
    expect(screen.getByTestId('create-entity-error')).toHaveTextContent(
      'Could not read the defaults of component:default/missing from the catalog (not found)',
    );
    await waitFor(() =>
      expect(
        (screen.getByLabelText('Owning team') as HTMLSelectElement).value,
      ).toBe(OTHER_TEAM),
    );
    expect(
      (screen.getByLabelText('Other team') as HTMLInputElement).value,
    ).toBe('group:default/platform');
    expect(
      (screen.getByLabelText('Catalog entity') as HTMLInputElement).value,
    ).toBe('component:default/missing');
    expect((screen.getByLabelText(/Image URI/) as HTMLInputElement).value).toBe(
      '',
    );
  });
});

describe('SandboxCreatePage permissions and team choice', () => {
  it('offers the caller\'s groups, defaulting to the first, plus "Other team…"', async () => {
    const api = createFakeApi();
    await render(api, {
      ownershipEntityRefs: [
        'user:default/jane.doe',
        'group:default/team-b',
        'group:default/platform',
        'group:default/team-b',
      ],
    });
    const select = await teamSelect();
    expect(
      within(select)
        .getAllByRole('option')
        .map(o => [(o as HTMLOptionElement).value, o.textContent]),
    ).toEqual([
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
    fireEvent.change(await teamSelect(), {
      target: { value: 'group:default/team-b' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(api.createSandbox).toHaveBeenCalledTimes(1));
    expect(api.createSandbox.mock.calls[0][0].team).toBe(
      'group:default/team-b',
    );
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
    expect(api.createSandbox.mock.calls[0][0].team).toBe(
      'group:default/security',
    );
  });

  it('omits the team when the caller has no group', async () => {
    const api = createFakeApi();
    api.createSandbox.mockResolvedValue(makeSandbox({ id: 'new-id' }));
    await render(api, { ownershipEntityRefs: ['user:default/jane.doe'] });
    const select = await teamSelect();
    expect(
      within(select)
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual(['No team (you are in no group)', 'Other team…']);
    type(/Image URI/, 'python:3.11-slim');
    type(/Entrypoint/, 'python -V');
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(api.createSandbox).toHaveBeenCalledTimes(1));
    expect(api.createSandbox.mock.calls[0][0]).not.toHaveProperty('team');
  });

  it('shows "not allowed" instead of the form without opensandbox.sandbox.create', async () => {
    const api = createFakeApi();
    const { permission } = await render(api, {
      denied: ['opensandbox.sandbox.create'],
    });
    expect(await screen.findByTestId('not-allowed')).toHaveTextContent(
      'You are not allowed to create sandboxes',
    );
    expect(screen.getByTestId('not-allowed')).toHaveTextContent(
      'This needs the permission opensandbox.sandbox.create',
    );
    expect(
      screen.queryByRole('form', { name: 'Create sandbox' }),
    ).not.toBeInTheDocument();
    expect(screen.queryByLabelText(/Image URI/)).not.toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Back to sandboxes' }),
    ).toHaveAttribute('href', '/opensandbox');
    expect(permission.handler).toHaveBeenCalledWith(
      expect.objectContaining({
        permission: expect.objectContaining({
          name: 'opensandbox.sandbox.create',
        }),
      }),
    );
  });
});

describe('ownGroupRefs', () => {
  it('keeps group refs only, in order, once', () => {
    expect(
      ownGroupRefs([
        'user:default/a',
        'group:default/x',
        'Group:default/Y',
        'group:default/x',
      ]),
    ).toEqual(['group:default/x', 'Group:default/Y']);
  });

  it('drops duplicates that differ only in case or in the default namespace', () => {
    expect(
      ownGroupRefs([
        'group:default/team-a',
        'Group:Default/Team-A',
        'GROUP:team-a',
        'group:default/team-b',
      ]),
    ).toEqual(['group:default/team-a', 'group:default/team-b']);
  });
});

describe('SandboxCreatePage "Other team…" for non-administrators', () => {
  it("offers only the caller's teams without opensandbox.admin.manage", async () => {
    const api = createFakeApi();
    await render(api, { denied: ['opensandbox.admin.manage'] });
    const select = await teamSelect();
    expect(
      within(select)
        .getAllByRole('option')
        .map(o => (o as HTMLOptionElement).value),
    ).toEqual(['group:default/team-a', 'group:default/team-b']);
  });

  it("keeps the caller's first team, with a note, when ?team= is not one of theirs", async () => {
    const api = createFakeApi();
    api.createSandbox.mockResolvedValue(makeSandbox({ id: 'new-id' }));
    await render(api, {
      denied: ['opensandbox.admin.manage'],
      route: '/opensandbox/create?team=group%3Adefault%2Fplatform',
    });
    expect((await teamSelect()).value).toBe('group:default/team-a');
    expect(screen.queryByLabelText('Other team')).not.toBeInTheDocument();
    expect(
      screen.getByText(
        'You are not a member of group:default/platform, so it cannot own your sandbox; pick one of your teams',
      ),
    ).toBeInTheDocument();
    type(/Image URI/, 'python:3.11-slim');
    type(/Entrypoint/, 'python -V');
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(api.createSandbox).toHaveBeenCalledTimes(1));
    expect(api.createSandbox.mock.calls[0][0].team).toBe(
      'group:default/team-a',
    );
  });
});

describe('buildCreateRequest', () => {
  const base = {
    ...DEFAULT_FORM_VALUES,
    imageUri: 'python:3.11-slim',
    entrypoint: 'python -V',
  };

  it('takes whole minutes only, at least 1', () => {
    expect(
      buildCreateRequest({ ...base, timeoutMinutes: '1.5' }).errors,
    ).toEqual({
      timeoutMinutes: ['enter a whole number of minutes'],
    });
    expect(buildCreateRequest({ ...base, timeoutMinutes: '0' }).errors).toEqual(
      {
        timeoutMinutes: ['must be at least 1 minute'],
      },
    );
    expect(buildCreateRequest({ ...base, timeoutMinutes: '' }).errors).toEqual({
      timeoutMinutes: ['enter a whole number of minutes'],
    });
    const { request, errors } = buildCreateRequest({
      ...base,
      timeoutMinutes: '2',
    });
    expect(errors).toEqual({});
    expect(request.timeout).toBe(120);
  });

  it('applies maxTimeoutSeconds, in minutes', () => {
    const cap = { maxTimeoutSeconds: 86400 };
    expect(
      buildCreateRequest({ ...base, timeoutMinutes: '1441' }, cap).errors,
    ).toEqual({
      timeoutMinutes: ['must be at most 1440 minutes'],
    });
    expect(
      buildCreateRequest({ ...base, timeoutMinutes: '1440' }, cap),
    ).toEqual({
      request: {
        image: { uri: 'python:3.11-slim' },
        entrypoint: ['python', '-V'],
        timeout: 86400,
        resourceLimits: { cpu: '500m', memory: '512Mi' },
      },
      errors: {},
    });
    expect(
      buildCreateRequest({ ...base, noExpiration: true }, cap).errors,
    ).toEqual({
      timeoutMinutes: [
        'is required: sandboxes must expire within 1440 minutes',
      ],
    });
    expect(buildCreateRequest({ ...base, noExpiration: true }).errors).toEqual(
      {},
    );
  });

  it('turns annotation timeouts into whole minutes', () => {
    expect(
      applyAnnotationDefaults(DEFAULT_FORM_VALUES, { timeoutSeconds: 5400 })
        .timeoutMinutes,
    ).toBe('90');
    expect(
      applyAnnotationDefaults(DEFAULT_FORM_VALUES, { timeoutSeconds: 90 })
        .timeoutMinutes,
    ).toBe('2');
    expect(
      applyAnnotationDefaults(DEFAULT_FORM_VALUES, { timeoutSeconds: 60 })
        .timeoutMinutes,
    ).toBe('1');
  });

  it('reports an unterminated quote in the entrypoint', () => {
    const { errors } = buildCreateRequest({
      ...DEFAULT_FORM_VALUES,
      imageUri: 'x',
      entrypoint: `echo 'oops`,
    });
    expect(errors.entrypoint).toEqual([
      `has an unterminated ' quote`,
      'is required with an image',
    ]);
  });
});

describe('splitCommand', () => {
  it('splits like a shell', () => {
    expect(splitCommand(`a "b c" 'd "e"' f\\ g ""`).args).toEqual([
      'a',
      'b c',
      'd "e"',
      'f g',
      '',
    ]);
  });
});

describe('SandboxCreatePage settings from GET /settings', () => {
  it('does not show "No expiration" while the settings load, and offers it once they say there is no cap', async () => {
    const api = createFakeApi();
    let answer: (v: any) => void = () => {};
    api.getSettings.mockReturnValue(new Promise(r => (answer = r)));
    await render(api);
    await teamSelect();
    expect(
      screen.queryByLabelText('No expiration (manual cleanup)'),
    ).not.toBeInTheDocument();
    expect(screen.getByTestId('create-settings-loading')).toHaveTextContent(
      "Checking the console's lifetime limit…",
    );
    answer(makeSettings({ maxTimeoutSeconds: null }));
    expect(await noExpirationOption()).toBeEnabled();
    expect(
      screen.queryByTestId('create-settings-loading'),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByTestId('create-noExpiration-unavailable'),
    ).not.toBeInTheDocument();
    expect(
      screen.getByText(
        'The sandbox is terminated after this time (at least 1 minute); it can be renewed',
      ),
    ).toBeInTheDocument();
  });

  it('never shows "No expiration" with a cap, not even while the settings load', async () => {
    const api = createFakeApi();
    let answer: (v: any) => void = () => {};
    api.getSettings.mockReturnValue(new Promise(r => (answer = r)));
    await render(api);
    await teamSelect();
    expect(
      screen.queryByLabelText('No expiration (manual cleanup)'),
    ).not.toBeInTheDocument();
    answer(makeSettings({ maxTimeoutSeconds: 86400 }));
    expect(
      await screen.findByTestId('create-noExpiration-unavailable'),
    ).toHaveTextContent(
      'This console requires every sandbox to expire within 1440 minutes (1d); sandboxes without expiration are not available.',
    );
    expect(
      screen.queryByLabelText('No expiration (manual cleanup)'),
    ).not.toBeInTheDocument();
    expect(screen.getByLabelText('Timeout (minutes)')).toHaveAttribute(
      'max',
      '1440',
    );
  });

  it('says so when the settings cannot be loaded, offers no "No expiration", keeps Create possible and retries', async () => {
    const api = createFakeApi();
    api.getSettings.mockRejectedValueOnce(
      await backendError(503, {
        name: 'ServiceUnavailableError',
        message: 'settings unavailable',
        requestId: 'req-settings',
      }),
    );
    api.createSandbox.mockResolvedValue(makeSandbox({ id: 'new-id' }));
    await render(api);
    const notice = await screen.findByTestId('create-settings-error');
    expect(
      screen.getByTestId('create-settings-error-message'),
    ).toHaveTextContent(
      'Could not load the console settings: settings unavailable (HTTP 503)',
    );
    expect(notice).toHaveTextContent(
      'The lifetime limit is unknown, so sandboxes without expiration are not offered; you can still create, and the server checks the timeout.',
    );
    expect(within(notice).getByTestId('request-id-value')).toHaveTextContent(
      'req-settings',
    );
    expect(
      screen.queryByLabelText('No expiration (manual cleanup)'),
    ).not.toBeInTheDocument();

    await teamSelect();
    type(/Image URI/, 'python:3.11-slim');
    type(/Entrypoint/, 'python -V');
    type('Timeout (minutes)', '5000');
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(api.createSandbox).toHaveBeenCalledTimes(1));
    expect(api.createSandbox.mock.calls[0][0].timeout).toBe(300000);
  });

  it('loads the settings again on Retry', async () => {
    const api = createFakeApi();
    api.getSettings
      .mockRejectedValueOnce(
        await backendError(500, { name: 'Error', message: 'boom' }),
      )
      .mockResolvedValueOnce(makeSettings({ maxTimeoutSeconds: 3600 }));
    await render(api);
    await screen.findByTestId('create-settings-error');
    fireEvent.click(
      within(screen.getByTestId('create-settings-error')).getByRole('button', {
        name: 'Retry',
      }),
    );
    expect(
      await screen.findByTestId('create-noExpiration-unavailable'),
    ).toHaveTextContent('within 60 minutes (1h)');
    expect(
      screen.queryByTestId('create-settings-error'),
    ).not.toBeInTheDocument();
    expect(api.getSettings).toHaveBeenCalledTimes(2);
  });
});

/** Fills the required fields of a valid form. */
async function fillValidForm() {
  await teamSelect();
  type(/Image URI/, 'python:3.11-slim');
  type(/Entrypoint/, 'python -V');
}

const VALID_BODY = {
  image: { uri: 'python:3.11-slim' },
  entrypoint: ['python', '-V'],
  timeout: 3600,
  resourceLimits: { cpu: '500m', memory: '512Mi' },
  team: 'group:default/team-a',
};

const TIMEOUT_MESSAGE =
  'OpenSandbox did not answer the create within 60 s. The create may still complete; the console reconciles it. Request id req-504.';

describe('SandboxCreatePage idempotent retries', () => {
  it('sends an Idempotency-Key, shows the 504 message, and Retry reuses the key (a 200 replay is a success)', async () => {
    const api = createFakeApi();
    api.createSandbox
      .mockRejectedValueOnce(
        await backendError(504, {
          name: 'UpstreamTimeoutError',
          message: TIMEOUT_MESSAGE,
          requestId: 'req-504',
        }),
      )
      .mockResolvedValueOnce(makeSandbox({ id: 'first-attempt' })); // the server's 200 replay
    await render(api);
    await fillValidForm();
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));

    const alert = await screen.findByTestId('create-server-error');
    expect(
      within(alert).getByText('The outcome is unknown'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('create-server-error-message')).toHaveTextContent(
      `${TIMEOUT_MESSAGE} (HTTP 504)`,
    );
    expect(within(alert).getByTestId('request-id-value')).toHaveTextContent(
      'req-504',
    );
    expect(screen.getByTestId('create-retry-hint')).toHaveTextContent(
      'Retry sends the same request with the same Idempotency-Key: if the first attempt made the sandbox, the server returns it instead of creating another.',
    );
    expect(api.createSandbox).toHaveBeenNthCalledWith(1, VALID_BODY, {
      idempotencyKey: 'key-1',
    });

    fireEvent.click(screen.getByTestId('create-retry'));
    await waitFor(() => expect(api.createSandbox).toHaveBeenCalledTimes(2));
    expect(api.createSandbox).toHaveBeenNthCalledWith(2, VALID_BODY, {
      idempotencyKey: 'key-1',
    });
    expect(await screen.findByText('detail page')).toBeInTheDocument();
  });

  it('reuses the key when Create is pressed again on the unchanged form, and makes a new one after a change', async () => {
    const api = createFakeApi();
    const failure = await backendError(502, {
      name: 'UpstreamGatewayError',
      message: 'OpenSandbox could not be reached for the create.',
    });
    api.createSandbox
      .mockRejectedValueOnce(failure)
      .mockRejectedValueOnce(failure)
      .mockResolvedValueOnce(makeSandbox({ id: 'new-id' }));
    await render(api);
    await fillValidForm();
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await screen.findByTestId('create-server-error');
    expect(
      within(screen.getByTestId('create-server-error')).getByText(
        'OpenSandbox failed or could not be reached',
      ),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(api.createSandbox).toHaveBeenCalledTimes(2));
    await screen.findByTestId('create-retry');

    // Changing the form makes it a new submission: Retry goes, the next Create has a new key.
    type('Timeout (minutes)', '30');
    expect(screen.queryByTestId('create-retry')).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(api.createSandbox).toHaveBeenCalledTimes(3));
    expect(api.createSandbox.mock.calls.map(c => c[1])).toEqual([
      { idempotencyKey: 'key-1' },
      { idempotencyKey: 'key-1' },
      { idempotencyKey: 'key-2' },
    ]);
    expect(api.createSandbox.mock.calls[2][0].timeout).toBe(1800);
  });

  it('offers no Retry for a refusal (403), but still reuses the key for the same form', async () => {
    const api = createFakeApi();
    api.createSandbox.mockRejectedValue(
      await backendError(403, {
        name: 'NotAllowedError',
        message: 'team group:default/x is not one of your teams',
      }),
    );
    await render(api);
    await fillValidForm();
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(
      await screen.findByTestId('create-server-error-message'),
    ).toHaveTextContent(
      'team group:default/x is not one of your teams (HTTP 403)',
    );
    expect(screen.queryByTestId('create-retry')).not.toBeInTheDocument();
    expect(screen.queryByTestId('request-id')).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(api.createSandbox).toHaveBeenCalledTimes(2));
    expect(api.createSandbox.mock.calls.map(c => c[1])).toEqual([
      { idempotencyKey: 'key-1' },
      { idempotencyKey: 'key-1' },
    ]);
  });
});

describe('SandboxCreatePage consumed idempotency keys', () => {
  it('drops a key whose sandbox no longer exists: no Retry, and the next Create has a new key', async () => {
    const api = createFakeApi();
    api.createSandbox
      .mockRejectedValueOnce(
        await backendError(409, {
          name: 'ConflictError',
          message:
            'The sandbox created with this Idempotency-Key (sb-gone) no longer exists; use a new key to create another.',
        }),
      )
      .mockResolvedValueOnce(makeSandbox({ id: 'new-id' }));
    await render(api);
    await fillValidForm();
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(
      await screen.findByTestId('create-server-error-message'),
    ).toHaveTextContent(
      'The sandbox created with this Idempotency-Key (sb-gone) no longer exists; use a new key to create another. (HTTP 409)',
    );
    expect(screen.queryByTestId('create-retry')).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(api.createSandbox).toHaveBeenCalledTimes(2));
    expect(api.createSandbox.mock.calls.map(c => c[1])).toEqual([
      { idempotencyKey: 'key-1' },
      { idempotencyKey: 'key-2' },
    ]);
  });

  it('offers Retry with the same key while an earlier attempt is still in progress (409)', async () => {
    const api = createFakeApi();
    api.createSandbox
      .mockRejectedValueOnce(
        await backendError(409, {
          name: 'ConflictError',
          message:
            'A create with this Idempotency-Key is still in progress or its outcome is not known yet; retry in a minute with the same key.',
          requestId: 'req-busy',
        }),
      )
      .mockResolvedValueOnce(makeSandbox({ id: 'new-id' }));
    await render(api);
    await fillValidForm();
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    fireEvent.click(await screen.findByTestId('create-retry'));
    await waitFor(() => expect(api.createSandbox).toHaveBeenCalledTimes(2));
    expect(api.createSandbox.mock.calls.map(c => c[1])).toEqual([
      { idempotencyKey: 'key-1' },
      { idempotencyKey: 'key-1' },
    ]);
  });
});

describe('SandboxCreatePage server errors', () => {
  it('shows an image.uri field error from the server next to the image input, with the request id', async () => {
    const api = createFakeApi();
    api.createSandbox.mockRejectedValue(
      await backendError(
        400,
        {
          name: 'InputError',
          message:
            'image.uri could not be pulled by OpenSandbox: check the image name, tag and registry credentials',
          fields: [
            {
              field: 'image.uri',
              message:
                'could not be pulled by OpenSandbox: check the image name, tag and registry credentials',
            },
          ],
          requestId: 'req-pull',
          upstreamCode: 'DOCKER::SANDBOX_IMAGE_PULL_FAILED',
        },
        { 'X-Request-ID': 'req-pull' },
      ),
    );
    await render(api);
    await fillValidForm();
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    const alert = await screen.findByTestId('create-server-error');
    const image = screen.getByLabelText(/Image URI/);
    expect(image).toHaveAttribute('aria-invalid', 'true');
    expect(
      document.getElementById('opensandbox-create-imageUri-helper-text'),
    ).toHaveTextContent(
      /^could not be pulled by OpenSandbox: check the image name, tag and registry credentials$/,
    );
    // The alert names the field as the form labels it, and the focus is on that field.
    expect(
      within(alert).getByTestId('create-server-error-message'),
    ).toHaveTextContent(
      /^Image URI could not be pulled by OpenSandbox: check the image name, tag and registry credentials \(HTTP 400\)$/,
    );
    await waitFor(() => expect(document.activeElement).toBe(image));
    expect(within(alert).getByTestId('request-id-value')).toHaveTextContent(
      /^req-pull$/,
    );
    expect(
      within(alert).getByRole('button', { name: 'Copy request ID' }),
    ).toBeInTheDocument();
    expect(screen.queryByTestId('create-retry')).not.toBeInTheDocument();
  });

  it('says when to retry after a 429 (Retry-After) and offers Retry', async () => {
    const api = createFakeApi();
    api.createSandbox.mockRejectedValue(
      await backendError(
        429,
        {
          name: 'CapacityExhaustedError',
          message:
            'The OpenSandbox pool has no capacity left right now; try again later.',
        },
        { 'Retry-After': '45', 'X-Request-ID': 'req-429' },
      ),
    );
    await render(api);
    await fillValidForm();
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    const alert = await screen.findByTestId('create-server-error');
    expect(within(alert).getByTestId('retry-after')).toHaveTextContent(
      /^Try again in 45 seconds\.$/,
    );
    expect(within(alert).getByTestId('request-id-value')).toHaveTextContent(
      'req-429',
    );
    expect(screen.getByTestId('create-retry')).toBeEnabled();
  });

  it('maps server field errors to the form fields, timeouts in minutes', () => {
    expect(
      serverFieldErrors([
        { field: 'image.uri', message: 'could not be pulled' },
        { field: 'timeout', message: 'must be at most 86400 seconds' },
        { field: 'resourceLimits.memory', message: 'too much' },
        { field: 'body', message: 'is too large' },
      ]),
    ).toEqual({
      imageUri: ['could not be pulled'],
      timeoutMinutes: ['must be at most 1440 minutes'],
      memory: ['too much'],
      form: ['body is too large'],
    });
  });
});

describe('SandboxCreatePage entity refs are case-insensitive', () => {
  it('sends a typed "Other team…" ref in lower case with its namespace', async () => {
    const api = createFakeApi();
    api.createSandbox.mockResolvedValue(makeSandbox({ id: 'new-id' }));
    await render(api);
    await fillValidForm();
    fireEvent.change(await teamSelect(), { target: { value: OTHER_TEAM } });
    type('Other team', 'Group:Default/Security');
    type('Catalog entity', 'Component:Default/Payments-API');
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(api.createSandbox).toHaveBeenCalledTimes(1));
    expect(api.createSandbox.mock.calls[0][0].team).toBe(
      'group:default/security',
    );
    expect(api.createSandbox.mock.calls[0][0].entityRef).toBe(
      'component:default/payments-api',
    );
  });

  it.each([
    ['Group:Default/Team-B'],
    ['group:team-b'],
    ['GROUP:DEFAULT/TEAM-B'],
  ])("preselects the caller's team for ?team=%s", async ref => {
    const api = createFakeApi();
    await render(api, {
      route: `/opensandbox/create?team=${encodeURIComponent(ref)}`,
    });
    await waitFor(() =>
      expect(
        (screen.getByLabelText('Owning team') as HTMLSelectElement).value,
      ).toBe('group:default/team-b'),
    );
    expect(screen.queryByLabelText('Other team')).not.toBeInTheDocument();
  });

  it('normalises team and entity refs in the request body', () => {
    const base = {
      ...DEFAULT_FORM_VALUES,
      imageUri: 'python:3.11-slim',
      entrypoint: 'python -V',
    };
    expect(
      buildCreateRequest({
        ...base,
        team: ' Group:Default/Team-A ',
        entityRef: 'System:Payments',
      }).request,
    ).toMatchObject({
      team: 'group:default/team-a',
      entityRef: 'system:default/payments',
    });
    expect(buildCreateRequest({ ...base, team: 'team-a' }).request.team).toBe(
      'group:default/team-a',
    );
    expect(
      buildCreateRequest({ ...base, team: 'User:Default/Jane' }).errors.team,
    ).toEqual(['must be a group entity ref such as group:default/team-a']);
  });

  it("refuses a body above the console's request limit before sending it", () => {
    const base = {
      ...DEFAULT_FORM_VALUES,
      imageUri: 'python:3.11-slim',
      entrypoint: 'python -V',
    };
    const env = Array.from(
      { length: 20 },
      (_, i) => `VAR_${i}=${'x'.repeat(50)}`,
    ).join('\n');
    const { errors } = buildCreateRequest(
      { ...base, env },
      { requestBodyLimitBytes: 1000 },
    );
    expect(errors.form?.[0]).toMatch(
      /^The request is \d+ bytes, more than the 1000 bytes the console accepts; shorten the environment variables or metadata$/,
    );
    expect(
      buildCreateRequest({ ...base, env }, { requestBodyLimitBytes: 1048576 })
        .errors,
    ).toEqual({});
  });
});

describe('SandboxCreatePage with several OpenSandbox servers', () => {
  function fill() {
    type(/Image URI/, 'python:3.11-slim');
    type(/Entrypoint/, 'python -V');
  }

  it('offers a server select, sends the picked server and opens the sandbox on its server', async () => {
    const api = createFakeApi();
    api.getSettings.mockResolvedValue(
      makeSettings({ servers: ['eu-west', 'us-east'] }),
    );
    api.createSandbox.mockResolvedValue(
      makeSandbox({ id: 'new-id', server: 'us-east' }),
    );
    await render(api);
    const select = (await screen.findByLabelText(
      'OpenSandbox server',
    )) as HTMLSelectElement;
    expect(
      Array.from(select.options).map(o => [o.value, o.textContent]),
    ).toEqual([
      ['', 'Automatic (from the owning team)'],
      ['eu-west', 'eu-west'],
      ['us-east', 'us-east'],
    ]);
    expect(select.value).toBe('');
    fill();
    fireEvent.change(select, { target: { value: 'us-east' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(api.createSandbox).toHaveBeenCalledTimes(1));
    expect(api.createSandbox.mock.calls[0][0]).toEqual({
      image: { uri: 'python:3.11-slim' },
      entrypoint: ['python', '-V'],
      timeout: 3600,
      resourceLimits: { cpu: '500m', memory: '512Mi' },
      team: 'group:default/team-a',
      server: 'us-east',
    });
    expect(
      await screen.findByText('detail page of new-id on us-east'),
    ).toBeInTheDocument();
  });

  it('leaves the server out for "Automatic", so the backend picks it from the team', async () => {
    const api = createFakeApi();
    api.getSettings.mockResolvedValue(
      makeSettings({ servers: ['eu-west', 'us-east'] }),
    );
    api.createSandbox.mockResolvedValue(
      makeSandbox({ id: 'new-id', server: 'eu-west' }),
    );
    await render(api);
    await screen.findByLabelText('OpenSandbox server');
    fill();
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(api.createSandbox).toHaveBeenCalledTimes(1));
    expect(api.createSandbox.mock.calls[0][0]).not.toHaveProperty('server');
  });

  it('preselects ?server= and shows a server field error next to the select', async () => {
    const api = createFakeApi();
    api.getSettings.mockResolvedValue(
      makeSettings({ servers: ['eu-west', 'us-east'] }),
    );
    api.createSandbox.mockRejectedValue(
      await backendError(400, {
        name: 'InputError',
        message: 'server: us-east does not serve team group:default/team-a',
        fields: [
          {
            field: 'server',
            message: 'us-east does not serve team group:default/team-a',
          },
        ],
      }),
    );
    await render(api, { route: '/opensandbox/create?server=us-east' });
    const select = (await screen.findByLabelText(
      'OpenSandbox server',
    )) as HTMLSelectElement;
    expect(select.value).toBe('us-east');
    fill();
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() =>
      expect(api.createSandbox.mock.calls[0]?.[0]).toHaveProperty(
        'server',
        'us-east',
      ),
    );
    expect(
      await screen.findByText(
        'us-east does not serve team group:default/team-a',
      ),
    ).toBeInTheDocument();
    expect(select).toHaveAttribute('aria-invalid', 'true');
  });

  it('offers no server select with one server and never sends one', async () => {
    const api = createFakeApi();
    api.createSandbox.mockResolvedValue(
      makeSandbox({ id: 'new-id', server: 'default' }),
    );
    await render(api, { route: '/opensandbox/create?server=default' });
    await noExpirationOption();
    expect(
      screen.queryByLabelText('OpenSandbox server'),
    ).not.toBeInTheDocument();
    fill();
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(api.createSandbox).toHaveBeenCalledTimes(1));
    expect(api.createSandbox.mock.calls[0][0]).not.toHaveProperty('server');
    expect(
      await screen.findByText('detail page of new-id on default'),
    ).toBeInTheDocument();
  });

  it('maps a server field error to the server field', () => {
    expect(formFieldOf('server')).toBe('server');
    expect(
      serverFieldErrors([
        {
          field: 'server',
          message: 'is not an OpenSandbox server of the console (a, b)',
        },
      ]),
    ).toEqual({
      server: ['is not an OpenSandbox server of the console (a, b)'],
    });
    expect(
      buildCreateRequest({
        ...DEFAULT_FORM_VALUES,
        imageUri: 'x',
        entrypoint: 'y',
        server: ' eu-west ',
      }).request.server,
    ).toBe('eu-west');
    expect(
      buildCreateRequest({
        ...DEFAULT_FORM_VALUES,
        imageUri: 'x',
        entrypoint: 'y',
      }).request,
    ).not.toHaveProperty('server');
  });
});
