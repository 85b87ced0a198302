// End-to-end: role bindings in the database (docs/governance.md, "Role bindings"), against the
// console as `npm start` runs it, in headless Debian Chromium (playwright-core).
//
// vic is a viewer (app-config: group sandbox-viewers) and may not create. pat (admin) signs in
// through the demo identity provider, opens "Administration" from the sidebar, binds vic to
// operator on the admin page and previews what vic may do ("explain"); vic's next action — a create
// through the form — succeeds, with vic as owner. The change is in the audit log (binding.create,
// actor pat, before/after). pat removes the binding again and vic's create is refused once more.
// Screenshots go to .cache/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { signInWithOidc } from './flows.mjs';
import {
  LEGACY_APP_URL,
  BACKEND_URL,
  launchChromium,
  repoRoot,
  startStack,
} from './stack.mjs';

// The legacy app (:3001): its sidebar has the "Administration" entry (permission-gated) that these
// tests click; the new-frontend-system app does not have that nav item yet (the admin page is
// reachable there only by URL).
const APP_URL = LEGACY_APP_URL;

const apiKey = `e2e-key-${randomUUID()}`;
let stack;
let browser;
const pageErrors = [];

before(
  async () => {
    stack = await startStack({
      apiKey,
      logName: 'e2e-role-bindings-stack.log',
    });
    browser = await launchChromium();
  },
  { timeout: 600_000 },
);

after(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A fresh browser context (no session); remembers the Backstage token the page sends. */
async function newUserContext() {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
  });
  const seen = { backstageToken: undefined };
  context.on('request', request => {
    const auth = request.headers().authorization;
    if (
      request.url().startsWith(`${BACKEND_URL}/api/opensandbox/`) &&
      auth?.startsWith('Bearer ')
    ) {
      seen.backstageToken = auth.slice('Bearer '.length);
    }
  });
  const page = await context.newPage();
  page.on('pageerror', error => pageErrors.push(error.message));
  return { context, page, seen };
}

async function screenshotOnFailure(page, name, fn) {
  try {
    return await fn();
  } catch (error) {
    await page.screenshot({
      path: join(
        repoRoot,
        '.cache',
        `e2e-role-bindings-failure-${name}-${Date.now()}.png`,
      ),
    });
    throw error;
  }
}

/** Opens the create form and creates a sandbox named `name`; @returns the create response. */
async function createThroughForm(page, name) {
  await page.goto(`${APP_URL}/opensandbox/create`);
  await page.getByTestId('create-imageUri').fill('python:3.11-slim');
  await page
    .getByTestId('create-entrypoint')
    .fill('python -m http.server 8000');
  await page.getByTestId('create-metadata').fill(`name=${name}`);
  const [response] = await Promise.all([
    page.waitForResponse(
      r =>
        new URL(r.url()).pathname === '/api/opensandbox/sandboxes' &&
        r.request().method() === 'POST',
    ),
    page.getByRole('button', { name: 'Create', exact: true }).click(),
  ]);
  return response;
}

let vic;
let pat;

test(
  'vic (viewer) may not create sandboxes and sees no Administration entry',
  { timeout: 180_000 },
  async () => {
    vic = await newUserContext();
    await signInWithOidc(vic.page, APP_URL, 'vic');
    await vic.page.goto(`${APP_URL}/opensandbox/create`);
    await vic.page.getByTestId('not-allowed').waitFor();
    assert.match(
      await vic.page.getByTestId('not-allowed').textContent(),
      /opensandbox\.sandbox\.create/,
    );
    assert.equal(
      await vic.page.getByRole('link', { name: 'Administration' }).count(),
      0,
    );
    await vic.page.goto(`${APP_URL}/opensandbox/admin`);
    await vic.page.getByTestId('not-allowed').waitFor();
    assert.match(
      await vic.page.getByTestId('not-allowed').textContent(),
      /opensandbox\.admin\.manage/,
    );
  },
);

test(
  'pat (admin) binds vic to operator on the admin page and previews what vic may do',
  { timeout: 180_000 },
  async () => {
    pat = await newUserContext();
    await signInWithOidc(pat.page, APP_URL, 'pat');
    const { page } = pat;
    await screenshotOnFailure(page, 'admin', async () => {
      await page.getByRole('link', { name: 'Administration' }).first().click();
      await page
        .getByRole('heading', { name: 'Administration', level: 1 })
        .waitFor();
      // The app-config entries are listed read-only; no database bindings yet.
      await page
        .locator(
          '[data-testid="config-row"][data-subject="group:default/platform"]',
        )
        .waitFor();
      await page.getByTestId('bindings-empty').waitFor();

      await page.getByTestId('binding-subject').fill('user:default/vic');
      await page.getByTestId('binding-role').selectOption('operator');
      const [added] = await Promise.all([
        page.waitForResponse(
          r =>
            new URL(r.url()).pathname ===
              '/api/opensandbox/admin/role-bindings' &&
            r.request().method() === 'POST',
        ),
        page.getByTestId('binding-add').click(),
      ]);
      assert.equal(added.status(), 201);
      await page
        .locator(
          '[data-testid="binding-row"][data-subject="user:default/vic"][data-role="operator"]',
        )
        .waitFor();
      await page.getByTestId('bindings-notice').waitFor();

      await page.getByTestId('explain-user').fill('user:default/vic');
      await page.getByTestId('explain-submit').click();
      const create = page.getByTestId('explain-opensandbox.sandbox.create');
      await create.waitFor();
      assert.match(
        await create.textContent(),
        /allowed \(all\)operator via binding user:default\/vic/,
      );
      assert.match(
        await page.getByTestId('explain-result').textContent(),
        /group:default\/team-a/,
      );
      await page.screenshot({
        path: join(repoRoot, '.cache', 'e2e-role-bindings-admin.png'),
        fullPage: true,
      });
    });
  },
);

test(
  "vic's next action succeeds: a create through the form, owned by vic",
  { timeout: 180_000 },
  async () => {
    await screenshotOnFailure(vic.page, 'vic-create', async () => {
      const response = await createThroughForm(vic.page, 'vic-bound-operator');
      assert.equal(response.status(), 202);
      const created = await response.json();
      assert.equal(created.ownership.owner, 'user:default/vic');
      assert.equal(created.ownership.team, 'group:default/team-a');
      await vic.page.screenshot({
        path: join(repoRoot, '.cache', 'e2e-role-bindings-vic-created.png'),
      });
    });
  },
);

test(
  'the binding change is in the audit log with actor and before/after',
  { timeout: 60_000 },
  async () => {
    assert.ok(pat.seen.backstageToken, 'the admin page sent a Backstage token');
    const res = await fetch(
      `${BACKEND_URL}/api/opensandbox/audit-events?action=binding.create`,
      {
        headers: { authorization: `Bearer ${pat.seen.backstageToken}` },
      },
    );
    assert.equal(res.status, 200);
    const { items } = await res.json();
    assert.equal(items.length, 1);
    assert.equal(items[0].actor, 'user:default/pat');
    assert.equal(items[0].outcome, 'succeeded');
    assert.equal(items[0].details.before, null);
    assert.equal(items[0].details.after.subject, 'user:default/vic');
    assert.equal(items[0].details.after.role, 'operator');
  },
);

test(
  'pat removes the binding; vic may no longer create',
  { timeout: 180_000 },
  async () => {
    const { page } = pat;
    await screenshotOnFailure(page, 'remove', async () => {
      await page
        .getByRole('button', { name: 'Remove user:default/vic operator' })
        .click();
      const [removed] = await Promise.all([
        page.waitForResponse(
          r =>
            r.url().includes('/api/opensandbox/admin/role-bindings/') &&
            r.request().method() === 'DELETE',
        ),
        page.getByTestId('binding-remove-confirm').click(),
      ]);
      assert.equal(removed.status(), 204);
      await page.getByTestId('bindings-empty').waitFor();
    });
    await vic.page.goto(`${APP_URL}/opensandbox/create`);
    await vic.page.getByTestId('not-allowed').waitFor();
    const forged = await fetch(`${BACKEND_URL}/api/opensandbox/sandboxes`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${vic.seen.backstageToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        image: { uri: 'python:3.11-slim' },
        entrypoint: ['python'],
        timeout: 600,
        resourceLimits: { cpu: '500m', memory: '512Mi' },
      }),
    });
    assert.equal(forged.status, 403);
    await vic.context.close();
    await pat.context.close();
    assert.deepEqual(pageErrors, []);
  },
);
