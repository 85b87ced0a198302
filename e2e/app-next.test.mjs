// End-to-end: the new-frontend-system app (packages/app-next, :3000, the primary app) against the
// stack as `npm start` runs it (simulator :8080, identity provider :7300, backend :7007), in
// headless Debian Chromium (playwright-core). A guest goes from a component's catalog page to its
// "Sandboxes" tab, creates a sandbox there (it opens at /opensandbox/servers/:server/sandboxes/:id)
// and finds it on the owning team's tab with the tab's search; a demo user signs in through the
// OIDC popup from :3000.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createSandboxFromComponentTab, signInWithOidc } from './flows.mjs';
import { APP_URL, launchChromium, repoRoot, startStack } from './stack.mjs';

/** The new-frontend-system app is the stack's primary app (:3000). */
const NEXT_APP_URL = APP_URL;
const apiKey = `e2e-key-${randomUUID()}`;
let stack;
let browser;

before(
  async () => {
    stack = await startStack({ apiKey, logName: 'e2e-app-next-stack.log' });
    browser = await launchChromium();
  },
  { timeout: 600_000 },
);

after(async () => {
  await browser?.close();
  await stack?.stop();
});

const pageErrors = [];

async function newPage() {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
  });
  const page = await context.newPage();
  page.on('pageerror', error => pageErrors.push(error.message));
  return page;
}

test(
  'app-next: a guest creates a sandbox from a component page and finds it on the team tab',
  { timeout: 300_000 },
  async () => {
    const page = await newPage();
    // The root redirects to /opensandbox (app.extensions app/routes redirects in app-config.yaml).
    await page.goto(NEXT_APP_URL);
    await page.getByRole('button', { name: /enter/i }).click();
    await page.getByRole('heading', { name: 'Sandboxes', level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/opensandbox');
    // The nav has the catalog and the sandboxes pages.
    await page.getByRole('link', { name: 'Catalog' }).first().waitFor();

    // The component's entity page renders its overview and has the "Sandboxes" tab
    // (EntityContentBlueprint).
    await page.goto(`${NEXT_APP_URL}/catalog/default/component/payments-api`);
    await page.getByText('About').first().waitFor();
    await page.getByRole('link', { name: 'Sandboxes' }).last().waitFor();
    const name = `next-e2e-${Date.now()}`;
    const created = await createSandboxFromComponentTab(
      page,
      NEXT_APP_URL,
      name,
    );
    // The new sandbox opens on its server's route, which the new frontend system mounts too.
    await page
      .getByTestId('field-id')
      .filter({ hasText: created.id })
      .waitFor();
    assert.equal(
      new URL(page.url()).pathname,
      `/opensandbox/servers/${created.server}/sandboxes/${created.id}`,
    );

    // It is listed on the owning team's tab; the tab's search narrows the list on the server.
    await page.goto(`${NEXT_APP_URL}/catalog/default/group/team-a/sandboxes`);
    await page.getByRole('link', { name }).waitFor();
    const [searched] = await Promise.all([
      page.waitForResponse(
        r =>
          new URL(r.url()).pathname === '/api/opensandbox/sandboxes' &&
          new URL(r.url()).searchParams.get('search') === 'next-e2e',
      ),
      page.getByTestId('search-input').fill('next-e2e'),
    ]);
    assert.equal(searched.status(), 200);
    assert.deepEqual(
      (await searched.json()).items.map(s => s.metadata?.name),
      [name],
    );
    await page.waitForFunction(
      want =>
        [...document.querySelectorAll('[data-testid="sandbox-link"]')]
          .map(a => a.textContent)
          .join() === want,
      name,
    );
    assert.equal(
      await page.getByRole('link', { name }).getAttribute('href'),
      `/opensandbox/servers/${created.server}/sandboxes/${created.id}`,
    );
    await page.screenshot({
      path: join(repoRoot, '.cache', 'app-next-team-tab.png'),
    });
    assert.deepEqual(pageErrors, []);
  },
);

test(
  'app-next: a demo user signs in through the OIDC popup from :3000',
  { timeout: 120_000 },
  async () => {
    const page = await newPage();
    await signInWithOidc(page, NEXT_APP_URL, 'ada');
    assert.deepEqual(pageErrors, []);
  },
);
