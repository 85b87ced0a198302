export { splitCommand } from '@opensandbox-console/plugin-opensandbox-common';

/**
 * Parses `KEY=VALUE` lines (blank lines and lines starting with `#` are ignored; the value is
 * everything after the first `=`, kept verbatim).
 * @returns the map, and one message per malformed or duplicate line.
 */
export function parseKeyValueLines(input: string): {
  values: Record<string, string>;
  errors: string[];
} {
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
