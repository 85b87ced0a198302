// End-to-end: bulk actions (docs/operations.md) against the console as `npm start` runs it, in
// headless Debian Chromium (playwright-core).
//
// Twelve team-a sandboxes (and one of team-b) carrying one run label are created directly on the
// simulator. ada (operator, team-a) signs in through the demo identity provider, filters the list
// by the label (the team-b sandbox is not listed: the server applies her permission conditions),
// selects the page and then "all 12 matching this filter", opens Delete: the dialog shows the dry
// run (12 would-succeed) and enables the delete only once "12" is typed; the result shows 12
// succeeded and the batch id, and the list is empty afterwards. Upstream, the 12 are gone and the
// team-b sandbox is not. pat (admin) filters the audit log by the batch id: exactly one
// bulk.delete row and twelve sandbox.delete rows. Screenshots go to .cache/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { signInWithOidc } from './flows.mjs';
import {
  APP_URL,
  BACKEND_URL,
  SIMULATOR_URL,
  launchChromium,
  repoRoot,
  startStack,
} from './stack.mjs';

const apiKey = `e2e-key-${randomUUID()}`;
const STATIC_TOKEN =
  process.env.OPENSANDBOX_CONSOLE_STATIC_TOKEN ?? 'dev-ci-static-token';
const RUN = randomUUID().slice(0, 8);
const COUNT = 12;
let stack;
let browser;
const pageErrors = [];
const teamA = [];
let teamB;
let batchId;

before(
  async () => {
    stack = await startStack({ apiKey, logName: 'e2e-bulk-stack.log' });
    browser = await launchChromium();
  },
  { timeout: 600_000 },
);

after(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Creates a sandbox directly on the simulator, labelled as the console would for owner and team. */
async function seed(name, owner, team) {
  const res = await fetch(`${SIMULATOR_URL}/v1/sandboxes`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'OPEN-SANDBOX-API-KEY': apiKey,
    },
    body: JSON.stringify({
      image: { uri: 'python:3.11-slim' },
      entrypoint: ['python', '-m', 'http.server', '8000'],
      timeout: 3600,
      resourceLimits: { cpu: '500m', memory: '512Mi' },
      metadata: {
        name,
        'bulk-e2e': RUN,
        'backstage.io/owner': owner,
        'backstage.io/owner-namespace': 'default',
        'backstage.io/team': team,
        'backstage.io/team-namespace': 'default',
      },
    }),
  });
  const text = await res.text();
  assert.equal(res.status, 202, text);
  return JSON.parse(text).id;
}

async function upstreamExists(id) {
  const res = await fetch(`${SIMULATOR_URL}/v1/sandboxes/${id}`, {
    headers: { 'OPEN-SANDBOX-API-KEY': apiKey },
  });
  return res.status === 200;
}

/** Waits until the console's inventory lists the team-a sandboxes (the static token is a team-a viewer). */
async function waitForInventory(timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(
      `${BACKEND_URL}/api/opensandbox/sandboxes?pageSize=200&metadata=${encodeURIComponent(
        `bulk-e2e=${RUN}`,
      )}`,
      {
        headers: { Authorization: `Bearer ${STATIC_TOKEN}` },
      },
    );
    const body = await res.json();
    if (res.status === 200 && body.pagination.totalItems === COUNT) return;
    if (Date.now() > deadline)
      throw new Error(
        `the inventory never listed the sandboxes: ${
          res.status
        } ${JSON.stringify(body).slice(0, 300)}`,
      );
    await new Promise(r => setTimeout(r, 500));
  }
}

async function newUserContext() {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
  });
  const page = await context.newPage();
  page.on('pageerror', error => pageErrors.push(error.message));
  return { context, page };
}

async function screenshotOnFailure(page, name, fn) {
  try {
    return await fn();
  } catch (error) {
    await page.screenshot({
      path: join(
        repoRoot,
        '.cache',
        `e2e-bulk-failure-${name}-${Date.now()}.png`,
      ),
      fullPage: true,
    });
    throw error;
  }
}

test(
  'ada selects sandboxes by filter, dry-runs a bulk delete, confirms it by typing the count and sees them gone',
  { timeout: 300_000 },
  async () => {
    for (let i = 0; i < COUNT; i++)
      teamA.push(
        await seed(
          `bulk-e2e-${RUN}-${String(i).padStart(2, '0')}`,
          'ada',
          'team-a',
        ),
      );
    teamB = await seed(`bulk-e2e-${RUN}-team-b`, 'bob', 'team-b');
    await waitForInventory();

    const { page } = await newUserContext();
    await signInWithOidc(page, APP_URL, 'ada');
    await screenshotOnFailure(page, 'list', async () => {
      // The list filtered by the run's label, 10 a page: the team-b sandbox is not listed for ada.
      await page.goto(
        `${APP_URL}/opensandbox?metadata=${encodeURIComponent(
          `bulk-e2e=${RUN}`,
        )}&pageSize=10`,
      );
      await page.getByTestId('bulk-toolbar').waitFor();
      await page.waitForFunction(
        () =>
          document.querySelectorAll('[data-testid="select-row"]').length === 10,
      );
      const names = await page.getByTestId('sandbox-link').allTextContents();
      assert.ok(
        names.every(
          n => n.startsWith(`bulk-e2e-${RUN}-`) && !n.endsWith('team-b'),
        ),
        JSON.stringify(names),
      );

      await page.getByTestId('select-page').check();
      assert.equal(
        (await page.getByTestId('bulk-selected').textContent()).trim(),
        '10 selected.',
      );
      await page.getByTestId('bulk-select-all-matching').click();
      assert.equal(
        (await page.getByTestId('bulk-selected').textContent()).trim(),
        `All ${COUNT} sandboxes matching this filter are selected.`,
      );
      await page.screenshot({
        path: join(repoRoot, '.cache', 'e2e-bulk-selected.png'),
        fullPage: true,
      });
    });

    await screenshotOnFailure(page, 'dialog', async () => {
      const [dryRun] = await Promise.all([
        page.waitForResponse(
          r =>
            new URL(r.url()).pathname === '/api/opensandbox/bulk/delete' &&
            r.request().method() === 'POST',
        ),
        page.getByTestId('bulk-delete').click(),
      ]);
      assert.equal(dryRun.status(), 200);
      const dryBody = await dryRun.json();
      // The filter went to the server, which resolved it under ada's permissions.
      assert.deepEqual(JSON.parse(dryRun.request().postData()), {
        filter: { metadata: { 'bulk-e2e': RUN } },
        dryRun: true,
      });
      assert.equal(dryBody.total, COUNT);
      assert.deepEqual(dryBody.items.map(i => i.id).sort(), [...teamA].sort());

      const dialog = page.getByRole('dialog');
      await dialog.getByTestId('bulk-check-items').waitFor();
      assert.equal(
        (await dialog.getByTestId('bulk-check-counts').textContent()).trim(),
        `${COUNT} would-succeed`,
      );
      assert.equal(await dialog.getByTestId('bulk-item').count(), COUNT);
      const execute = dialog.getByTestId('bulk-execute');
      assert.equal(
        (await execute.textContent()).trim(),
        `Delete ${COUNT} sandboxes`,
      );
      assert.equal(
        await execute.isDisabled(),
        true,
        'the delete waits for the typed count',
      );
      await dialog.getByTestId('bulk-confirm-input').fill(String(COUNT - 1));
      assert.equal(await execute.isDisabled(), true);
      await dialog.getByTestId('bulk-confirm-input').fill(String(COUNT));
      // Enabled, and its colour transition finished (for the screenshot).
      await page.waitForFunction(() => {
        const button = document.querySelector('[data-testid="bulk-execute"]');
        return !button.disabled && button.getAnimations().length === 0;
      });
      await page.screenshot({
        path: join(repoRoot, '.cache', 'e2e-bulk-dry-run.png'),
      });
      await dialog.screenshot({
        path: join(repoRoot, '.cache', 'e2e-bulk-dry-run-dialog.png'),
      });

      const [run] = await Promise.all([
        page.waitForResponse(
          r =>
            new URL(r.url()).pathname === '/api/opensandbox/bulk/delete' &&
            r.request().method() === 'POST',
        ),
        execute.click(),
      ]);
      assert.equal(run.status(), 200);
      const runBody = await run.json();
      assert.equal(
        JSON.parse(run.request().postData()).confirmationToken,
        dryBody.confirmationToken,
      );
      assert.deepEqual(runBody.counts, {
        succeeded: COUNT,
        failed: 0,
        denied: 0,
        skipped: 0,
      });
      batchId = runBody.batchId;
      await dialog.getByTestId('bulk-run-items').waitFor();
      assert.equal(
        (await dialog.getByTestId('bulk-run-counts').textContent()).trim(),
        `${COUNT} succeeded`,
      );
      assert.equal(
        (await dialog.getByTestId('bulk-batch-id').textContent()).trim(),
        batchId,
      );
      // ada may not read the audit log: no link to it.
      assert.equal(await dialog.getByTestId('bulk-audit-link').count(), 0);
      await page.screenshot({
        path: join(repoRoot, '.cache', 'e2e-bulk-result.png'),
      });
      await dialog.screenshot({
        path: join(repoRoot, '.cache', 'e2e-bulk-result-dialog.png'),
      });
      await dialog.getByTestId('bulk-close').click();
    });

    // The list reloads: nothing matches the filter any more.
    await page.getByText('No sandbox matches these filters.').waitFor();
    for (const id of teamA)
      assert.equal(await upstreamExists(id), false, `${id} is gone upstream`);
    assert.equal(
      await upstreamExists(teamB),
      true,
      "team-b's sandbox is untouched",
    );
    assert.deepEqual(pageErrors, []);
  },
);

test(
  'pat (admin) finds the batch in the audit log by its batch id: one bulk.delete row and one row per sandbox',
  { timeout: 180_000 },
  async () => {
    assert.ok(batchId, 'the bulk delete ran');
    const { page } = await newUserContext();
    await signInWithOidc(page, APP_URL, 'pat');
    await screenshotOnFailure(page, 'audit', async () => {
      await page.goto(`${APP_URL}/opensandbox/audit`);
      await page.getByTestId('audit-batch-filter').fill(batchId);
      const [listed] = await Promise.all([
        page.waitForResponse(
          r =>
            new URL(r.url()).pathname === '/api/opensandbox/audit-events' &&
            new URL(r.url()).searchParams.get('batchId') === batchId,
        ),
        page.getByRole('button', { name: 'Apply filters' }).click(),
      ]);
      assert.equal(listed.status(), 200);
      assert.equal(new URL(page.url()).searchParams.get('batchId'), batchId);
      await page.waitForFunction(
        n =>
          document.querySelectorAll('[data-testid="audit-row"]').length === n,
        COUNT + 1,
      );
      const rows = await page.getByTestId('audit-row').allTextContents();
      assert.equal(
        rows.filter(r => r.includes('bulk.delete')).length,
        1,
        'one batch row',
      );
      assert.equal(
        rows.filter(r => r.includes('sandbox.delete')).length,
        COUNT,
        'one row per sandbox',
      );
      // The actor column shows ada's catalog display name.
      assert.ok(
        rows.every(r => r.includes('Ada') && r.includes('succeeded')),
        JSON.stringify(rows),
      );
      await page.screenshot({
        path: join(repoRoot, '.cache', 'e2e-bulk-audit.png'),
        fullPage: true,
      });
    });
    assert.deepEqual(pageErrors, []);
  },
);
