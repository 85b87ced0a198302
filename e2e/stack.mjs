// Starts the console as `npm start` runs it (simulator :8080, identity provider :7300, backend
// :7007, the new-frontend-system app's production build on :3000, the legacy app's on :3001) in its
// own process group, waits until it serves, and stops the whole group afterwards; launches Debian's
// Chromium for the browser tests. The apps are built once and reused while their sources are
// unchanged (scripts/build-app.mjs), so only the first stack of a run pays for the builds.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { spawnGroup, waitForUrl } from './processGroup.mjs';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The primary app: the new-frontend-system app (packages/app-next), served by the backend. */
export const APP_URL = 'http://localhost:3000';
/** The legacy app (packages/app), production build. */
export const LEGACY_APP_URL = 'http://localhost:3001';
export const BACKEND_URL = 'http://localhost:7007';
export const SIMULATOR_URL = 'http://127.0.0.1:8080';
export const IDP_URL = 'http://localhost:7300';

/**
 * Runs `command args` in its own process group, logging to `.cache/<logName>`, and waits until
 * every URL of `readyUrls` answers 2xx (5 minutes at most). `stop()` ends the whole group
 * (SIGTERM, then SIGKILL after 15 s). A killed test run kills the group too.
 * @param {{ command: string, args: string[], env?: Record<string, string>, logName: string, readyUrls: string[] }} options
 * @returns {Promise<{ stop(): Promise<void>, logFile: string }>}
 */
export async function startProcessGroup({
  command,
  args,
  env = {},
  logName,
  readyUrls,
}) {
  const logFile = join(repoRoot, '.cache', logName);
  const { child, hasExited, kill } = spawnGroup({
    command,
    args,
    cwd: repoRoot,
    env: { ...process.env, ...env, BROWSER: 'none', CI: 'true' },
    logFile,
  });
  // The group outlives this process unless it is ended here too: a killed test run must not leave
  // a stack holding the fixed ports.
  const killGroup = () => {
    if (hasExited()) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
  };
  const onSignal = signal => {
    killGroup();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', killGroup);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  child.on('exit', () => {
    process.off('exit', killGroup);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  });
  const stop = () => kill();
  try {
    for (const url of readyUrls)
      await waitForUrl(url, { timeoutMs: 300_000, hasExited });
  } catch (error) {
    await stop();
    throw new Error(`${error.message} (see ${logFile})`);
  }
  return { stop, logFile };
}

/**
 * Starts the stack with the given OpenSandbox API key (shared by simulator and backend) and any
 * extra environment (e.g. the identity provider's keys and secrets, see docs/auth.md).
 * @param {{ apiKey: string, env?: Record<string, string>, logName?: string }} options
 * @returns {Promise<{ stop(): Promise<void>, logFile: string }>}
 */
export function startStack({ apiKey, env = {}, logName = 'e2e-stack.log' }) {
  return startProcessGroup({
    command: 'bash',
    args: [join(repoRoot, 'scripts', 'start.sh')],
    env: { ...env, OPENSANDBOX_API_KEY: apiKey },
    logName,
    readyUrls: [
      `${IDP_URL}/.well-known/openid-configuration`,
      `${BACKEND_URL}/api/opensandbox/health`,
      APP_URL,
      LEGACY_APP_URL,
    ],
  });
}

/** Debian's Chromium, headless, with the flags this machine's closed network needs. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-dev-shm-usage',
    ],
  });
}
