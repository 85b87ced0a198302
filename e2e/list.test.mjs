// End-to-end: the sandbox list served from the console's inventory, against the stack as
// `npm start` runs it (simulator seeded with packages/opensandbox-simulator/seed/demo.yaml), in
// headless Debian Chromium (playwright-core). The search box narrows the list on the server to a
// seeded sandbox by part of its name (and id), the Name and Expires headers sort on the server,
// "Expiring soon" asks for expiringWithinSeconds=3600 and shows a sandbox just created in the
// console, the freshness note ("Updated Ns ago") shows with its tooltip, links carry the
// sandbox's server and the detail page calls /servers/default/sandboxes/:id. Screenshots at 1440
// and 1024 px go to .cache/; the layout is checked at both: no horizontal overflow, names,
// times and headers on one line.
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
  startStack,
} from './stack.mjs';

const apiKey = `e2e-key-${randomUUID()}`;
const STATIC_TOKEN =
  process.env.OPENSANDBOX_CONSOLE_STATIC_TOKEN ?? 'dev-ci-static-token';
/** The seeded sandboxes the guest sees (its own and team-a's), newest first. */
const GUEST_NEWEST_FIRST = [
  'failed-batch',
  'paused-notebook',
  'demo-api',
  'long-lived-workbench',
];
/** paused-notebook of the seed. */
const PAUSED = '8b1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';

let stack;
let browser;
let page;
const pageErrors = [];
/** Every list request the page made, as URL objects. */
const listRequests = [];
/** Every request to a sandbox route of the backend, as `METHOD path`. */
const sandboxCalls = [];

before(
  async () => {
    stack = await startStack({ apiKey, logName: 'e2e-list-stack.log' });
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
    });
    page = await context.newPage();
    page.on('pageerror', error => pageErrors.push(error.message));
    page.on('request', request => {
      const url = new URL(request.url());
      if (
        url.pathname === '/api/opensandbox/sandboxes' &&
        request.method() === 'GET'
      )
        listRequests.push(url);
      if (
        /^\/api\/opensandbox\/(servers\/[^/]+\/)?sandboxes\/./.test(
          url.pathname,
        )
      ) {
        sandboxCalls.push(`${request.method()} ${url.pathname}`);
      }
    });
  },
  { timeout: 600_000 },
);

after(async () => {
  await browser?.close();
  await stack?.stop();
});

/** `GET /api/opensandbox/<path>` with the static external-access token of app-config.yaml. */
async function backendGet(path) {
  const res = await fetch(`${BACKEND_URL}/api/opensandbox${path}`, {
    headers: { Authorization: `Bearer ${STATIC_TOKEN}` },
  });
  return { status: res.status, body: await res.json() };
}

/** Polls the backend until the inventory answers with a `syncedAt` (its first sync ran). */
async function waitForFirstSync(timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await backendGet('/sandboxes?pageSize=200');
    if (status === 200 && body.syncedAt) return body;
    if (Date.now() > deadline)
      throw new Error(
        `the inventory never synced: ${status} ${JSON.stringify(body)}`,
      );
    await new Promise(r => setTimeout(r, 500));
  }
}

/** The names (links) of the table's rows, in order. */
function names() {
  return page.getByTestId('sandbox-link').allTextContents();
}

/** Waits until the table shows exactly `expected` (in order). */
async function waitForNames(expected, timeout = 30_000) {
  try {
    await page.waitForFunction(
      want =>
        JSON.stringify(
          [...document.querySelectorAll('[data-testid="sandbox-link"]')].map(
            a => a.textContent,
          ),
        ) === JSON.stringify(want),
      expected,
      { timeout },
    );
  } catch (error) {
    await page.screenshot({
      path: join(repoRoot, '.cache', 'e2e-list-failure.png'),
      fullPage: true,
    });
    throw new Error(
      `expected rows ${JSON.stringify(
        expected,
      )}, the table shows ${JSON.stringify(await names())} (${error.message})`,
    );
  }
}

/** Runs `action` and returns the list request it caused (the first matching `predicate`). */
async function listRequestOf(action, predicate = () => true) {
  const [response] = await Promise.all([
    page.waitForResponse(r => {
      const url = new URL(r.url());
      return (
        url.pathname === '/api/opensandbox/sandboxes' &&
        r.request().method() === 'GET' &&
        predicate(url)
      );
    }),
    action(),
  ]);
  assert.equal(
    response.status(),
    200,
    `list answered ${response.status()}: ${await response.text()}`,
  );
  return { url: new URL(response.url()), body: await response.json() };
}

test(
  'search, sort, "Expiring soon" and the freshness note work against the inventory',
  { timeout: 300_000 },
  async () => {
    // The static token is a viewer of team-a (app-config.yaml): it sees team-a's three seeded sandboxes.
    const first = await waitForFirstSync();
    assert.deepEqual(first.items.map(s => s.metadata?.name).sort(), [
      'demo-api',
      'failed-batch',
      'paused-notebook',
    ]);
    assert.ok(
      first.items.every(s => s.server === 'default'),
      'every item names its server',
    );
    const settings = await backendGet('/settings');
    assert.deepEqual(settings.body.servers, ['default']);

    // The guest (operator of its own and team-a's sandboxes) sees four seeded sandboxes, newest first.
    await page.goto(`${APP_URL}/opensandbox`);
    await page.getByRole('button', { name: /enter/i }).click();
    await page.getByRole('heading', { name: 'Sandboxes', level: 1 }).waitFor();
    await waitForNames(GUEST_NEWEST_FIRST);
    assert.equal(
      await page.getByRole('columnheader', { name: 'Server' }).count(),
      0,
      'no Server column with one server',
    );

    // Freshness from syncedAt, with the tooltip explaining the inventory.
    const freshness = page.getByTestId('list-freshness');
    assert.match(
      (await freshness.textContent()).trim(),
      /^Updated (just now|\d+s ago|\d+m ago)$/,
    );
    await freshness.hover();
    const tooltip = page.getByRole('tooltip');
    await tooltip.waitFor();
    assert.match(
      await tooltip.textContent(),
      /^The list comes from the console's inventory of sandboxes, refreshed from OpenSandbox every few seconds and on every change made in the console\. Last sync: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\.$/,
    );
    await page.mouse.move(0, 0);
    await tooltip.waitFor({ state: 'hidden' });
    await checkListLayout(page, '1440 px');
    await page.screenshot({
      path: join(repoRoot, '.cache', 'e2e-list-1440.png'),
      fullPage: true,
    });

    // Search: part of a seeded name, in another case, on the server, once, in the URL.
    const before = listRequests.length;
    const searched = await listRequestOf(
      () => page.getByTestId('search-input').fill('LIVED-work'),
      url => url.searchParams.get('search') === 'LIVED-work',
    );
    assert.deepEqual(
      searched.body.items.map(s => s.metadata?.name),
      ['long-lived-workbench'],
    );
    await waitForNames(['long-lived-workbench']);
    assert.equal(
      listRequests.length - before,
      1,
      'one list request for the search (debounced)',
    );
    assert.equal(searched.url.searchParams.get('page'), '1');
    assert.equal(new URL(page.url()).searchParams.get('search'), 'LIVED-work');
    await page.screenshot({
      path: join(repoRoot, '.cache', 'e2e-list-search-1440.png'),
      fullPage: true,
    });
    // By part of the id too.
    await listRequestOf(
      () => page.getByTestId('search-input').fill('8b1d2e3f'),
      url => url.searchParams.get('search') === '8b1d2e3f',
    );
    await waitForNames(['paused-notebook']);
    await listRequestOf(
      () => page.getByRole('button', { name: 'Clear search' }).click(),
      url => !url.searchParams.has('search'),
    );
    await waitForNames(GUEST_NEWEST_FIRST);

    // Sort by name on the server: ascending, then descending.
    const ascending = [...GUEST_NEWEST_FIRST].sort();
    const asc = await listRequestOf(
      () => page.getByTestId('sort-name').click(),
      url => url.searchParams.get('sort') === 'name',
    );
    assert.equal(asc.url.searchParams.get('order'), 'asc');
    await waitForNames(ascending);
    const desc = await listRequestOf(
      () => page.getByTestId('sort-name').click(),
      url =>
        url.searchParams.get('sort') === 'name' &&
        url.searchParams.get('order') === 'desc',
    );
    assert.deepEqual(
      desc.body.items.map(s => s.metadata?.name),
      [...ascending].reverse(),
    );
    await waitForNames([...ascending].reverse());
    assert.equal(new URL(page.url()).search, '?sort=name&order=desc');
    assert.equal(
      await page.getByTestId('sort-name').getAttribute('data-sort-direction'),
      'desc',
    );

    // Sort by expiry: soonest first; the sandbox without expiry (manual cleanup) last both ways.
    await listRequestOf(
      () => page.getByTestId('sort-expiresAt').click(),
      url => url.searchParams.get('sort') === 'expiresAt',
    );
    await waitForNames([
      'failed-batch',
      'paused-notebook',
      'demo-api',
      'long-lived-workbench',
    ]);
    await listRequestOf(
      () => page.getByTestId('sort-expiresAt').click(),
      url =>
        url.searchParams.get('sort') === 'expiresAt' &&
        url.searchParams.get('order') === 'desc',
    );
    await waitForNames([
      'demo-api',
      'paused-notebook',
      'failed-batch',
      'long-lived-workbench',
    ]);

    // "Expiring soon": none of the guest's seeded sandboxes expires within the hour. One created in
    // the console with 20 minutes shows at once (the inventory is written through on every change).
    const none = await listRequestOf(
      () => page.getByTestId('expiring-soon').click(),
      url => url.searchParams.get('expiringWithinSeconds') === '3600',
    );
    assert.deepEqual(none.body.items, []);
    await page.getByText('No sandbox matches these filters.').waitFor();
    const name = `e2e-soon-${Date.now()}`;
    await page.getByRole('button', { name: 'Create sandbox' }).first().click();
    await page.getByTestId('create-imageUri').fill('python:3.11-slim');
    await page
      .getByTestId('create-entrypoint')
      .fill('python -m http.server 8000');
    await page.getByTestId('create-timeoutMinutes').fill('20');
    await page.getByTestId('create-metadata').fill(`name=${name}`);
    const [createResponse] = await Promise.all([
      page.waitForResponse(
        r =>
          r.url().endsWith('/api/opensandbox/sandboxes') &&
          r.request().method() === 'POST',
      ),
      page.getByRole('button', { name: 'Create', exact: true }).click(),
    ]);
    assert.equal(createResponse.status(), 202);
    const created = await createResponse.json();
    assert.equal(created.server, 'default');
    await page
      .getByTestId('field-id')
      .filter({ hasText: created.id })
      .waitFor();
    assert.equal(
      new URL(page.url()).pathname,
      `/opensandbox/servers/default/sandboxes/${created.id}`,
    );
    const soon = await listRequestOf(
      () => page.goto(`${APP_URL}/opensandbox?expiring=soon`),
      url => url.searchParams.get('expiringWithinSeconds') === '3600',
    );
    assert.deepEqual(
      soon.body.items.map(s => s.id),
      [created.id],
    );
    await waitForNames([name]);
    assert.equal(
      await page.getByTestId('expiring-soon').getAttribute('aria-pressed'),
      'true',
    );
    await listRequestOf(
      () => page.getByTestId('expiring-soon').click(),
      url => !url.searchParams.has('expiringWithinSeconds'),
    );
    const all = [name, ...GUEST_NEWEST_FIRST];
    await waitForNames(all);

    // 1024 px: nothing overflowing or broken mid-word.
    await page.setViewportSize({ width: 1024, height: 800 });
    await listRequestOf(
      () => page.getByTestId('sort-name').click(),
      url => url.searchParams.get('sort') === 'name',
    );
    await waitForNames([...all].sort());
    await page.mouse.move(0, 0);
    await page.getByRole('tooltip').waitFor({ state: 'hidden' });
    await checkListLayout(page, '1024 px');
    await page.screenshot({
      path: join(repoRoot, '.cache', 'e2e-list-1024.png'),
      fullPage: true,
    });

    // The team's entity tab (1024 px): the same search on the server, next to its team filter.
    await page.goto(`${APP_URL}/catalog/default/group/team-a/sandboxes`);
    await page.getByTestId('entity-sandboxes').waitFor();
    await waitForNames([name, 'failed-batch', 'paused-notebook', 'demo-api']);
    const tab = await listRequestOf(
      () => page.getByTestId('search-input').fill('NOTEbook'),
      url => url.searchParams.get('search') === 'NOTEbook',
    );
    assert.deepEqual(tab.url.searchParams.getAll('team'), [
      'group:default/team-a',
    ]);
    await waitForNames(['paused-notebook']);
    assert.match(
      (await page.getByTestId('list-freshness').textContent()).trim(),
      /^Updated /,
    );
    await page.mouse.move(0, 0);
    await checkListLayout(page, '1024 px, entity tab');
    await page.screenshot({
      path: join(repoRoot, '.cache', 'e2e-entity-tab-1024.png'),
      fullPage: true,
    });
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${APP_URL}/opensandbox?sort=name`);
    await waitForNames([...all].sort());

    // Links carry the server; the detail page reads the sandbox through /servers/default/...
    const link = page.getByRole('link', { name: 'paused-notebook' });
    assert.equal(
      await link.getAttribute('href'),
      `/opensandbox/servers/default/sandboxes/${PAUSED}`,
    );
    await link.click();
    await page.getByTestId('field-id').filter({ hasText: PAUSED }).waitFor();
    assert.ok(
      sandboxCalls.includes(
        `GET /api/opensandbox/servers/default/sandboxes/${PAUSED}`,
      ),
    );
    // Back restores the sorted list from the URL.
    await page.goBack();
    await waitForNames([...all].sort());
    assert.equal(listRequests.at(-1).searchParams.get('sort'), 'name');
    assert.deepEqual(pageErrors, []);
  },
);

test(
  'every query the list sends is accepted by the backend',
  { timeout: 60_000 },
  async () => {
    for (const query of [
      'search=demo&sort=createdAt&order=asc',
      'sort=expiresAt&order=desc',
      'sort=state&order=asc&expiringWithinSeconds=3600',
      `search=${'x'.repeat(100)}`,
      'server=default&page=1&pageSize=20',
    ]) {
      const { status, body } = await backendGet(`/sandboxes?${query}`);
      assert.equal(status, 200, `${query}: ${JSON.stringify(body)}`);
      assert.ok('syncedAt' in body, `${query}: syncedAt in the answer`);
    }
  },
);
