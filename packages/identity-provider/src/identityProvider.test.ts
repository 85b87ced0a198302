/*
 * The identity provider as `scripts/start.sh` runs it (the bin, from sources), over real HTTP:
 * discovery, JWKS, client credentials (JWT access tokens for the console), and the browser flow
 * (authorization code + PKCE with the login form, userinfo, refresh).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { DEFAULT_DEMO_PASSWORD } from './accounts';
import { generateSigningJwk } from './keys';

jest.setTimeout(60_000);

const BIN = join(__dirname, '..', 'bin', 'identity-provider');
const REDIRECT_URI = 'http://localhost:7007/api/auth/oidc/handler/frame';
const BACKSTAGE_SECRET = `backstage-${randomBytes(8).toString('hex')}`;
const CI_BOT_SECRET = `ci-bot-${randomBytes(8).toString('hex')}`;
const signingKey = generateSigningJwk();

let child: ChildProcess;
let issuer: string;
let output = '';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function basic(id: string, secret: string) {
  return `Basic ${Buffer.from(
    `${encodeURIComponent(id)}:${encodeURIComponent(secret)}`,
  ).toString('base64')}`;
}

function decodeJwt(token: string) {
  const [h, p, s] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')),
    signingInput: `${h}.${p}`,
    signature: Buffer.from(s, 'base64url'),
  };
}

async function verifyWithJwks(token: string) {
  const jwt = decodeJwt(token);
  const { keys } = await (await fetch(`${issuer}/jwks`)).json();
  const jwk = keys.find((k: { kid: string }) => k.kid === jwt.header.kid);
  expect(jwk).toBeDefined();
  expect(jwt.header.alg).toBe('RS256');
  const ok = verify(
    'sha256',
    Buffer.from(jwt.signingInput),
    createPublicKey({ key: jwk, format: 'jwk' }),
    jwt.signature,
  );
  return { ...jwt, ok };
}

async function clientCredentials(
  id: string,
  secret: string,
  extra: Record<string, string> = {},
) {
  return fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: basic(id, secret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...extra }),
  });
}

beforeAll(async () => {
  const port = await freePort();
  issuer = `http://localhost:${port}`;
  child = spawn(
    process.execPath,
    [BIN, '--port', String(port), '--issuer', issuer],
    {
      env: {
        ...process.env,
        IDP_BACKSTAGE_CLIENT_SECRET: BACKSTAGE_SECRET,
        IDP_AUTOMATION_CLIENT_SECRET: CI_BOT_SECRET,
        IDP_SIGNING_KEY: JSON.stringify(signingKey),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.on('data', d => (output += d));
  child.stderr!.on('data', d => (output += d));
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${issuer}/healthz`)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`provider did not start:\n${output}`);
    await new Promise(r => setTimeout(r, 200));
  }
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise(r => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
});

describe('discovery and keys', () => {
  it('publishes an OpenID Connect discovery document', async () => {
    const res = await fetch(`${issuer}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc).toMatchObject({
      issuer,
      authorization_endpoint: `${issuer}/auth`,
      token_endpoint: `${issuer}/token`,
      userinfo_endpoint: `${issuer}/me`,
      jwks_uri: `${issuer}/jwks`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
    });
    expect(doc.grant_types_supported).toEqual(
      expect.arrayContaining([
        'authorization_code',
        'refresh_token',
        'client_credentials',
      ]),
    );
    expect(doc.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'email', 'profile']),
    );
    expect(doc.claims_supported).toEqual(
      expect.arrayContaining(['email', 'email_verified']),
    );
  });

  it('publishes the signing key (public part only) in the JWKS', async () => {
    const res = await fetch(`${issuer}/jwks`);
    expect(res.status).toBe(200);
    const { keys } = await res.json();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({
      kty: 'RSA',
      kid: signingKey.kid,
      alg: 'RS256',
      use: 'sig',
      n: signingKey.n,
    });
    for (const privateMember of ['d', 'p', 'q', 'dp', 'dq', 'qi'])
      expect(keys[0]).not.toHaveProperty(privateMember);
  });
});

describe('client credentials (automation)', () => {
  it('issues ci-bot a signed JWT access token for the console', async () => {
    const res = await clientCredentials('ci-bot', CI_BOT_SECRET);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 600 });
    const jwt = await verifyWithJwks(body.access_token);
    expect(jwt.ok).toBe(true);
    expect(jwt.header).toMatchObject({ typ: 'at+jwt', kid: signingKey.kid });
    expect(jwt.payload).toMatchObject({
      iss: issuer,
      aud: 'opensandbox-console',
      sub: 'ci-bot',
      client_id: 'ci-bot',
    });
    expect(jwt.payload.exp - jwt.payload.iat).toBe(600);
    expect(Math.abs(jwt.payload.iat - Date.now() / 1000)).toBeLessThan(30);
  });

  it('accepts the console resource indicator explicitly and refuses others', async () => {
    const ok = await clientCredentials('ci-bot', CI_BOT_SECRET, {
      resource: 'urn:opensandbox-console',
    });
    expect(ok.status).toBe(200);
    const bad = await clientCredentials('ci-bot', CI_BOT_SECRET, {
      resource: 'urn:something-else',
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toBe('invalid_target');
  });

  it('refuses a wrong client secret and clients without the grant', async () => {
    const wrong = await clientCredentials('ci-bot', 'not-the-secret');
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error).toBe('invalid_client');
    const backstage = await clientCredentials('backstage', BACKSTAGE_SECRET);
    expect(backstage.status).toBe(400);
    expect(await backstage.json()).toMatchObject({
      error: 'invalid_request',
      error_description: expect.stringMatching(/grant/),
    });
  });
});

/** A tiny cookie jar over fetch with manual redirects. */
class Browser {
  private cookies = new Map<string, string>();

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (cookie) headers.set('cookie', cookie);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return res;
  }

  /** Follows redirects on the provider until one leaves it (returns that URL) or a page answers. */
  async follow(
    url: string,
    init: RequestInit = {},
  ): Promise<{ url: string; res?: Response }> {
    let res = await this.request(url, init);
    let current = url;
    for (let i = 0; i < 10; i++) {
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location)
        return { url: current, res };
      current = new URL(location, current).href;
      if (!current.startsWith(issuer)) return { url: current };
      res = await this.request(current);
    }
    throw new Error('too many redirects');
  }
}

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

function authorizeUrl(challenge?: string) {
  const params = new URLSearchParams({
    client_id: 'backstage',
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email',
    state: 'state-1',
    nonce: 'nonce-1',
  });
  if (challenge) {
    params.set('code_challenge', challenge);
    params.set('code_challenge_method', 'S256');
  }
  return `${issuer}/auth?${params}`;
}

async function signIn(
  browser: Browser,
  username: string,
  password: string,
  challenge: string,
) {
  const start = await browser.follow(authorizeUrl(challenge));
  expect(start.res?.status).toBe(200);
  const html = await start.res!.text();
  expect(html).toContain('name="username"');
  const action = /action="(\/interaction\/[^"]+\/login)"/.exec(html)![1];
  return browser.follow(`${issuer}${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password }),
  });
}

async function exchange(body: Record<string, string>) {
  return fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: basic('backstage', BACKSTAGE_SECRET),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(body),
  });
}

describe('authorization code + PKCE (the Backstage client)', () => {
  it('signs ada in through the login form, without a consent screen, with email claims and refresh', async () => {
    const browser = new Browser();
    const { verifier, challenge } = pkce();
    const done = await signIn(browser, 'ada', DEFAULT_DEMO_PASSWORD, challenge);
    const callback = new URL(done.url);
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('state')).toBe('state-1');
    expect(callback.searchParams.get('iss')).toBe(issuer);
    const code = callback.searchParams.get('code')!;
    expect(code).toBeTruthy();

    // The code is bound to the PKCE verifier.
    const wrongVerifier = await exchange({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: pkce().verifier,
    });
    expect(wrongVerifier.status).toBe(400);
    expect((await wrongVerifier.json()).error).toBe('invalid_grant');

    // A fresh sign-in (the code above is now consumed) with the right verifier.
    const again = await browser.follow(authorizeUrl(challenge));
    const code2 = new URL(again.url).searchParams.get('code')!;
    const res = await exchange({
      grant_type: 'authorization_code',
      code: code2,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    });
    expect(res.status).toBe(200);
    const tokens = await res.json();
    expect(tokens.refresh_token).toBeTruthy();
    const idToken = await verifyWithJwks(tokens.id_token);
    expect(idToken.ok).toBe(true);
    expect(idToken.payload).toMatchObject({
      iss: issuer,
      aud: 'backstage',
      sub: 'ada',
      nonce: 'nonce-1',
    });

    const me = await fetch(`${issuer}/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({
      sub: 'ada',
      email: 'ada@example.com',
      email_verified: true,
      name: 'Ada Operator',
      preferred_username: 'ada',
    });

    const refreshed = await exchange({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    expect((await refreshed.json()).access_token).toBeTruthy();
  });

  it('lets mallory sign in at the provider (she is refused later, by the console)', async () => {
    const done = await signIn(
      new Browser(),
      'mallory@example.com',
      DEFAULT_DEMO_PASSWORD,
      pkce().challenge,
    );
    expect(new URL(done.url).searchParams.get('code')).toBeTruthy();
  });

  it('re-shows the form on a wrong password', async () => {
    const done = await signIn(new Browser(), 'ada', 'wrong', pkce().challenge);
    expect(done.res?.status).toBe(401);
    expect(await done.res!.text()).toContain('Unknown user or wrong password.');
  });

  it('requires PKCE', async () => {
    const done = await new Browser().follow(authorizeUrl());
    const redirect = new URL(done.url);
    expect(redirect.searchParams.get('error')).toBe('invalid_request');
    expect(redirect.searchParams.get('error_description')).toMatch(/PKCE/);
  });
});
