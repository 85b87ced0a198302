import type { AuditEventFilter, AuditExportFormat } from '../api';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES } from '../api';
import { normalizeEntityRef } from './entity';

/**
 * The actor filter as the server stores actors: user entity refs in lower case (entity refs are
 * case-insensitive, `User:Default/Bob` is `user:default/bob`; a bare name `bob` is the user
 * `user:default/bob`); anything else (a service subject such as `external:ci-bot` or
 * `plugin:catalog`) trimmed and otherwise as typed.
 */
export function normalizeActorFilter(actor: string): string {
  const ref = normalizeEntityRef(actor, { defaultKind: 'user' });
  return ref?.startsWith('user:') ? ref : actor.trim();
}

/**
 * The team filter as the server stores teams: a lower-case `group:namespace/name`
 * (`Group:Default/Team-A`, `group:team-a` and `team-a` all become `group:default/team-a`);
 * anything that is not a group ref trimmed, as typed.
 */
export function normalizeTeamFilter(team: string): string {
  const ref = normalizeEntityRef(team, { defaultKind: 'group' });
  return ref?.startsWith('group:') ? ref : team.trim();
}

/** Keys of {@link AuditEventFilter}, in the order the URL and the API use them. */
export const AUDIT_FILTER_KEYS = [
  'actor',
  'action',
  'sandboxId',
  'team',
  'outcome',
  'batchId',
  'from',
  'to',
] as const;

/**
 * The audit filter as typed in the filter bar. `from`/`to` are `datetime-local` values
 * (`2026-06-15T10:00` or with seconds) and are read as UTC.
 */
export interface AuditFilterForm {
  actor: string;
  /** '' for any action. */
  action: string;
  sandboxId: string;
  team: string;
  /** '' for any outcome. */
  outcome: string;
  /** The batch id of a bulk operation. */
  batchId: string;
  from: string;
  to: string;
}

/** An empty filter bar. */
export const EMPTY_AUDIT_FILTER_FORM: AuditFilterForm = {
  actor: '',
  action: '',
  sandboxId: '',
  team: '',
  outcome: '',
  batchId: '',
  from: '',
  to: '',
};

const DATETIME_LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

/**
 * A `datetime-local` value read as UTC, as an ISO string: `2026-06-15T10:00` becomes
 * `2026-06-15T10:00:00.000Z`. Undefined for '' and for anything unparsable.
 */
export function localInputToUtcIso(value: string): string | undefined {
  const text = value.trim();
  if (!DATETIME_LOCAL.test(text)) return undefined;
  const ms = Date.parse(`${text}Z`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** The inverse of {@link localInputToUtcIso}: an ISO timestamp as a UTC `datetime-local` value. */
export function utcIsoToLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const ms = /^\d+$/.test(iso) ? Number(iso) : Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const text = new Date(ms).toISOString();
  // Keep seconds only when they matter, like the browser's own datetime-local value.
  return text.slice(17, 23) === '00.000'
    ? text.slice(0, 16)
    : text.slice(0, 19);
}

/**
 * Builds the API filter from the form: trims, leaves empty fields out, converts `from`/`to`, and
 * normalises the actor and team refs ({@link normalizeActorFilter}, {@link normalizeTeamFilter}).
 * @returns the filter, or the errors per form field.
 */
export function formToAuditFilter(form: AuditFilterForm): {
  filter: AuditEventFilter;
  errors: Partial<Record<keyof AuditFilterForm, string>>;
} {
  const filter: AuditEventFilter = {};
  const errors: Partial<Record<keyof AuditFilterForm, string>> = {};
  if (form.actor.trim()) filter.actor = normalizeActorFilter(form.actor);
  if (form.action) filter.action = form.action as AuditEventFilter['action'];
  if (form.sandboxId.trim()) filter.sandboxId = form.sandboxId.trim();
  if (form.team.trim()) filter.team = normalizeTeamFilter(form.team);
  if (form.outcome)
    filter.outcome = form.outcome as AuditEventFilter['outcome'];
  if (form.batchId.trim()) filter.batchId = form.batchId.trim();
  for (const key of ['from', 'to'] as const) {
    if (!form[key].trim()) continue;
    const iso = localInputToUtcIso(form[key]);
    if (iso) filter[key] = iso;
    else errors[key] = 'Enter a date and time';
  }
  if (
    filter.from &&
    filter.to &&
    Date.parse(filter.from) >= Date.parse(filter.to)
  ) {
    errors.to = 'Must be later than From';
  }
  return { filter, errors };
}

/** The form showing an API filter (e.g. one read from the URL). */
export function auditFilterToForm(filter: AuditEventFilter): AuditFilterForm {
  return {
    actor: filter.actor ?? '',
    action: filter.action ?? '',
    sandboxId: filter.sandboxId ?? '',
    team: filter.team ?? '',
    outcome: filter.outcome ?? '',
    batchId: filter.batchId ?? '',
    from: utcIsoToLocalInput(filter.from),
    to: utcIsoToLocalInput(filter.to),
  };
}

function isTimestamp(value: string): boolean {
  return /^\d+$/.test(value) || !Number.isNaN(Date.parse(value));
}

/**
 * Reads a filter from URL search parameters, ignoring unknown actions and outcomes and unparsable
 * times; actor and team refs are normalised like the form's.
 */
export function auditFilterFromSearch(
  params: URLSearchParams,
): AuditEventFilter {
  const filter: AuditEventFilter = {};
  for (const key of AUDIT_FILTER_KEYS) {
    const value = params.get(key)?.trim();
    if (!value) continue;
    if (key === 'action') {
      if ((AUDIT_ACTIONS as readonly string[]).includes(value))
        filter.action = value as AuditEventFilter['action'];
    } else if (key === 'outcome') {
      if ((AUDIT_OUTCOMES as readonly string[]).includes(value))
        filter.outcome = value as AuditEventFilter['outcome'];
    } else if (key === 'from' || key === 'to') {
      if (isTimestamp(value)) filter[key] = value;
    } else if (key === 'actor') {
      filter.actor = normalizeActorFilter(value);
    } else if (key === 'team') {
      filter.team = normalizeTeamFilter(value);
    } else {
      filter[key] = value;
    }
  }
  return filter;
}

/**
 * What {@link auditFilterFromSearch} ignored in a link, one message per parameter:
 * `outcome "bogus" is not one of succeeded, failed, ...`. Empty when the link is fine.
 */
export function auditSearchProblems(params: URLSearchParams): string[] {
  const problems: string[] = [];
  const action = params.get('action')?.trim();
  if (action && !(AUDIT_ACTIONS as readonly string[]).includes(action)) {
    problems.push(
      `action "${action}" is not one of ${AUDIT_ACTIONS.join(', ')}`,
    );
  }
  const outcome = params.get('outcome')?.trim();
  if (outcome && !(AUDIT_OUTCOMES as readonly string[]).includes(outcome)) {
    problems.push(
      `outcome "${outcome}" is not one of ${AUDIT_OUTCOMES.join(', ')}`,
    );
  }
  for (const key of ['from', 'to'] as const) {
    const value = params.get(key)?.trim();
    if (value && !isTimestamp(value))
      problems.push(
        `${key} "${value}" is not a date-time such as 2026-06-15T10:00:00Z`,
      );
  }
  return problems;
}

/** URL search parameters of a filter (fixed order, empty values left out). */
export function auditFilterToSearch(filter: AuditEventFilter): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of AUDIT_FILTER_KEYS) {
    const value = filter[key];
    if (value) params.set(key, value);
  }
  return params;
}

/** `2026-06-15T10:00:00.123Z` as `2026-06-15 10:00:00.123` (UTC, shown under a "UTC" header). */
export function formatAuditTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/** `opensandbox-audit-20260615T104730Z.csv`: the export's file name, stamped with the UTC time. */
export function auditExportFilename(
  format: AuditExportFormat,
  now: number = Date.now(),
): string {
  const stamp = new Date(now)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
  return `opensandbox-audit-${stamp}.${format}`;
}

/**
 * Saves a Blob as a download with the given file name (an object URL on a temporary `<a download>`).
 * The backend needs a Backstage token, so the file is fetched first; a plain link would not work.
 */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = filename;
  anchor.style.display = 'none';
  document.body.appendChild(anchor);
  try {
    anchor.click();
  } finally {
    anchor.remove();
    // Revoke later: some browsers read the URL after click() returns.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
