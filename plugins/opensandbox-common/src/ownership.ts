/**
 * Label-safe, reversible encoding of Backstage entity refs into OpenSandbox metadata.
 *
 * Upstream metadata values are Kubernetes label values: at most 63 characters of
 * `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`. A full entity ref (`user:default/jane.doe`) contains
 * `:` and `/`, and kind + namespace + name together can exceed 63 characters, so no single label
 * value can hold every ref. Each part of a ref, however, is already label-safe under Backstage's
 * own entity validation (name: `[a-zA-Z0-9]+([-_.][a-zA-Z0-9]+)*`, at most 63; namespace: a DNS
 * label, at most 63). The console therefore stores one ref as two labels with a fixed kind:
 *
 * | ref | labels |
 * | --- | --- |
 * | owner `user:<ns>/<name>` | `backstage.io/owner=<name>`, `backstage.io/owner-namespace=<ns>` |
 * | team `group:<ns>/<name>` | `backstage.io/team=<name>`, `backstage.io/team-namespace=<ns>` |
 * | entity `<kind>:<ns>/<name>` | `backstage.io/entity=<name>`, `backstage.io/entity-namespace=<ns>`, `backstage.io/entity-kind=<kind>` |
 *
 * Values are lower-cased: Backstage compares entity refs case-insensitively, so the decoded ref
 * is equal (in Backstage's sense) to the one encoded, and exact-match upstream filters work.
 *
 * @packageDocumentation
 */
import type { SandboxOwnership } from './types';

/** Metadata key holding the creator's user name. @public */
export const OWNER_NAME_KEY = 'backstage.io/owner';
/** Metadata key holding the creator's user namespace. @public */
export const OWNER_NAMESPACE_KEY = 'backstage.io/owner-namespace';
/** Metadata key holding the owning group's name. @public */
export const TEAM_NAME_KEY = 'backstage.io/team';
/** Metadata key holding the owning group's namespace. @public */
export const TEAM_NAMESPACE_KEY = 'backstage.io/team-namespace';

/** Metadata key holding the name of the catalog entity a sandbox was created for. @public */
export const ENTITY_NAME_KEY = 'backstage.io/entity';
/** Metadata key holding that entity's namespace. @public */
export const ENTITY_NAMESPACE_KEY = 'backstage.io/entity-namespace';
/** Metadata key holding that entity's kind (lower-case, e.g. `component`, `system`). @public */
export const ENTITY_KIND_KEY = 'backstage.io/entity-kind';

/**
 * Label of the console-generated create token of a sandbox (label-safe, at most 41 characters):
 * finds the sandbox of a create whose outcome was unknown, and answers a retried create with the
 * same Idempotency-Key. @public
 */
export const CREATE_TOKEN_KEY = 'backstage.io/create-token';

/**
 * Label naming the Backstage service that created a sandbox (services have no user ref, so no
 * owner label): the service subject with its first `:` written as `.` (`plugin:scaffolder` is
 * stored as `plugin.scaffolder`), other characters a label value cannot hold as `-`. @public
 */
export const CREATOR_SERVICE_KEY = 'backstage.io/created-by-service';

/** Metadata keys the console stamps; a request body may never set or change them. @public */
export const RESERVED_OWNERSHIP_KEYS: readonly string[] = [
  CREATE_TOKEN_KEY,
  CREATOR_SERVICE_KEY,
  OWNER_NAME_KEY,
  OWNER_NAMESPACE_KEY,
  TEAM_NAME_KEY,
  TEAM_NAMESPACE_KEY,
  ENTITY_NAME_KEY,
  ENTITY_NAMESPACE_KEY,
  ENTITY_KIND_KEY,
];

const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function parseRef(
  ref: string,
  expectedKind?: string,
): { kind: string; namespace: string; name: string } {
  const match = /^([^:/]+):(?:([^:/]+)\/)?([^:/]+)$/.exec(ref.trim());
  if (!match) {
    throw new TypeError(
      `Invalid entity ref "${ref}", expected ${expectedKind}:<namespace>/<name>`,
    );
  }
  const [, kind, namespace = 'default', name] = match;
  if (expectedKind && kind.toLocaleLowerCase('en-US') !== expectedKind) {
    throw new TypeError(
      `Invalid entity ref "${ref}", expected kind ${expectedKind}`,
    );
  }
  for (const part of [kind, namespace, name]) {
    if (part.length > 63 || !LABEL_VALUE.test(part)) {
      throw new TypeError(
        `Entity ref "${ref}" has a part that is not a valid label value: "${part}"`,
      );
    }
  }
  return {
    kind: kind.toLocaleLowerCase('en-US'),
    namespace: namespace.toLocaleLowerCase('en-US'),
    name: name.toLocaleLowerCase('en-US'),
  };
}

/**
 * Encodes ownership into metadata labels.
 *
 * @param ownership - `owner` must be a `user:` ref, `team` a `group:` ref, `entity` a ref of any
 *   kind (namespace optional, defaults to `default`).
 * @returns the labels to merge into the sandbox metadata (only for the refs given).
 * @throws TypeError when a ref is malformed, of another kind, or has a part that is not a valid
 *   label value (cannot happen for refs that pass Backstage's entity validation).
 * @public
 */
export function encodeOwnershipMetadata(
  ownership: SandboxOwnership,
): Record<string, string> {
  const labels: Record<string, string> = {};
  if (ownership.service)
    labels[CREATOR_SERVICE_KEY] = encodeServiceSubject(ownership.service);
  if (ownership.owner) {
    const { namespace, name } = parseRef(ownership.owner, 'user');
    labels[OWNER_NAME_KEY] = name;
    labels[OWNER_NAMESPACE_KEY] = namespace;
  }
  if (ownership.team) {
    const { namespace, name } = parseRef(ownership.team, 'group');
    labels[TEAM_NAME_KEY] = name;
    labels[TEAM_NAMESPACE_KEY] = namespace;
  }
  if (ownership.entity) {
    const { kind, namespace, name } = parseRef(ownership.entity);
    labels[ENTITY_NAME_KEY] = name;
    labels[ENTITY_NAMESPACE_KEY] = namespace;
    labels[ENTITY_KIND_KEY] = kind;
  }
  return labels;
}

/**
 * A service subject (`plugin:scaffolder`, `external:ci-bot`) as a label value: the first `:`
 * becomes `.`, other characters outside `[A-Za-z0-9-_.]` become `-`, at most 63 characters, with
 * alphanumeric ends. {@link decodeOwnershipMetadata} turns the first `.` back into `:`.
 */
function encodeServiceSubject(subject: string): string {
  const value = subject
    .trim()
    .replace(':', '.')
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return value || 'service';
}

/**
 * Decodes ownership from a sandbox's metadata (the inverse of {@link encodeOwnershipMetadata}).
 * A name label without its namespace label is read in the `default` namespace.
 *
 * @returns the refs found, or `undefined` when the sandbox carries no ownership labels
 *   (created outside the console).
 * @public
 */
export function decodeOwnershipMetadata(
  metadata: Record<string, string> | undefined,
): SandboxOwnership | undefined {
  if (!metadata) return undefined;
  const result: SandboxOwnership = {};
  if (metadata[OWNER_NAME_KEY]) {
    result.owner = `user:${metadata[OWNER_NAMESPACE_KEY] || 'default'}/${
      metadata[OWNER_NAME_KEY]
    }`;
  }
  if (metadata[TEAM_NAME_KEY]) {
    result.team = `group:${metadata[TEAM_NAMESPACE_KEY] || 'default'}/${
      metadata[TEAM_NAME_KEY]
    }`;
  }
  if (metadata[ENTITY_NAME_KEY] && metadata[ENTITY_KIND_KEY]) {
    result.entity = `${metadata[ENTITY_KIND_KEY]}:${
      metadata[ENTITY_NAMESPACE_KEY] || 'default'
    }/${metadata[ENTITY_NAME_KEY]}`;
  }
  if (metadata[CREATOR_SERVICE_KEY])
    result.service = metadata[CREATOR_SERVICE_KEY].replace('.', ':');
  return result.owner || result.team || result.entity || result.service
    ? result
    : undefined;
}
