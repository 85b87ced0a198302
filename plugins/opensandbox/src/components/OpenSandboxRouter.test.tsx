import { screen } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { opensandboxApiRef } from '../api';
import { rootRouteRef } from '../routes';
import {
  createFakeApi,
  createPermissionApi,
  makeSandbox,
  withFreshPermissionCache,
} from '../__testUtils__/testUtils';
import { OpenSandboxRouter } from './OpenSandboxRouter';

const ID = '6f1c2b7e-3a4d-4f0e-9a51-2c8d7e9b1f20';

jest.setTimeout(20_000);

/** The legacy frontend system mounts the router at /opensandbox (`<OpenSandboxPage />`). */
async function open(path: string) {
  const api = createFakeApi();
  api.getSandbox.mockResolvedValue(makeSandbox());
  await renderInTestApp(
    withFreshPermissionCache(
      <TestApiProvider
        apis={[
          [opensandboxApiRef, api],
          [permissionApiRef, createPermissionApi().permissionApi],
        ]}
      >
        <Routes>
          <Route path="/opensandbox/*" element={<OpenSandboxRouter />} />
        </Routes>
      </TestApiProvider>,
    ),
    { mountedRoutes: { '/opensandbox': rootRouteRef }, routeEntries: [path] },
  );
  expect(await screen.findByTestId('field-state')).toHaveTextContent('Running');
  return api;
}

describe('OpenSandboxRouter (legacy frontend system)', () => {
  it('opens a sandbox on a named server at /servers/:server/sandboxes/:id', async () => {
    const api = await open(`/opensandbox/servers/us-east/sandboxes/${ID}`);
    expect(api.getSandbox.mock.calls).toEqual([[ID, { server: 'us-east' }]]);
  });

  it('keeps /:id for the default server', async () => {
    expect((await open(`/opensandbox/${ID}`)).getSandbox.mock.calls).toEqual([
      [ID],
    ]);
  });

  it('also opens /sandboxes/:id on the default server', async () => {
    expect(
      (await open(`/opensandbox/sandboxes/${ID}`)).getSandbox.mock.calls,
    ).toEqual([[ID]]);
  });
});
