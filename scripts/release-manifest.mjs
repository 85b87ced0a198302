#!/usr/bin/env node
// Writes a Backstage release manifest ({ releaseVersion, packages: [{ name, version }] }) built
// from the npm registry, for `BACKSTAGE_MANIFEST_FILE=<file> backstage-cli versions:bump`.
//
// Why: versions:bump normally downloads the manifest from versions.backstage.io, which this
// project's build machines cannot reach; the npm registry is reachable. The manifest lists, for
// every `@backstage/*` package that a workspace of this repository depends on, the version the
// registry's `latest` dist-tag points at. The release version is given on the command line.
//
// Usage: node scripts/release-manifest.mjs <releaseVersion> <outFile>
//   e.g. node scripts/release-manifest.mjs 1.57.0 .cache/release-manifest.json
//        BACKSTAGE_MANIFEST_FILE=.cache/release-manifest.json yarn backstage-cli versions:bump
import { execFile } from 'node:child_process';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEP_FIELDS = [
  'dependencies',
  'devDependencies',
  'peerDependencies',
  'optionalDependencies',
];

/** Every `@backstage/*` package named in the root's or a workspace's package.json. */
export function backstageDependencies(root = repoRoot) {
  const manifests = [join(root, 'package.json')];
  for (const group of ['packages', 'plugins']) {
    for (const entry of readdirSync(join(root, group))) {
      const file = join(root, group, entry, 'package.json');
      if (existsSync(file)) manifests.push(file);
    }
  }
  const names = new Set();
  for (const file of manifests) {
    const pkg = JSON.parse(readFileSync(file, 'utf8'));
    for (const field of DEP_FIELDS) {
      for (const name of Object.keys(pkg[field] ?? {})) {
        if (name.startsWith('@backstage/')) names.add(name);
      }
    }
  }
  return [...names].sort();
}

/** The registry's `latest` version of `name` (via `npm view`, so npm's registry config applies). */
async function latestVersion(name) {
  const { stdout } = await run('npm', ['view', name, 'dist-tags.latest'], {
    encoding: 'utf8',
  });
  const version = stdout.trim();
  if (!/^\d+\.\d+\.\d+/.test(version))
    throw new Error(`no latest version for ${name}: "${version}"`);
  return version;
}

async function main() {
  const [releaseVersion, outFile] = process.argv.slice(2);
  if (!releaseVersion || !outFile) {
    console.error(
      'usage: node scripts/release-manifest.mjs <releaseVersion> <outFile>',
    );
    process.exit(2);
  }
  const names = backstageDependencies();
  const packages = [];
  for (let i = 0; i < names.length; i += 8) {
    const batch = names.slice(i, i + 8);
    const versions = await Promise.all(batch.map(latestVersion));
    batch.forEach((name, j) => packages.push({ name, version: versions[j] }));
  }
  mkdirSync(dirname(join(process.cwd(), outFile)), { recursive: true });
  writeFileSync(
    outFile,
    `${JSON.stringify({ releaseVersion, packages }, null, 2)}\n`,
  );
  console.log(
    `wrote ${outFile}: release ${releaseVersion}, ${packages.length} packages`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch(error => {
    console.error(error);
    process.exit(1);
  });
}
