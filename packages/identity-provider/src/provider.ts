import { randomBytes } from 'node:crypto';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import Provider, {
  AsymmetricSigningAlgorithm,
  Configuration,
  errors,
} from 'oidc-provider';
import { accountClaims, DemoAccount, findDemoAccount } from './accounts';
import { SigningJwk } from './keys';
import { escapeHtml, renderError, renderLogin } from './pages';

export type IdentityProviderOptions = {
  /** Issuer URL, e.g. http://localhost:7300 (what clients use; must match how they reach it). */
  issuer: string;
  /** Interface to listen on (default 127.0.0.1). */
  host: string;
  /** Port; 0 picks a free one (then the issuer should use the same port). */
  port: number;
  /** The Backstage backend: confidential client, authorization code + PKCE, refresh tokens. */
  backstageClient: {
    clientId: string;
    clientSecret: string;
    redirectUris: string[];
  };
  /** The automation client: client credentials only, JWT access tokens for the console. */
  automationClient: { clientId: string; clientSecret: string };
  /** `aud` of the automation access tokens. */
  consoleAudience: string;
  /** Lifetime of access tokens in seconds. */
  accessTokenTtlSeconds: number;
  accounts: readonly DemoAccount[];
  /** The one password of every demo account (development only). */
  demoPassword: string;
  signingKey: SigningJwk;
  /** Keys signing the provider's cookies (random when empty). */
  cookieKeys: string[];
  log?: (line: string) => void;
};

/** The resource indicator of the console (RFC 8707); tokens for it carry `aud` = consoleAudience. */
export const CONSOLE_RESOURCE = 'urn:opensandbox-console';

export type RunningIdentityProvider = {
  provider: Provider;
  server: http.Server;
  /** The bound port. */
  port: number;
  close(): Promise<void>;
};

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sendHtml(res: ServerResponse, status: number, html: string) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // No form-action: Chromium applies it to the redirects after the login POST (to the client).
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  });
  res.end(html);
}

/** Builds the oidc-provider configuration. */
export function providerConfiguration(
  options: IdentityProviderOptions,
): Configuration {
  const { backstageClient, automationClient } = options;
  const autoConsentClients = new Set([backstageClient.clientId]);
  return {
    clients: [
      {
        client_id: backstageClient.clientId,
        client_secret: backstageClient.clientSecret,
        client_name: 'OpenSandbox Console (Backstage)',
        redirect_uris: backstageClient.redirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        client_id: automationClient.clientId,
        client_secret: automationClient.clientSecret,
        client_name: 'CI automation',
        redirect_uris: [],
        grant_types: ['client_credentials'],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    responseTypes: ['code'],
    jwks: { keys: [options.signingKey] },
    cookies: {
      keys:
        options.cookieKeys.length > 0
          ? options.cookieKeys
          : [randomBytes(32).toString('hex')],
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
    },
    scopes: ['openid', 'offline_access', 'email', 'profile'],
    async findAccount(_ctx, sub) {
      const account = options.accounts.find(a => a.username === sub);
      if (!account) return undefined;
      return { accountId: sub, claims: async () => accountClaims(account) };
    },
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // The automation client gets tokens for the console without naming it.
        defaultResource: (_ctx, client) =>
          client?.clientId === automationClient.clientId
            ? CONSOLE_RESOURCE
            : undefined,
        useGrantedResource: () => false,
        getResourceServerInfo: (_ctx, resourceIndicator, client) => {
          if (
            resourceIndicator !== CONSOLE_RESOURCE ||
            client.clientId !== automationClient.clientId
          ) {
            throw new errors.InvalidTarget(
              `${client.clientId} may not get tokens for ${resourceIndicator}`,
            );
          }
          return {
            scope: 'sandboxes',
            audience: options.consoleAudience,
            accessTokenTTL: options.accessTokenTtlSeconds,
            accessTokenFormat: 'jwt',
            jwt: {
              sign: {
                alg: options.signingKey.alg as AsymmetricSigningAlgorithm,
              },
            },
          };
        },
      },
    },
    pkce: {
      // Authorization code always with PKCE (S256), confidential clients too.
      required: () => true,
    },
    // Refresh tokens for the Backstage client without asking for offline_access.
    issueRefreshToken: async (_ctx, client) =>
      client.grantTypeAllowed('refresh_token'),
    ttl: {
      AccessToken: options.accessTokenTtlSeconds,
      AuthorizationCode: 60,
      ClientCredentials: options.accessTokenTtlSeconds,
      IdToken: 3600,
      Grant: 14 * 24 * 3600,
      Interaction: 3600,
      RefreshToken: 14 * 24 * 3600,
      Session: 14 * 24 * 3600,
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = renderError(out.error ?? 'error', out.error_description ?? '');
    },
    loadExistingGrant: async ctx => {
      // Consent is auto-granted for the Backstage client: a grant is made on first use.
      const client = ctx.oidc.client;
      const session = ctx.oidc.session;
      if (!client || !session?.accountId) return undefined;
      const grantId =
        ctx.oidc.result?.consent?.grantId ??
        session.grantIdFor(client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      if (!autoConsentClients.has(client.clientId)) return undefined;
      const grant = new ctx.oidc.provider.Grant({
        clientId: client.clientId,
        accountId: session.accountId,
      });
      grant.addOIDCScope('openid email profile offline_access');
      await grant.save();
      return grant;
    },
  };
}

/** Starts the provider with a login form under /interaction/:uid. */
export async function startIdentityProvider(
  options: IdentityProviderOptions,
): Promise<RunningIdentityProvider> {
  const log = options.log ?? (() => {});
  const provider = new Provider(options.issuer, providerConfiguration(options));
  // Plain HTTP on localhost in development; behind a TLS proxy set provider.proxy = true.
  provider.on('server_error', (_ctx, error) =>
    log(`server_error ${error.stack ?? error}`),
  );
  provider.on('grant.success', ctx =>
    log(`token issued to ${ctx.oidc.client?.clientId}`),
  );
  provider.on('grant.error', (ctx, error) =>
    log(
      `token request of ${
        ctx.oidc.client?.clientId ?? '(unknown client)'
      } refused: ${error.message}`,
    ),
  );
  const oidcCallback = provider.callback();

  const interactions = async (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
  ) => {
    const match = /^\/interaction\/([^/]+)(\/login|\/abort)?$/.exec(path);
    if (!match) return false;
    const action = match[2];
    try {
      const details = await provider.interactionDetails(req, res);
      const client = await provider.Client.find(
        String(details.params.client_id),
      );
      const clientName = client?.clientName ?? String(details.params.client_id);
      if (req.method === 'GET' && !action) {
        sendHtml(
          res,
          200,
          renderLogin({
            uid: details.uid,
            clientName,
            accounts: options.accounts,
            prompt: details.prompt.name,
          }),
        );
        return true;
      }
      if (req.method === 'POST' && action === '/abort') {
        await provider.interactionFinished(
          req,
          res,
          {
            error: 'access_denied',
            error_description: 'The user cancelled the sign-in',
          },
          { mergeWithLastSubmission: false },
        );
        return true;
      }
      if (req.method === 'POST' && action === '/login') {
        const form = await readForm(req);
        const account = findDemoAccount(
          options.accounts,
          form.get('username') ?? '',
        );
        if (!account || form.get('password') !== options.demoPassword) {
          log(`failed login for '${escapeHtml(form.get('username') ?? '')}'`);
          sendHtml(
            res,
            401,
            renderLogin({
              uid: details.uid,
              clientName,
              accounts: options.accounts,
              prompt: details.prompt.name,
              error: 'Unknown user or wrong password.',
              username: form.get('username') ?? '',
            }),
          );
          return true;
        }
        log(`${account.username} signed in for ${client?.clientId}`);
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: account.username } },
          { mergeWithLastSubmission: false },
        );
        return true;
      }
      sendHtml(
        res,
        405,
        renderError('method_not_allowed', `${req.method} ${path}`),
      );
      return true;
    } catch (error) {
      const e = error as {
        error?: string;
        error_description?: string;
        message: string;
      };
      sendHtml(
        res,
        400,
        renderError(
          e.error ?? 'invalid_request',
          e.error_description ?? e.message,
        ),
      );
      return true;
    }
  };

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
      return;
    }
    if (path.startsWith('/interaction/')) {
      interactions(req, res, path).catch(error => {
        log(`interaction failed: ${(error as Error).stack}`);
        if (!res.headersSent)
          sendHtml(res, 500, renderError('server_error', 'interaction failed'));
      });
      return;
    }
    oidcCallback(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    provider,
    server,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close(error => (error ? reject(error) : resolve()));
      }),
  };
}
