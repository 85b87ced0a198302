/**
 * The benchmarks' Backstage backend (a process of its own, started by `./processes.ts`): the REAL
 * backend system (`createBackend`, default services: token auth, the permission client calling
 * the permission backend over HTTP, PostgreSQL) with
 * - `@backstage/plugin-proxy-backend`: `/api/proxy/opensandbox` → the simulator, the API key
 *   injected by the proxy config's headers (what a team can configure today: no roles, no audit);
 * - the console plugin with permissions enabled, decided by the role policy module, audit on
 *   PostgreSQL;
 * - sign-in for the benchmark users: `GET /api/auth/bench/refresh` with `X-Bench-User: <name>`
 *   issues a Backstage user token for `user:default/<name>` (ownership from `BENCH_USERS`).
 *
 * The config comes from the `--config` files on the command line (written by `./processes.ts`).
 * With `BENCH_COUNT_DECISIONS=1`, `GET /bench/stats` answers `{ decisions }`: how many requests
 * reached the permission backend's `/authorize` (one per decision call, batched or not) since the
 * last `POST /bench/stats`.
 */
import { createBackend } from '@backstage/backend-defaults';
import { rootHttpRouterServiceFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';
import { NotAllowedError } from '@backstage/errors';

/** `name=ref,ref;name=ref` → ownership refs per user name. */
function readUsers(): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const entry of (process.env.BENCH_USERS ?? '')
    .split(';')
    .filter(Boolean)) {
    const [name, refs] = entry.split('=');
    users.set(name, [
      `user:default/${name}`,
      ...refs.split(',').filter(Boolean),
    ]);
  }
  return users;
}

const benchAuthModule = createBackendModule({
  pluginId: 'auth',
  moduleId: 'bench-provider',
  register(reg) {
    reg.registerInit({
      deps: { providers: authProvidersExtensionPoint },
      async init({ providers }) {
        const users = readUsers();
        providers.registerProvider({
          providerId: 'bench',
          factory: createProxyAuthProviderFactory({
            authenticator: createProxyAuthenticator({
              defaultProfileTransform: async () => ({ profile: {} }),
              initialize: () => undefined,
              async authenticate({ req }) {
                const name = String(req.header('x-bench-user') ?? '');
                if (!users.has(name))
                  throw new NotAllowedError(`unknown bench user ${name}`);
                return { result: { name } };
              },
            }),
            signInResolver: async ({ result }, ctx) =>
              ctx.issueToken({
                claims: {
                  sub: `user:default/${result.name}`,
                  ent: users.get(result.name)!,
                },
              }),
          }),
        });
      },
    });
  },
});

let decisions = 0;
const countingRootRouter = rootHttpRouterServiceFactory({
  configure({ app, applyDefaults }) {
    app.use((req, res, next) => {
      if (req.path === '/bench/stats') {
        if (req.method === 'POST') decisions = 0;
        res.json({ decisions });
        return;
      }
      if (req.method === 'POST' && req.path === '/api/permission/authorize')
        decisions += 1;
      next();
    });
    applyDefaults();
  },
});

const backend = createBackend();
if (process.env.BENCH_COUNT_DECISIONS === '1') backend.add(countingRootRouter);
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(benchAuthModule);
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(
  import(
    '@opensandbox-console/plugin-opensandbox-backend-module-permission-policy'
  ),
);
backend.add(import('@opensandbox-console/plugin-opensandbox-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));
// As in the demo backend (packages/backend): the console's live status publishes signals.
backend.add(import('@backstage/plugin-signals-backend'));
backend.start().catch(error => {
  process.stderr.write(`bench backend failed: ${error?.stack ?? error}\n`);
  process.exit(1);
});
