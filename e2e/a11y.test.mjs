// End-to-end accessibility check: axe-core (node_modules/axe-core, injected into the page) on the
// sandbox list, a sandbox's detail page, the create form, the audit log, a component's Sandboxes
// tab and the bulk delete dialog, as pat (admin) signed in through the demo identity provider, in
// headless Debian Chromium against the stack as `npm start` runs it. Each must report 0
// violations (WCAG 2.x A/AA rules and axe's best practices). Also: the first Tab on a page reaches
// a "Skip to content" link that moves the focus to the page's main content, and the list's quick
// filters' accessible names contain their visible text.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { signInWithOidc } from './flows.mjs';
import { APP_URL, launchChromium, repoRoot, startStack } from './stack.mjs';

const apiKey = `e2e-key-${randomUUID()}`;
const AXE = join(repoRoot, 'node_modules', 'axe-core', 'axe.min.js');
/** demo-api of the seed (packages/opensandbox-simulator/seed/demo.yaml). */
const DEMO_API = '3f0c9a52-6d1e-4b8a-9c47-1e2f3a4b5c6d';

let stack;
let browser;
let page;
const pageErrors = [];

before(
  async () => {
    stack = await startStack({ apiKey, logName: 'e2e-a11y-stack.log' });
    browser = await launchChromium();
    // bypassCSP: axe is injected as an inline script, which the backend's Content-Security-Policy
    // (the app on :3000 is served by the backend) would refuse.
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      bypassCSP: true,
    });
    page = await context.newPage();
    page.on('pageerror', error => pageErrors.push(error.message));
    await signInWithOidc(page, APP_URL, 'pat');
  },
  { timeout: 900_000 },
);

after(async () => {
  await browser?.close();
  await stack?.stop();
});

/**
 * Runs axe on the page (or on the elements matching `selector`) and returns its violations as
 * `rule: target (summary)` lines, so a failure names each element.
 */
async function violations(selector, exclude = []) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined')))
    await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(
    async ([context, excluded]) => {
      const result = await window.axe.run(
        {
          include: [context ?? 'html'],
          exclude: excluded.map(e => [e]),
        },
        { resultTypes: ['violations'] },
      );
      return result.violations.flatMap(v =>
        v.nodes.map(
          n =>
            `${v.id}: ${n.target.join(' ')} (${n.failureSummary
              ?.split('\n')
              .slice(1)
              .join(' ')
              .trim()})`,
        ),
      );
    },
    [selector, exclude],
  );
  return found;
}

async function expectNoViolations(name, selector, exclude) {
  const found = await violations(selector, exclude);
  if (found.length > 0)
    await page.screenshot({
      path: join(repoRoot, '.cache', `e2e-a11y-${name}.png`),
      fullPage: true,
    });
  assert.deepEqual(found, [], `axe violations on ${name}`);
}

test(
  'the list, detail, create, audit and entity pages and the bulk dialog have no axe violations',
  { timeout: 300_000 },
  async () => {
    await page.goto(`${APP_URL}/opensandbox`);
    await page.getByTestId('sandbox-link').first().waitFor();
    // The quick filters say what they show, starting with their visible text.
    const names = await page
      .getByTestId('quick-filter')
      .getByRole('button')
      .evaluateAll(buttons =>
        buttons.map(b => [b.textContent, b.getAttribute('aria-label')]),
      );
    for (const [text, label] of names)
      assert.ok(
        label.toLowerCase().includes(text.toLowerCase()),
        `"${label}" lacks "${text}"`,
      );
    await expectNoViolations('list');

    // The bulk delete dialog of one selected row (dry run shown).
    await page.getByTestId('select-row').first().check();
    await page.getByTestId('bulk-delete').click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    // The dry run has answered and the dialog has finished fading in (colours are final).
    await page.waitForFunction(() => {
      const paper = document.querySelector('[role="dialog"]');
      return (
        !!paper &&
        !paper.querySelector('[role="progressbar"]') &&
        getComputedStyle(paper.parentElement).opacity === '1'
      );
    });
    await expectNoViolations('bulk dialog', '[role="dialog"]');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await page.goto(
      `${APP_URL}/opensandbox/servers/default/sandboxes/${DEMO_API}`,
    );
    await page.getByTestId('field-state').waitFor();
    await page.getByTestId('sandbox-history').waitFor();
    await page
      .getByTestId('diagnostics-loading')
      .waitFor({ state: 'detached' });
    await expectNoViolations('detail');

    await page.goto(`${APP_URL}/opensandbox/create`);
    await page.getByTestId('create-imageUri').waitFor();
    // The form has settled: the teams have loaded (a disabled field's grey text is exempt).
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="create-team-select"]')
          ?.disabled === false,
    );
    await expectNoViolations('create');

    await page.goto(`${APP_URL}/opensandbox/audit`);
    // A fresh stack may have no audit events yet: wait for the page to finish loading instead.
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await page.waitForFunction(
      () => !document.querySelector('[role="progressbar"]'),
    );
    await expectNoViolations('audit');

    await page.goto(
      `${APP_URL}/catalog/default/component/payments-api/sandboxes`,
    );
    await page.getByTestId('entity-sandboxes').waitFor();
    // The entity page's frame is the catalog plugin's (Backstage's): its visually hidden page
    // title (`.bui-VisuallyHidden`, an <h1>) sits outside a landmark (axe `region`). Everything
    // else on the page, the console's tab included, is checked.
    await expectNoViolations('entity tab', undefined, ['.bui-VisuallyHidden']);
    assert.deepEqual(pageErrors, []);
  },
);

test(
  'a skip link is the first stop of the keyboard and moves the focus to the content',
  { timeout: 120_000 },
  async () => {
    await page.goto(`${APP_URL}/opensandbox`);
    await page.getByTestId('sandbox-link').first().waitFor();
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() =>
      document.activeElement?.textContent?.trim(),
    );
    assert.equal(first, 'Skip to content');
    await page.keyboard.press('Enter');
    const inMain = await page.evaluate(
      () => !!document.activeElement?.closest('main, article, [role="main"]'),
    );
    assert.ok(inMain, 'the focus moved into the main content');
  },
);
