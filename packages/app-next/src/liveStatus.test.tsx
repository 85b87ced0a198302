import { screen } from '@testing-library/react';
import { renderTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import notificationsPlugin from '@backstage/plugin-notifications/alpha';
import signalsPlugin from '@backstage/plugin-signals/alpha';
import opensandboxPlugin from '@opensandbox-console/plugin-opensandbox/alpha';

jest.setTimeout(30_000);

describe('app-next live status and expiry warnings', () => {
  it('has the signals API and the notifications page with its nav item (expiry warnings)', async () => {
    renderTestApp({
      // The features of App.tsx (without the sign-in module).
      features: [
        catalogPlugin,
        opensandboxPlugin,
        signalsPlugin,
        notificationsPlugin,
      ],
      initialRouteEntries: ['/catalog'],
      apis: [[catalogApiRef, catalogApiMock({ entities: [] })]],
    });
    const links = await screen.findAllByRole(
      'link',
      { name: /Notifications/ },
      { timeout: 15_000 },
    );
    expect(links.map(link => link.getAttribute('href'))).toContain(
      '/notifications',
    );
    // The signals plugin installs its API extension, which the sandbox pages use for live status.
    expect(signalsPlugin.getExtension('api:signals')).toBeDefined();
    expect(
      notificationsPlugin.getExtension('page:notifications'),
    ).toBeDefined();
  });
});
