/**
 * Parsing of the list `metadata` query parameter. The real server receives the
 * (already URL-decoded once) value and runs Python's
 * `urllib.parse.parse_qsl(value, keep_blank_values=True, strict_parsing=True)`,
 * which splits on `&`, requires a `=` in every field and decodes a second time.
 */

/** Decodes like Python's `unquote_plus`: `+` is a space, bad `%` escapes are kept. */
export function unquotePlus(text: string): string {
  const withSpaces = text.replace(/\+/g, ' ');
  const bytes: number[] = [];
  const out: string[] = [];
  const flush = () => {
    if (bytes.length) {
      out.push(Buffer.from(bytes).toString('utf8'));
      bytes.length = 0;
    }
  };
  for (let i = 0; i < withSpaces.length; i++) {
    const ch = withSpaces[i];
    if (ch === '%' && /^[0-9A-Fa-f]{2}$/.test(withSpaces.slice(i + 1, i + 3))) {
      bytes.push(parseInt(withSpaces.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      flush();
      out.push(ch);
    }
  }
  flush();
  return out.join('');
}

/**
 * Parses `k=v&k2=v2` into pairs. Throws an Error (message like Python's
 * "bad query field: ...") on a field without `=`, including empty fields.
 * An empty string yields no pairs.
 */
export function parseMetadataFilter(value: string): Array<[string, string]> {
  if (value === '') return [];
  return value.split('&').map(field => {
    const eq = field.indexOf('=');
    if (eq < 0) throw new Error(`bad query field: '${field}'`);
    return [unquotePlus(field.slice(0, eq)), unquotePlus(field.slice(eq + 1))];
  });
}
