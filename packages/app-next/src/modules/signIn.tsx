import { OAuth2 } from '@backstage/core-app-api';
import { IdentityProviders, SignInPage } from '@backstage/core-components';
import {
  ApiBlueprint,
  BackstageIdentityApi,
  OpenIdConnectApi,
  ProfileInfoApi,
  SessionApi,
  configApiRef,
  createApiRef,
  createFrontendModule,
  discoveryApiRef,
  oauthRequestApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import {
  SignInPageBlueprint,
  SignInPageProps,
} from '@backstage/plugin-app-react';

/**
 * The backend's `oidc` auth provider (auth.providers.oidc in app-config.yaml): the demo identity
 * provider in development, any OpenID Connect provider in production (docs/auth.md).
 */
export const oidcAuthApiRef = createApiRef<
  OpenIdConnectApi & ProfileInfoApi & BackstageIdentityApi & SessionApi
>().with({ id: 'auth.oidc', pluginId: 'app' });

/** `api:app/auth.oidc`: the OIDC session API used by the sign-in page. */
const oidcAuthApi = ApiBlueprint.make({
  name: 'auth.oidc',
  params: defineParams =>
    defineParams({
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
    }),
});

/** OIDC always; the guest only when auth.environment is `development` (as in packages/app). */
export function ConsoleSignInPage(props: SignInPageProps) {
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

/**
 * `sign-in-page:app`: replaces the app plugin's default (guest-only) sign-in page.
 */
const signInPage = SignInPageBlueprint.make({
  params: {
    loader: async () => ConsoleSignInPage,
  },
});

/** Sign-in for the new-system app: the OIDC API plus the sign-in page, as a module of `app`. */
export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [oidcAuthApi, signInPage],
});
