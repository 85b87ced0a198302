// One way to run a test process: in its own process group (so stopping it ends its children too),
// logging to a file, and waiting until a URL answers. Used by the stack of the browser tests
// (`stack.mjs`) and by the replicas' launcher (`replicaStack.mjs`).
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Spawns `command args` detached (a process group of its own), its stdout and stderr written to
 * `logFile` (appended when `append`).
 * @param {{ command: string, args: string[], env: Record<string, string | undefined>, cwd: string, logFile: string, append?: boolean }} options
 * @returns {{ child: import('node:child_process').ChildProcess, hasExited(): boolean, kill(signal?: string): Promise<void> }}
 *   `kill` signals the whole group (SIGTERM by default), then SIGKILL after 15 s, and resolves
 *   once the process has exited.
 */
export function spawnGroup({
  command,
  args,
  env,
  cwd,
  logFile,
  append = false,
}) {
  mkdirSync(dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile, { flags: append ? 'a' : 'w' });
  const child = spawn(command, args, {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  const exited = new Promise(r => child.once('exit', r));
  const kill = async (signal = 'SIGTERM') => {
    if (hasExited()) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, 15_000);
    await exited;
    clearTimeout(timer);
  };
  return { child, hasExited, kill };
}

/**
 * Polls `url` every `intervalMs` until it answers 2xx.
 * @param {string} url
 * @param {{ timeoutMs: number, intervalMs?: number, hasExited?: () => boolean, failed?: () => boolean }} options
 *   `hasExited`: the serving process is gone; `failed`: its log says the start failed.
 * @throws Error naming `url` when the process exited or failed first, or after `timeoutMs`.
 */
export async function waitForUrl(
  url,
  {
    timeoutMs,
    intervalMs = 1000,
    hasExited = () => false,
    failed = () => false,
  },
) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    if (hasExited())
      throw new Error(`${url}: the process exited before it answered`);
    if (failed()) throw new Error(`${url}: the start failed`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
      lastError = new Error(`answered ${res.status}`);
    } catch (error) {
      lastError = error;
    }
    await new Promise(r => setTimeout(r, intervalMs));
  }
  throw new Error(
    `${url} not ready after ${timeoutMs} ms: ${lastError?.message}`,
  );
}
