// Browser flows shared by the end-to-end suites (app-next on :3000, the legacy app on :3001).
import assert from 'node:assert/strict';

/** The demo identity provider's password (development only, docs/auth.md). */
export const DEMO_PASSWORD = 'opensandbox-demo';

/**
 * Opens the OIDC sign-in popup from `appUrl`/opensandbox. Retried: a dev-server rebuild can swallow
 * the first click.
 */
async function openOidcPopup(page, appUrl) {
  for (let attempt = 1; ; attempt++) {
    await page.goto(`${appUrl}/opensandbox`);
    await page.getByText('Sign in with the demo identity provider').waitFor();
    try {
      const [popup] = await Promise.all([
        page.waitForEvent('popup', { timeout: 15_000 }),
        page.getByRole('button', { name: /^sign in$/i }).click(),
      ]);
      return popup;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

/** Signs in through the OIDC card: the popup shows the provider's login form. */
export async function signInWithOidc(
  page,
  appUrl,
  username,
  { expectSuccess = true } = {},
) {
  const popup = await openOidcPopup(page, appUrl);
  await popup.getByLabel('Username').fill(username);
  await popup.getByLabel('Password').fill(DEMO_PASSWORD);
  await Promise.all([
    popup.waitForEvent('close'),
    popup.getByRole('button', { name: 'Sign in', exact: true }).click(),
  ]);
  if (expectSuccess)
    await page.getByRole('heading', { name: 'Sandboxes', level: 1 }).waitFor();
}

/**
 * From payments-api's Sandboxes tab, opens the create form (pre-filled from the component's
 * annotations and linked to it), creates a sandbox named `name` as the guest and checks the
 * ownership the backend stamped.
 * @returns the 202 body
 */
export async function createSandboxFromComponentTab(page, appUrl, name) {
  await page.goto(`${appUrl}/catalog/default/component/payments-api/sandboxes`);
  await page.getByTestId('entity-sandboxes').waitFor();
  await page.getByTestId('entity-create-gate-link').click();

  await page.getByTestId('create-entity-defaults').waitFor();
  assert.equal(
    await page.getByTestId('create-imageUri').inputValue(),
    'python:3.12-slim',
  );
  assert.equal(
    await page.getByLabel('Catalog entity').inputValue(),
    'component:default/payments-api',
  );
  await page.getByTestId('create-metadata').fill(`name=${name}`);
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
    entity: 'component:default/payments-api',
  });
  return created;
}

/**
 * The sandbox table at the current viewport: the page does not scroll sideways, the table fits its
 * card (no horizontal scrolling inside it either), no cell's content spills out, and names, images,
 * states, servers, times, countdowns, sortable headers and the freshness note each stay on one
 * line (counted from the text's line boxes, so block elements are checked too).
 */
export async function checkListLayout(page, label) {
  const problems = await page.evaluate(() => {
    const found = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth + 1)
      found.push(
        `page scrolls sideways (${doc.scrollWidth} > ${doc.clientWidth})`,
      );
    const table = document
      .querySelector('[data-testid="sandbox-link"]')
      ?.closest('table');
    const card = table?.closest('[class*="MuiPaper-root"]');
    if (!table || !card) found.push('no sandbox table in a card');
    else if (
      table.getBoundingClientRect().right >
      card.getBoundingClientRect().right + 1
    ) {
      found.push(
        `table wider than its card (${table.getBoundingClientRect().right} > ${
          card.getBoundingClientRect().right
        })`,
      );
    }
    const oneLine = document.querySelectorAll(
      [
        'sandbox-link',
        'sandbox-image',
        'sandbox-state',
        'sandbox-server',
        'sandbox-created',
        'sandbox-expires-in',
        'list-freshness',
      ]
        .map(id => `[data-testid="${id}"]`)
        .concat('[data-testid^="sort-"]')
        .join(', '),
    );
    for (const el of oneLine) {
      // The line boxes of the element's text (icons and chips left out), by their top edge.
      const tops = [];
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(node);
        for (const rect of range.getClientRects())
          if (rect.width > 0) tops.push(rect.top);
      }
      const lines = tops.filter(
        (top, i) => tops.findIndex(other => Math.abs(other - top) < 4) === i,
      ).length;
      if (lines > 1)
        found.push(`"${el.textContent}" wraps onto ${lines} lines`);
    }
    for (const cell of document.querySelectorAll('tbody td')) {
      if (cell.scrollWidth > cell.clientWidth + 1)
        found.push(`cell "${cell.textContent}" overflows`);
    }
    return found;
  });
  assert.deepEqual(problems, [], `layout problems at ${label}`);
}
