// End-to-end: what the console shows when OpenSandbox misbehaves, against the stack as
// `npm start` runs it, in headless Debian Chromium (playwright-core). The simulator's control API
// (`/_simulator/*`, no key) makes each situation happen for real: a restart that loses renewals
// (drift), a create whose answer is cut (unknown outcome, idempotent retry), an unpullable image,
// a 429 with Retry-After, a pause of a sandbox that was paused behind the console's back.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  APP_URL,
  SIMULATOR_URL,
  launchChromium,
  repoRoot,
  startStack,
} from './stack.mjs';

const apiKey = `e2e-key-${randomUUID()}`;
let stack;
let browser;
let page;
const pageErrors = [];

async function simulator(method, path, body) {
  const res = await fetch(`${SIMULATOR_URL}${path}`, {
    method,
    headers: {
      'Content-Type': 'application/json',
      'OPEN-SANDBOX-API-KEY': apiKey,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** `2026-06-15 11:30:00 UTC`, as the console shows timestamps. */
function shown(iso) {
  return `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A UTC `datetime-local` value with seconds, as the renew dialog reads it. */
function localInput(ms) {
  return new Date(ms).toISOString().slice(0, 19);
}

function isCreate(response) {
  return (
    new URL(response.url()).pathname === '/api/opensandbox/sandboxes' &&
    response.request().method() === 'POST'
  );
}

before(
  async () => {
    stack = await startStack({ apiKey, logName: 'e2e-resilience-stack.log' });
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
    });
    page = await context.newPage();
    page.on('pageerror', error => pageErrors.push(error.message));
    await page.goto(`${APP_URL}/opensandbox`);
    await page.getByRole('button', { name: /enter/i }).click();
    await page.getByRole('heading', { name: 'Sandboxes', level: 1 }).waitFor();
  },
  { timeout: 600_000 },
);

afterEach(async () => {
  await simulator('POST', '/_simulator/faults', []);
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Opens the create form and fills a valid sandbox named `name`. */
async function fillCreateForm(
  name,
  { image = 'python:3.11-slim', timeoutMinutes = '30' } = {},
) {
  await page.goto(`${APP_URL}/opensandbox/create`);
  await page.getByTestId('create-noExpiration-unavailable').waitFor();
  await page.getByTestId('create-imageUri').fill(image);
  await page
    .getByTestId('create-entrypoint')
    .fill('python -m http.server 8000');
  await page.getByTestId('create-timeoutMinutes').fill(timeoutMinutes);
  await page.getByTestId('create-metadata').fill(`name=${name}`);
}

/** Creates a sandbox through the form; resolves with the 202 body once its page shows. */
async function createSandbox(name) {
  await fillCreateForm(name);
  const [response] = await Promise.all([
    page.waitForResponse(isCreate),
    page.getByRole('button', { name: 'Create', exact: true }).click(),
  ]);
  assert.equal(response.status(), 202);
  const created = await response.json();
  await page.getByTestId('field-id').filter({ hasText: created.id }).waitFor();
  return created;
}

/** Clicks the dialog's Renew; resolves with the renew request body and the answer. */
async function confirmRenew(sandboxId) {
  const [response] = await Promise.all([
    page.waitForResponse(r =>
      r.url().endsWith(`/sandboxes/${sandboxId}/renew-expiration`),
    ),
    page.getByTestId('renew-confirm').click(),
  ]);
  return {
    sent: response.request().postDataJSON(),
    status: response.status(),
    answer: await response.json(),
  };
}

test(
  'a renewal lost by an OpenSandbox restart shows as drift; "Renew again" restores it; shortening needs the box',
  { timeout: 300_000 },
  async () => {
    const created = await createSandbox(`e2e-drift-${Date.now()}`);

    // Renew by 60 minutes through the console: it audits the renewal.
    await page.getByRole('button', { name: 'Renew' }).click();
    await page.getByTestId('renew-minutes-input').fill('60');
    const first = await confirmRenew(created.id);
    assert.equal(first.status, 200);
    assert.deepEqual(Object.keys(first.sent), ['expiresAt']);
    assert.equal(
      Date.parse(first.answer.expiresAt) - Date.parse(created.expiresAt),
      60 * 60 * 1000,
    );
    assert.match(
      await page.getByTestId('action-notice').textContent(),
      new RegExp(`^Expiry moved to ${shown(first.answer.expiresAt)}\\.`),
    );
    await page
      .getByTestId('field-expires')
      .filter({ hasText: shown(first.answer.expiresAt) })
      .waitFor();
    assert.equal(await page.getByTestId('renewal-drift').count(), 0);

    // OpenSandbox restarts and forgets the renewal (its Docker runtime keeps renewals in memory).
    const reverted = await simulator('POST', '/_simulator/restart');
    assert.ok(JSON.stringify(reverted).includes(created.id));
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    const drift = page.getByTestId('renewal-drift');
    await drift.waitFor();
    assert.equal(
      (await page.getByTestId('drift-reported').textContent()).trim(),
      shown(created.expiresAt),
    );
    assert.equal(
      (await page.getByTestId('drift-renewed-to').textContent()).trim(),
      shown(first.answer.expiresAt),
    );
    assert.equal(
      (await page.getByTestId('drift-actor').textContent()).trim(),
      'user:default/guest',
    );
    await page.screenshot({
      path: join(repoRoot, '.cache', 'e2e-renewal-drift.png'),
    });

    // "Renew again" proposes the lost expiry; it is later than what OpenSandbox reports now.
    await page.getByTestId('renew-again').click();
    assert.equal(
      await page.getByRole('radio', { name: 'Set the new expiry' }).isChecked(),
      true,
    );
    assert.equal(await page.getByTestId('renew-shorten-warning').count(), 0);
    const again = await confirmRenew(created.id);
    assert.equal(again.status, 200);
    assert.deepEqual(Object.keys(again.sent), ['expiresAt']);
    assert.equal(
      Date.parse(again.answer.expiresAt),
      Math.floor(Date.parse(first.answer.expiresAt) / 1000) * 1000,
    );
    await page
      .getByTestId('field-expires')
      .filter({ hasText: shown(again.answer.expiresAt) })
      .waitFor();
    await drift.waitFor({ state: 'detached' });

    // Shorten by 10 minutes: a warning, and Renew only after "Shorten the expiration".
    const earlier = Date.parse(again.answer.expiresAt) - 10 * 60 * 1000;
    await page.getByRole('button', { name: 'Renew' }).click();
    await page.getByRole('radio', { name: 'Set the new expiry' }).check();
    await page.getByTestId('renew-until-input').fill(localInput(earlier));
    await page.getByTestId('renew-shorten-warning').waitFor();
    assert.match(
      await page.getByTestId('renew-shorten-warning').textContent(),
      /shortens the sandbox's lifetime by 10m/,
    );
    assert.equal(await page.getByTestId('renew-confirm').isDisabled(), true);
    await page
      .getByRole('checkbox', { name: 'Shorten the expiration' })
      .check();
    const shorter = await confirmRenew(created.id);
    assert.equal(shorter.status, 200);
    assert.deepEqual(shorter.sent, {
      expiresAt: new Date(earlier).toISOString(),
      allowShorten: true,
    });
    assert.equal(Date.parse(shorter.answer.expiresAt), earlier);
    assert.match(
      await page.getByTestId('action-notice').textContent(),
      new RegExp(`^Expiry moved to ${shown(shorter.answer.expiresAt)}\\.`),
    );
    await page
      .getByTestId('field-expires')
      .filter({ hasText: shown(earlier) })
      .waitFor();
    assert.equal(await page.getByTestId('renewal-drift').count(), 0);
    assert.deepEqual(pageErrors, []);
  },
);

test(
  "a create whose answer was lost is retried with the same Idempotency-Key and gives the first attempt's sandbox",
  { timeout: 300_000 },
  async () => {
    // The simulator creates the sandbox but cuts its answer: the console cannot tell what happened.
    await simulator('POST', '/_simulator/faults', [
      {
        method: 'POST',
        path: '^/v1/sandboxes$',
        times: 1,
        closeConnection: true,
      },
    ]);
    const name = `e2e-idem-${Date.now()}`;
    await fillCreateForm(name);
    const [lost] = await Promise.all([
      page.waitForResponse(isCreate),
      page.getByRole('button', { name: 'Create', exact: true }).click(),
    ]);
    assert.equal(lost.status(), 502);
    const lostBody = await lost.json();
    const key = lost.request().headers()['idempotency-key'];
    assert.match(
      key,
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );

    const alert = page.getByTestId('create-server-error');
    await alert.waitFor();
    assert.equal(
      (
        await page.getByTestId('create-server-error-message').textContent()
      ).trim(),
      `${lostBody.error.message} (HTTP 502)`,
    );
    assert.equal(
      (await alert.getByTestId('request-id-value').textContent()).trim(),
      lostBody.error.requestId,
    );
    await page.screenshot({
      path: join(repoRoot, '.cache', 'e2e-create-unknown-outcome.png'),
    });

    const [retried] = await Promise.all([
      page.waitForResponse(isCreate),
      page.getByTestId('create-retry').click(),
    ]);
    assert.equal(retried.request().headers()['idempotency-key'], key);
    assert.equal(
      retried.status(),
      200,
      "the retry is answered with the first attempt's sandbox",
    );
    const sandbox = await retried.json();
    await page
      .getByTestId('field-id')
      .filter({ hasText: sandbox.id })
      .waitFor();

    const { items } = await simulator('GET', '/_simulator/sandboxes');
    assert.deepEqual(
      items.filter(s => s.metadata?.name === name).map(s => s.id),
      [sandbox.id],
    );
    assert.deepEqual(pageErrors, []);
  },
);

test(
  'an image OpenSandbox cannot pull is flagged next to the image input, with the request id',
  { timeout: 300_000 },
  async () => {
    await fillCreateForm(`e2e-pull-${Date.now()}`, {
      image: 'registry.example.com/does-not-exist:1.0',
    });
    const [response] = await Promise.all([
      page.waitForResponse(isCreate),
      page.getByRole('button', { name: 'Create', exact: true }).click(),
    ]);
    assert.equal(response.status(), 400);
    const body = await response.json();
    const imageError = body.error.fields.find(f => f.field === 'image.uri');
    assert.ok(imageError, JSON.stringify(body));
    const helper = page.locator('#opensandbox-create-imageUri-helper-text');
    await helper.filter({ hasText: imageError.message }).waitFor();
    assert.equal((await helper.textContent()).trim(), imageError.message);
    assert.equal(
      await page.getByTestId('create-imageUri').getAttribute('aria-invalid'),
      'true',
    );
    assert.equal(
      (await page.getByTestId('request-id-value').textContent()).trim(),
      body.error.requestId,
    );
    assert.equal(await page.getByTestId('create-retry').count(), 0);
  },
);

test(
  "pause errors: the server's 409 message for a stale state, and when to retry after a 429",
  { timeout: 300_000 },
  async () => {
    const created = await createSandbox(`e2e-errors-${Date.now()}`);

    // Busy OpenSandbox: 429 with Retry-After.
    await simulator('POST', '/_simulator/faults', [
      {
        method: 'POST',
        path: '/pause$',
        times: 1,
        status: 429,
        headers: { 'Retry-After': '30' },
        body: {
          code: 'KUBERNETES::POOL_CAPACITY_EXHAUSTED',
          message: "Pool 'default' is busy.",
        },
      },
    ]);
    const [busy] = await Promise.all([
      page.waitForResponse(r =>
        r.url().endsWith(`/sandboxes/${created.id}/pause`),
      ),
      page.getByRole('button', { name: 'Pause' }).click(),
    ]);
    assert.equal(busy.status(), 429);
    const busyBody = await busy.json();
    const error = page.getByTestId('action-error');
    await error.waitFor();
    assert.equal(
      (await error.getByTestId('retry-after').textContent()).trim(),
      'Try again in 30 seconds.',
    );
    assert.match(
      await page.getByTestId('action-error-message').textContent(),
      /^Could not pause the sandbox: .+ \(HTTP 429\)$/,
    );
    assert.equal(
      (await error.getByTestId('request-id-value').textContent()).trim(),
      busyBody.error.requestId,
    );

    // Paused behind the console's back: the page still offers Pause; the server answers 409.
    await simulator('POST', `/v1/sandboxes/${created.id}/pause`);
    const [conflict] = await Promise.all([
      page.waitForResponse(r =>
        r.url().endsWith(`/sandboxes/${created.id}/pause`),
      ),
      page.getByRole('button', { name: 'Pause' }).click(),
    ]);
    assert.equal(conflict.status(), 409);
    const conflictBody = await conflict.json();
    await page
      .getByTestId('action-error-message')
      .filter({ hasText: 'HTTP 409' })
      .waitFor();
    assert.equal(
      (await page.getByTestId('action-error-message').textContent()).trim(),
      `Could not pause the sandbox: ${conflictBody.error.message} (HTTP 409)`,
    );
    assert.equal(
      (await page.getByTestId('request-id-value').textContent()).trim(),
      conflict.headers()['x-request-id'],
    );
    assert.deepEqual(pageErrors, []);
  },
);
