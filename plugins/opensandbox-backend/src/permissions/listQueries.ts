import {
  isAndCriteria,
  isNotCriteria,
  isOrCriteria,
} from '@backstage/plugin-permission-node';
import type { PermissionCriteria } from '@backstage/plugin-permission-common';
import { ConsoleSandbox, encodeOwnershipMetadata } from '@opensandbox-console/plugin-opensandbox-common';
import type {
  ListSandboxesQuery,
  SandboxFilter,
} from '@opensandbox-console/plugin-opensandbox-node';

/** A conjunction of single-valued filters, expressible as one upstream list call. */
type Conjunction = SandboxFilter[];

/** Splits multi-valued owner/team leaves into an OR of single-valued ones. */
function leafToDnf(leaf: SandboxFilter): Conjunction[] {
  if (leaf.property === 'owner' || leaf.property === 'team' || leaf.property === 'entity') {
    return leaf.refs.map(ref => [{ property: leaf.property, refs: [ref] } as SandboxFilter]);
  }
  return [[leaf]];
}

/** Most conjunctions (= upstream list scans) a list may fan out to before it post-filters. */
export const MAX_CONJUNCTIONS = 16;

/**
 * Disjunctive normal form of a permission criteria tree, or `undefined` when it contains `not`
 * or would need more than `limit` conjunctions (not worth that many upstream scans; the caller
 * then scans once and post-filters). Never builds more than `limit` conjunctions.
 */
export function toDnf(criteria: PermissionCriteria<SandboxFilter>, limit = MAX_CONJUNCTIONS): Conjunction[] | undefined {
  if (isNotCriteria(criteria)) return undefined;
  if (isOrCriteria(criteria)) {
    const result: Conjunction[] = [];
    for (const child of criteria.anyOf) {
      const dnf = toDnf(child, limit);
      if (!dnf || result.length + dnf.length > limit) return undefined;
      result.push(...dnf);
    }
    return result;
  }
  if (isAndCriteria(criteria)) {
    let result: Conjunction[] = [[]];
    for (const child of criteria.allOf) {
      const dnf = toDnf(child, limit);
      if (!dnf || result.length * dnf.length > limit) return undefined;
      result = result.flatMap(left => dnf.map(right => [...left, ...right]));
    }
    return result;
  }
  const leaf = leafToDnf(criteria as SandboxFilter);
  return leaf.length > limit ? undefined : leaf;
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
      case 'team':
      case 'entity': {
        let labels: Record<string, string>;
        try {
          labels = encodeOwnershipMetadata({ [leaf.property]: leaf.refs[0] });
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

/** Evaluates a filter tree against one sandbox (the `apply` counterpart of the leaves). */
export function matchesCriteria(criteria: PermissionCriteria<SandboxFilter>, sandbox: ConsoleSandbox): boolean {
  if (isNotCriteria(criteria)) return !matchesCriteria(criteria.not, sandbox);
  if (isOrCriteria(criteria)) return criteria.anyOf.some(c => matchesCriteria(c, sandbox));
  if (isAndCriteria(criteria)) return criteria.allOf.every(c => matchesCriteria(c, sandbox));
  const leaf = criteria as SandboxFilter;
  const lower = (s: string | undefined) => s?.toLocaleLowerCase('en-US');
  switch (leaf.property) {
    case 'owner':
    case 'team':
    case 'entity': {
      const value = lower(sandbox.ownership?.[leaf.property]);
      return !!value && leaf.refs.map(lower).includes(value);
    }
    case 'metadata':
      return sandbox.metadata?.[leaf.key] === leaf.value;
    case 'state':
      return leaf.states.map(lower).includes(lower(sandbox.status.state));
    default:
      return false;
  }
}

/** The console's own `owner` / `team` / `entity` list filters as criteria (undefined when none). */
export function scopeToCriteria(scope: {
  owner?: string[];
  team?: string[];
  entity?: string[];
}): PermissionCriteria<SandboxFilter> | undefined {
  const leaves: SandboxFilter[] = [];
  if (scope.owner) leaves.push({ property: 'owner', refs: scope.owner });
  if (scope.team) leaves.push({ property: 'team', refs: scope.team });
  if (scope.entity) leaves.push({ property: 'entity', refs: scope.entity });
  if (leaves.length === 0) return undefined;
  return leaves.length === 1 ? leaves[0] : { allOf: leaves as [SandboxFilter, ...SandboxFilter[]] };
}
