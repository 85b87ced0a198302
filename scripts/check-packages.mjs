#!/usr/bin/env node
// Packs every publishable plugin package (plugins/*) as publishing does — `yarn pack`, which runs
// `backstage-cli package prepack`/`postpack` — into .cache/packs/, and checks each tarball holds
// what an installer needs and nothing else:
// - package.json: `main`, `types`, `module` and every `exports` target point into dist/ and exist
//   in the tarball; no field points at src/; `backstage.role`, `backstage.pluginId` and
//   `pluginPackages` (plugin packages) or `pluginPackage` (modules) are set; `files` is set;
// - README.md, dist/index.d.ts, the compiled config schema (config.schema.json) for packages with
//   a config.d.ts, the migrations (dist .js) for the backend plugin;
// - no sources: nothing under src/, no file of another package (no node_modules/, plugins/ or
//   packages/ paths inside dist/);
// - package.json in the working tree is restored by postpack (byte for byte).
// Run after `yarn tsc` and `yarn backstage-cli repo build` (scripts/test.sh does both).
// Usage: flock /tmp/opensandbox-e2e.lock node scripts/check-packages.mjs   Exit code 1 with the list of problems when any fails.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const packDir = join(repoRoot, '.cache', 'packs');

/**
 * Every file target of an `exports` map (conditions and nested maps included; the `backstage`
 * condition names a feature type, not a file).
 */
function exportTargets(exportsField) {
  if (typeof exportsField === 'string') return [exportsField];
  if (!exportsField || typeof exportsField !== 'object') return [];
  return Object.entries(exportsField)
    .filter(([condition]) => condition !== 'backstage')
    .flatMap(([, target]) => exportTargets(target));
}

/** Problems with one packed tarball's files and package.json; [] when it is fine. */
export function checkTarball({
  name,
  files,
  manifest,
  hasConfigSchema,
  hasMigrations,
}) {
  const problems = [];
  const has = path => files.includes(path);
  const rel = path => path.replace(/^\.\//, '');
  for (const field of ['main', 'types', 'module']) {
    const target = manifest[field];
    if (target === undefined) {
      if (field !== 'module') problems.push(`${field} is missing`);
      continue;
    }
    if (!rel(target).startsWith('dist/'))
      problems.push(`${field} points at ${target}, not dist/`);
    else if (!has(rel(target)))
      problems.push(
        `${field} points at ${target}, which is not in the tarball`,
      );
  }
  for (const target of exportTargets(manifest.exports)) {
    if (target.endsWith('package.json')) continue;
    if (!rel(target).startsWith('dist/'))
      problems.push(`exports target ${target} is not in dist/`);
    else if (!has(rel(target)))
      problems.push(`exports target ${target} is not in the tarball`);
  }
  if (
    JSON.stringify(manifest).includes('"./src/') ||
    JSON.stringify(manifest).includes('"src/')
  ) {
    problems.push('package.json still names src/ files');
  }
  const backstage = manifest.backstage ?? {};
  if (!backstage.role) problems.push('backstage.role is missing');
  if (!backstage.pluginId) problems.push('backstage.pluginId is missing');
  if (backstage.role?.endsWith('-module')) {
    if (!backstage.pluginPackage)
      problems.push('backstage.pluginPackage is missing (module)');
  } else if (
    !Array.isArray(backstage.pluginPackages) ||
    !backstage.pluginPackages.includes(name)
  ) {
    problems.push(
      'backstage.pluginPackages is missing or does not list the package',
    );
  }
  if (!Array.isArray(manifest.files)) problems.push('files is missing');
  for (const required of ['package.json', 'README.md', 'dist/index.d.ts']) {
    if (!has(required)) problems.push(`${required} is missing`);
  }
  if (hasConfigSchema && !has('config.schema.json'))
    problems.push('config.schema.json (compiled config.d.ts) is missing');
  if (hasMigrations && !files.some(f => /^migrations\/.+\.js$/.test(f)))
    problems.push('migrations/*.js are missing');
  for (const file of files) {
    if (
      file.startsWith('src/') ||
      (/\.tsx?$/.test(file) && !file.endsWith('.d.ts'))
    )
      problems.push(`source file ${file} is packed`);
    if (/(^|\/)(node_modules|plugins|packages)\//.test(file))
      problems.push(`file of another package ${file} is packed`);
  }
  return problems;
}

/**
 * Packs `dir` with `yarn pack` (prepack rewrites package.json for publishing, postpack restores
 * it) into .cache/packs/ and checks the tarball.
 */
async function packOne(dir) {
  const pkgPath = join(repoRoot, dir, 'package.json');
  const before = readFileSync(pkgPath, 'utf8');
  const pkg = JSON.parse(before);
  const tarball = join(
    packDir,
    `${pkg.name.replace(/^@/, '').replace('/', '-')}.tgz`,
  );
  await promisify(execFile)('yarn', ['pack', '--out', tarball], {
    cwd: join(repoRoot, dir),
  });
  const problems = [];
  if (readFileSync(pkgPath, 'utf8') !== before)
    problems.push('postpack did not restore package.json');
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter(f => f && !f.endsWith('/'))
    .map(f => f.replace(/^package\//, ''));
  const manifest = JSON.parse(
    execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], {
      encoding: 'utf8',
    }),
  );
  problems.push(
    ...checkTarball({
      name: pkg.name,
      files,
      manifest,
      hasConfigSchema: existsSync(join(repoRoot, dir, 'config.d.ts')),
      hasMigrations: existsSync(join(repoRoot, dir, 'migrations')),
    }),
  );
  return {
    name: pkg.name,
    files: files.length,
    size: statSync(tarball).size,
    problems,
  };
}

async function main() {
  const dirs = readdirSync(join(repoRoot, 'plugins'))
    .map(entry => join('plugins', entry))
    .filter(dir => existsSync(join(repoRoot, dir, 'package.json')))
    .filter(
      dir =>
        !JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8'))
          .private,
    )
    .sort();
  rmSync(packDir, { recursive: true, force: true });
  mkdirSync(packDir, { recursive: true });
  let failed = false;
  // One at a time (concurrent packs in one Yarn project lost a compiled config schema). While a
  // package is packed its package.json names dist/ files and config.schema.json: run this under
  // the e2e lock (scripts/test.sh does) so that no stack starts from the workspace meanwhile.
  for (const dir of dirs) {
    const result = await packOne(dir);
    if (result.problems.length === 0) {
      console.log(
        `ok   ${result.name} (${result.files} files, ${(
          result.size / 1024
        ).toFixed(0)} KiB packed)`,
      );
    } else {
      failed = true;
      console.log(`FAIL ${result.name}`);
      for (const problem of result.problems) console.log(`     - ${problem}`);
    }
  }
  process.exit(failed ? 1 : 0);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch(error => {
    console.error(error);
    process.exit(1);
  });
}
