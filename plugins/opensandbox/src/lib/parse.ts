/**
 * Splits a command line into arguments the way a POSIX shell would, without any expansion:
 * whitespace separates arguments, `'single'` and `"double"` quotes group, and a backslash escapes
 * the next character (outside single quotes).
 * @returns the arguments, or an error message for an unterminated quote.
 */
export function splitCommand(input: string): { args: string[]; error?: string } {
  const args: string[] = [];
  let current = '';
  let inArg = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else current += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && i + 1 < input.length && /["\\$`]/.test(input[i + 1])) current += input[++i];
      else current += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inArg = true;
    } else if (ch === '\\' && i + 1 < input.length) {
      current += input[++i];
      inArg = true;
    } else if (/\s/.test(ch)) {
      if (inArg) args.push(current);
      current = '';
      inArg = false;
    } else {
      current += ch;
      inArg = true;
    }
  }
  if (quote) return { args, error: `has an unterminated ${quote} quote` };
  if (inArg) args.push(current);
  return { args };
}

/**
 * Parses `KEY=VALUE` lines (blank lines and lines starting with `#` are ignored; the value is
 * everything after the first `=`, kept verbatim).
 * @returns the map, and one message per malformed or duplicate line.
 */
export function parseKeyValueLines(input: string): { values: Record<string, string>; errors: string[] } {
  const values: Record<string, string> = {};
  const errors: string[] = [];
  input.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq <= 0) {
      errors.push(`line ${index + 1}: expected KEY=VALUE`);
      return;
    }
    const key = line.slice(0, eq).trim();
    if (Object.prototype.hasOwnProperty.call(values, key)) {
      errors.push(`line ${index + 1}: duplicate key ${key}`);
      return;
    }
    values[key] = line.slice(eq + 1).trim();
  });
  return { values, errors };
}
