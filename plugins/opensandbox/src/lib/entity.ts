import {
  Entity,
  RELATION_OWNED_BY,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type { ListSandboxesQuery } from '../api';

/** Most values one `owner` / `team` / `entity` list filter may have (the server's limit). */
export const MAX_REF_FILTER_VALUES = 20;

/** Entity kinds (lower-case) that get a "Sandboxes" tab. */
export const SANDBOX_ENTITY_KINDS = ['group', 'component', 'system'] as const;

/**
 * An entity ref typed by a user in the full lower-case form the console stores and compares:
 * Backstage entity refs are case-insensitive, so `Group:Default/Team-A`, `group:team-a` and
 * `group:default/team-a` are the same ref. With `defaultKind`, a ref without a kind (`team-a`,
 * `default/team-a`) gets that kind; the namespace defaults to `default`.
 * @returns `kind:namespace/name` in lower case, or undefined when `ref` is not an entity ref
 *   (empty, no kind and no `defaultKind`, or more than one `:` or `/`).
 */
export function normalizeEntityRef(
  ref: string | undefined,
  options: { defaultKind?: string; defaultNamespace?: string } = {},
): string | undefined {
  const text = ref?.trim();
  if (!text) return undefined;
  // One optional `kind:` and one optional `namespace/`, each part non-empty.
  if (!/^(?:[^:/\s]+:)?(?:[^:/\s]+\/)?[^:/\s]+$/.test(text)) return undefined;
  if (!options.defaultKind && !text.includes(':')) return undefined;
  try {
    const parsed = parseEntityRef(text, {
      defaultKind: options.defaultKind,
      defaultNamespace: options.defaultNamespace ?? 'default',
    });
    return stringifyEntityRef(parsed).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}

/**
 * An entity ref in the lower-case form the console's list filters compare with: the full
 * `kind:namespace/name` of {@link normalizeEntityRef} when `ref` parses, else `ref` trimmed and
 * lower-cased (the server then says what is wrong with it).
 */
export function filterRef(ref: string): string {
  return normalizeEntityRef(ref) ?? ref.trim().toLocaleLowerCase('en-US');
}

/** True when two entity refs name the same entity (case-insensitive, `kind:name` = `kind:default/name`). */
export function sameEntityRef(
  a: string | undefined,
  b: string | undefined,
): boolean {
  return !!a && !!b && filterRef(a) === filterRef(b);
}

/** True when `ref` parses as a full entity ref (`kind:namespace/name` or `kind:name`). */
export function isEntityRefString(ref: string | undefined): ref is string {
  if (!ref || !ref.includes(':')) return false;
  try {
    parseEntityRef(ref);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the OpenSandbox "Sandboxes" entity tab applies to an entity: kinds Group (sandboxes
 * owned by the team), Component and System (sandboxes created for the entity).
 * Use it as `<EntityLayout.Route if={isOpensandboxAvailable} ...>`.
 * @public
 */
export function isOpensandboxAvailable(entity: Entity): boolean {
  return (SANDBOX_ENTITY_KINDS as readonly string[]).includes(
    entity.kind.toLocaleLowerCase('en-US'),
  );
}

/**
 * The list filter of an entity's sandboxes: `team` for a Group, `entity` for a Component or
 * System (lower-case refs); undefined for other kinds.
 */
export function sandboxFilterForEntity(
  entity: Entity,
): Pick<ListSandboxesQuery, 'team' | 'entity'> | undefined {
  const kind = entity.kind.toLocaleLowerCase('en-US');
  if (!isOpensandboxAvailable(entity)) return undefined;
  const ref = filterRef(stringifyEntityRef(entity));
  return kind === 'group' ? { team: [ref] } : { entity: [ref] };
}

/**
 * The groups owning an entity, as lower-case refs: its `ownedBy` relations of kind Group, or,
 * before the catalog has computed relations, `spec.owner` read with the default kind `group` and
 * the entity's namespace.
 */
export function ownerGroupRefs(entity: Entity): string[] {
  const fromRelations = (entity.relations ?? [])
    .filter(
      r =>
        r.type === RELATION_OWNED_BY &&
        r.targetRef.toLocaleLowerCase('en-US').startsWith('group:'),
    )
    .map(r => filterRef(r.targetRef));
  if (fromRelations.length > 0) return [...new Set(fromRelations)];
  const owner = entity.spec?.owner;
  if (typeof owner !== 'string' || !owner) return [];
  try {
    const ref = parseEntityRef(owner, {
      defaultKind: 'group',
      defaultNamespace: entity.metadata.namespace ?? 'default',
    });
    return ref.kind.toLocaleLowerCase('en-US') === 'group'
      ? [filterRef(stringifyEntityRef(ref))]
      : [];
  } catch {
    return [];
  }
}

/**
 * Query parameters of the create form opened from an entity tab:
 * - Group: `team=<the group>`.
 * - Component / System: `entityRef=<the entity>`, and `team=<its owner group>` when the owner is
 *   a group among the user's ownership refs.
 */
export function createParamsForEntity(
  entity: Entity,
  ownershipEntityRefs: string[],
): URLSearchParams {
  const params = new URLSearchParams();
  const ref = filterRef(stringifyEntityRef(entity));
  if (entity.kind.toLocaleLowerCase('en-US') === 'group') {
    params.set('team', ref);
    return params;
  }
  params.set('entityRef', ref);
  const mine = new Set(ownershipEntityRefs.map(filterRef));
  const team = ownerGroupRefs(entity).find(group => mine.has(group));
  if (team) params.set('team', team);
  return params;
}

/**
 * The group refs among the caller's ownership refs (`identityApi.getBackstageIdentity()`),
 * in their order, without duplicates (compared case-insensitively; the first spelling is kept):
 * `group:default/team-a`, ...
 */
export function ownGroupRefs(ownershipEntityRefs: string[]): string[] {
  const groups: string[] = [];
  const seen = new Set<string>();
  for (const ref of ownershipEntityRefs) {
    if (!ref.trim().toLocaleLowerCase('en-US').startsWith('group:')) continue;
    const key = filterRef(ref);
    if (seen.has(key)) continue;
    seen.add(key);
    groups.push(ref);
  }
  return groups;
}
