// End-to-end: failure insights and create presets (docs/operations.md) against the console as
// `npm start` runs it (simulator seeded with packages/opensandbox-simulator/seed/demo.yaml, whose
// `failed-batch` was killed by the out-of-memory killer: Failed, exit code 137, with logs), in
// headless Debian Chromium (playwright-core).
//
// The guest sees a failure badge on failed-batch in the list (its tooltip is the one-line
// explanation), opens it: the failure panel explains exit code 137 with the suggested action, and
// the diagnostics card shows its logs (ending in "Killed") and its events (the OOM kill), read
// through GET /api/opensandbox/servers/default/sandboxes/:id/diagnostics/:kind. The create form
// offers the demo presets of app-config.yaml; choosing one fills the form. A create with an image
// that cannot be pulled is audited failed; pat (admin) opens its "Why?" in the audit log.
// Screenshots go to .cache/ (docs-*.png are the runbook's; copied into docs/images by hand).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
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
const STATIC_TOKEN =
  process.env.OPENSANDBOX_CONSOLE_STATIC_TOKEN ?? 'dev-ci-static-token';
/** failed-batch of the demo seed. */
const FAILED = 'c2a4e6f8-1b3d-4f5a-8c7e-9d0f1a2b3c4d';
const EXIT_137 =
  'The program was killed (exit code 137), most often for using too much memory';
let stack;
let browser;
let page;
const pageErrors = [];
/** Every request to the backend, as `METHOD path`. */
const backendCalls = [];

before(
  async () => {
    stack = await startStack({ apiKey, logName: 'e2e-failures-stack.log' });
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
  },
  { timeout: 600_000 },
);

after(async () => {
  await browser?.close();
  await stack?.stop();
});

const shot = name => join(repoRoot, '.cache', name);

async function screenshotOnFailure(name, fn) {
  try {
    return await fn();
  } catch (error) {
    await page.screenshot({
      path: shot(`e2e-failures-failure-${name}-${Date.now()}.png`),
      fullPage: true,
    });
    throw error;
  }
}

/** Polls the backend until the inventory lists failed-batch (the static token is a team-a viewer). */
async function waitForInventory(timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(
      `${BACKEND_URL}/api/opensandbox/sandboxes?pageSize=200`,
      { headers: { Authorization: `Bearer ${STATIC_TOKEN}` } },
    );
    const body = await res.json();
    if (res.status === 200 && body.items?.some(s => s.id === FAILED)) return;
    if (Date.now() > deadline)
      throw new Error(
        `the inventory never listed failed-batch: ${
          res.status
        } ${JSON.stringify(body).slice(0, 300)}`,
      );
    await new Promise(r => setTimeout(r, 500));
  }
}

test(
  'the list badges the failed sandbox; its page explains exit code 137 and shows its logs and events',
  { timeout: 300_000 },
  async () => {
    await waitForInventory();
    await page.goto(`${APP_URL}/opensandbox`);
    await page.getByRole('button', { name: /enter/i }).click();
    await page.getByRole('heading', { name: 'Sandboxes', level: 1 }).waitFor();

    await screenshotOnFailure('list', async () => {
      const row = page.getByRole('row').filter({
        has: page
          .getByTestId('sandbox-link')
          .filter({ hasText: 'failed-batch' }),
      });
      const badge = row.getByTestId('failure-badge');
      await badge.waitFor();
      assert.equal(await badge.getAttribute('aria-label'), EXIT_137);
      assert.equal(await badge.getAttribute('data-failure-id'), 'exit-137');
      // Only failed-batch has a badge.
      assert.equal(await page.getByTestId('failure-badge').count(), 1);
      await badge.hover();
      const tooltip = page.getByRole('tooltip');
      await tooltip.waitFor();
      await page.evaluate(() =>
        Promise.all(
          document.getAnimations().map(a => a.finished.catch(() => undefined)),
        ),
      );
      assert.equal((await tooltip.textContent()).trim(), EXIT_137);
      await page.screenshot({ path: shot('docs-failure-badge.png') });
      await page.mouse.move(0, 0);
    });

    await screenshotOnFailure('detail', async () => {
      const [logsResponse] = await Promise.all([
        page.waitForResponse(
          r =>
            new URL(r.url()).pathname ===
            `/api/opensandbox/servers/default/sandboxes/${FAILED}/diagnostics/logs`,
        ),
        page
          .getByTestId('sandbox-link')
          .filter({ hasText: 'failed-batch' })
          .click(),
      ]);
      assert.equal(logsResponse.status(), 200);
      const logs = await logsResponse.json();
      assert.equal(logs.available, true);
      assert.match(logs.text, /Z Killed\n$/);

      const panel = page.getByTestId('failure-panel');
      await panel.waitFor();
      assert.equal(await panel.getAttribute('data-failure-id'), 'exit-137');
      assert.equal(
        (await page.getByTestId('failure-title').textContent()).trim(),
        EXIT_137,
      );
      assert.equal(
        (await panel.getByTestId('failure-action').textContent()).trim(),
        'What to do: Create the sandbox again with more memory (for example 1Gi instead of 512Mi) or make the program use less; the logs show what it was doing last.',
      );
      assert.equal(
        (await page.getByTestId('failure-reported').textContent()).trim(),
        'CONTAINER_EXITED_ERROR: Sandbox container exited with code 137.',
      );

      const text = page.getByTestId('diagnostics-text');
      await text.waitFor();
      const logText = await text.textContent();
      assert.match(logText, /batch-job 1\.4 starting/);
      assert.match(logText, /Killed\n?$/);
      // The box scrolls, in a monospace font, and starts at the end of the logs.
      const box = await text.evaluate(el => ({
        font: getComputedStyle(el).fontFamily,
        overflowY: getComputedStyle(el).overflowY,
      }));
      assert.match(box.font, /monospace/);
      assert.equal(box.overflowY, 'auto');
      await panel.screenshot({ path: shot('docs-failure-panel.png') });
      // The page scrolls inside Backstage's layout: a taller window shows the panel and the logs.
      await page.setViewportSize({ width: 1440, height: 1340 });
      await page.getByTestId('diagnostics-card').scrollIntoViewIfNeeded();
      await page.screenshot({ path: shot('docs-failure-explanation.png') });
      await page.setViewportSize({ width: 1440, height: 900 });

      // Events: the out-of-memory kill, reconstructed from the container state.
      const [eventsResponse] = await Promise.all([
        page.waitForResponse(r =>
          new URL(r.url()).pathname.endsWith(
            `/sandboxes/${FAILED}/diagnostics/events`,
          ),
        ),
        page.getByRole('tab', { name: 'Events' }).click(),
      ]);
      assert.equal(eventsResponse.status(), 200);
      await page.waitForFunction(() =>
        document
          .querySelector('[data-testid="diagnostics-text"]')
          ?.textContent?.includes('OOMKilled'),
      );
      assert.match(await text.textContent(), /Event: {6}Exited with code 137/);
      await page
        .getByTestId('diagnostics-card')
        .screenshot({ path: shot('docs-diagnostics-events.png') });

      // Refresh reads the events again.
      const [again] = await Promise.all([
        page.waitForResponse(r =>
          new URL(r.url()).pathname.endsWith(
            `/sandboxes/${FAILED}/diagnostics/events`,
          ),
        ),
        page.getByRole('button', { name: 'Reload diagnostics' }).click(),
      ]);
      assert.equal(again.status(), 200);
    });
    assert.deepEqual(pageErrors, []);
  },
);

test(
  'the create form offers the presets of app-config.yaml; choosing one fills the form',
  { timeout: 120_000 },
  async () => {
    await screenshotOnFailure('presets', async () => {
      await page.goto(`${APP_URL}/opensandbox/create`);
      const group = page.getByRole('group', { name: 'Create presets' });
      await group.waitFor();
      assert.equal(
        await page.getByTestId('preset-custom').getAttribute('aria-pressed'),
        'true',
      );
      await page.getByTestId('preset-python-notebook').click();
      assert.equal(
        await page
          .getByTestId('preset-python-notebook')
          .getAttribute('aria-pressed'),
        'true',
      );
      assert.equal(
        await page.getByTestId('create-imageUri').inputValue(),
        'python:3.12-slim',
      );
      assert.equal(
        await page.getByTestId('create-entrypoint').inputValue(),
        'python -m http.server 8000',
      );
      assert.equal(await page.getByTestId('create-cpu').inputValue(), '1');
      assert.equal(await page.getByTestId('create-memory').inputValue(), '1Gi');
      assert.equal(
        await page.getByTestId('create-timeoutMinutes').inputValue(),
        '240',
      );
      assert.equal(
        await page.getByTestId('create-metadata').inputValue(),
        'purpose=notebook',
      );
      assert.equal(
        await page.getByTestId('create-env').inputValue(),
        'PYTHONUNBUFFERED=1',
      );
      await page.screenshot({ path: shot('docs-create-presets.png') });
    });
    assert.deepEqual(pageErrors, []);
  },
);

test(
  'a create whose image cannot be pulled is audited failed, and the audit row\'s "Why?" explains it',
  { timeout: 300_000 },
  async () => {
    const name = `pull-${randomUUID().slice(0, 8)}`;
    await screenshotOnFailure('create', async () => {
      await page.goto(`${APP_URL}/opensandbox/create`);
      await page
        .getByTestId('create-imageUri')
        .fill('ghcr.io/example/does-not-exist:latest');
      await page.getByTestId('create-entrypoint').fill('sleep infinity');
      await page.getByTestId('create-metadata').fill(`name=${name}`);
      const [created] = await Promise.all([
        page.waitForResponse(
          r =>
            new URL(r.url()).pathname === '/api/opensandbox/sandboxes' &&
            r.request().method() === 'POST',
        ),
        page.getByRole('button', { name: 'Create', exact: true }).click(),
      ]);
      assert.equal(created.status(), 400);
      assert.equal(
        (await created.json()).error.upstreamCode,
        'DOCKER::SANDBOX_IMAGE_PULL_FAILED',
      );
    });

    // pat (admin) reads the audit log.
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
    });
    const admin = await context.newPage();
    admin.on('pageerror', error => pageErrors.push(error.message));
    try {
      await signInWithOidc(admin, APP_URL, 'pat');
      await admin.goto(`${APP_URL}/opensandbox/audit`);
      const row = admin
        .getByTestId('audit-row')
        .filter({ hasText: 'DOCKER::SANDBOX_IMAGE_PULL_FAILED' })
        .first();
      await row.waitFor();
      const why = row.getByTestId('failure-why');
      assert.equal(await why.getAttribute('data-failure-id'), 'image-pull');
      await why.click();
      const dialog = admin.getByRole('dialog');
      await dialog.waitFor();
      // Let the dialog's opening transition finish before the screenshot.
      await admin.evaluate(() =>
        Promise.all(
          document.getAnimations().map(a => a.finished.catch(() => undefined)),
        ),
      );
      assert.equal(
        (await dialog.getByRole('heading').textContent()).trim(),
        'The image could not be pulled',
      );
      assert.match(
        await dialog.textContent(),
        /Error code: DOCKER::SANDBOX_IMAGE_PULL_FAILED/,
      );
      await admin.screenshot({ path: shot('docs-audit-why.png') });
    } catch (error) {
      await admin.screenshot({
        path: shot(`e2e-failures-failure-audit-${Date.now()}.png`),
        fullPage: true,
      });
      throw error;
    } finally {
      await context.close();
    }
    assert.deepEqual(pageErrors, []);
  },
);
