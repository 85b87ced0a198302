import {
  isAndCriteria,
  isNotCriteria,
  isOrCriteria,
} from '@backstage/plugin-permission-node';
import type { PermissionCriteria } from '@backstage/plugin-permission-common';
import { encodeOwnershipMetadata } from '@opensandbox-console/plugin-opensandbox-common';
import type {
  ListSandboxesQuery,
  SandboxFilter,
} from '@opensandbox-console/plugin-opensandbox-node';

/** A conjunction of single-valued filters, expressible as one upstream list call. */
type Conjunction = SandboxFilter[];

/** Splits multi-valued owner/team leaves into an OR of single-valued ones. */
function leafToDnf(leaf: SandboxFilter): Conjunction[] {
  if (leaf.property === 'owner' || leaf.property === 'team') {
    return leaf.refs.map(ref => [{ property: leaf.property, refs: [ref] } as SandboxFilter]);
  }
  return [[leaf]];
}

/**
 * Disjunctive normal form of a permission criteria tree, or `undefined` when it contains `not`
 * (not expressible as upstream filters; the caller then post-filters).
 */
export function toDnf(criteria: PermissionCriteria<SandboxFilter>): Conjunction[] | undefined {
  if (isNotCriteria(criteria)) return undefined;
  if (isOrCriteria(criteria)) {
    const parts = criteria.anyOf.map(toDnf);
    if (parts.some(p => p === undefined)) return undefined;
    return (parts as Conjunction[][]).flat();
  }
  if (isAndCriteria(criteria)) {
    let result: Conjunction[] = [[]];
    for (const child of criteria.allOf) {
      const dnf = toDnf(child);
      if (!dnf) return undefined;
      result = result.flatMap(left => dnf.map(right => [...left, ...right]));
    }
    return result;
  }
  return leafToDnf(criteria as SandboxFilter);
}

function intersectStates(a: string[] | undefined, b: string[]): string[] {
  if (!a) return b;
  const lower = new Set(b.map(s => s.toLocaleLowerCase('en-US')));
  return a.filter(s => lower.has(s.toLocaleLowerCase('en-US')));
}

/**
 * Turns one conjunction plus the caller's own list query into one upstream query, or `undefined`
 * when the two can match nothing (conflicting metadata values, disjoint states).
 */
export function conjunctionToQuery(
  conjunction: Conjunction,
  base: ListSandboxesQuery,
): ListSandboxesQuery | undefined {
  const metadata: Record<string, string> = { ...(base.metadata ?? {}) };
  let state = base.state;
  const put = (labels: Record<string, string>): boolean => {
    for (const [key, value] of Object.entries(labels)) {
      if (key in metadata && metadata[key] !== value) return false;
      metadata[key] = value;
    }
    return true;
  };
  for (const leaf of conjunction) {
    switch (leaf.property) {
      case 'owner':
      case 'team': {
        let labels: Record<string, string>;
        try {
          labels = encodeOwnershipMetadata(leaf.property === 'owner' ? { owner: leaf.refs[0] } : { team: leaf.refs[0] });
        } catch {
          return undefined; // a ref that cannot be a label matches no sandbox
        }
        if (!put(labels)) return undefined;
        break;
      }
      case 'metadata':
        if (!put({ [leaf.key]: leaf.value })) return undefined;
        break;
      case 'state':
        state = intersectStates(state, leaf.states);
        if (state.length === 0) return undefined;
        break;
      default:
        return undefined;
    }
  }
  return {
    ...base,
    metadata: Object.keys(metadata).length > 0 ? metadata : undefined,
    state,
  };
}
