import { screen, waitFor } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { renderTestApp } from '@backstage/frontend-test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import type { RoleBindingList } from '@opensandbox-console/plugin-opensandbox-common';
import opensandboxPlugin from '../../alpha';
import {
  OpenSandboxAdminApi,
  opensandboxAdminApiRef,
  opensandboxApiRef,
} from '../../api';
import { adminRouteRef, rootRouteRef } from '../../routes';
import { opensandboxPlugin as legacyPlugin } from '../../plugin';
import {
  createFakeApi,
  createPermissionApi,
  withFreshPermissionCache,
} from '../../__testUtils__/testUtils';
import { OpenSandboxRouter } from '../OpenSandboxRouter';

jest.setTimeout(30_000);

const LIST: RoleBindingList = {
  items: [
    {
      id: 'b-1',
      subject: 'user:default/vic',
      subjectKind: 'user',
      role: 'operator',
      teams: [],
      exempt: false,
      description: null,
      createdAt: '2026-12-10T09:00:00.000Z',
      createdBy: 'user:default/pat',
    },
  ],
  config: [],
  defaultRole: null,
  cacheSeconds: 10,
};

function adminApi(): jest.Mocked<OpenSandboxAdminApi> {
  return {
    listRoleBindings: jest.fn().mockResolvedValue(LIST),
    addRoleBinding: jest.fn(),
    removeRoleBinding: jest.fn(),
    explainRoleBindings: jest.fn(),
    exportRoleBindings: jest.fn(),
    importRoleBindings: jest.fn(),
  };
}

describe('the administration page in both frontend systems', () => {
  it('is a route of both plugins (`admin`, <root>/admin)', () => {
    expect(Object.keys(legacyPlugin.routes)).toContain('admin');
    expect(Object.keys(opensandboxPlugin.routes)).toContain('admin');
    expect(adminRouteRef.path).toBe('/admin');
  });

  it('is served by the legacy router at /opensandbox/admin', async () => {
    const api = adminApi();
    await renderInTestApp(
      withFreshPermissionCache(
        <TestApiProvider
          apis={[
            [opensandboxApiRef, createFakeApi()],
            [opensandboxAdminApiRef, api],
            [permissionApiRef, createPermissionApi().permissionApi],
          ]}
        >
          <Routes>
            <Route path="/opensandbox/*" element={<OpenSandboxRouter />} />
          </Routes>
        </TestApiProvider>,
      ),
      {
        mountedRoutes: { '/opensandbox': rootRouteRef },
        routeEntries: ['/opensandbox/admin'],
      },
    );
    expect(
      await screen.findByRole('heading', { name: 'Administration', level: 1 }),
    ).toBeInTheDocument();
    expect(await screen.findAllByTestId('binding-row')).toHaveLength(1);
  });

  it('is served by the new frontend system plugin at /opensandbox/admin, with its own API extension', async () => {
    expect(
      opensandboxPlugin.getExtension('api:opensandbox/admin'),
    ).toBeDefined();
    const api = adminApi();
    renderTestApp({
      features: [opensandboxPlugin],
      initialRouteEntries: ['/opensandbox/admin'],
      apis: [
        [opensandboxApiRef, createFakeApi()],
        [opensandboxAdminApiRef, api],
        [permissionApiRef, createPermissionApi().permissionApi],
      ],
    });
    await waitFor(
      () => expect(screen.getAllByTestId('binding-row')).toHaveLength(1),
      { timeout: 15_000 },
    );
    expect(api.listRoleBindings).toHaveBeenCalled();
  });
});
