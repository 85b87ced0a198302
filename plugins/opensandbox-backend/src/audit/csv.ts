/**
 * RFC 4180 CSV lines (CRLF, double-quote escaping) with a guard against formula injection.
 */
import { AUDIT_EVENT_FIELDS, AuditEventJson } from './auditEventJson';

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV cell. `null` is empty; objects are JSON. Text starting with `=`, `+`, `-`, `@`, tab or
 * CR gets a leading `'` so spreadsheets do not evaluate it; cells with `"`, `,`, CR or LF are
 * quoted with inner quotes doubled.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line, CRLF-terminated. */
export function csvLine(values: unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** The header line of the audit export. */
export function auditCsvHeader(): string {
  return csvLine([...AUDIT_EVENT_FIELDS]);
}

/** One event as a CSV line, in {@link AUDIT_EVENT_FIELDS} order. */
export function auditCsvLine(event: AuditEventJson): string {
  return csvLine(AUDIT_EVENT_FIELDS.map(field => event[field]));
}
