// End-to-end: the audit pages (docs/audit.md), against the console as `npm start` runs it, in
// headless Debian Chromium (playwright-core).
//
// ada (operator, team-a) creates a sandbox and renews it. vic (viewer, team-a, no audit log
// permission) sees its history on the sandbox's detail page and opens the renew's before → after
// diff. pat (admin) filters the audit log by typing `ada`, opens a row's diff, and the page fits
// 1440 and 1024 px wide windows without horizontal scrolling and passes axe-core. Screenshots go to
// .cache/screenshots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { signInWithOidc } from './flows.mjs';
import {
  APP_URL,
  BACKEND_URL,
  launchChromium,
  repoRoot,
  startStack,
} from './stack.mjs';

const apiKey = `e2e-key-${randomUUID()}`;
const shots = join(repoRoot, '.cache', 'screenshots');
let stack;
let browser;
const pageErrors = [];

before(
  async () => {
    mkdirSync(shots, { recursive: true });
    stack = await startStack({ apiKey, logName: 'e2e-audit-stack.log' });
    browser = await launchChromium();
  },
  { timeout: 600_000 },
);

after(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A fresh browser context signed in as `user`; remembers the Backstage token the page sends. */
async function signedIn(user, width = 1440) {
  const context = await browser.newContext({
    viewport: { width, height: 900 },
    // axe is injected as an inline script, which the app's Content-Security-Policy blocks.
    bypassCSP: true,
  });
  const seen = { token: undefined };
  context.on('request', request => {
    const auth = request.headers().authorization;
    if (
      request.url().startsWith(`${BACKEND_URL}/api/opensandbox/`) &&
      auth?.startsWith('Bearer ')
    )
      seen.token = auth.slice(7);
  });
  const page = await context.newPage();
  page.on('pageerror', error => pageErrors.push(error.message));
  await signInWithOidc(page, APP_URL, user);
  return { context, page, seen };
}

async function api(token, method, path, body) {
  const res = await fetch(`${BACKEND_URL}/api/opensandbox${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return {
    status: res.status,
    body: res.status === 204 ? undefined : await res.json(),
  };
}

async function screenshotOnFailure(page, name, fn) {
  try {
    return await fn();
  } catch (error) {
    await page
      .getByRole('table')
      .last()
      .scrollIntoViewIfNeeded()
      .catch(() => undefined);
    await page.screenshot({
      path: join(shots, `audit-failure-${name}-${Date.now()}.png`),
    });
    throw error;
  }
}

/** Asserts that the table's scroll box needs no horizontal scrolling; the message has the widths. */
async function assertFits(table, what) {
  const box = await table.locator('xpath=..').evaluate(el => ({
    scrollWidth: el.scrollWidth,
    clientWidth: el.clientWidth,
    columns: Array.from(el.querySelectorAll('thead th')).map(
      th => `${th.textContent}:${Math.round(th.getBoundingClientRect().width)}`,
    ),
  }));
  assert.ok(
    box.scrollWidth <= box.clientWidth + 1,
    `${what}: ${JSON.stringify(box)}`,
  );
}

/** axe-core on the current page: violations as `rule-id (n nodes)`. */
async function axeViolations(page) {
  await page.addScriptTag({
    path: join(repoRoot, 'node_modules', 'axe-core', 'axe.min.js'),
  });
  // The page's content (`main`); the app shell is e2e/a11y.test.mjs's.
  const result = await page.evaluate(() =>
    window.axe.run(
      { include: [document.querySelector('main') ?? document.body] },
      { resultTypes: ['violations'] },
    ),
  );
  return result.violations.map(
    v =>
      `${v.id} (${v.nodes.length}): ${v.nodes
        .slice(0, 3)
        .map(n => n.target.join(' '))
        .join(', ')}`,
  );
}

let sandboxId;
let renewedTo;

test(
  'ada creates and renews a team-a sandbox',
  { timeout: 180_000 },
  async () => {
    const ada = await signedIn('ada');
    assert.ok(ada.seen.token, 'the page sent a Backstage token');
    const created = await api(ada.seen.token, 'POST', '/sandboxes', {
      image: { uri: 'python:3.11-slim' },
      entrypoint: ['python', '-m', 'http.server', '8000'],
      timeout: 3600,
      resourceLimits: { cpu: '500m', memory: '512Mi' },
      metadata: { name: 'audit-e2e' },
    });
    assert.equal(created.status, 202);
    sandboxId = created.body.id;
    renewedTo = new Date(
      Date.parse(created.body.expiresAt) + 3600_000,
    ).toISOString();
    const renewed = await api(
      ada.seen.token,
      'POST',
      `/sandboxes/${sandboxId}/renew-expiration`,
      { expiresAt: renewedTo },
    );
    assert.equal(renewed.status, 200);
    // The diff's "after" is the expiry OpenSandbox answered (it may add digits).
    assert.equal(Date.parse(renewed.body.expiresAt), Date.parse(renewedTo));
    renewedTo = renewed.body.expiresAt;
    await ada.context.close();
  },
);

test(
  "vic (viewer) sees the sandbox's history on its detail page and the renew's diff",
  { timeout: 180_000 },
  async () => {
    const vic = await signedIn('vic');
    const { page } = vic;
    await screenshotOnFailure(page, 'vic-history', async () => {
      await page.goto(`${APP_URL}/opensandbox/sandboxes/${sandboxId}`);
      const history = page.getByTestId('sandbox-history');
      await history.getByTestId('audit-row').nth(1).waitFor();
      const rows = history.getByTestId('audit-row');
      assert.equal(await rows.count(), 2);
      const actions = await rows
        .locator('td[data-column="action"]')
        .allTextContents();
      assert.deepEqual(actions, ['sandbox.renew', 'sandbox.create']);
      const outcomes = await rows
        .locator('[data-testid="audit-outcome"]')
        .allTextContents();
      assert.deepEqual(outcomes, ['succeeded', 'succeeded']);
      // vic may not read the audit log: no link to it, and no network details of ada.
      assert.equal(
        await page.getByRole('link', { name: /Open in audit log/ }).count(),
        0,
      );
      await rows.first().getByTestId('audit-row-toggle').click();
      const details = history.getByTestId('audit-row-details');
      const diffRow = details
        .getByTestId('audit-diff-row')
        .filter({ hasText: 'expiresAt' });
      await diffRow.waitFor();
      const cells = await diffRow.locator('td').allTextContents();
      assert.equal(cells[0], 'expiresAt');
      assert.equal(cells[2], renewedTo);
      assert.ok(
        Date.parse(cells[1]) < Date.parse(renewedTo),
        `before ${cells[1]} is earlier than after`,
      );
      assert.match(
        await details.getByTestId('audit-event-details').textContent(),
        /Client IP-User agent-/,
      );
      await history.scrollIntoViewIfNeeded();
      await page.screenshot({
        path: join(shots, 'audit-history-vic-1440.png'),
      });
      await assertFits(
        page.getByRole('table', { name: 'Sandbox history' }),
        'the history fits 1440 px',
      );
      await page.setViewportSize({ width: 1024, height: 900 });
      await assertFits(
        page.getByRole('table', { name: 'Sandbox history' }),
        'the history fits 1024 px',
      );
      await history.scrollIntoViewIfNeeded();
      await page.screenshot({
        path: join(shots, 'audit-history-vic-1024.png'),
      });
    });
    await vic.context.close();
  },
);

for (const width of [1440, 1024]) {
  test(
    `pat (admin) filters the audit log by typing "ada" and opens a diff (${width} px)`,
    { timeout: 180_000 },
    async () => {
      const pat = await signedIn('pat', width);
      const { page } = pat;
      await screenshotOnFailure(page, `pat-${width}`, async () => {
        await page.goto(`${APP_URL}/opensandbox/audit`);
        await page
          .getByRole('heading', { name: 'Audit log', level: 1 })
          .waitFor();
        await page.getByTestId('audit-row').first().waitFor();
        const actor = page.locator('input#opensandbox-audit-actor');
        await actor.fill('ada');
        const [response] = await Promise.all([
          page.waitForResponse(
            r => new URL(r.url()).pathname === '/api/opensandbox/audit-events',
          ),
          page.getByRole('button', { name: 'Apply filters' }).click(),
        ]);
        assert.equal(
          new URL(response.url()).searchParams.get('actor'),
          'user:default/ada',
        );
        await page.waitForFunction(
          () =>
            new URL(location.href).searchParams.get('actor') ===
            'user:default/ada',
        );
        const rows = page.getByTestId('audit-row');
        await page.getByTestId('audit-loading').waitFor({ state: 'detached' });
        const actors = await rows
          .locator('[data-testid="audit-actor-link"]')
          .evaluateAll(els => els.map(e => e.getAttribute('data-entity-ref')));
        assert.ok(
          actors.length >= 2,
          `ada's events are listed (${actors.length})`,
        );
        assert.ok(
          actors.every(a => a === 'user:default/ada'),
          actors.join(','),
        );

        // The table fits the card: no horizontal scrolling, also with a row expanded.
        const table = page.getByRole('table', { name: 'Audit events' });
        await assertFits(table, `the audit table fits ${width} px`);
        const renew = rows.filter({ hasText: 'sandbox.renew' }).first();
        await renew.getByTestId('audit-row-toggle').click();
        const diff = page
          .getByTestId('audit-diff-row')
          .filter({ hasText: 'expiresAt' })
          .first();
        await diff.waitFor();
        assert.equal(
          (await diff.locator('td').allTextContents())[2],
          renewedTo,
        );
        await assertFits(table, `the expanded audit table fits ${width} px`);
        await table.scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(shots, `audit-log-${width}.png`) });

        // No tooltip left open by the clicks (a tooltip is outside every landmark).
        await page.mouse.move(0, 0);
        await page.locator('[role="tooltip"]').waitFor({ state: 'detached' });
        const violations = await axeViolations(page);
        assert.deepEqual(violations, []);
      });
      await pat.context.close();
    },
  );
}

test(
  'the audit filter suggests catalog users by display name',
  { timeout: 120_000 },
  async () => {
    const pat = await signedIn('pat');
    const { page } = pat;
    await screenshotOnFailure(page, 'suggest', async () => {
      await page.goto(`${APP_URL}/opensandbox/audit`);
      await page.locator('input#opensandbox-audit-actor').fill('Ada');
      const option = page.locator(
        '[data-testid="entity-ref-suggestion"][data-entity-ref="user:default/ada"]',
      );
      await option.waitFor();
      assert.equal(
        await option.textContent(),
        'Ada Operator (user:default/ada)',
      );
      await option.click();
      assert.equal(
        await page.locator('input#opensandbox-audit-actor').inputValue(),
        'user:default/ada',
      );
    });
    await pat.context.close();
  },
);

test('no page errors', () => {
  assert.deepEqual(pageErrors, []);
});
