// End-to-end: the list, detail and create pages answer the questions people bring to them (issue
// 17), against the stack as `npm start` runs it, in headless Debian Chromium (playwright-core).
//
// The agent's service token (mcp-agent, operator of team-a) creates two sandboxes with the same
// name, a long image reference, resource limits, a platform and a secret environment variable.
// pat (admin) signs in through the demo identity provider and checks:
// - the list at 1440 and 1024 px: no cell overflows, no word breaks across lines, names and images
//   truncate with the full text in a tooltip; the twins show different short ids; the service is
//   shown as their creator; a slow refetch keeps the rows under a progress bar; a failed load
//   shows the server's message and a Retry that brings the rows back;
// - the detail page: CPU and memory limits, the env variable NAME (its value is neither on the
//   page nor in any response), entrypoint, platform, "created by" the service, a copy button for
//   the id, backstage.io/* labels folded away; on the Failed seed sandbox Pause is disabled with a
//   tooltip saying why (reachable by keyboard), and the endpoint card warns it will not answer;
// - the create form: a failed submit moves the focus to the first field in error; a server 400
//   speaks the form's labels and minutes; a create ends on the new sandbox with "created"; a
//   delete ends on the list with a message naming what was deleted.
// Screenshots of list, detail, create and audit at 1440 and 1024 px go to .cache/screenshots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkListLayout, signInWithOidc } from './flows.mjs';
import {
  APP_URL,
  BACKEND_URL,
  launchChromium,
  repoRoot,
  startStack,
} from './stack.mjs';

const apiKey = `e2e-key-${randomUUID()}`;
const AGENT_TOKEN =
  process.env.OPENSANDBOX_CONSOLE_AGENT_TOKEN ?? 'dev-mcp-agent-token';
const RUN = randomUUID().slice(0, 8);
const TWIN = `twin-${RUN}`;
const SECRET_VALUE = `s3cr3t-${randomUUID()}`;
const LONG_IMAGE =
  'ghcr.io/example-organisation/data-platform/very-long-image-name-for-batch-jobs:2026.12.01-build.1234';
/** failed-batch and paused-notebook of the seed (packages/opensandbox-simulator/seed/demo.yaml). */
const FAILED = 'c2a4e6f8-1b3d-4f5a-8c7e-9d0f1a2b3c4d';
const PAUSED = '8b1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const SHOTS = join(repoRoot, '.cache', 'screenshots');

let stack;
let browser;
let page;
const pageErrors = [];
/** Every response body of the sandbox API the page read, to prove the env value never arrives. */
const bodies = [];
const twins = [];

before(
  async () => {
    mkdirSync(SHOTS, { recursive: true });
    stack = await startStack({ apiKey, logName: 'e2e-ux-stack.log' });
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
    });
    page = await context.newPage();
    page.on('pageerror', error => pageErrors.push(error.message));
    page.on('response', async response => {
      if (!new URL(response.url()).pathname.startsWith('/api/opensandbox/'))
        return;
      try {
        bodies.push(await response.text());
      } catch {
        // Redirects and aborted requests have no body.
      }
    });
  },
  { timeout: 900_000 },
);

after(async () => {
  await browser?.close();
  await stack?.stop();
});

/** `POST /api/opensandbox/sandboxes` as the agent's service token. */
async function createAsService(body) {
  const res = await fetch(`${BACKEND_URL}/api/opensandbox/sandboxes`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${AGENT_TOKEN}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  assert.equal(res.status, 202, JSON.stringify(json));
  return json;
}

async function shoot(name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Runs `fn`, saving a screenshot of the page when it fails. */
async function screenshotOnFailure(name, fn) {
  try {
    await fn();
  } catch (error) {
    await page.screenshot({
      path: join(SHOTS, `failure-${name}.png`),
      fullPage: true,
    });
    throw error;
  }
}

/**
 * Words split across lines inside the table's cells: every word of every text node must sit on
 * one line box (a word that wraps has client rects at two heights).
 */
function brokenWords() {
  return page.evaluate(() => {
    const found = [];
    for (const cell of document.querySelectorAll('tbody td')) {
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        for (const match of text.matchAll(/\S+/g)) {
          const range = document.createRange();
          range.setStart(node, match.index);
          range.setEnd(node, match.index + match[0].length);
          const tops = [...range.getClientRects()]
            .filter(r => r.width > 0)
            .map(r => Math.round(r.top));
          if (new Set(tops).size > 1) found.push(match[0]);
        }
      }
    }
    return found;
  });
}

/** The text of a truncated element and whether it is cut (the full text is then in its title). */
function truncation(locator) {
  return locator.evaluate(el => ({
    text: el.textContent,
    title: el.getAttribute('title'),
    cut: el.scrollWidth > el.clientWidth,
  }));
}

test(
  'the list: layout at 1440 and 1024 px, twins told apart, the service as creator, refetch and errors',
  { timeout: 600_000 },
  async () => {
    for (let i = 0; i < 2; i++) {
      twins.push(
        await createAsService({
          image: { uri: LONG_IMAGE },
          entrypoint: ['sleep', 'infinity'],
          timeout: 3600,
          resourceLimits: { cpu: '500m', memory: '512Mi' },
          platform: { os: 'linux', arch: 'arm64' },
          env: { SECRET_TOKEN: SECRET_VALUE },
          metadata: { name: TWIN },
          team: 'group:default/team-a',
        }),
      );
    }
    assert.deepEqual(twins[0].ownership, {
      service: 'mcp-agent',
      team: 'group:default/team-a',
    });

    await signInWithOidc(page, APP_URL, 'pat');
    await screenshotOnFailure('list', async () => {
      await page.goto(`${APP_URL}/opensandbox?search=${TWIN}`);
      await page.waitForFunction(
        () =>
          document.querySelectorAll('[data-testid="sandbox-link"]').length ===
          2,
      );
      // The twins: same name, told apart by the short id under it (the full id in its tooltip).
      const ids = await page
        .getByTestId('sandbox-short-id')
        .evaluateAll(els => els.map(e => [e.textContent, e.title]));
      assert.deepEqual(
        ids.sort(),
        twins.map(t => [t.id.slice(0, 8), t.id]).sort(),
      );
      // The service that created them, not "-".
      assert.deepEqual(
        await page.getByTestId('sandbox-creator-service').allTextContents(),
        ['mcp-agent (service)', 'mcp-agent (service)'],
      );
      // The long image is cut with an ellipsis, the whole reference in its tooltip.
      const image = await truncation(page.getByTestId('sandbox-image').first());
      assert.deepEqual(image, {
        text: LONG_IMAGE,
        title: LONG_IMAGE,
        cut: true,
      });

      // A slow refetch keeps the rows, with a progress bar over the table.
      let release;
      const held = new Promise(r => {
        release = r;
      });
      await page.route('**/api/opensandbox/sandboxes?*', async route => {
        await held;
        await route.continue();
      });
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page
        .getByRole('progressbar', { name: 'Loading sandboxes' })
        .waitFor();
      assert.equal(
        await page.getByTestId('sandbox-link').count(),
        2,
        'the rows stay during the refetch',
      );
      release();
      await page
        .getByRole('progressbar', { name: 'Loading sandboxes' })
        .waitFor({ state: 'detached' });
      await page.unroute('**/api/opensandbox/sandboxes?*');

      // A failed load: the server's message and a Retry that loads the rows again.
      await page.route('**/api/opensandbox/sandboxes?*', route =>
        route.fulfill({
          status: 503,
          contentType: 'application/json',
          body: JSON.stringify({
            error: {
              name: 'ServiceUnavailableError',
              message: 'OpenSandbox is down for maintenance',
            },
            response: { statusCode: 503 },
          }),
        }),
      );
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.getByTestId('list-error').waitFor();
      assert.equal(
        await page.getByTestId('list-error-message').textContent(),
        'OpenSandbox is down for maintenance (HTTP 503)',
      );
      await page.unroute('**/api/opensandbox/sandboxes?*');
      await page.getByTestId('list-retry').click();
      await page.waitForFunction(
        () =>
          document.querySelectorAll('[data-testid="sandbox-link"]').length ===
          2,
      );

      // The whole list (seeded and new sandboxes) at both widths.
      await page.goto(`${APP_URL}/opensandbox`);
      await page.getByTestId('sandbox-short-id').first().waitFor();
      for (const width of [1440, 1024]) {
        await page.setViewportSize({ width, height: 1400 });
        await page.evaluate(
          () => new Promise(resolve => requestAnimationFrame(() => resolve())),
        );
        await checkListLayout(page, `${width} px`);
        assert.deepEqual(
          await brokenWords(),
          [],
          `words broken across lines at ${width} px`,
        );
        await shoot(`list-${width}`);
      }
      await page.setViewportSize({ width: 1440, height: 900 });
    });
    assert.deepEqual(pageErrors, []);
  },
);

test(
  'the detail page: limits, env names only, platform, creator, copy id, folded labels, state-aware actions',
  { timeout: 300_000 },
  async () => {
    const [twin] = twins;
    assert.ok(twin, 'the list test created the twins');
    await screenshotOnFailure('detail', async () => {
      await page.goto(
        `${APP_URL}/opensandbox/servers/default/sandboxes/${twin.id}`,
      );
      await page.getByTestId('field-cpu').waitFor();
      assert.equal(
        await page.getByTestId('field-cpu').textContent(),
        '500m (0.5 CPU)',
      );
      assert.equal(
        await page.getByTestId('field-memory').textContent(),
        '512Mi',
      );
      assert.equal(
        await page.getByTestId('field-env').textContent(),
        'SECRET_TOKENValues are not shown',
      );
      assert.equal(
        await page.getByTestId('field-entrypoint').textContent(),
        'sleep infinity',
      );
      assert.equal(
        await page.getByTestId('field-platform').textContent(),
        'linux/arm64',
      );
      assert.equal(
        await page.getByTestId('field-created-by').textContent(),
        'mcp-agent (service)',
      );
      await page.getByRole('button', { name: 'Copy sandbox ID' }).waitFor();
      // The page scrolls inside its content area: a tall window shows all of it in the screenshot.
      for (const width of [1440, 1024]) {
        await page.setViewportSize({ width, height: 1500 });
        await shoot(`detail-${width}`);
      }
      await page.setViewportSize({ width: 1440, height: 900 });
      // The console's own labels are folded away; one click shows them.
      const metadata = page.getByTestId('metadata-table');
      assert.equal(await metadata.locator('tr').count(), 1);
      assert.match(await metadata.textContent(), /^name/);
      const toggle = page.getByTestId('metadata-internal-toggle');
      assert.match(await toggle.textContent(), /^Show \d+ internal labels$/);
      await toggle.click();
      assert.match(await metadata.textContent(), /backstage\.io\/team/);
      assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
      // The env value reached neither the page nor the browser.
      assert.ok(
        !(await page.content()).includes(SECRET_VALUE),
        'env value on the page',
      );
      assert.ok(
        !bodies.some(b => b.includes(SECRET_VALUE)),
        'env value in a response',
      );

      // A Failed sandbox: Pause is off, and says why, to the mouse and the keyboard.
      await page.goto(
        `${APP_URL}/opensandbox/servers/default/sandboxes/${FAILED}`,
      );
      const pause = page.getByRole('button', { name: 'Pause' });
      await pause.waitFor();
      assert.equal(await pause.isDisabled(), true);
      const gate = page.getByTestId('pause-gate');
      await gate.focus();
      const tooltip = page.getByRole('tooltip');
      await tooltip.waitFor();
      assert.equal(
        await tooltip.textContent(),
        'Only a Running sandbox can be paused; this one is Failed.',
      );
      assert.equal(
        await page.getByTestId('endpoint-state-warning').textContent(),
        'The sandbox has Failed: its endpoint will not answer.',
      );
      await page.goto(
        `${APP_URL}/opensandbox/servers/default/sandboxes/${PAUSED}`,
      );
      assert.equal(
        await page.getByTestId('endpoint-state-warning').textContent(),
        'The sandbox is Paused: its endpoint will not answer until the sandbox is resumed.',
      );
    });
    assert.deepEqual(pageErrors, []);
  },
);

test(
  'create and delete: focus on the first field in error, form words, "created" and "deleted" messages',
  { timeout: 300_000 },
  async () => {
    const name = `created-${RUN}`;
    await screenshotOnFailure('create', async () => {
      await page.goto(`${APP_URL}/opensandbox/create`);
      const image = page.getByTestId('create-imageUri');
      await image.waitFor();
      for (const width of [1440, 1024]) {
        await page.setViewportSize({ width, height: 1400 });
        await shoot(`create-${width}`);
      }
      await page.setViewportSize({ width: 1440, height: 900 });

      // A client-side failure: the focus goes to the first field in error.
      await image.fill('');
      await page.getByTestId('create-memory').fill('');
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await page.waitForFunction(
        () => document.activeElement?.id === 'opensandbox-create-imageUri',
      );

      // A server 400 in the form's words: the label, minutes; the focus on that field.
      await image.fill('alpine:3.20');
      await page.getByTestId('create-entrypoint').fill('sleep infinity');
      await page.getByTestId('create-memory').fill('128Mi');
      await page.getByTestId('create-metadata').fill(`name=${name}`);
      await page.route('**/api/opensandbox/sandboxes', route =>
        route.request().method() === 'POST'
          ? route.fulfill({
              status: 400,
              contentType: 'application/json',
              body: JSON.stringify({
                error: {
                  name: 'InputError',
                  message: 'timeout must be at most 86400 seconds',
                  fields: [
                    {
                      field: 'timeout',
                      message: 'must be at most 86400 seconds',
                    },
                  ],
                },
                response: { statusCode: 400 },
              }),
            })
          : route.continue(),
      );
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await page.getByTestId('create-server-error').waitFor();
      assert.equal(
        await page.getByTestId('create-server-error-message').textContent(),
        'Timeout (minutes) must be at most 1440 minutes (HTTP 400)',
      );
      await page.waitForFunction(
        () =>
          document.activeElement?.id === 'opensandbox-create-timeoutMinutes',
      );
      await page.unroute('**/api/opensandbox/sandboxes');

      // A create ends on the new sandbox, saying so.
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      const notice = page.getByTestId('action-notice');
      await notice.waitFor({ timeout: 60_000 });
      assert.equal(await notice.textContent(), `Sandbox "${name}" created.`);
      const id = page.url().split('/').pop();

      // A delete ends on the list, naming what was deleted.
      await page.getByRole('button', { name: 'Delete' }).click();
      await page.getByTestId('confirm-delete').click();
      const deleted = page.getByTestId('list-notice');
      await deleted.waitFor();
      assert.equal(
        await deleted.textContent(),
        `Sandbox "${name}" (${id}) deleted.`,
      );

      // The audit page at both widths (its own layout belongs to the audit log's tests).
      await page.goto(`${APP_URL}/opensandbox/audit`);
      await page.getByTestId('audit-row').first().waitFor();
      for (const width of [1440, 1024]) {
        await page.setViewportSize({ width, height: 1400 });
        await shoot(`audit-${width}`);
      }
    });
    assert.deepEqual(pageErrors, []);
  },
);
