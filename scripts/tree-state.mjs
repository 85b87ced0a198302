#!/usr/bin/env node
// Proves that a test run leaves the git working tree as it found it.
//   node scripts/tree-state.mjs snapshot <file>   records `git status --porcelain` and the content
//                                                 hash of every file it lists
//   node scripts/tree-state.mjs compare <file>    exits 1, naming the paths, when the status or any
//                                                 listed file's content differs from the snapshot
// On a fresh clone the snapshot is empty, so `compare` means "git status is clean".
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `{ path: "<status> <sha256 or -> " }` for every entry of `git status --porcelain`. */
export function treeState(root = repoRoot) {
  const out = execFileSync(
    'git',
    ['status', '--porcelain=v1', '-z', '--untracked-files=all'],
    {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const state = {};
  const entries = out.split('\0').filter(Boolean);
  for (let i = 0; i < entries.length; i++) {
    const status = entries[i].slice(0, 2);
    const path = entries[i].slice(3);
    if (status.startsWith('R') || status.startsWith('C')) i++; // the source path follows
    const full = join(root, path);
    const hash =
      existsSync(full) && statSync(full).isFile()
        ? createHash('sha256').update(readFileSync(full)).digest('hex')
        : '-';
    state[path] = `${status} ${hash}`;
  }
  return state;
}

function main() {
  const [command, file] = process.argv.slice(2);
  if (!['snapshot', 'compare'].includes(command) || !file) {
    console.error(
      'usage: node scripts/tree-state.mjs <snapshot|compare> <file>',
    );
    process.exit(2);
  }
  if (command === 'snapshot') {
    writeFileSync(file, JSON.stringify(treeState(), null, 1));
    return;
  }
  const before = JSON.parse(readFileSync(file, 'utf8'));
  const after = treeState();
  const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter(path => before[path] !== after[path])
    .sort();
  if (changed.length > 0) {
    console.error(
      'The test run changed the working tree (git status differs from its start):',
    );
    for (const path of changed)
      console.error(`  ${after[path]?.slice(0, 2) ?? 'gone'} ${path}`);
    process.exit(1);
  }
  const dirty = Object.keys(after).length;
  console.log(
    dirty === 0
      ? 'git status is clean after the test run'
      : `the test run left the working tree as it found it (${dirty} uncommitted paths were there before)`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
