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
import type { Entity } from '@backstage/catalog-model';
import { opensandboxApiRef } from '../api';
import { rootRouteRef } from '../routes';
import {
  createFakeApi,
  createPermissionApi,
  makeSandbox,
  makeSettings,
  withFreshPermissionCache,
} from '../__testUtils__/testUtils';
import { SandboxCreatePage } from './SandboxCreatePage';

jest.setTimeout(20_000);

const PRESETS = [
  {
    name: 'python-notebook',
    title: 'Python notebook',
    description: 'Python 3.12 with an HTTP server on port 8000.',
    image: 'python:3.12-slim',
    entrypoint: ['python', '-m', 'http.server', '8000'],
    resourceLimits: { cpu: '1', memory: '1Gi' },
    timeoutSeconds: 14400,
    metadata: { purpose: 'notebook' },
    env: { PYTHONUNBUFFERED: '1' },
  },
  {
    name: 'small-shell',
    description: 'A small Alpine shell.',
    image: 'alpine:3.20',
    entrypoint: ['sleep', 'infinity'],
    resourceLimits: { memory: '128Mi' },
  },
];

const PAYMENTS: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: {
      'opensandbox.backstage.io/default-image': 'python:3.11-slim',
      'opensandbox.backstage.io/default-cpu': '2',
      'opensandbox.backstage.io/default-timeout': '7200',
    },
  },
  spec: {},
};

async function render(
  api: ReturnType<typeof createFakeApi>,
  route = '/opensandbox/create',
) {
  api.listTeams.mockResolvedValue(['group:default/team-a']);
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
              ownershipEntityRefs: ['group:default/team-a'],
            }),
          ],
          [catalogApiRef, catalogApiMock({ entities: [PAYMENTS] })],
        ]}
      >
        <Routes>
          <Route path="/opensandbox/create" element={<SandboxCreatePage />} />
          <Route
            path="/opensandbox/:sandboxId"
            element={<div>detail page</div>}
          />
          <Route
            path="/opensandbox/servers/:server/sandboxes/:sandboxId"
            element={<div>detail page</div>}
          />
        </Routes>
      </TestApiProvider>,
    ),
    { mountedRoutes: { '/opensandbox': rootRouteRef }, routeEntries: [route] },
  );
  await screen.findByLabelText(/Image URI/);
}

const value = (label: string | RegExp) =>
  (screen.getByLabelText(label) as HTMLInputElement).value;

describe('create presets', () => {
  it('offers the presets at the top of the form; choosing one fills it and the request carries its values', async () => {
    const api = createFakeApi();
    api.getSettings.mockResolvedValue(makeSettings({ presets: PRESETS }));
    api.createSandbox.mockResolvedValue(
      makeSandbox({ id: 'new-1', server: 'default' }),
    );
    await render(api);
    const group = await screen.findByRole('group', { name: 'Create presets' });
    expect(group).toHaveTextContent('Python notebook');
    expect(group).toHaveTextContent('python:3.12-slim · 1 CPU · 1Gi · 4h');
    expect(screen.getByTestId('preset-custom')).toHaveAttribute(
      'aria-pressed',
      'true',
    );

    fireEvent.click(screen.getByTestId('preset-python-notebook'));
    expect(screen.getByTestId('preset-python-notebook')).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    expect(value(/Image URI/)).toBe('python:3.12-slim');
    expect(value(/Entrypoint/)).toBe('python -m http.server 8000');
    expect(value('CPU')).toBe('1');
    expect(value('Memory')).toBe('1Gi');
    expect(value('Timeout (minutes)')).toBe('240');
    expect(value('Metadata')).toBe('purpose=notebook');
    expect(value('Environment variables')).toBe('PYTHONUNBUFFERED=1');

    // Switching presets does not keep the previous preset's values; Custom goes back to the defaults.
    fireEvent.click(screen.getByTestId('preset-small-shell'));
    expect(value(/Image URI/)).toBe('alpine:3.20');
    expect(value('CPU')).toBe('500m');
    expect(value('Memory')).toBe('128Mi');
    expect(value('Timeout (minutes)')).toBe('60');
    expect(value('Metadata')).toBe('');
    fireEvent.click(screen.getByTestId('preset-custom'));
    expect(value(/Image URI/)).toBe('');

    fireEvent.click(screen.getByTestId('preset-python-notebook'));
    fireEvent.change(screen.getByLabelText('Metadata'), {
      target: { value: 'purpose=notebook\nname=my-notebook' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(api.createSandbox).toHaveBeenCalled());
    expect(api.createSandbox.mock.calls[0][0]).toEqual({
      image: { uri: 'python:3.12-slim' },
      entrypoint: ['python', '-m', 'http.server', '8000'],
      timeout: 14400,
      resourceLimits: { cpu: '1', memory: '1Gi' },
      env: { PYTHONUNBUFFERED: '1' },
      metadata: { purpose: 'notebook', name: 'my-notebook' },
      team: 'group:default/team-a',
    });
  });

  it('shows no choices when the backend has no presets (or is older)', async () => {
    const api = createFakeApi();
    await render(api);
    await waitFor(() => expect(api.getSettings).toHaveBeenCalled());
    expect(screen.queryByRole('group', { name: 'Create presets' })).toBeNull();
  });

  it('preselects ?preset=', async () => {
    const api = createFakeApi();
    api.getSettings.mockResolvedValue(makeSettings({ presets: PRESETS }));
    await render(api, '/opensandbox/create?preset=small-shell');
    await waitFor(() =>
      expect(screen.getByTestId('preset-small-shell')).toHaveAttribute(
        'aria-pressed',
        'true',
      ),
    );
    expect(value(/Image URI/)).toBe('alpine:3.20');
  });

  it('keeps the entity annotation defaults for the fields a preset leaves out; the preset wins on the others', async () => {
    const api = createFakeApi();
    api.getSettings.mockResolvedValue(makeSettings({ presets: PRESETS }));
    await render(
      api,
      '/opensandbox/create?entityRef=component%3Adefault%2Fpayments-api',
    );
    await screen.findByTestId('create-entity-defaults');
    expect(value(/Image URI/)).toBe('python:3.11-slim');
    expect(value('CPU')).toBe('2');
    expect(
      await screen.findByText(
        "Choosing one fills the form: a preset's values replace the entity's defaults for the fields it sets.",
      ),
    ).toBeInTheDocument();

    fireEvent.click(await screen.findByTestId('preset-small-shell'));
    expect(value(/Image URI/)).toBe('alpine:3.20'); // the preset's
    expect(value('Memory')).toBe('128Mi'); // the preset's
    expect(value('CPU')).toBe('2'); // the annotation's: the preset sets no CPU
    expect(value('Timeout (minutes)')).toBe('120'); // the annotation's
    expect(value('Catalog entity')).toBe('component:default/payments-api');

    fireEvent.click(screen.getByTestId('preset-custom'));
    expect(value(/Image URI/)).toBe('python:3.11-slim'); // back to the entity's defaults
  });
});

describe('create errors with an explanation', () => {
  it('explains a cluster quota refusal with what to do', async () => {
    const { backendError } = await import('../__testUtils__/testUtils');
    const api = createFakeApi();
    api.createSandbox.mockRejectedValue(
      await backendError(403, {
        name: 'QuotaExceededError',
        message:
          'The OpenSandbox namespace quota refused this sandbox: free resources by deleting sandboxes you no longer need, or ask the platform team for a larger quota. (request id r1)',
        upstreamCode: 'KUBERNETES::QUOTA_EXCEEDED',
        requestId: 'r1',
      }),
    );
    await render(api);
    fireEvent.change(screen.getByLabelText(/Image URI/), {
      target: { value: 'python:3.12-slim' },
    });
    fireEvent.change(screen.getByLabelText(/Entrypoint/), {
      target: { value: 'sleep infinity' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    const hint = await screen.findByTestId('error-explanation');
    expect(hint).toHaveAttribute('data-failure-id', 'quota-exceeded');
    expect(hint).toHaveTextContent(
      'The cluster quota for sandboxes is used up. What to do: Delete sandboxes you no longer need or ask for less CPU and memory; if the team needs more, ask the platform team to raise the namespace quota.',
    );
  });

  it('explains an exhausted pool (the alert already says when to retry)', async () => {
    const { backendError } = await import('../__testUtils__/testUtils');
    const api = createFakeApi();
    api.createSandbox.mockRejectedValue(
      await backendError(
        429,
        {
          name: 'CapacityExhaustedError',
          message:
            'The OpenSandbox pool has no capacity left right now; try again later.',
          upstreamCode: 'KUBERNETES::POOL_CAPACITY_EXHAUSTED',
        },
        { 'Retry-After': '45' },
      ),
    );
    await render(api);
    fireEvent.change(screen.getByLabelText(/Image URI/), {
      target: { value: 'python:3.12-slim' },
    });
    fireEvent.change(screen.getByLabelText(/Entrypoint/), {
      target: { value: 'sleep infinity' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(await screen.findByTestId('error-explanation')).toHaveTextContent(
      'No pre-started sandbox is free right now. This sandbox comes from a pool of pre-started sandboxes, and none became free before OpenSandbox stopped waiting. Nothing was created.',
    );
    expect(screen.getByTestId('retry-after')).toHaveTextContent(
      'Try again in 45 seconds.',
    );
  });
});
