/**
 * Time helpers. All instants inside the simulator are epoch milliseconds (UTC);
 * on the wire they are ISO 8601 UTC strings ending in `Z`.
 */

/**
 * Formats epoch milliseconds like Pydantic v2 serialises a UTC datetime:
 * `2026-06-15T10:00:00.412000Z`, or `2026-06-15T10:00:00Z` when the
 * fractional part is zero.
 */
export function formatTimestamp(epochMs: number): string {
  const iso = new Date(epochMs).toISOString(); // 2026-06-15T10:00:00.412Z
  const ms = epochMs - Math.floor(epochMs / 1000) * 1000;
  const base = iso.slice(0, 19);
  return ms === 0 ? `${base}Z` : `${base}.${String(ms).padStart(3, '0')}000Z`;
}

/** Result of {@link parseDateTime}: either epoch ms or a Pydantic-like error text. */
export type DateTimeParse =
  | { ok: true; epochMs: number }
  | { ok: false; error: string };

const DATE_TIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * Parses an RFC 3339 / ISO 8601 date-time string the way the server does:
 * a naive value (no offset) is treated as UTC, a date alone means midnight UTC.
 */
export function parseDateTime(value: string): DateTimeParse {
  if (value.length < 10) return { ok: false, error: 'input is too short' };
  const m = DATE_TIME_RE.exec(value);
  if (!m) {
    if (!/^\d{4}/.test(value))
      return { ok: false, error: 'invalid character in year' };
    return { ok: false, error: 'invalid datetime format' };
  }
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', tz] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12)
    return {
      ok: false,
      error: 'month value is outside expected range of 1-12',
    };
  const daysInMonth = new Date(Date.UTC(Number(y), month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth)
    return { ok: false, error: 'day value is outside expected range' };
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    return { ok: false, error: 'invalid time value' };
  }
  const ms = Math.floor(Number(`0.${frac || '0'}`) * 1000);
  let epochMs = Date.UTC(
    Number(y),
    month - 1,
    day,
    Number(h),
    Number(mi),
    Number(s),
    ms,
  );
  if (tz && tz !== 'Z' && tz !== 'z') {
    const sign = tz.startsWith('-') ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    const offsetMin =
      Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0');
    epochMs -= sign * offsetMin * 60_000;
  }
  return { ok: true, epochMs };
}
