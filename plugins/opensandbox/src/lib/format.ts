import { ResponseError } from '@backstage/errors';
import type { ConsoleSandbox } from '@opensandbox-console/plugin-opensandbox-common';

/** Length of the shortened id shown when a sandbox has no `metadata.name`. */
export const SHORT_ID_LENGTH = 8;

/** Human-readable name of a sandbox: `metadata.name`, else the first 8 characters of the id. */
export function sandboxDisplayName(
  sandbox: Pick<ConsoleSandbox, 'id' | 'metadata'>,
): string {
  const name = sandbox.metadata?.name;
  if (name) return name;
  return sandbox.id.length > SHORT_ID_LENGTH
    ? sandbox.id.slice(0, SHORT_ID_LENGTH)
    : sandbox.id;
}

/** What the sandbox was started from: the image URI, `snapshot <id>`, or `-`. */
export function sandboxSource(
  sandbox: Pick<ConsoleSandbox, 'image' | 'snapshotId'>,
): string {
  if (sandbox.image?.uri) return sandbox.image.uri;
  if (sandbox.snapshotId) return `snapshot ${sandbox.snapshotId}`;
  return '-';
}

/** `2026-06-15 10:00:00 UTC` (deterministic, independent of the browser's time zone). */
export function formatTimestamp(iso: string | undefined): string {
  if (!iso) return '-';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A duration in milliseconds as `45s`, `12m`, `3h 5m`, `2d 4h`. */
export function formatDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24)
    return minutes % 60 ? `${hours}h ${minutes % 60}m` : `${hours}h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days}d ${hours % 24}h` : `${days}d`;
}

/**
 * Countdown to the expiry: `never` (manual cleanup, no `expiresAt`), `expired`, or `in 12m`.
 * @param now - milliseconds since the epoch.
 */
export function formatExpiresIn(
  expiresAt: string | undefined,
  now: number,
): string {
  if (!expiresAt) return 'never';
  const at = Date.parse(expiresAt);
  if (Number.isNaN(at)) return expiresAt;
  const left = at - now;
  if (left <= 0) return 'expired';
  return `in ${formatDuration(left)}`;
}

/** `3h ago` relative to `now`, or `just now`. */
export function formatAgo(iso: string | undefined, now: number): string {
  if (!iso) return '';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  const ago = now - at;
  if (ago < 1000) return 'just now';
  return `${formatDuration(ago)} ago`;
}

/** The message to show for an error thrown by the API client (server message when present). */
export function errorMessage(error: unknown): string {
  if (ResponseError.is(error)) {
    const cause = error.body?.error?.message ?? error.cause?.message;
    return cause ? `${cause} (HTTP ${error.statusCode})` : error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Quotes one argument for display like a POSIX shell would need it. */
export function shellQuote(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** An entrypoint array as one shell-like command line. */
export function formatCommand(argv: string[] | undefined): string {
  return (argv ?? []).map(shellQuote).join(' ');
}
