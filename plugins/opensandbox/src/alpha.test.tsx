import { screen, waitFor } from '@testing-library/react';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { createTestEntityPage } from '@backstage/plugin-catalog-react/testUtils';
import type { Entity } from '@backstage/catalog-model';
import opensandboxPlugin, {
  opensandboxEntityContent,
  opensandboxPage,
} from './alpha';
import { opensandboxApiRef } from './api';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  createFakeApi,
  createPermissionApi,
  makeAuditEvent,
  makeSandbox,
} from './__testUtils__/testUtils';

function fakeApi() {
  const api = createFakeApi();
  api.listSandboxes.mockResolvedValue({
    items: [makeSandbox()],
    pagination: {
      page: 1,
      pageSize: 20,
      totalItems: 1,
      totalPages: 1,
      hasNextPage: false,
    },
  });
  return api;
}

describe('opensandbox alpha plugin', () => {
  it('is a frontend plugin with the opensandbox routes', () => {
    expect(opensandboxPlugin.$$type).toBe('@backstage/FrontendPlugin');
    expect(Object.keys(opensandboxPlugin.routes).sort()).toEqual([
      'admin',
      'audit',
      'create',
      'root',
      'sandbox',
      'serverSandbox',
    ]);
  });

  it('declares the page at /opensandbox', () => {
    const tester = createExtensionTester(opensandboxPage, {
      apis: [[opensandboxApiRef, fakeApi()]],
    });
    expect(tester.get(coreExtensionData.routePath)).toBe('/opensandbox');
    expect(tester.get(coreExtensionData.title)).toBe('Sandboxes');
  });

  it('mounts the list page in an app', async () => {
    const api = fakeApi();
    renderTestApp({
      features: [opensandboxPlugin],
      initialRouteEntries: ['/opensandbox'],
      apis: [
        [opensandboxApiRef, api],
        [permissionApiRef, createPermissionApi().permissionApi],
      ],
    });
    // The table re-renders its rows as the identity and permission answers arrive: query afresh.
    await waitFor(
      () => expect(screen.getByText('demo-api')).toBeInTheDocument(),
      { timeout: 10_000 },
    );
    expect(screen.getByTestId('sandbox-link')).toHaveAttribute(
      'href',
      '/opensandbox/6f1c2b7e-3a4d-4f0e-9a51-2c8d7e9b1f20',
    );
    expect(screen.getByTestId('sort-createdAt')).toHaveAttribute(
      'data-sort-direction',
      'desc',
    );
    expect(api.listSandboxes).toHaveBeenCalledWith({
      states: [],
      metadata: {},
      page: 1,
      pageSize: 20,
    });
  });

  it('mounts the detail page of a sandbox on a named server, and of the default server at the old path', async () => {
    const api = fakeApi();
    api.getSandbox.mockResolvedValue(makeSandbox({ server: 'eu-west' }));
    const first = renderTestApp({
      features: [opensandboxPlugin],
      initialRouteEntries: [
        '/opensandbox/servers/eu-west/sandboxes/6f1c2b7e-3a4d-4f0e-9a51-2c8d7e9b1f20',
      ],
      apis: [
        [opensandboxApiRef, api],
        [permissionApiRef, createPermissionApi().permissionApi],
      ],
    });
    expect(
      await screen.findByTestId('field-state', {}, { timeout: 10_000 }),
    ).toHaveTextContent('Running');
    expect(api.getSandbox).toHaveBeenCalledWith(
      '6f1c2b7e-3a4d-4f0e-9a51-2c8d7e9b1f20',
      { server: 'eu-west' },
    );
    first.unmount();

    api.getSandbox.mockClear();
    renderTestApp({
      features: [opensandboxPlugin],
      initialRouteEntries: [
        '/opensandbox/6f1c2b7e-3a4d-4f0e-9a51-2c8d7e9b1f20',
      ],
      apis: [
        [opensandboxApiRef, api],
        [permissionApiRef, createPermissionApi().permissionApi],
      ],
    });
    expect(
      await screen.findByTestId('field-state', {}, { timeout: 10_000 }),
    ).toHaveTextContent('Running');
    expect(api.getSandbox.mock.calls).toEqual([
      ['6f1c2b7e-3a4d-4f0e-9a51-2c8d7e9b1f20'],
    ]);
  });

  it('mounts the audit log under the same page', async () => {
    const api = fakeApi();
    api.listAuditEvents.mockResolvedValue({
      items: [makeAuditEvent({ id: 'e1' })],
    });
    renderTestApp({
      features: [opensandboxPlugin],
      initialRouteEntries: ['/opensandbox/audit?outcome=succeeded'],
      apis: [
        [opensandboxApiRef, api],
        [permissionApiRef, createPermissionApi().permissionApi],
      ],
    });
    expect(await screen.findByTestId('audit-row')).toHaveAttribute(
      'data-event-id',
      'e1',
    );
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent(
      'Audit log',
    );
    expect(api.listAuditEvents).toHaveBeenCalledWith(
      { outcome: 'succeeded' },
      { limit: 50 },
    );
    expect(api.getSandbox).not.toHaveBeenCalled();
  });

  it('declares the "Sandboxes" entity content for groups, components and systems', () => {
    const tester = createExtensionTester(opensandboxEntityContent, {
      apis: [[opensandboxApiRef, fakeApi()]],
    });
    expect(tester.get(coreExtensionData.routePath)).toBe('/sandboxes');
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe('Sandboxes');
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction)!;
    const of = (kind: string): Entity => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind,
      metadata: { name: 'x' },
    });
    expect(
      ['Group', 'Component', 'System', 'User', 'API'].map(kind =>
        filter(of(kind)),
      ),
    ).toEqual([true, true, true, false, false]);
    expect(
      opensandboxPlugin.getExtension('entity-content:opensandbox/sandboxes'),
    ).toBeDefined();
  });

  it('renders the entity content on a component page with the entity filter', async () => {
    const api = fakeApi();
    const entity: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'payments-api', namespace: 'default' },
      spec: { owner: 'group:default/team-a' },
    };
    renderTestApp({
      features: [opensandboxPlugin],
      extensions: [createTestEntityPage({ entity })],
      apis: [
        [opensandboxApiRef, api],
        [permissionApiRef, createPermissionApi().permissionApi],
      ],
    });
    await waitFor(
      () => expect(screen.getByTestId('entity-sandboxes')).toBeInTheDocument(),
      { timeout: 10_000 },
    );
    await waitFor(
      () => expect(screen.getByText('demo-api')).toBeInTheDocument(),
      { timeout: 10_000 },
    );
    expect(api.listSandboxes).toHaveBeenCalledWith({
      entity: ['component:default/payments-api'],
      page: 1,
      pageSize: 20,
    });
  });
});
