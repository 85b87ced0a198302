#!/usr/bin/env node
// Frontend benchmark of the README's start command (`npm start`): the new-frontend-system app's
// production build as the backend serves it on :3000.
//
// 1. Build sizes (packages/app-next/dist/static, built by scripts/build-app.mjs): gzip (level 9)
//    of all JavaScript, of the scripts index.html loads up front, and of the chunks holding the
//    plugin's own code (plugins/opensandbox/src, found through each chunk's source map). A plugin
//    source module in more than one chunk is reported as duplicated. "Lazily loaded" means no
//    plugin page or component module is in the up-front scripts (only the plugin's extension
//    definitions are).
// 2. In headless Chromium against the running stack: JS transferred (compressed bytes on the wire)
//    for a first load of /opensandbox in a fresh browser context (guest sign-in included) until
//    the list is visible, and a warm reload (same context, HTTP cache warm) until the list is
//    visible again: median of 5 (BENCH_RELOADS) after 3 untimed ones (BENCH_WARMUP_RELOADS),
//    timed without instrumentation; one more reload counts the JS it transfers (DevTools
//    protocol: bytes on the wire, scripts served from the HTTP cache).
//
// Usage (starts the stack like the e2e tests, so it holds the e2e lock):
//   flock /tmp/opensandbox-e2e.lock node bench/frontend/run.mjs
// Prints a JSON summary and a Markdown table for docs/benchmarks.md.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  APP_URL,
  launchChromium,
  repoRoot,
  startStack,
} from '../../e2e/stack.mjs';

const RELOADS = Number(process.env.BENCH_RELOADS ?? 5);
const WARMUP = Number(process.env.BENCH_WARMUP_RELOADS ?? 3);
const staticDir = join(repoRoot, 'packages', 'app-next', 'dist', 'static');
const PLUGIN_SRC = 'plugins/opensandbox/src/';

const kib = bytes => `${(bytes / 1024).toFixed(1)} KiB`;
const gz = file => gzipSync(readFileSync(file), { level: 9 }).length;
const median = values =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The plugin's own source modules in one chunk (from its source map). */
function pluginModules(file) {
  try {
    const map = JSON.parse(readFileSync(`${file}.map`, 'utf8'));
    return map.sources
      .map(source =>
        source.replace(/^webpack:\/\/[^/]*\//, '').replace(/^(\.\.\/)+/, ''),
      )
      .map(source => source.slice(Math.max(0, source.indexOf(PLUGIN_SRC))))
      .filter(source => source.startsWith(PLUGIN_SRC));
  } catch {
    return [];
  }
}

/** Sizes of the production build and where the plugin's code is. */
export function buildSizes() {
  const html = readFileSync(
    join(repoRoot, 'packages', 'app-next', 'dist', 'index.html'),
    'utf8',
  );
  const upFront = new Set(
    [...html.matchAll(/src="\/static\/([^"]+\.js)"/g)].map(m => m[1]),
  );
  const chunks = readdirSync(staticDir)
    .filter(name => name.endsWith('.js'))
    .map(name => {
      const file = join(staticDir, name);
      return {
        name,
        raw: statSync(file).size,
        gzip: gz(file),
        upFront: upFront.has(name),
        plugin: pluginModules(file),
      };
    });
  const pluginChunks = chunks.filter(c => c.plugin.length > 0);
  const seen = new Map();
  for (const chunk of pluginChunks) {
    for (const module of chunk.plugin)
      seen.set(module, [...(seen.get(module) ?? []), chunk.name]);
  }
  const duplicated = [...seen]
    .filter(([, where]) => where.length > 1)
    .map(([module, where]) => ({ module, chunks: where }));
  const upFrontPlugin = pluginChunks
    .filter(c => c.upFront)
    .flatMap(c => c.plugin);
  const sum = (list, key) => list.reduce((total, c) => total + c[key], 0);
  return {
    allJsGzip: sum(chunks, 'gzip'),
    allJsRaw: sum(chunks, 'raw'),
    scripts: chunks.length,
    upFrontGzip: sum(
      chunks.filter(c => c.upFront),
      'gzip',
    ),
    upFrontScripts: chunks.filter(c => c.upFront).length,
    pluginChunks: pluginChunks
      .filter(c => !c.upFront)
      .map(c => ({ name: c.name, gzip: c.gzip, modules: c.plugin.length })),
    pluginLazyGzip: sum(
      pluginChunks.filter(c => !c.upFront),
      'gzip',
    ),
    pluginModulesUpFront: upFrontPlugin,
    duplicated,
  };
}

/**
 * Counts the JS a page loads through Chromium's DevTools protocol: for each script request the
 * bytes on the wire (`Network.loadingFinished.encodedDataLength`: compressed body and headers; 0
 * for a response served from the HTTP cache), and how many scripts came from the cache
 * (`requestServedFromCache`, or `fromDiskCache` / `fromMemoryCache` on the response).
 * @returns live totals and `stop()` to detach.
 */
async function trackScripts(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const scripts = new Map();
  const totals = { bytes: 0, requests: 0, cached: 0 };
  cdp.on('Network.requestWillBeSent', e => {
    if (e.type === 'Script') scripts.set(e.requestId, { cached: false });
  });
  cdp.on('Network.requestServedFromCache', e => {
    const s = scripts.get(e.requestId);
    if (s) s.cached = true;
  });
  cdp.on('Network.responseReceived', e => {
    if (e.type !== 'Script') return;
    const s = scripts.get(e.requestId) ?? { cached: false };
    if (e.response.fromDiskCache || e.response.fromMemoryCache) s.cached = true;
    scripts.set(e.requestId, s);
  });
  cdp.on('Network.loadingFinished', e => {
    const s = scripts.get(e.requestId);
    if (!s) return;
    scripts.delete(e.requestId);
    if (s.cached) totals.cached += 1;
    else {
      totals.requests += 1;
      totals.bytes += e.encodedDataLength;
    }
  });
  return {
    totals,
    stop: () => cdp.detach().catch(() => undefined),
  };
}

async function browserFigures() {
  const stack = await startStack({
    apiKey: `bench-frontend-${process.pid}`,
    logName: 'bench-frontend-stack.log',
  });
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
    });
    const page = await context.newPage();
    // In the page: when the first list row enters the DOM, in ms after navigation start (the
    // user's view of "visible", without the automation's own round trips).
    await page.addInitScript(() => {
      const seen = new MutationObserver(() => {
        if (document.querySelector('[data-testid="sandbox-link"]')) {
          window.__firstRowAt = performance.now();
          seen.disconnect();
        }
      });
      document.addEventListener('DOMContentLoaded', () =>
        seen.observe(document.body, { childList: true, subtree: true }),
      );
    });
    const first = await trackScripts(page);
    const started = Date.now();
    await page.goto(`${APP_URL}/opensandbox`);
    await page.getByRole('button', { name: /enter/i }).click();
    await page
      .getByTestId('sandbox-link')
      .first()
      .waitFor({ timeout: 120_000 });
    const firstLoadMs = Date.now() - started;
    await page.waitForLoadState('networkidle');
    const firstLoad = { ...first.totals };
    await first.stop();

    const reload = async () => {
      const t0 = Date.now();
      await page.reload();
      const enter = page.getByRole('button', { name: /enter/i });
      const list = page.getByTestId('sandbox-link').first();
      // The guest session survives a reload; click Enter only if the sign-in page shows anyway.
      await Promise.race([
        list.waitFor({ timeout: 120_000 }),
        enter.waitFor({ timeout: 120_000 }).then(() => enter.click()),
      ]);
      await list.waitFor({ timeout: 120_000 });
      const ms = Date.now() - t0;
      const inPage = await page.evaluate(() => Math.round(window.__firstRowAt));
      await page.waitForLoadState('networkidle');
      return { ms, inPage };
    };
    // Timed reloads run without the DevTools session (its event traffic slows the page down);
    // one more reload with it counts what a warm reload transfers.
    // A few untimed reloads first: right after the start the backend is still busy (catalog
    // ingestion, the first inventory sync), which is not what a warm reload is about.
    for (let i = 0; i < WARMUP; i++) await reload();
    const reloads = [];
    for (let i = 0; i < RELOADS; i++) reloads.push(await reload());
    const tracked = await trackScripts(page);
    await reload();
    const warmTransfer = { ...tracked.totals };
    await tracked.stop();
    return {
      firstLoad: { ...firstLoad, ms: firstLoadMs },
      reloads,
      warmTransfer,
      warmReloadMedianMs: median(reloads.map(r => r.ms)),
      warmReloadInPageMedianMs: median(reloads.map(r => r.inPage)),
    };
  } finally {
    await browser.close();
    await stack.stop();
  }
}

async function main() {
  const browserResult = await browserFigures(); // builds the app first if its sources changed
  const sizes = buildSizes();
  console.log(JSON.stringify({ sizes, browser: browserResult }, null, 2));
  const rows = [
    [
      'production build, all JS (gzip)',
      `${kib(sizes.allJsGzip)} in ${sizes.scripts} scripts (${kib(
        sizes.allJsRaw,
      )} raw)`,
    ],
    [
      'loaded up front by index.html (gzip)',
      `${kib(sizes.upFrontGzip)} in ${sizes.upFrontScripts} scripts`,
    ],
    [
      'plugin chunks, lazily loaded (gzip)',
      sizes.pluginChunks
        .map(c => `${c.name} ${kib(c.gzip)} (${c.modules} modules)`)
        .join('; '),
    ],
    [
      'plugin modules in the up-front scripts',
      sizes.pluginModulesUpFront.join(', ') || 'none',
    ],
    [
      'plugin modules in more than one chunk',
      sizes.duplicated.map(d => d.module).join(', ') || 'none',
    ],
    [
      'first load of /opensandbox: JS transferred',
      `${kib(browserResult.firstLoad.bytes)} in ${
        browserResult.firstLoad.requests
      } scripts (list visible after ${
        browserResult.firstLoad.ms
      } ms, guest sign-in included)`,
    ],
    [
      `warm reload to a visible list (median of ${RELOADS})`,
      `${
        browserResult.warmReloadMedianMs
      } ms from the reload command (runs: ${browserResult.reloads
        .map(r => r.ms)
        .join(', ')} ms); first row in the page ${
        browserResult.warmReloadInPageMedianMs
      } ms after navigation start (runs: ${browserResult.reloads
        .map(r => r.inPage)
        .join(', ')} ms)`,
    ],
    [
      'warm reload: JS transferred',
      `${kib(browserResult.warmTransfer.bytes)} (${
        browserResult.warmTransfer.cached
      } of ${
        browserResult.warmTransfer.cached + browserResult.warmTransfer.requests
      } scripts from the HTTP cache)`,
    ],
  ];
  console.log('\n| measure | result |\n|---|---|');
  for (const [measure, result] of rows)
    console.log(`| ${measure} | ${result} |`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch(error => {
    console.error(error);
    process.exit(1);
  });
}
