/**
 * Allowed image registries: an image reference is normalised the way Docker resolves it, then
 * matched against a prefix list.
 */

/**
 * The fully qualified form of an image reference: `alpine:3` → `docker.io/library/alpine:3`,
 * `acme/app` → `docker.io/acme/app`, `Registry.Example.com/app:1` → `registry.example.com/app:1`
 * (the registry host is case-insensitive, `index.docker.io` is `docker.io`; the path is kept). The first path component is a
 * registry when it contains `.` or `:`, or is `localhost`.
 */
export function normalizeImageReference(uri: string): string {
  const ref = uri.trim();
  const slash = ref.indexOf('/');
  const first = slash >= 0 ? ref.slice(0, slash) : '';
  if (
    slash >= 0 &&
    (first.includes('.') ||
      first.includes(':') ||
      first.toLowerCase() === 'localhost')
  ) {
    const host = first.toLowerCase();
    return `${host === 'index.docker.io' ? 'docker.io' : host}${ref.slice(
      slash,
    )}`;
  }
  return slash >= 0 ? `docker.io/${ref}` : `docker.io/library/${ref}`;
}

/**
 * Normalises one allowed-registry entry: the registry host lower-cased, `index.docker.io` as
 * `docker.io`. Entries name a registry (`registry.example.com`) or a path on one
 * (`ghcr.io/acme/`).
 */
export function normalizeRegistryPrefix(prefix: string): string {
  const trimmed = prefix.trim();
  const slash = trimmed.indexOf('/');
  const host = (slash >= 0 ? trimmed.slice(0, slash) : trimmed).toLowerCase();
  const rest = slash >= 0 ? trimmed.slice(slash) : '';
  return `${host === 'index.docker.io' ? 'docker.io' : host}${rest}`;
}

/**
 * True when the image may be used under `allowed`: its normalised reference starts with one of
 * the normalised prefixes at a boundary. A prefix ending in `/` matches anything under it; a
 * registry alone must be followed by `/` (`registry.example.com` never matches
 * `registry.example.com.evil.io/x` nor `registry.example.com:5000/x`); a longer prefix by `/`,
 * `:` or `@` or the end (`ghcr.io/acme` never matches `ghcr.io/acme-evil/x`).
 */
export function imageAllowed(uri: string, allowed: readonly string[]): boolean {
  const image = normalizeImageReference(uri);
  return allowed.some(entry => {
    const prefix = normalizeRegistryPrefix(entry);
    if (prefix.length === 0 || !image.startsWith(prefix)) return false;
    if (prefix.endsWith('/')) return true;
    const next = image.charAt(prefix.length);
    // A registry alone (`registry.example.com`) continues with its path only: `:5000` would be
    // another registry. A repository (`ghcr.io/acme/app`) may continue with a tag or digest.
    if (!prefix.includes('/')) return next === '/';
    return next === '' || next === '/' || next === ':' || next === '@';
  });
}
