// End-to-end: the console as `npm start` runs it, in headless Debian Chromium (playwright-core).
// Signs in, creates a sandbox, finds it, renews, gets an endpoint, pauses/resumes, deletes, and
// checks that the OpenSandbox API key appears in no response and no loaded script.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSandboxFromComponentTab } from './flows.mjs';
import { APP_URL, launchChromium, repoRoot, startStack } from './stack.mjs';

const apiKey = `e2e-key-${randomUUID()}`;
let stack;
let browser;
let page;
const scanned = { responses: 0, scripts: 0, hits: [] };
const pageErrors = [];

before(
  async () => {
    stack = await startStack({ apiKey });
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
    });
    page = await context.newPage();
    page.on('pageerror', error => pageErrors.push(error.message));
    page.on('response', async response => {
      const headers = JSON.stringify(await response.allHeaders());
      let body = '';
      try {
        body = (await response.body()).toString('utf8');
      } catch {
        // redirects and aborted requests have no body
      }
      scanned.responses += 1;
      if (response.request().resourceType() === 'script') scanned.scripts += 1;
      if (headers.includes(apiKey) || body.includes(apiKey))
        scanned.hits.push(response.url());
    });
  },
  { timeout: 600_000 },
);

after(async () => {
  await browser?.close();
  await stack?.stop();
});

async function signIn() {
  await page.goto(`${APP_URL}/opensandbox`);
  await page.getByRole('button', { name: /enter/i }).click();
  await page.getByRole('heading', { name: 'Sandboxes', level: 1 }).waitFor();
}

test(
  'a signed-in user manages a sandbox through its whole lifecycle',
  { timeout: 300_000 },
  async () => {
    await signIn();
    const name = `e2e-${Date.now()}`;

    // Create
    await page.getByRole('button', { name: 'Create sandbox' }).first().click();
    await page.getByTestId('create-imageUri').fill('python:3.11-slim');
    await page
      .getByTestId('create-entrypoint')
      .fill('python -m http.server 8000');
    await page.getByTestId('create-cpu').fill('500m');
    await page.getByTestId('create-memory').fill('512Mi');
    await page.getByTestId('create-timeoutMinutes').fill('30');
    await page.getByTestId('create-metadata').fill(`name=${name}\npurpose=e2e`);
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
    assert.deepEqual(created.ownership, {
      owner: 'user:default/guest',
      team: 'group:default/team-a',
    });
    await page
      .getByTestId('field-id')
      .filter({ hasText: created.id })
      .waitFor();
    assert.equal(
      (await page.getByTestId('field-image').textContent()).trim(),
      'python:3.11-slim',
    );

    // Find it in the list, open it
    await page.goto(`${APP_URL}/opensandbox`);
    await page.getByRole('link', { name }).click();
    await page
      .getByTestId('field-id')
      .filter({ hasText: created.id })
      .waitFor();

    // Renew: the expiry moves 60 minutes later than before
    await page.getByRole('button', { name: 'Renew' }).click();
    await page.getByTestId('renew-minutes-input').fill('60');
    const [renewResponse] = await Promise.all([
      page.waitForResponse(r =>
        r.url().endsWith(`/sandboxes/${created.id}/renew-expiration`),
      ),
      page.getByRole('dialog').getByRole('button', { name: 'Renew' }).click(),
    ]);
    assert.equal(renewResponse.status(), 200);
    const renewed = await renewResponse.json();
    assert.equal(
      Date.parse(renewed.expiresAt) - Date.parse(created.expiresAt),
      60 * 60 * 1000,
    );
    // The page says the expiry the server answered (`2026-06-15 11:30:00 UTC`).
    const answered = `${new Date(renewed.expiresAt)
      .toISOString()
      .slice(0, 19)
      .replace('T', ' ')} UTC`;
    assert.match(
      await page.getByTestId('action-notice').textContent(),
      new RegExp(`^Expiry moved to ${answered}\\.`),
    );
    await page
      .getByTestId('field-expires')
      .filter({ hasText: answered })
      .waitFor();

    // Endpoint
    await page.getByTestId('endpoint-port-input').fill('8000');
    await page.getByRole('button', { name: 'Get endpoint' }).click();
    const endpoint = (
      await page.getByTestId('endpoint-url').textContent()
    ).trim();
    assert.match(endpoint, /^http:\/\/127\.0\.0\.1:\d+\/proxy\/8000$/);

    // Pause and resume
    await page.getByRole('button', { name: 'Pause' }).click();
    await page
      .getByTestId('field-state')
      .filter({ hasText: 'Paused' })
      .waitFor();
    await page.getByRole('button', { name: 'Resume' }).click();
    await page
      .getByTestId('field-state')
      .filter({ hasText: 'Running' })
      .waitFor();

    // Delete: it disappears from the list
    await page.getByRole('button', { name: 'Delete' }).click();
    const [deleteResponse] = await Promise.all([
      page.waitForResponse(
        r =>
          r.url().endsWith(`/sandboxes/${created.id}`) &&
          r.request().method() === 'DELETE',
      ),
      page.getByTestId('confirm-delete').click(),
    ]);
    assert.equal(deleteResponse.status(), 204);
    await page.getByRole('heading', { name: 'Sandboxes', level: 1 }).waitFor();
    await page.getByText('demo-api').waitFor();
    assert.equal(await page.getByRole('link', { name }).count(), 0);

    await page.screenshot({
      path: join(repoRoot, '.cache', 'e2e-sandbox-list.png'),
    });
  },
);

test(
  "from a component page, a sandbox is created for that component and shows on the owning team's tab",
  { timeout: 300_000 },
  async () => {
    const name = `catalog-e2e-${Date.now()}`;
    await createSandboxFromComponentTab(page, APP_URL, name);

    // It is listed on the component's tab and on the owning team's tab.
    await page.goto(
      `${APP_URL}/catalog/default/component/payments-api/sandboxes`,
    );
    await page.getByRole('link', { name }).waitFor();
    await page.goto(`${APP_URL}/catalog/default/group/team-a/sandboxes`);
    await page.getByRole('link', { name }).waitFor();
    await page.screenshot({
      path: join(repoRoot, '.cache', 'e2e-team-tab.png'),
    });

    // The owner link leads to the owner's catalog page, which renders (no crash overlay).
    await page
      .getByTestId('owner-link')
      .filter({ hasText: 'Guest' })
      .first()
      .click();
    await page.waitForURL(/\/catalog\/default\/user\/guest/);
    await page.getByRole('heading', { name: /guest/i }).first().waitFor();
    await page.goto(`${APP_URL}/catalog/default/component/payments-api`);
    await page.getByText('About').first().waitFor();
    assert.deepEqual(pageErrors, []);

    // A bad annotation is a warning on the tab, not a crash.
    await page.goto(
      `${APP_URL}/catalog/default/component/search-indexer/sandboxes`,
    );
    const warning = await page
      .getByTestId('annotation-warning')
      .first()
      .textContent();
    assert.match(
      warning,
      /^Annotation opensandbox\.backstage\.io\/default-cpu: /,
    );
  },
);

test('the OpenSandbox API key appears in no response, script or backend log line', () => {
  assert.ok(
    scanned.responses > 20,
    `only ${scanned.responses} responses scanned`,
  );
  assert.ok(scanned.scripts > 0, 'no script was loaded');
  assert.deepEqual(scanned.hits, []);
  const log = readFileSync(stack.logFile, 'utf8');
  assert.equal(log.includes(apiKey), false);
});
