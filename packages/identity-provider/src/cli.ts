/**
 * Command line entry point (run through `bin/identity-provider`).
 * Flags override environment variables, which override defaults.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_DEMO_PASSWORD, DEMO_ACCOUNTS } from './accounts';
import { loadSigningJwk } from './keys';
import { IdentityProviderOptions, startIdentityProvider } from './provider';

/** Development defaults: the client secrets are for local use only; set them in any shared setup. */
export const DEFAULT_BACKSTAGE_CLIENT_SECRET = 'dev-backstage-oidc-secret';
export const DEFAULT_AUTOMATION_CLIENT_SECRET = 'dev-ci-bot-secret';

const USAGE = `Usage: identity-provider [options]

A development OpenID Connect provider (oidc-provider) with the demo accounts.

  --port N        port (default 7300)                          env IDP_PORT
  --host HOST     interface (default 127.0.0.1)                env IDP_HOST
  --issuer URL    issuer (default http://localhost:<port>)     env IDP_ISSUER
  -h, --help      show this help

Environment:
  IDP_BACKSTAGE_CLIENT_ID / IDP_BACKSTAGE_CLIENT_SECRET   Backstage client (default backstage / ${DEFAULT_BACKSTAGE_CLIENT_SECRET})
  IDP_BACKSTAGE_REDIRECT_URIS   comma-separated (default http://localhost:7007/api/auth/oidc/handler/frame)
  IDP_AUTOMATION_CLIENT_ID / IDP_AUTOMATION_CLIENT_SECRET  client-credentials client (default ci-bot / ${DEFAULT_AUTOMATION_CLIENT_SECRET})
  IDP_CONSOLE_AUDIENCE          aud of automation tokens (default opensandbox-console)
  IDP_ACCESS_TOKEN_TTL_SECONDS  access token lifetime (default 600)
  IDP_DEMO_PASSWORD             password of every demo account (default ${DEFAULT_DEMO_PASSWORD})
  IDP_SIGNING_KEY / IDP_SIGNING_KEY_FILE  private signing key, PEM or JWK (default: generated at start)
  IDP_COOKIE_KEYS               comma-separated cookie signing keys (default: random at start)
`;

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);
}

/** Turns argv and env into provider options. Throws on bad input. */
export function optionsFromArgs(
  argv: string[],
  env: NodeJS.ProcessEnv,
): IdentityProviderOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      issuer: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const portText = values.port ?? env.IDP_PORT ?? '7300';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be a port number, got '${portText}'`);
  const ttlText = env.IDP_ACCESS_TOKEN_TTL_SECONDS ?? '600';
  const ttl = Number(ttlText);
  if (!Number.isSafeInteger(ttl) || ttl <= 0)
    throw new Error(
      `IDP_ACCESS_TOKEN_TTL_SECONDS must be a positive integer, got '${ttlText}'`,
    );
  const issuer = (
    values.issuer ??
    env.IDP_ISSUER ??
    `http://localhost:${port}`
  ).replace(/\/+$/, '');
  const redirectUris = list(env.IDP_BACKSTAGE_REDIRECT_URIS);
  return {
    issuer,
    host: values.host ?? env.IDP_HOST ?? '127.0.0.1',
    port,
    backstageClient: {
      clientId: env.IDP_BACKSTAGE_CLIENT_ID || 'backstage',
      clientSecret:
        env.IDP_BACKSTAGE_CLIENT_SECRET || DEFAULT_BACKSTAGE_CLIENT_SECRET,
      redirectUris:
        redirectUris.length > 0
          ? redirectUris
          : ['http://localhost:7007/api/auth/oidc/handler/frame'],
    },
    automationClient: {
      clientId: env.IDP_AUTOMATION_CLIENT_ID || 'ci-bot',
      clientSecret:
        env.IDP_AUTOMATION_CLIENT_SECRET || DEFAULT_AUTOMATION_CLIENT_SECRET,
    },
    consoleAudience: env.IDP_CONSOLE_AUDIENCE || 'opensandbox-console',
    accessTokenTtlSeconds: ttl,
    accounts: DEMO_ACCOUNTS,
    demoPassword: env.IDP_DEMO_PASSWORD || DEFAULT_DEMO_PASSWORD,
    signingKey: loadSigningJwk(env).jwk,
    cookieKeys: list(env.IDP_COOKIE_KEYS),
  };
}

export async function main(
  argv = process.argv.slice(2),
  env = process.env,
): Promise<void> {
  const options = optionsFromArgs(argv, env);
  if (options === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const log = (line: string) =>
    process.stdout.write(`[identity-provider] ${line}\n`);
  const running = await startIdentityProvider({ ...options, log });
  log(
    `issuer ${options.issuer} listening on http://${options.host}:${running.port} ` +
      `(signing key ${options.signingKey.kid}, ${
        env.IDP_SIGNING_KEY || env.IDP_SIGNING_KEY_FILE
          ? 'from the environment'
          : 'generated at start'
      }); ` +
      `clients ${options.backstageClient.clientId}, ${options.automationClient.clientId}; DEVELOPMENT ONLY`,
  );
  const stop = () => {
    running.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
