/**
 * The before/after diff an audit event's `details` carry (docs/audit.md): renew
 * `{ before: { expiresAt }, after: { expiresAt } }`, metadata updates the metadata before and after,
 * pause/resume `{ before: { state } }`, quota and role binding changes `before`/`after` objects or
 * null.
 */

/** One changed field of an audit event. Values are display text; `undefined` = not recorded. */
export interface AuditFieldChange {
  /** Dotted path, e.g. `expiresAt`, `limits.maxSandboxes`; `(value)` when before/after are not objects. */
  field: string;
  before?: string;
  after?: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Leaves of a value as `path → display text` (nested objects flattened with dots). */
function flatten(
  value: unknown,
  prefix: string,
  out: Map<string, string>,
): void {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [key, inner] of Object.entries(value))
      flatten(inner, prefix ? `${prefix}.${key}` : key, out);
    return;
  }
  out.set(prefix || '(value)', display(value));
}

function display(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return value;
  if (isPlainObject(value) && Object.keys(value).length === 0) return '{}';
  return JSON.stringify(value);
}

/** Whether the event's details have a `before` or an `after` (something to show as a diff). */
export function hasAuditDiff(
  details: Record<string, unknown> | null | undefined,
): boolean {
  return !!details && ('before' in details || 'after' in details);
}

/**
 * The fields that differ between `details.before` and `details.after`, sorted by path. A side
 * that was not recorded (e.g. the `after` of a pause) is `undefined`; a side recorded as `null`
 * (a created or deleted binding) has every field undefined on that side. Equal fields are left out.
 */
export function auditChanges(
  details: Record<string, unknown> | null | undefined,
): AuditFieldChange[] {
  if (!hasAuditDiff(details)) return [];
  const before = new Map<string, string>();
  const after = new Map<string, string>();
  const d = details!;
  if ('before' in d && d.before !== null && d.before !== undefined)
    flatten(d.before, '', before);
  if ('after' in d && d.after !== null && d.after !== undefined)
    flatten(d.after, '', after);
  const fields = [...new Set([...before.keys(), ...after.keys()])].sort();
  return fields
    .filter(field => before.get(field) !== after.get(field))
    .map(field => ({
      field,
      ...(before.has(field) ? { before: before.get(field) } : {}),
      ...(after.has(field) ? { after: after.get(field) } : {}),
    }));
}
