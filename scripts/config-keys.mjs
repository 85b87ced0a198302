// Lists every configuration key of the console's plugins (their config.d.ts files) with its
// visibility (secret or not) and the default its doc comment names, as a Markdown table for
// docs/deployment.md:
//   node scripts/config-keys.mjs            prints the table
//   node scripts/config-keys.mjs --check    exits 1 when docs/deployment.md misses a key
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const FILES = [
  'plugins/opensandbox-backend/config.d.ts',
  'plugins/opensandbox-backend-module-permission-policy/config.d.ts',
];

/** Every leaf or object key as `a.b[].c`, with its doc comment. */
function keysOf(file) {
  const source = ts.createSourceFile(
    file,
    readFileSync(join(root, file), 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const out = [];
  const doc = node =>
    (ts.getJSDocCommentsAndTags(node) ?? [])
      .map(d => d.getText())
      .join('\n')
      .replace(/^\s*\/?\*+\/?/gm, '')
      .replace(/\s+/g, ' ')
      .trim();
  const walk = (type, path) => {
    if (!type) return;
    if (ts.isArrayTypeNode(type)) return walk(type.elementType, `${path}[]`);
    if (ts.isTypeReferenceNode(type) && type.typeName.getText() === 'Array')
      return walk(type.typeArguments?.[0], `${path}[]`);
    if (ts.isParenthesizedTypeNode(type)) return walk(type.type, path);
    if (ts.isUnionTypeNode(type)) return type.types.forEach(t => walk(t, path));
    if (!ts.isTypeLiteralNode(type)) return;
    for (const member of type.members) {
      if (ts.isIndexSignatureDeclaration(member)) {
        const key = `${path}.<${member.parameters[0].name.getText()}>`;
        out.push({
          key,
          comment: doc(member),
          type: member.type?.getText() ?? '',
        });
        walk(member.type, key);
        continue;
      }
      if (!ts.isPropertySignature(member)) continue;
      const name = member.name.getText().replace(/^'|'$/g, '');
      const key = path ? `${path}.${name}` : name;
      out.push({
        key,
        comment: doc(member),
        type: member.type?.getText() ?? '',
        optional: !!member.questionToken,
      });
      walk(member.type, key);
    }
  };
  ts.forEachChild(source, node => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === 'Config') {
      for (const member of node.members) {
        if (!ts.isPropertySignature(member)) continue;
        const name = member.name.getText();
        out.push({
          key: name,
          comment: doc(member),
          type: 'object',
          optional: !!member.questionToken,
        });
        walk(member.type, name);
      }
    }
  });
  return out;
}

/** The table rows: key, secret, default. */
export function configKeys() {
  const seen = new Map();
  for (const file of FILES) {
    for (const k of keysOf(file)) {
      if (seen.has(k.key)) continue;
      const secret = /@visibility secret/.test(k.comment);
      const def =
        /(?:\bDefault(?:s to)?:?|\bdefaults to|\bdefault:|\bdefault is) ([^.;]+?(?:\([^)]*\))?)(?:[.;]|$)/
          .exec(k.comment.replace(/@\w+ \w+/g, ''))?.[1]
          ?.trim();
      seen.set(k.key, {
        key: k.key,
        secret,
        default: def ?? (k.optional ? '(none)' : '(required)'),
      });
    }
  }
  return [...seen.values()];
}

const rows = configKeys();
if (process.argv.includes('--check')) {
  const guide = readFileSync(join(root, 'docs/deployment.md'), 'utf8');
  const missing = rows.filter(r => !guide.includes(`\`${r.key}\``));
  if (missing.length > 0) {
    console.error(
      `docs/deployment.md misses ${missing.length} config key(s): ${missing
        .map(r => r.key)
        .join(', ')}\nRegenerate the table: node scripts/config-keys.mjs`,
    );
    process.exit(1);
  }
  console.log(`docs/deployment.md lists all ${rows.length} config keys`);
} else {
  console.log('| key | secret | default |\n| --- | --- | --- |');
  for (const r of rows)
    console.log(
      `| \`${r.key}\` | ${r.secret ? '**secret**' : 'no'} | ${r.default.replace(
        /\|/g,
        '\\|',
      )} |`,
    );
}
