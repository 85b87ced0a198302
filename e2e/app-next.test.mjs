// End-to-end: the new-frontend-system app (packages/app-next, :3001) against the same stack as
// `npm start` (simulator :8080, identity provider :7300, backend :7007, legacy app :3000), in
// headless Debian Chromium (playwright-core). A guest goes from a component's catalog page to its
// "Sandboxes" tab, creates a sandbox there and finds it on the owning team's tab; a demo user signs
// in through the OIDC popup from :3001.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { repoRoot, startStack } from './stack.mjs';

const NEXT_APP_URL = 'http://localhost:3001';
const DEMO_PASSWORD = 'opensandbox-demo'; // development only (docs/auth.md)
const apiKey = `e2e-key-${randomUUID()}`;
let stack;
let nextApp;
let browser;

/** `yarn workspace app-next start` in its own process group; `stop()` ends the whole group. */
async function startNextApp() {
  const logFile = join(repoRoot, '.cache', 'e2e-app-next.log');
  const log = createWriteStream(logFile);
  const child = spawn('yarn', ['workspace', 'app-next', 'start'], {
    cwd: repoRoot,
    detached: true,
    env: { ...process.env, BROWSER: 'none', CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const stop = async () => {
    if (exited) return;
    const done = new Promise(r => child.on('exit', r));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, 15000);
    await done;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      if ((await fetch(NEXT_APP_URL)).ok) break;
    } catch {
      // not listening yet
    }
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`app-next did not serve ${NEXT_APP_URL} (see ${logFile})`);
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  return { stop, logFile };
}

before(async () => {
  stack = await startStack({ apiKey, logName: 'e2e-app-next-stack.log' });
  try {
    nextApp = await startNextApp();
  } catch (error) {
    await stack.stop();
    throw error;
  }
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}, { timeout: 600_000 });

after(async () => {
  await browser?.close();
  await nextApp?.stop();
  await stack?.stop();
});

const pageErrors = [];

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', error => pageErrors.push(error.message));
  return page;
}

test('app-next: a guest creates a sandbox from a component page and finds it on the team tab', { timeout: 300_000 }, async () => {
  const page = await newPage();
  // The root redirects to /opensandbox (app/routes redirects in app-config.next.yaml).
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
  await page.goto(`${NEXT_APP_URL}/catalog/default/component/payments-api/sandboxes`);
  await page.getByTestId('entity-sandboxes').waitFor();
  await page.getByTestId('entity-create-gate-link').click();

  // The form is pre-filled from the component's annotations and linked to it.
  await page.getByTestId('create-entity-defaults').waitFor();
  assert.equal(await page.getByTestId('create-imageUri').inputValue(), 'python:3.12-slim');
  assert.equal(await page.getByLabel('Catalog entity').inputValue(), 'component:default/payments-api');
  const name = `next-e2e-${Date.now()}`;
  await page.getByTestId('create-metadata').fill(`name=${name}`);
  const [createResponse] = await Promise.all([
    page.waitForResponse(r => r.url().endsWith('/api/opensandbox/sandboxes') && r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Create', exact: true }).click(),
  ]);
  assert.equal(createResponse.status(), 202);
  const created = await createResponse.json();
  assert.deepEqual(created.ownership, {
    owner: 'user:default/guest',
    team: 'group:default/team-a',
    entity: 'component:default/payments-api',
  });

  // It is listed on the owning team's tab.
  await page.goto(`${NEXT_APP_URL}/catalog/default/group/team-a/sandboxes`);
  await page.getByRole('link', { name }).waitFor();
  await page.screenshot({ path: join(repoRoot, '.cache', 'app-next-team-tab.png') });
  assert.deepEqual(pageErrors, []);
});

test('app-next: a demo user signs in through the OIDC popup from :3001', { timeout: 120_000 }, async () => {
  const page = await newPage();
  await page.goto(`${NEXT_APP_URL}/opensandbox`);
  const [popup] = await Promise.all([
    page.waitForEvent('popup', { timeout: 15_000 }),
    page.getByRole('button', { name: /^sign in$/i }).click(),
  ]);
  await popup.getByLabel('Username').fill('ada');
  await popup.getByLabel('Password').fill(DEMO_PASSWORD);
  await Promise.all([
    popup.waitForEvent('close'),
    popup.getByRole('button', { name: 'Sign in', exact: true }).click(),
  ]);
  await page.getByRole('heading', { name: 'Sandboxes', level: 1 }).waitFor();
  assert.deepEqual(pageErrors, []);
});
