// Starts the console as `npm start` runs it (simulator :8080, identity provider :7300, backend
// :7007, app :3000) in its own process group, waits until it serves, and stops the whole group
// afterwards.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const APP_URL = 'http://localhost:3000';
export const BACKEND_URL = 'http://localhost:7007';
export const SIMULATOR_URL = 'http://127.0.0.1:8080';
export const IDP_URL = 'http://localhost:7300';

async function waitFor(url, { timeoutMs, isReady = res => res.ok }) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (await isReady(res)) return;
      lastError = new Error(`${url} answered ${res.status}`);
    } catch (error) {
      lastError = error;
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms: ${lastError?.message}`);
}

/**
 * Starts the stack with the given OpenSandbox API key (shared by simulator and backend) and any
 * extra environment (e.g. the identity provider's keys and secrets, see docs/auth.md).
 * @param {{ apiKey: string, env?: Record<string, string>, logName?: string }} options
 * @returns {Promise<{ stop(): Promise<void>, logFile: string }>}
 */
export async function startStack({ apiKey, env = {}, logName = 'e2e-stack.log' }) {
  mkdirSync(join(repoRoot, '.cache'), { recursive: true });
  const logFile = join(repoRoot, '.cache', logName);
  const log = createWriteStream(logFile);
  const child = spawn('bash', [join(repoRoot, 'scripts', 'start.sh')], {
    cwd: repoRoot,
    detached: true,
    env: { ...process.env, ...env, OPENSANDBOX_API_KEY: apiKey, BROWSER: 'none', CI: 'true' },
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
  try {
    await waitFor(`${IDP_URL}/.well-known/openid-configuration`, { timeoutMs: 300_000 });
    await waitFor(`${BACKEND_URL}/api/opensandbox/health`, { timeoutMs: 300_000 });
    await waitFor(APP_URL, { timeoutMs: 300_000 });
  } catch (error) {
    await stop();
    throw new Error(`${error.message} (see ${logFile})`);
  }
  return { stop, logFile };
}
