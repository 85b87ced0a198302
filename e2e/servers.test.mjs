// End-to-end: a console with two OpenSandbox servers (`opensandbox.servers`, given through
// APP_CONFIG_opensandbox_servers: two "tenants" of the one simulator, so each seeded sandbox is
// listed once per server; us-east serves team-b only). Against the stack as `npm start` runs it,
// in headless Debian Chromium (playwright-core): the list shows a Server column and filter, links
// carry the server, the detail page's reads and actions go to /servers/:server/sandboxes/:id, the
// create form offers the servers and sends `server`. Screenshots at 1440 and 1024 px go to .cache/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { checkListLayout } from './flows.mjs';
import {
  APP_URL,
  BACKEND_URL,
  launchChromium,
  repoRoot,
  SIMULATOR_URL,
  startStack,
} from './stack.mjs';

const apiKey = `e2e-key-${randomUUID()}`;
const STATIC_TOKEN =
  process.env.OPENSANDBOX_CONSOLE_STATIC_TOKEN ?? 'dev-ci-static-token';
const SERVERS = [
  { name: 'eu-west', baseUrl: SIMULATOR_URL, apiKey },
  {
    name: 'us-east',
    baseUrl: SIMULATOR_URL,
    apiKey,
    teams: ['group:default/team-b'],
  },
];
/** paused-notebook of the seed (guest's, team-a). */
const PAUSED = '8b1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';

let stack;
let browser;
let page;
const pageErrors = [];
/** Every request to the console backend's sandbox routes, as `METHOD path?query`. */
const calls = [];

before(
  async () => {
    stack = await startStack({
      apiKey,
      env: { APP_CONFIG_opensandbox_servers: JSON.stringify(SERVERS) },
      logName: 'e2e-servers-stack.log',
    });
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
    });
    page = await context.newPage();
    page.on('pageerror', error => pageErrors.push(error.message));
    page.on('request', request => {
      const url = new URL(request.url());
      if (/^\/api\/opensandbox\/(servers\/|sandboxes)/.test(url.pathname))
        calls.push(`${request.method()} ${url.pathname}${url.search}`);
    });
  },
  { timeout: 600_000 },
);

after(async () => {
  await browser?.close();
  await stack?.stop();
});

async function backendGet(path) {
  const res = await fetch(`${BACKEND_URL}/api/opensandbox${path}`, {
    headers: { Authorization: `Bearer ${STATIC_TOKEN}` },
  });
  return { status: res.status, body: await res.json() };
}

/** Polls the backend until the inventory of both servers has synced. */
async function waitForSync(timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await backendGet('/sandboxes?pageSize=200');
    const servers = new Set((body.items ?? []).map(s => s.server));
    if (status === 200 && body.syncedAt && servers.size === 2) return body;
    if (Date.now() > deadline)
      throw new Error(
        `the inventory never synced both servers: ${status} ${JSON.stringify(
          body,
        ).slice(0, 500)}`,
      );
    await new Promise(r => setTimeout(r, 500));
  }
}

/**
 * Runs `action` and waits for the backend's answer to the request with `method` whose path
 * matches `pathPattern` and whose query has every parameter of `query` (others allowed).
 */
async function answerOf(action, method, pathPattern, query = {}) {
  const [response] = await Promise.all([
    page.waitForResponse(r => {
      const url = new URL(r.url());
      return (
        r.request().method() === method &&
        pathPattern.test(url.pathname) &&
        Object.entries(query).every(
          ([key, value]) => url.searchParams.get(key) === value,
        )
      );
    }),
    action(),
  ]);
  return response;
}

test(
  'two servers: Server column and filter, links and actions per server, server choice on create',
  { timeout: 300_000 },
  async () => {
    const { body: settings } = await backendGet('/settings');
    assert.deepEqual(settings.servers, ['eu-west', 'us-east']);
    await waitForSync();

    await page.goto(`${APP_URL}/opensandbox`);
    await page.getByRole('button', { name: /enter/i }).click();
    await page.getByRole('heading', { name: 'Sandboxes', level: 1 }).waitFor();
    await page.getByRole('columnheader', { name: 'Server' }).waitFor();
    // The guest sees its four seeded sandboxes once per server.
    await page.waitForFunction(
      () =>
        document.querySelectorAll('[data-testid="sandbox-server"]').length ===
        8,
    );
    const servers = await page.getByTestId('sandbox-server').allTextContents();
    assert.deepEqual([...new Set(servers)].sort(), ['eu-west', 'us-east']);
    await page.screenshot({
      path: join(repoRoot, '.cache', 'e2e-servers-1440.png'),
      fullPage: true,
    });
    await checkListLayout(page, '1440 px, two servers');

    // The server filter asks the backend for one server's sandboxes.
    await page.getByTestId('server-filter').click();
    const filtered = await answerOf(
      () => page.getByRole('option', { name: 'us-east' }).click(),
      'GET',
      /^\/api\/opensandbox\/sandboxes$/,
      { server: 'us-east', page: '1' },
    );
    assert.equal(filtered.status(), 200);
    const body = await filtered.json();
    assert.equal(body.items.length, 4);
    assert.ok(body.items.every(s => s.server === 'us-east'));
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('[data-testid="sandbox-server"]')].every(
          c => c.textContent === 'us-east',
        ) &&
        document.querySelectorAll('[data-testid="sandbox-server"]').length ===
          4,
    );
    assert.equal(new URL(page.url()).search, '?server=us-east');

    await page.setViewportSize({ width: 1024, height: 800 });
    await page.getByTestId('server-filter').click();
    const everyServer = await answerOf(
      () => page.getByRole('option', { name: 'All servers' }).click(),
      'GET',
      /^\/api\/opensandbox\/sandboxes$/,
    );
    assert.equal(new URL(everyServer.url()).searchParams.get('server'), null);
    await page.waitForFunction(
      () =>
        document.querySelectorAll('[data-testid="sandbox-server"]').length ===
        8,
    );
    await checkListLayout(page, '1024 px, two servers');
    await page.screenshot({
      path: join(repoRoot, '.cache', 'e2e-servers-1024.png'),
      fullPage: true,
    });
    await page.setViewportSize({ width: 1440, height: 900 });

    // The link of the us-east row of paused-notebook carries its server; every call of the detail
    // page goes to /servers/us-east/...
    const row = page
      .locator('tr', {
        has: page.getByTestId('sandbox-server').filter({ hasText: 'us-east' }),
      })
      .filter({ hasText: 'paused-notebook' });
    const link = row.getByTestId('sandbox-link');
    assert.equal(
      await link.getAttribute('href'),
      `/opensandbox/servers/us-east/sandboxes/${PAUSED}`,
    );
    await link.click();
    await page
      .getByTestId('field-server')
      .filter({ hasText: 'us-east' })
      .waitFor();
    assert.ok(
      calls.includes(
        `GET /api/opensandbox/servers/us-east/sandboxes/${PAUSED}`,
      ),
    );
    const resumed = await answerOf(
      () => page.getByRole('button', { name: 'Resume' }).click(),
      'POST',
      new RegExp(
        `^/api/opensandbox/servers/us-east/sandboxes/${PAUSED}/resume$`,
      ),
    );
    assert.equal(resumed.status(), 202);
    await page
      .getByTestId('action-notice')
      .filter({ hasText: 'Resume requested.' })
      .waitFor();
    await page.getByRole('button', { name: 'Renew' }).click();
    await page.getByTestId('renew-minutes-input').fill('30');
    const renewed = await answerOf(
      () => page.getByTestId('renew-confirm').click(),
      'POST',
      new RegExp(
        `^/api/opensandbox/servers/us-east/sandboxes/${PAUSED}/renew-expiration$`,
      ),
    );
    assert.equal(renewed.status(), 200);
    const port = page.getByLabel('Port');
    await port.fill('8000');
    const endpoint = await answerOf(
      () => page.getByRole('button', { name: 'Get endpoint' }).click(),
      'GET',
      new RegExp(
        `^/api/opensandbox/servers/us-east/sandboxes/${PAUSED}/endpoints/8000$`,
      ),
      { use_server_proxy: 'false' },
    );
    assert.equal(endpoint.status(), 200);
    const defaultRoutes = calls.filter(c =>
      c.includes(`/api/opensandbox/sandboxes/${PAUSED}`),
    );
    assert.deepEqual(
      defaultRoutes,
      [],
      "no call of the detail page used the default server's routes",
    );
    await page.screenshot({
      path: join(repoRoot, '.cache', 'e2e-servers-detail-1440.png'),
      fullPage: true,
    });

    // Create: the form offers both servers; us-east does not serve the guest's team-a (400 next to
    // the select), eu-west does (202), and the new sandbox opens on its server.
    await page.goto(`${APP_URL}/opensandbox/create`);
    const select = page.getByTestId('create-server');
    await select.waitFor();
    assert.deepEqual(await select.locator('option').allTextContents(), [
      'Automatic (from the owning team)',
      'eu-west',
      'us-east',
    ]);
    await page.getByTestId('create-imageUri').fill('python:3.11-slim');
    await page
      .getByTestId('create-entrypoint')
      .fill('python -m http.server 8000');
    await page
      .getByTestId('create-metadata')
      .fill(`name=e2e-servers-${Date.now()}`);
    await select.selectOption('us-east');
    const refused = await answerOf(
      () => page.getByRole('button', { name: 'Create', exact: true }).click(),
      'POST',
      /^\/api\/opensandbox\/sandboxes$/,
    );
    assert.equal(refused.status(), 400);
    assert.equal(JSON.parse(refused.request().postData()).server, 'us-east');
    await page
      .getByText('us-east does not serve team group:default/team-a', {
        exact: true,
      })
      .waitFor();
    await select.selectOption('eu-west');
    const created = await answerOf(
      () => page.getByRole('button', { name: 'Create', exact: true }).click(),
      'POST',
      /^\/api\/opensandbox\/sandboxes$/,
    );
    assert.equal(created.status(), 202);
    const sandbox = await created.json();
    assert.equal(sandbox.server, 'eu-west');
    await page
      .getByTestId('field-id')
      .filter({ hasText: sandbox.id })
      .waitFor();
    assert.equal(
      new URL(page.url()).pathname,
      `/opensandbox/servers/eu-west/sandboxes/${sandbox.id}`,
    );
    assert.deepEqual(pageErrors, []);
  },
);
