// End-to-end: sign-in and automation against the demo OpenID Connect provider (:7300), with the
// console as `npm start` runs it, in headless Debian Chromium (playwright-core).
//
// - ada, bob, vic and pat sign in through the provider's login form (popup); each sees what the
//   role model grants on /opensandbox, and the server refuses what it forbids even when the page's
//   own Backstage token is replayed by hand;
// - mallory (an account of the provider, not in the catalog) gets a sign-in error;
// - automation: a client-credentials JWT of `ci-bot` lists and creates (service subject
//   `external:ci-bot` in the audit log), the static token is a viewer, and expired / wrongly signed /
//   wrong-audience / wrong-issuer tokens get 401;
// - the OpenSandbox API key and the OIDC client secret appear in no browser response and no log line.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  sign,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signInWithOidc as signInAt } from './flows.mjs';
import {
  APP_URL,
  BACKEND_URL,
  IDP_URL,
  launchChromium,
  repoRoot,
  startStack,
} from './stack.mjs';

const AUDIENCE = 'opensandbox-console';
const secret = prefix => `${prefix}-${randomBytes(12).toString('hex')}`;
const apiKey = `e2e-key-${randomUUID()}`;
const oidcClientSecret = secret('e2e-oidc-client');
const ciBotSecret = secret('e2e-ci-bot');
const staticToken = secret('e2e-static');
const sessionSecret = secret('e2e-session');

// The provider's signing key comes from the environment, so the test can also mint tokens that
// differ in exactly one respect (expired, wrong audience, wrong issuer). `otherKey` has the same
// kid but is not the provider's key: a token signed with it must fail verification.
const KID = 'e2e-signing-key';
const providerKey = generateKeyPairSync('rsa', {
  modulusLength: 2048,
}).privateKey;
const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

let stack;
let browser;
const scanned = { responses: 0, scripts: 0, idpPages: 0, hits: [] };
const secrets = { apiKey, oidcClientSecret, ciBotSecret, sessionSecret };

before(
  async () => {
    stack = await startStack({
      apiKey,
      logName: 'e2e-auth-stack.log',
      env: {
        IDP_SIGNING_KEY: JSON.stringify({
          ...providerKey.export({ format: 'jwk' }),
          kid: KID,
        }),
        AUTH_OIDC_CLIENT_SECRET: oidcClientSecret,
        IDP_AUTOMATION_CLIENT_SECRET: ciBotSecret,
        OPENSANDBOX_CONSOLE_STATIC_TOKEN: staticToken,
        AUTH_SESSION_SECRET: sessionSecret,
      },
    });
    browser = await launchChromium();
  },
  { timeout: 600_000 },
);

after(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A fresh browser context (no session) whose responses, popups included, are scanned for secrets. */
async function newUserContext() {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
  });
  const seen = { backstageToken: undefined };
  context.on('request', request => {
    const auth = request.headers().authorization;
    if (
      request.url().startsWith(`${BACKEND_URL}/api/opensandbox/`) &&
      auth?.startsWith('Bearer ')
    ) {
      seen.backstageToken = auth.slice('Bearer '.length);
    }
  });
  context.on('response', async response => {
    const headers = JSON.stringify(await response.allHeaders());
    let body = '';
    try {
      body = (await response.body()).toString('utf8');
    } catch {
      // redirects and aborted requests have no body
    }
    scanned.responses += 1;
    if (response.request().resourceType() === 'script') scanned.scripts += 1;
    if (response.url().startsWith(IDP_URL)) scanned.idpPages += 1;
    for (const [name, value] of Object.entries(secrets)) {
      if (
        headers.includes(value) ||
        body.includes(value) ||
        response.url().includes(value)
      ) {
        scanned.hits.push(`${name} in ${response.url()}`);
      }
    }
  });
  const page = await context.newPage();
  return { context, page, seen };
}

/** Opens the sign-in page and the OIDC popup (retried: the dev server may live-reload the app). */
/** Signs in to the legacy app through the OIDC card. */
function signInWithOidc(page, username, options) {
  return signInAt(page, APP_URL, username, options);
}

async function visibleSandboxes(page, expected, hidden) {
  try {
    for (const name of expected)
      await page.getByRole('link', { name, exact: true }).waitFor();
  } catch (error) {
    await page.screenshot({
      path: join(repoRoot, '.cache', `e2e-auth-failure-${Date.now()}.png`),
    });
    throw error;
  }
  for (const name of hidden) {
    assert.equal(
      await page.getByRole('link', { name, exact: true }).count(),
      0,
      `${name} must not be listed`,
    );
  }
}

function api(path, token, init = {}) {
  return fetch(`${BACKEND_URL}/api/opensandbox${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...init.headers,
    },
  });
}

function createBody(name, team) {
  return JSON.stringify({
    image: { uri: 'python:3.11-slim' },
    entrypoint: ['python', '-m', 'http.server', '8000'],
    resourceLimits: { cpu: '500m', memory: '512Mi' },
    timeout: 1800,
    metadata: { name },
    ...(team ? { team } : {}),
  });
}

function jwt(payload, key = providerKey, header = {}) {
  const h = Buffer.from(
    JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: KID, ...header }),
  ).toString('base64url');
  const p = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signature = sign('sha256', Buffer.from(`${h}.${p}`), key).toString(
    'base64url',
  );
  return `${h}.${p}.${signature}`;
}

function decode(token) {
  return JSON.parse(
    Buffer.from(token.split('.')[1], 'base64url').toString('utf8'),
  );
}

async function clientCredentialsToken() {
  const res = await fetch(`${IDP_URL}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`ci-bot:${ciBotSecret}`).toString(
        'base64',
      )}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  assert.equal(res.status, 200);
  return (await res.json()).access_token;
}

const TEAM_A = ['demo-api', 'paused-notebook'];
const TEAM_B = ['go-playground'];
const GUEST_ONLY = ['long-lived-workbench'];
let patToken;

test(
  'ada (operator, team-a) signs in through the identity provider; creates for team-a, not team-b',
  { timeout: 120_000 },
  async () => {
    const { context, page, seen } = await newUserContext();
    await signInWithOidc(page, 'ada');
    await visibleSandboxes(page, TEAM_A, [...TEAM_B, ...GUEST_ONLY]);
    await page.screenshot({
      path: join(repoRoot, '.cache', 'e2e-auth-ada.png'),
    });
    assert.ok(seen.backstageToken, 'the page sent a Backstage token');
    assert.equal(decode(seen.backstageToken).sub, 'user:default/ada');

    // The team is named: without it the backend takes the first group among ada's ownership refs,
    // which may be her role group (sandbox-operators) rather than her team.
    const created = await api('/sandboxes', seen.backstageToken, {
      method: 'POST',
      body: createBody('ada-e2e', 'group:default/team-a'),
    });
    assert.equal(created.status, 202);
    assert.deepEqual((await created.json()).ownership, {
      owner: 'user:default/ada',
      team: 'group:default/team-a',
    });
    const teamB = await api('/sandboxes', seen.backstageToken, {
      method: 'POST',
      body: createBody('ada-b', 'group:default/team-b'),
    });
    assert.equal(teamB.status, 403);

    await page.reload();
    await visibleSandboxes(page, ['ada-e2e', ...TEAM_A], TEAM_B);
    await context.close();
  },
);

test(
  'bob (operator, team-b) sees team-b sandboxes only and cannot create for team-a',
  { timeout: 120_000 },
  async () => {
    const { context, page, seen } = await newUserContext();
    await signInWithOidc(page, 'bob');
    await visibleSandboxes(page, TEAM_B, [...TEAM_A, ...GUEST_ONLY, 'ada-e2e']);
    assert.equal(decode(seen.backstageToken).sub, 'user:default/bob');
    const teamA = await api('/sandboxes', seen.backstageToken, {
      method: 'POST',
      body: createBody('bob-a', 'group:default/team-a'),
    });
    assert.equal(teamA.status, 403);
    await context.close();
  },
);

test(
  'vic (viewer, team-a) sees team-a sandboxes; a forged create with the page token is refused',
  { timeout: 120_000 },
  async () => {
    const { context, page, seen } = await newUserContext();
    await signInWithOidc(page, 'vic');
    await visibleSandboxes(
      page,
      [...TEAM_A, 'ada-e2e'],
      [...TEAM_B, ...GUEST_ONLY],
    );
    assert.equal(decode(seen.backstageToken).sub, 'user:default/vic');
    const forged = await api('/sandboxes', seen.backstageToken, {
      method: 'POST',
      body: createBody('vic-forged'),
    });
    assert.equal(forged.status, 403);
    const forgedTeam = await api('/sandboxes', seen.backstageToken, {
      method: 'POST',
      body: createBody('vic-forged', 'group:default/team-a'),
    });
    assert.equal(forgedTeam.status, 403);
    const audit = await api('/audit-events', seen.backstageToken);
    assert.equal(audit.status, 403, 'viewers may not read the audit log');

    // The UI shows no usable mutating control, and a forged mutation from this session is refused.
    await page.getByRole('link', { name: 'demo-api' }).click();
    const getEndpoint = page.getByRole('button', { name: 'Get endpoint' });
    await getEndpoint.waitFor();
    await page.waitForFunction(() => {
      const b = [...document.querySelectorAll('button')].find(
        x => x.textContent?.trim() === 'Get endpoint',
      );
      return b && !b.disabled; // permissions have loaded: viewers may get endpoints
    });
    for (const name of ['Renew', 'Pause', 'Delete']) {
      assert.equal(
        await page.getByRole('button', { name, exact: true }).isDisabled(),
        true,
        `${name} must be disabled for a viewer`,
      );
    }
    const id = (await page.getByTestId('field-id').textContent()).trim();
    const forgedPause = await api(
      `/sandboxes/${id}/pause`,
      seen.backstageToken,
      { method: 'POST' },
    );
    assert.equal(forgedPause.status, 403);
    const forgedDelete = await api(`/sandboxes/${id}`, seen.backstageToken, {
      method: 'DELETE',
    });
    assert.equal(forgedDelete.status, 403);
    await context.close();
  },
);

test('pat (admin) sees every sandbox', { timeout: 120_000 }, async () => {
  const { context, page, seen } = await newUserContext();
  await signInWithOidc(page, 'pat');
  await visibleSandboxes(
    page,
    [...TEAM_A, ...TEAM_B, ...GUEST_ONLY, 'ada-e2e'],
    [],
  );
  await page.screenshot({ path: join(repoRoot, '.cache', 'e2e-auth-pat.png') });
  patToken = seen.backstageToken;
  assert.equal(decode(patToken).sub, 'user:default/pat');
  await context.close();
});

test(
  'mallory (at the identity provider, not in the catalog) gets a sign-in error, no session',
  { timeout: 120_000 },
  async () => {
    const { context, page, seen } = await newUserContext();
    await signInWithOidc(page, 'mallory', { expectSuccess: false });
    await page.getByText(/unable to resolve user identity/i).waitFor();
    await page.screenshot({
      path: join(repoRoot, '.cache', 'e2e-auth-mallory.png'),
    });
    assert.equal(
      await page.getByRole('heading', { name: 'Sandboxes', level: 1 }).count(),
      0,
    );
    await page.getByText('Sign in with the demo identity provider').waitFor();
    assert.equal(seen.backstageToken, undefined, 'no Backstage token was used');
    // No Backstage session was stored either: a refresh gets nothing.
    const refresh = await page.evaluate(async url => {
      const res = await fetch(url, {
        credentials: 'include',
        headers: { 'x-requested-with': 'XMLHttpRequest' },
      });
      return res.status;
    }, `${BACKEND_URL}/api/auth/oidc/refresh?optional&scope=openid%20profile%20email&env=development`);
    assert.notEqual(refresh, 200);
    await context.close();
  },
);

test(
  'automation: a client-credentials JWT of ci-bot lists and creates; the audit log names external:ci-bot',
  { timeout: 60_000 },
  async () => {
    const token = await clientCredentialsToken();
    const claims = decode(token);
    assert.equal(claims.iss, IDP_URL);
    assert.equal(claims.aud, AUDIENCE);
    assert.equal(claims.sub, 'ci-bot');

    const list = await api('/sandboxes', token);
    assert.equal(list.status, 200);
    const created = await api('/sandboxes', token, {
      method: 'POST',
      body: createBody('ci-bot-e2e', 'group:default/team-a'),
    });
    assert.equal(created.status, 202);
    const sandbox = await created.json();
    assert.equal(sandbox.ownership.team, 'group:default/team-a');
    const teamB = await api('/sandboxes', token, {
      method: 'POST',
      body: createBody('ci-bot-b', 'group:default/team-b'),
    });
    assert.equal(teamB.status, 403, 'ci-bot is an operator of team-a only');

    assert.ok(patToken, 'pat signed in before');
    const audit = await api(
      `/audit-events?actor=${encodeURIComponent('external:ci-bot')}`,
      patToken,
    );
    assert.equal(audit.status, 200);
    const { items } = await audit.json();
    const create = items.find(
      e => e.action === 'sandbox.create' && e.sandboxId === sandbox.id,
    );
    assert.ok(
      create,
      `no audit event for ${sandbox.id}: ${JSON.stringify(items)}`,
    );
    assert.equal(create.actor, 'external:ci-bot');
    assert.equal(create.actorType, 'service');
    assert.ok(
      items.some(
        e => e.outcome === 'denied' && e.team === 'group:default/team-b',
      ),
    );
  },
);

test('automation: the static token is the viewer ci-static', async () => {
  assert.equal((await api('/sandboxes', staticToken)).status, 200);
  const created = await api('/sandboxes', staticToken, {
    method: 'POST',
    body: createBody('static', 'group:default/team-a'),
  });
  assert.equal(created.status, 403);
  // accessRestrictions: the tokens are good for the OpenSandbox plugin only.
  const catalog = await fetch(`${BACKEND_URL}/api/catalog/entities?limit=1`, {
    headers: { authorization: `Bearer ${staticToken}` },
  });
  assert.equal(catalog.status, 403);
});

test('automation: expired, wrongly signed, wrong-audience and wrong-issuer tokens get 401', async () => {
  const now = Math.floor(Date.now() / 1000);
  const good = {
    iss: IDP_URL,
    aud: AUDIENCE,
    sub: 'ci-bot',
    client_id: 'ci-bot',
    iat: now,
    exp: now + 300,
    jti: randomUUID(),
  };
  // Control: a token minted here with the provider's key and the right claims is accepted, so each
  // 401 below is caused by the one claim or key that differs.
  assert.equal((await api('/sandboxes', jwt(good))).status, 200);
  const cases = {
    expired: jwt({ ...good, iat: now - 900, exp: now - 300 }),
    'wrong key': jwt(good, otherKey),
    'wrong audience': jwt({ ...good, aud: 'some-other-api' }),
    'wrong issuer': jwt({ ...good, iss: 'http://localhost:7301' }),
    'alg none': `${Buffer.from(
      JSON.stringify({ alg: 'none', typ: 'at+jwt' }),
    ).toString('base64url')}.${Buffer.from(JSON.stringify(good)).toString(
      'base64url',
    )}.`,
    garbage: 'not-a-token-at-all',
  };
  for (const [name, token] of Object.entries(cases)) {
    const res = await api('/sandboxes', token);
    assert.equal(res.status, 401, `${name}: ${res.status}`);
  }
  assert.equal(
    (await fetch(`${BACKEND_URL}/api/opensandbox/sandboxes`)).status,
    401,
    'no token',
  );
});

test('the OpenSandbox API key and the client secrets appear in no browser response and no log line', () => {
  assert.ok(
    scanned.responses > 50,
    `only ${scanned.responses} responses scanned`,
  );
  assert.ok(scanned.scripts > 0, 'no script was loaded');
  assert.ok(scanned.idpPages > 0, 'no identity provider page was scanned');
  assert.deepEqual(scanned.hits, []);
  const log = readFileSync(stack.logFile, 'utf8');
  for (const [name, value] of Object.entries({ ...secrets, staticToken })) {
    assert.equal(log.includes(value), false, `${name} in the stack log`);
  }
});
