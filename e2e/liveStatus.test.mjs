// End-to-end: live status and expiry warnings against the stack as `npm start` runs it (simulator
// :8080 seeded with demo.yaml, identity provider :7300, backend :7007 with the signals and
// notifications backends, the new-frontend-system app :3000 and the legacy app :3001), in headless
// Debian Chromium (playwright-core).
// - A state change made DIRECTLY on the simulator (pause, then resume, with the simulator API key)
//   appears in an open list page, an open detail page and an open app-next list without any user
//   action and without a reload: the inventory sync (opensandbox.inventory.syncIntervalSeconds,
//   default 15 s) finds it, the backend publishes a signal over /api/signals, the page asks
//   GET /changes which of the changes it may read and refetches.
// - An expiry warning reaches the guest: a sandbox of the guest expiring in 30 minutes is notified
//   (Backstage notifications; the task runs every 5 s here), the notification is listed on
//   /notifications, and its link opens the sandbox with the renew dialog.
// Waits are for events with deadlines, never fixed sleeps. Screenshots go to .cache/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  APP_URL,
  LEGACY_APP_URL,
  launchChromium,
  repoRoot,
  SIMULATOR_URL,
  startStack,
} from './stack.mjs';

const apiKey = `e2e-key-${randomUUID()}`;
/** demo-api of the seed (Running, owned by the guest and team-a). */
const DEMO_API = '3f0c9a52-6d1e-4b8a-9c47-1e2f3a4b5c6d';
/** A sync every 15 s (default) plus page and signal round trips. */
const LIVE_DEADLINE_MS = 60_000;

let stack;
let browser;
const pageErrors = [];

before(
  async () => {
    stack = await startStack({
      apiKey,
      logName: 'e2e-live-stack.log',
      // The expiry warning task every 5 s instead of 60 s, so the test need not wait a minute.
      env: { APP_CONFIG_opensandbox_expiryWarnings_intervalSeconds: '5' },
    });
    browser = await launchChromium();
  },
  { timeout: 600_000 },
);

after(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A signed-in guest page of `appUrl` that records its live status traffic. */
async function guestPage(appUrl) {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
  });
  const page = await context.newPage();
  const traffic = { sockets: [], changes: [], lists: 0, details: 0 };
  page.on('pageerror', error => pageErrors.push(error.message));
  page.on('websocket', ws => traffic.sockets.push(ws.url()));
  page.on('request', request => {
    const url = new URL(request.url());
    if (url.pathname === '/api/opensandbox/changes')
      traffic.changes.push(url.search);
    if (
      url.pathname === '/api/opensandbox/sandboxes' &&
      request.method() === 'GET'
    )
      traffic.lists += 1;
    if (
      /^\/api\/opensandbox\/(servers\/[^/]+\/)?sandboxes\/[^/]+$/.test(
        url.pathname,
      ) &&
      request.method() === 'GET'
    )
      traffic.details += 1;
  });
  // Registered before the page opens: its signals socket and its first /changes (the cursor).
  const ready = Promise.all([
    page.waitForEvent('websocket', {
      predicate: ws => new URL(ws.url()).pathname === '/api/signals',
      timeout: 120_000,
    }),
    page.waitForResponse(
      r =>
        new URL(r.url()).pathname === '/api/opensandbox/changes' &&
        new URL(r.url()).search === '',
      { timeout: 120_000 },
    ),
  ]);
  await page.goto(`${appUrl}/opensandbox`);
  await page.getByRole('button', { name: /enter/i }).click();
  await page.getByRole('heading', { name: 'Sandboxes', level: 1 }).waitFor();
  return { page, traffic, ready };
}

/** A lifecycle call straight to the simulator, with its API key (not through the console). */
async function simulator(method, path, body) {
  const res = await fetch(`${SIMULATOR_URL}/v1${path}`, {
    method,
    headers: {
      'OPEN-SANDBOX-API-KEY': apiKey,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Waits until the list row named `name` shows `state`, with a screenshot when it does not. */
async function waitForRowState(page, name, state, label) {
  try {
    await page.waitForFunction(
      ([n, s]) => {
        const link = [
          ...document.querySelectorAll('[data-testid="sandbox-link"]'),
        ].find(a => a.textContent === n);
        return (
          link?.closest('tr')?.querySelector('[data-testid="sandbox-state"]')
            ?.textContent === s
        );
      },
      [name, state],
      { timeout: LIVE_DEADLINE_MS },
    );
  } catch (error) {
    await page.screenshot({
      path: join(repoRoot, '.cache', `e2e-live-${label}-failure.png`),
      fullPage: true,
    });
    throw new Error(
      `${label}: ${name} never showed ${state} (${error.message})`,
    );
  }
}

test(
  'a state change made directly on the simulator appears in open pages without user action',
  { timeout: 400_000 },
  async () => {
    const { page, traffic, ready } = await guestPage(LEGACY_APP_URL);
    await waitForRowState(page, 'demo-api', 'Running', 'list-initial');
    // The page subscribed to signals (a WebSocket to /api/signals) and read its /changes cursor.
    const [, cursor] = await ready;
    assert.equal(cursor.status(), 200);
    // Marks this document: a reload would lose the mark.
    await page.evaluate(() => {
      window.__liveMark = 'still the same document';
    });
    const listsBefore = traffic.lists;

    // Paused on the simulator, behind the console's back.
    await simulator('POST', `/sandboxes/${DEMO_API}/pause`);
    await waitForRowState(page, 'demo-api', 'Paused', 'list');
    assert.equal(
      await page.evaluate(() => window.__liveMark),
      'still the same document',
      'the page was reloaded',
    );
    assert.ok(
      traffic.changes.some(search => search.startsWith('?since=')),
      'the page never asked /changes?since=',
    );
    assert.ok(traffic.lists > listsBefore, 'the list was not refetched');
    await page.screenshot({
      path: join(repoRoot, '.cache', 'e2e-live-list.png'),
    });

    // The detail page of the same sandbox follows a resume made on the simulator.
    await page
      .getByTestId('sandbox-link')
      .filter({ hasText: /^demo-api$/ })
      .click();
    await page
      .getByTestId('field-state')
      .filter({ hasText: 'Paused' })
      .waitFor();
    await page.evaluate(() => {
      window.__liveMark = 'detail document';
    });
    const detailsBefore = traffic.details;
    await simulator('POST', `/sandboxes/${DEMO_API}/resume`);
    await page
      .getByTestId('field-state')
      .filter({ hasText: 'Running' })
      .waitFor({ timeout: LIVE_DEADLINE_MS });
    assert.equal(
      await page.evaluate(() => window.__liveMark),
      'detail document',
      'the detail page was reloaded',
    );
    assert.ok(traffic.details > detailsBefore, 'the sandbox was not refetched');
    await page.screenshot({
      path: join(repoRoot, '.cache', 'e2e-live-detail.png'),
    });

    // The new-frontend-system app gets the same live updates (its signals plugin).
    const next = await guestPage(APP_URL);
    await waitForRowState(next.page, 'demo-api', 'Running', 'app-next-initial');
    await next.ready;
    await simulator('POST', `/sandboxes/${DEMO_API}/pause`);
    await waitForRowState(next.page, 'demo-api', 'Paused', 'app-next');
    await next.page.screenshot({
      path: join(repoRoot, '.cache', 'e2e-live-app-next.png'),
    });
    await simulator('POST', `/sandboxes/${DEMO_API}/resume`);
    await next.page.context().close();
    await page.context().close();
    assert.deepEqual(pageErrors, []);
  },
);

test(
  'an expiry warning reaches the owner, and its link opens the renew dialog',
  { timeout: 300_000 },
  async () => {
    // A guest's sandbox (team-a) expiring in 30 minutes, created directly on the simulator.
    const created = await simulator('POST', '/sandboxes', {
      image: { uri: 'python:3.12-slim' },
      entrypoint: ['sleep', 'infinity'],
      timeout: 1800,
      resourceLimits: { cpu: '500m', memory: '512Mi' },
      metadata: {
        name: 'e2e-expiring',
        'backstage.io/owner': 'guest',
        'backstage.io/owner-namespace': 'default',
        'backstage.io/team': 'team-a',
        'backstage.io/team-namespace': 'default',
      },
    });
    const { page, ready } = await guestPage(LEGACY_APP_URL);
    await ready;
    // The list highlights it (within the first lead time, 60 minutes) once the sync has it.
    await waitForRowState(page, 'e2e-expiring', 'Running', 'expiring-row');
    const row = page
      .getByTestId('sandbox-link')
      .filter({ hasText: /^e2e-expiring$/ })
      .locator('xpath=ancestor::tr');
    assert.equal(
      await row
        .getByTestId('sandbox-expires-in')
        .getAttribute('data-expiring-soon'),
      'true',
    );

    // The sidebar's Notifications page lists the warning (the task runs every 5 s, after the sync).
    await page.goto(`${LEGACY_APP_URL}/notifications`);
    const title = page.getByText(
      /^Sandbox e2e-expiring expires in (29|30) minutes$/,
    );
    try {
      await title.first().waitFor({ timeout: 120_000 });
    } catch (error) {
      await page.screenshot({
        path: join(repoRoot, '.cache', 'e2e-live-notifications-failure.png'),
        fullPage: true,
      });
      throw error;
    }
    await page.screenshot({
      path: join(repoRoot, '.cache', 'e2e-live-notifications.png'),
    });

    // Its link opens the sandbox with the renew dialog, one click from renewing.
    const link = page
      .getByRole('link', { name: /^Sandbox e2e-expiring expires in/ })
      .first();
    assert.equal(
      await link.getAttribute('href'),
      `/opensandbox/servers/default/sandboxes/${created.id}?renew=1`,
    );
    await link.click();
    try {
      await page.getByRole('dialog').waitFor();
      await page.waitForURL(
        url =>
          url.pathname ===
            `/opensandbox/servers/default/sandboxes/${created.id}` &&
          !url.search.includes('renew'),
      );
    } catch (error) {
      await page.screenshot({
        path: join(repoRoot, '.cache', 'e2e-live-renew-failure.png'),
        fullPage: true,
      });
      throw new Error(
        `the link did not open the renew dialog (at ${page.url()}): ${
          error.message
        }`,
      );
    }
    await page.screenshot({
      path: join(repoRoot, '.cache', 'e2e-live-renew-dialog.png'),
    });
    await page.context().close();
    assert.deepEqual(pageErrors, []);
  },
);
