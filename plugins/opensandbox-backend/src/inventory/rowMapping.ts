import { createHash } from 'node:crypto';
import type { ConsoleSandbox } from '@opensandbox-console/plugin-opensandbox-common';

/** The inventory table (one row per server + sandbox id): filter and sort columns. */
export const SANDBOXES_TABLE = 'opensandbox_sandboxes';
/** Body and metadata JSON of each inventory row (1:1). */
export const BODIES_TABLE = 'opensandbox_sandbox_bodies';
/** `last_seen_at` of each inventory row (1:1), moved by every sync. */
export const SIGHTINGS_TABLE = 'opensandbox_sandbox_sightings';
/** Metadata of inventory sandboxes, one row per key. */
export const LABELS_TABLE = 'opensandbox_sandbox_labels';
/** Tombstones of removed sandboxes (version of the removal). */
export const REMOVALS_TABLE = 'opensandbox_sandbox_removals';
/** The one-row global change counter. */
export const VERSION_TABLE = 'opensandbox_inventory_version';
/** The last sync of each server. */
export const SYNCS_TABLE = 'opensandbox_inventory_syncs';

/**
 * Lower-cases like the permission rules and `matchesCriteria` do (`toLocaleLowerCase('en-US')`).
 * The store never lower-cases in SQL: SQLite's `lower()` only folds ASCII.
 */
export const lower = (s: string): string => s.toLocaleLowerCase('en-US');

/** A stored inventory row (bigint columns may come back as strings from `pg`). */
export interface SandboxRow {
  server: string;
  id: string;
  id_lower: string;
  name: string | null;
  name_lower: string | null;
  image: string | null;
  state: string | null;
  state_lower: string | null;
  reason: string | null;
  message: string | null;
  owner: string | null;
  team: string | null;
  entity: string | null;
  created_at: number | string;
  expires_at: number | string | null;
  first_seen_at: number | string;
  changed_at: number | string;
  version: number | string;
  etag: string;
}

/** A row of {@link BODIES_TABLE}. */
export interface BodyRow {
  server: string;
  id: string;
  metadata: string | null;
  body: string;
}

/** A row of {@link LABELS_TABLE}. */
export interface LabelRow {
  server: string;
  id: string;
  key: string;
  value: string;
}

/**
 * JSON with object keys sorted (recursively), so equal sandboxes always serialise to equal
 * strings whatever key order upstream used: the etag (and the no-change detection) depends on it.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) sorted[k] = v[k];
      return sorted;
    }
    return v;
  });
}

/**
 * The sandbox as stored in `body`: the ConsoleSandbox as received, except registry credentials
 * (`image.auth`, write-only upstream) which are never persisted.
 */
export function storedSandbox(sandbox: ConsoleSandbox): ConsoleSandbox {
  if (!sandbox.image || !('auth' in sandbox.image)) return sandbox;
  const { auth: _auth, ...image } = sandbox.image;
  return { ...sandbox, image };
}

/** Epoch ms of an RFC 3339 time, or `fallback` when absent or unparseable. */
function epochMs<T>(value: string | undefined | null, fallback: T): number | T {
  if (!value) return fallback;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : fallback;
}

/**
 * PostgreSQL `text` cannot hold NUL characters: they are dropped from every derived column and
 * label (the JSON `body` escapes them and keeps them).
 */
const noNul = (s: string): string =>
  s.includes('\u0000') ? s.split('\u0000').join('') : s;

const nonEmpty = (s: unknown): string | null =>
  typeof s === 'string' && s.length > 0 ? noNul(s) : null;

/** The derived, content-dependent columns of a sandbox (everything but times and version). */
export type SandboxContent = Omit<
  SandboxRow,
  'first_seen_at' | 'changed_at' | 'version'
>;

/**
 * Maps a sandbox to its row content, body row and labels.
 *
 * - `owner` / `team` / `entity`: the decoded ownership lower-cased, null when absent or empty
 *   (an empty ref never matches, like `matchesCriteria`).
 * - `created_at`: epoch ms; 0 when upstream sent an unparseable time (sorts last, never fails a
 *   sync). `expires_at`: null when absent (manual cleanup) or unparseable.
 * - labels: own metadata entries with string values (`__proto__` skipped: `metadata['__proto__']`
 *   never equals a string in JavaScript, so a metadata rule can never match it).
 */
export function toContent(
  server: string,
  sandbox: ConsoleSandbox,
): { content: SandboxContent; body: BodyRow; labels: LabelRow[] } {
  const stored = storedSandbox(sandbox);
  const body = canonicalJson(stored);
  const metadata =
    sandbox.metadata && typeof sandbox.metadata === 'object'
      ? sandbox.metadata
      : undefined;
  const name = nonEmpty(metadata?.name);
  const state =
    typeof sandbox.status?.state === 'string'
      ? noNul(sandbox.status.state)
      : null;
  const ownership = (key: 'owner' | 'team' | 'entity') => {
    const v = nonEmpty(sandbox.ownership?.[key]);
    return v === null ? null : lower(v);
  };
  const labels: LabelRow[] = [];
  if (metadata) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value === 'string' && key !== '__proto__') {
        labels.push({
          server,
          id: sandbox.id,
          key: noNul(key),
          value: noNul(value),
        });
      }
    }
  }
  return {
    content: {
      server,
      id: sandbox.id,
      id_lower: lower(sandbox.id),
      name,
      name_lower: name === null ? null : lower(name),
      image: nonEmpty(sandbox.image?.uri),
      state,
      state_lower: state === null ? null : lower(state),
      reason: nonEmpty(sandbox.status?.reason),
      message: nonEmpty(sandbox.status?.message),
      owner: ownership('owner'),
      team: ownership('team'),
      entity: ownership('entity'),
      created_at: epochMs(sandbox.createdAt, 0),
      expires_at: epochMs(sandbox.expiresAt, null),
      etag: createHash('sha256').update(body).digest('hex'),
    },
    body: {
      server,
      id: sandbox.id,
      metadata: metadata ? canonicalJson(metadata) : null,
      body,
    },
    labels,
  };
}
