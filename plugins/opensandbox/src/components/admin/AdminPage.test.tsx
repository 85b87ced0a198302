import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { ResponseError } from '@backstage/errors';
import type {
  RoleBinding,
  RoleBindingList,
} from '@opensandbox-console/plugin-opensandbox-common';
import { OpenSandboxAdminApi, opensandboxAdminApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import {
  createPermissionApi,
  withFreshPermissionCache,
} from '../../__testUtils__/testUtils';
import { AdminPage } from './AdminPage';
import { parseTeamsField } from './RoleBindingsCard';

jest.setTimeout(20_000);

const binding = (overrides: Partial<RoleBinding> = {}): RoleBinding => ({
  id: 'b-1',
  subject: 'user:default/vic',
  subjectKind: 'user',
  role: 'operator',
  teams: [],
  exempt: false,
  description: 'on call',
  createdAt: '2026-12-10T09:00:00.000Z',
  createdBy: 'user:default/pat',
  ...overrides,
});

const listOf = (items: RoleBinding[]): RoleBindingList => ({
  items,
  config: [
    {
      source: 'config',
      subject: 'group:default/platform',
      subjectKind: 'group',
      role: 'admin',
      teams: [],
    },
  ],
  defaultRole: null,
  cacheSeconds: 10,
});

function fakeAdminApi(): jest.Mocked<OpenSandboxAdminApi> {
  return {
    listRoleBindings: jest.fn().mockResolvedValue(listOf([binding()])),
    addRoleBinding: jest.fn(),
    removeRoleBinding: jest.fn().mockResolvedValue(undefined),
    explainRoleBindings: jest.fn(),
    exportRoleBindings: jest.fn(),
    importRoleBindings: jest.fn(),
  };
}

async function render(api: OpenSandboxAdminApi, denied: string[] = []) {
  await renderInTestApp(
    withFreshPermissionCache(
      <TestApiProvider
        apis={[
          [opensandboxAdminApiRef, api],
          [permissionApiRef, createPermissionApi(denied).permissionApi],
        ]}
      >
        <Routes>
          <Route path="/opensandbox/admin" element={<AdminPage />} />
        </Routes>
      </TestApiProvider>,
    ),
    {
      mountedRoutes: { '/opensandbox': rootRouteRef },
      routeEntries: ['/opensandbox/admin'],
    },
  );
}

describe('AdminPage (role bindings)', () => {
  it('needs opensandbox.admin.manage (not the audit permission) and loads nothing without it', async () => {
    const api = fakeAdminApi();
    await render(api, ['opensandbox.admin.manage']);
    expect(await screen.findByTestId('not-allowed')).toHaveTextContent(
      'This needs the permission opensandbox.admin.manage',
    );
    expect(api.listRoleBindings).not.toHaveBeenCalled();

    // Denying the audit permission alone does not hide the page.
    const api2 = fakeAdminApi();
    await render(api2, ['opensandbox.audit.read']);
    expect(await screen.findAllByTestId('binding-row')).toHaveLength(1);
  });

  it('lists the database bindings and the app-config entries (read-only) with the staleness bound', async () => {
    const api = fakeAdminApi();
    api.listRoleBindings.mockResolvedValue(
      listOf([
        binding(),
        binding({
          id: 'b-2',
          subject: 'group:default/team-b',
          subjectKind: 'group',
          role: 'viewer',
          teams: ['group:default/team-b'],
          exempt: true,
          description: null,
        }),
      ]),
    );
    await render(api);
    const rows = await screen.findAllByTestId('binding-row');
    expect(
      rows.map(r => [
        r.getAttribute('data-subject'),
        r.getAttribute('data-role'),
      ]),
    ).toEqual([
      ['user:default/vic', 'operator'],
      ['group:default/team-b', 'viewer'],
    ]);
    expect(rows[0]).toHaveTextContent(
      '2026-12-10 09:00:00 UTC by user:default/pat',
    );
    expect(rows[1]).toHaveTextContent('group:default/team-b');
    expect(rows[1]).toHaveTextContent('yes');
    const config = screen.getByTestId('config-row');
    expect(config).toHaveTextContent('group:default/platform');
    expect(config).toHaveTextContent('app-config');
    expect(
      within(config).queryByRole('button', { name: /remove/i }),
    ).not.toBeInTheDocument();
    expect(
      screen.getByText(/in force on every replica within 10 s/),
    ).toBeInTheDocument();
  });

  it('adds a binding (validated first) and reloads the list', async () => {
    const api = fakeAdminApi();
    api.addRoleBinding.mockResolvedValue(
      binding({
        id: 'b-9',
        subject: 'user:default/ada',
        teams: ['group:default/team-a'],
      }),
    );
    await render(api);
    await screen.findAllByTestId('binding-row');

    fireEvent.change(screen.getByTestId('binding-subject'), {
      target: { value: 'not a subject' },
    });
    fireEvent.click(screen.getByTestId('binding-add'));
    expect(
      await screen.findByText(
        /"not a subject" is neither a user\/group entity ref nor a service subject/,
      ),
    ).toBeInTheDocument();
    expect(api.addRoleBinding).not.toHaveBeenCalled();

    fireEvent.change(screen.getByTestId('binding-subject'), {
      target: { value: 'user:default/ada' },
    });
    fireEvent.change(screen.getByTestId('binding-role'), {
      target: { value: 'operator' },
    });
    fireEvent.change(screen.getByTestId('binding-teams'), {
      target: { value: 'group:default/team-a' },
    });
    fireEvent.click(screen.getByLabelText('Exempt from quotas'));
    fireEvent.click(screen.getByTestId('binding-add'));
    await waitFor(() =>
      expect(api.addRoleBinding).toHaveBeenCalledWith({
        subject: 'user:default/ada',
        role: 'operator',
        teams: ['group:default/team-a'],
        exempt: true,
      }),
    );
    expect(await screen.findByTestId('bindings-notice')).toHaveTextContent(
      'Added: user:default/ada → operator.',
    );
    await waitFor(() => expect(api.listRoleBindings).toHaveBeenCalledTimes(2));
  });

  it("shows the server's refusal of an addition", async () => {
    const api = fakeAdminApi();
    api.addRoleBinding.mockRejectedValue(
      await ResponseError.fromResponse(
        new Response(
          JSON.stringify({
            error: {
              name: 'ConflictError',
              message: 'user:default/vic already has the role operator',
            },
            response: { statusCode: 409 },
          }),
          {
            status: 409,
            headers: { 'Content-Type': 'application/json' },
          },
        ),
      ),
    );
    await render(api);
    await screen.findAllByTestId('binding-row');
    fireEvent.change(screen.getByTestId('binding-subject'), {
      target: { value: 'user:default/vic' },
    });
    fireEvent.click(screen.getByTestId('binding-add'));
    expect(await screen.findByTestId('binding-add-error')).toHaveTextContent(
      'user:default/vic already has the role operator (HTTP 409)',
    );
  });

  it('removes a binding after confirmation', async () => {
    const api = fakeAdminApi();
    await render(api);
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'Remove user:default/vic operator',
      }),
    );
    expect(
      await screen.findByText(/user:default\/vic loses the role operator/),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByTestId('binding-remove-confirm'));
    await waitFor(() =>
      expect(api.removeRoleBinding).toHaveBeenCalledWith('b-1'),
    );
    expect(await screen.findByTestId('bindings-notice')).toHaveTextContent(
      'Removed: user:default/vic → operator.',
    );
  });

  it('explains what a user may do and which binding gives it', async () => {
    const api = fakeAdminApi();
    api.explainRoleBindings.mockResolvedValue({
      user: 'user:default/vic',
      ownershipEntityRefs: ['user:default/vic', 'group:default/team-a'],
      groupsSource: 'catalog',
      matched: [],
      exempt: false,
      permissions: [
        {
          permission: 'opensandbox.sandbox.create',
          decision: 'allow',
          grantedBy: [
            {
              bindingId: 'b-1',
              source: 'database',
              subject: 'user:default/vic',
              role: 'operator',
              grants: 'all',
            },
          ],
        },
        {
          permission: 'opensandbox.sandbox.delete',
          decision: 'conditional',
          scope: { owner: 'user:default/vic', teams: ['group:default/team-a'] },
          grantedBy: [
            {
              source: 'config',
              subject: 'group:default/ops',
              role: 'operator',
              grants: 'scoped',
              teams: ['group:default/team-a'],
            },
          ],
        },
        {
          permission: 'opensandbox.admin.manage',
          decision: 'deny',
          grantedBy: [],
        },
      ],
    });
    await render(api);
    fireEvent.change(await screen.findByTestId('explain-user'), {
      target: { value: ' user:default/vic ' },
    });
    fireEvent.click(screen.getByTestId('explain-submit'));
    await waitFor(() =>
      expect(api.explainRoleBindings).toHaveBeenCalledWith('user:default/vic'),
    );
    expect(await screen.findByTestId('explain-result')).toHaveTextContent(
      'user:default/vic with group:default/team-a (groups from the catalog)',
    );
    expect(
      screen.getByTestId('explain-opensandbox.sandbox.create'),
    ).toHaveTextContent('allowed (all)operator via binding user:default/vic');
    expect(
      screen.getByTestId('explain-opensandbox.sandbox.delete'),
    ).toHaveTextContent(
      'own sandboxes and group:default/team-aoperator via app-config group:default/ops',
    );
    expect(
      screen.getByTestId('explain-opensandbox.admin.manage'),
    ).toHaveTextContent('denied-');
  });

  it('previews an import (dry run), imports it, and exports YAML', async () => {
    const api = fakeAdminApi();
    const result = {
      mode: 'replace' as const,
      created: [
        {
          subject: 'group:default/team-c',
          subjectKind: 'group' as const,
          role: 'operator' as const,
          teams: [],
          exempt: false,
          description: null,
        },
      ],
      deleted: [binding()],
      unchanged: 0,
    };
    api.importRoleBindings
      .mockResolvedValueOnce({ ...result, dryRun: true })
      .mockResolvedValueOnce({ ...result, dryRun: false });
    api.exportRoleBindings.mockResolvedValue('bindings: []\n');
    const createObjectURL = jest.fn((_blob: Blob) => 'blob:bindings');
    Object.assign(URL, { createObjectURL, revokeObjectURL: jest.fn() });
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(() => {});
    try {
      await render(api);
      const yaml =
        'bindings:\n  - { subject: group:default/team-c, role: operator }\n';
      fireEvent.change(await screen.findByTestId('import-yaml'), {
        target: { value: yaml },
      });
      fireEvent.change(screen.getByTestId('import-mode'), {
        target: { value: 'replace' },
      });
      fireEvent.click(screen.getByTestId('import-dry-run'));
      expect(await screen.findByTestId('import-result')).toHaveTextContent(
        'Dry run (nothing changed): would add 1, remove 1, keep 0 unchanged (replace).Add: group:default/team-c → operatorRemove: user:default/vic → operator',
      );
      expect(api.importRoleBindings).toHaveBeenLastCalledWith(yaml, {
        mode: 'replace',
        dryRun: true,
      });
      expect(api.listRoleBindings).toHaveBeenCalledTimes(1);
      fireEvent.click(screen.getByTestId('import-apply'));
      await waitFor(() =>
        expect(screen.getByTestId('import-result')).toHaveTextContent(
          'Imported: added 1, remove 1',
        ),
      );
      expect(api.importRoleBindings).toHaveBeenLastCalledWith(yaml, {
        mode: 'replace',
        dryRun: false,
      });
      await waitFor(() =>
        expect(api.listRoleBindings).toHaveBeenCalledTimes(2),
      );

      fireEvent.click(screen.getByLabelText(/Include the app-config entries/));
      fireEvent.click(screen.getByTestId('export-yaml'));
      await waitFor(() =>
        expect(api.exportRoleBindings).toHaveBeenCalledWith({
          includeConfig: true,
        }),
      );
      await waitFor(() => expect(click).toHaveBeenCalled());
    } finally {
      click.mockRestore();
    }
  });

  it('splits the teams field on commas, spaces and new lines', () => {
    expect(
      parseTeamsField(' group:default/a, group:default/b\ngroup:default/c '),
    ).toEqual(['group:default/a', 'group:default/b', 'group:default/c']);
    expect(parseTeamsField('')).toEqual([]);
  });
});
