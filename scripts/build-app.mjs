#!/usr/bin/env node
// Builds a frontend app package (production bundle in <package>/dist) unless an earlier build from
// the same sources is still there. "Same sources" means the same SHA-256 over the content of every
// file that goes into the bundle: the app package, the frontend plugin packages, the app-config
// files and yarn.lock (tracked and untracked files, as git lists them; dist/ is ignored). The hash
// of the last successful build is kept in .cache/app-builds/<name>.sha256.
//
// Usage: node scripts/build-app.mjs <app package name> [--force]   e.g. app-next, app
// Exit code 0 when dist/ is current (built now or reused), non-zero when the build failed.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The repository folders whose files go into the app bundles (besides the app package itself). */
const SHARED_INPUTS = [
  'plugins/opensandbox',
  'plugins/opensandbox-common',
  'app-config.yaml',
  'yarn.lock',
  'package.json',
];

/** Workspace folder of each app package. */
const APP_DIRS = { 'app-next': 'packages/app-next', app: 'packages/app' };

/**
 * SHA-256 (hex) over the paths and contents of every non-ignored file under `paths`, in path
 * order. Deleted-but-tracked files are skipped.
 */
export function sourceHash(paths, root = repoRoot) {
  const listed = execFileSync(
    'git',
    [
      'ls-files',
      '-z',
      '--cached',
      '--others',
      '--exclude-standard',
      '--',
      ...paths,
    ],
    { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const files = [...new Set(listed.split('\0').filter(Boolean))].sort();
  const hash = createHash('sha256');
  for (const file of files) {
    const full = join(root, file);
    if (!existsSync(full)) continue;
    hash.update(`${file}\0`);
    hash.update(readFileSync(full));
    hash.update('\0');
  }
  return hash.digest('hex');
}

function main() {
  const [name, flag] = process.argv.slice(2);
  const dir = APP_DIRS[name];
  if (!dir) {
    console.error(
      `usage: node scripts/build-app.mjs <${Object.keys(APP_DIRS).join(
        '|',
      )}> [--force]`,
    );
    process.exit(2);
  }
  const stampDir = join(repoRoot, '.cache', 'app-builds');
  const stampFile = join(stampDir, `${name}.sha256`);
  const hash = sourceHash([dir, ...SHARED_INPUTS]);
  const built = existsSync(join(repoRoot, dir, 'dist', 'index.html'));
  const previous = existsSync(stampFile)
    ? readFileSync(stampFile, 'utf8').trim()
    : '';
  if (flag !== '--force' && built && previous === hash) {
    console.log(
      `==> ${name}: production build is current (${hash.slice(
        0,
        12,
      )}), reusing ${dir}/dist`,
    );
    return;
  }
  console.log(`==> ${name}: building the production bundle (${dir}/dist)`);
  const result = spawnSync('yarn', ['workspace', name, 'build'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    console.error(`${name}: build failed (exit ${result.status})`);
    process.exit(result.status ?? 1);
  }
  mkdirSync(stampDir, { recursive: true });
  writeFileSync(stampFile, `${hash}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
