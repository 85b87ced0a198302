/**
 * Kubernetes label rules that the real server applies to sandbox metadata
 * (on both the Docker and the Kubernetes runtime).
 */

const NAME_RE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN_RE =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Metadata keys starting with this prefix are reserved for the server. */
export const RESERVED_PREFIX = 'opensandbox.io/';

/** Returns a human-readable problem with a label key, or undefined if it is valid. */
export function labelKeyProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) {
    return `a qualified name must consist of an optional DNS subdomain prefix and a name separated by '/'`;
  }
  const name = parts.length === 2 ? parts[1] : parts[0];
  if (parts.length === 2) {
    const prefix = parts[0];
    if (prefix.length === 0) return 'prefix part must be non-empty';
    if (prefix.length > 253)
      return 'prefix part must be no more than 253 characters';
    if (!DNS_SUBDOMAIN_RE.test(prefix)) {
      return 'prefix part must be a lowercase RFC 1123 subdomain';
    }
  }
  if (name.length === 0) return 'name part must be non-empty';
  if (name.length > 63) return 'name part must be no more than 63 characters';
  if (!NAME_RE.test(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return undefined;
}

/** Returns a human-readable problem with a label value, or undefined if it is valid. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length === 0) return undefined;
  if (value.length > 63) return 'must be no more than 63 characters';
  if (!NAME_RE.test(value)) {
    return "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return undefined;
}

/** True when the key uses the server-reserved `opensandbox.io/` prefix. */
export function isReservedKey(key: string): boolean {
  return key.startsWith(RESERVED_PREFIX);
}
