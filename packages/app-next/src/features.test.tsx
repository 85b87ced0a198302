import { screen, waitFor } from '@testing-library/react';
import { renderTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import opensandboxPlugin from '@opensandbox-console/plugin-opensandbox/alpha';
import type { Entity } from '@backstage/catalog-model';

const entity = (kind: string, name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name, namespace: 'default' },
  spec:
    kind === 'Group'
      ? { type: 'team', children: [] }
      : {
          type: 'service',
          owner: 'group:default/team-a',
          lifecycle: 'production',
        },
});

const entities = [
  entity('Group', 'team-a'),
  entity('Component', 'payments-api'),
  entity('System', 'payments'),
  entity('User', 'guest'),
];

function renderApp(path: string) {
  return renderTestApp({
    features: [catalogPlugin, opensandboxPlugin],
    initialRouteEntries: [path],
    apis: [[catalogApiRef, catalogApiMock({ entities })]],
  });
}

jest.setTimeout(30_000);

/** The hrefs of the links named `name` (nav items and entity tabs are both links). */
async function linkTargets(name: string) {
  const links = await screen.findAllByRole(
    'link',
    { name },
    { timeout: 15_000 },
  );
  return links.map(link => link.getAttribute('href'));
}

describe('app-next features', () => {
  it('shows the catalog and the "Sandboxes" nav item for /opensandbox', async () => {
    renderApp('/catalog/default/group/team-a');
    expect(await linkTargets('Catalog')).toContain('/catalog');
    expect(await linkTargets('Sandboxes')).toContain('/opensandbox');
  });

  it.each([
    ['group', 'team-a'],
    ['component', 'payments-api'],
    ['system', 'payments'],
  ])('puts a "Sandboxes" tab on the %s entity page', async (kind, name) => {
    renderApp(`/catalog/default/${kind}/${name}`);
    await waitFor(async () =>
      expect(await linkTargets('Sandboxes')).toContain(
        `/catalog/default/${kind}/${name}/sandboxes`,
      ),
    );
  });

  it('has no "Sandboxes" tab on a user entity page', async () => {
    renderApp('/catalog/default/user/guest');
    expect(await linkTargets('Overview')).toContain(
      '/catalog/default/user/guest',
    );
    expect(await linkTargets('Sandboxes')).toEqual(['/opensandbox']);
  });
});
