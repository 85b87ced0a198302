// Checks the plugin packages' API reports (`report*.api.md`) against the public surface, as
// `backstage-repo-tools api-reports --ci` does, but insensitive to the order of union members:
// API Extractor prints the members of an inferred union (e.g. an extension's output refs) in the
// compiler's type-id order, which differs between a fresh clone and a built checkout. It
// regenerates the reports (`yarn build:api-reports`), compares each with the committed one with
// runs of `| member` lines sorted, restores the committed files, and exits 1 naming every report
// whose surface changed (run `yarn build:api-reports` and commit the result).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const plugins = join(root, 'plugins');

/** The report files of every plugin package: path → committed content. */
function readReports() {
  const reports = new Map();
  for (const dir of readdirSync(plugins)) {
    const pkg = join(plugins, dir);
    if (!existsSync(join(pkg, 'package.json'))) continue;
    for (const file of readdirSync(pkg)) {
      if (/^report.*\.api\.md$/.test(file)) {
        reports.set(join(pkg, file), readFileSync(join(pkg, file), 'utf8'));
      }
    }
  }
  return reports;
}

/**
 * The report with the members of each union sorted: a member is a `| X` line and the lines under
 * it indented deeper; consecutive members at one indent are one union.
 */
function normalise(text) {
  const lines = text.split('\n');
  const out = [];
  const indentOf = line => line.match(/^\s*/)[0].length;
  let i = 0;
  while (i < lines.length) {
    const first = lines[i].match(/^(\s*)\| /);
    if (!first) {
      out.push(lines[i++]);
      continue;
    }
    const indent = first[1].length;
    const members = [];
    while (
      i < lines.length &&
      new RegExp(`^\\s{${indent}}\\| `).test(lines[i]) &&
      indentOf(lines[i]) === indent
    ) {
      const member = [lines[i++]];
      while (
        i < lines.length &&
        lines[i].trim() !== '' &&
        indentOf(lines[i]) > indent
      )
        member.push(lines[i++]);
      members.push(member.join('\n'));
    }
    out.push(...members.sort());
  }
  return out.join('\n');
}

const before = readReports();
let failed = [];
try {
  execFileSync('yarn', ['build:api-reports'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const after = readReports();
  for (const [path, text] of after) {
    if (!before.has(path)) failed.push(`${path} (new report, not committed)`);
    else if (normalise(before.get(path)) !== normalise(text)) failed.push(path);
  }
  for (const path of before.keys())
    if (!after.has(path)) failed.push(`${path} (no longer generated)`);
} catch (error) {
  failed.push(`api-reports failed: ${error.message}`);
} finally {
  for (const [path, text] of before) writeFileSync(path, text);
}
if (failed.length > 0) {
  console.error(
    `API reports differ from the public surface:\n  ${failed.join(
      '\n  ',
    )}\nRun \`yarn build:api-reports\` and commit the reports.`,
  );
  process.exit(1);
}
console.log(`API reports match the public surface (${before.size} reports).`);
