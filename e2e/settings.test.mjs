// End-to-end: the create form takes the lifetime cap from the backend's GET /api/opensandbox/settings
// (the demo app-config.yaml sets opensandbox.maxTimeoutSeconds: 86400, a backend setting the
// browser's config never has). Against the stack as `npm start` runs it, in headless Debian
// Chromium (playwright-core): the form never offers "No expiration" (not even while the settings
// load), refuses a timeout above the cap before sending anything, and the settings are fetched
// once per app load.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  APP_URL,
  BACKEND_URL,
  launchChromium,
  repoRoot,
  startStack,
} from './stack.mjs';

const apiKey = `e2e-key-${randomUUID()}`;
let stack;
let browser;
let page;
const pageErrors = [];
/** Every request the page made to the console backend, as `METHOD path`. */
const backendCalls = [];

before(
  async () => {
    stack = await startStack({ apiKey, logName: 'e2e-settings-stack.log' });
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
    });
    page = await context.newPage();
    page.on('pageerror', error => pageErrors.push(error.message));
    page.on('request', request => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/api/opensandbox/'))
        backendCalls.push(`${request.method()} ${url.pathname}`);
    });
    // Records whether the "No expiration" option was EVER in the page, so a flash while the
    // settings load would be caught, not only the final state.
    await page.addInitScript(() => {
      window.__sawNoExpiration = false;
      const check = () => {
        if (
          document.documentElement?.textContent?.includes(
            'No expiration (manual cleanup)',
          )
        ) {
          window.__sawNoExpiration = true;
        }
      };
      new MutationObserver(check).observe(document, {
        subtree: true,
        childList: true,
        characterData: true,
      });
    });
  },
  { timeout: 600_000 },
);

after(async () => {
  await browser?.close();
  await stack?.stop();
});

const CAP_NOTICE =
  'This console requires every sandbox to expire within 1440 minutes (1d); sandboxes without expiration are not available.';

test(
  'the backend serves the lifetime cap at GET /api/opensandbox/settings',
  { timeout: 60_000 },
  async () => {
    // The settings route needs a Backstage token like every other route: use the static
    // external-access token of app-config.yaml (development default).
    const res = await fetch(`${BACKEND_URL}/api/opensandbox/settings`, {
      headers: {
        Authorization: `Bearer ${
          process.env.OPENSANDBOX_CONSOLE_STATIC_TOKEN ?? 'dev-ci-static-token'
        }`,
      },
    });
    assert.equal(res.status, 200);
    const settings = await res.json();
    assert.equal(settings.maxTimeoutSeconds, 86400);
    assert.equal(settings.minTimeoutSeconds, 60);
  },
);

test(
  'the create form does not offer "No expiration" and enforces the 86400 s cap from GET /settings',
  { timeout: 300_000 },
  async () => {
    // The settings are loaded once per app session: by the list page (it shows the servers) or by
    // the form, whichever comes first.
    const settingsLoaded = page.waitForResponse(
      r => new URL(r.url()).pathname === '/api/opensandbox/settings',
    );
    await page.goto(`${APP_URL}/opensandbox`);
    await page.getByRole('button', { name: /enter/i }).click();
    await page.getByRole('heading', { name: 'Sandboxes', level: 1 }).waitFor();

    // Open the form inside the app (no reload), as a user does.
    await page.getByRole('button', { name: 'Create sandbox' }).first().click();
    const settingsResponse = await settingsLoaded;
    assert.equal(settingsResponse.status(), 200);
    assert.equal((await settingsResponse.json()).maxTimeoutSeconds, 86400);

    const notice = page.getByTestId('create-noExpiration-unavailable');
    await notice.waitFor();
    assert.equal((await notice.textContent()).trim(), CAP_NOTICE);
    assert.equal(await page.getByTestId('create-noExpiration').count(), 0);
    assert.equal(
      await page.getByLabel('No expiration (manual cleanup)').count(),
      0,
    );
    assert.equal(
      await page.getByText('No expiration', { exact: false }).count(),
      0,
    );
    assert.equal(
      await page.evaluate(() => window.__sawNoExpiration),
      false,
      '"No expiration" flashed while the settings loaded',
    );
    assert.equal(
      await page.getByTestId('create-timeoutMinutes').getAttribute('max'),
      '1440',
    );
    assert.match(
      await page
        .getByText(/^The sandbox is terminated after this time/)
        .textContent(),
      /\(1 to 1440 minutes\); it can be renewed up to 1440 minutes ahead/,
    );
    await page.screenshot({
      path: join(repoRoot, '.cache', 'e2e-create-form-capped.png'),
    });

    // A timeout above the cap is refused next to the field, before any request.
    await page.getByTestId('create-imageUri').fill('python:3.11-slim');
    await page
      .getByTestId('create-entrypoint')
      .fill('python -m http.server 8000');
    await page.getByTestId('create-timeoutMinutes').fill('1441');
    const postsBefore = backendCalls.filter(
      c => c === 'POST /api/opensandbox/sandboxes',
    ).length;
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page
      .getByText('must be at most 1440 minutes', { exact: true })
      .waitFor();
    assert.equal(
      await page
        .getByTestId('create-timeoutMinutes')
        .getAttribute('aria-invalid'),
      'true',
    );
    assert.equal(
      backendCalls.filter(c => c === 'POST /api/opensandbox/sandboxes').length,
      postsBefore,
    );

    // Leaving and reopening the form inside the app reuses the settings: GET /settings once.
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('heading', { name: 'Sandboxes', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Create sandbox' }).first().click();
    await page.getByTestId('create-noExpiration-unavailable').waitFor();
    assert.equal(
      backendCalls.filter(c => c === 'GET /api/opensandbox/settings').length,
      1,
    );
    assert.equal(await page.evaluate(() => window.__sawNoExpiration), false);
    assert.deepEqual(pageErrors, []);
  },
);
