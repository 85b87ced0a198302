import { Navigate, Route } from 'react-router-dom';
import { createApp } from '@backstage/app-defaults';
import { AppRouter, FlatRoutes, OAuth2 } from '@backstage/core-app-api';
import {
  AlertDisplay,
  IdentityProviders,
  OAuthRequestDialog,
  SignInPage,
} from '@backstage/core-components';
import {
  ApiRef,
  BackstageIdentityApi,
  configApiRef,
  createApiFactory,
  createApiRef,
  discoveryApiRef,
  oauthRequestApiRef,
  OpenIdConnectApi,
  ProfileInfoApi,
  SessionApi,
  SignInPageProps,
  useApi,
} from '@backstage/core-plugin-api';
import { CatalogEntityPage, CatalogIndexPage } from '@backstage/plugin-catalog';
import { UserSettingsPage } from '@backstage/plugin-user-settings';
import { NotificationsPage } from '@backstage/plugin-notifications';
import { signalsPlugin } from '@backstage/plugin-signals';
import {
  OpenSandboxPage,
  opensandboxPlugin,
} from '@opensandbox-console/plugin-opensandbox';
import { apis } from './apis';
import { Root } from './components/Root/Root';
import { entityPage } from './components/catalog/EntityPage';

/**
 * Sign-in through the backend's `oidc` provider (auth.providers.oidc in app-config.yaml): the demo
 * identity provider in development, any OpenID Connect provider in production (docs/auth.md).
 */
export const oidcAuthApiRef: ApiRef<
  OpenIdConnectApi & ProfileInfoApi & BackstageIdentityApi & SessionApi
> = createApiRef({ id: 'auth.oidc' });

const oidcAuthApiFactory = createApiFactory({
  api: oidcAuthApiRef,
  deps: {
    discoveryApi: discoveryApiRef,
    oauthRequestApi: oauthRequestApiRef,
    configApi: configApiRef,
  },
  factory: ({ discoveryApi, oauthRequestApi, configApi }) =>
    OAuth2.create({
      configApi,
      discoveryApi,
      oauthRequestApi,
      provider: { id: 'oidc', title: 'OpenID Connect', icon: () => null },
      environment: configApi.getOptionalString('auth.environment'),
      defaultScopes: ['openid', 'profile', 'email'],
    }),
});

/** OIDC always; the guest only when auth.environment is `development`. */
function ConsoleSignInPage(props: SignInPageProps) {
  const configApi = useApi(configApiRef);
  const development =
    configApi.getOptionalString('auth.environment') === 'development';
  const oidcProvider = {
    id: 'oidc-auth-provider',
    title: 'OpenID Connect',
    message: development
      ? 'Sign in with the demo identity provider'
      : "Sign in with your organisation's identity provider",
    apiRef: oidcAuthApiRef,
  };
  const providers: IdentityProviders = development
    ? [oidcProvider, 'guest']
    : [oidcProvider];
  return <SignInPage {...props} providers={providers} />;
}

const app = createApp({
  apis: [...apis, oidcAuthApiFactory],
  // Signals push live status to the sandbox pages (its API is registered by the plugin).
  plugins: [opensandboxPlugin, signalsPlugin],
  components: {
    SignInPage: props => <ConsoleSignInPage {...props} />,
  },
});

const routes = (
  <FlatRoutes>
    <Route path="/" element={<Navigate to="opensandbox" />} />
    <Route path="/opensandbox" element={<OpenSandboxPage />} />
    <Route path="/catalog" element={<CatalogIndexPage />} />
    <Route
      path="/catalog/:namespace/:kind/:name"
      element={<CatalogEntityPage />}
    >
      {entityPage}
    </Route>
    <Route path="/settings" element={<UserSettingsPage />} />
    {/* Expiry warnings and other notifications (sidebar item in Root). */}
    <Route path="/notifications" element={<NotificationsPage />} />
  </FlatRoutes>
);

export default app.createRoot(
  <>
    <AlertDisplay />
    <OAuthRequestDialog />
    <AppRouter>
      <Root>{routes}</Root>
    </AppRouter>
  </>,
);
