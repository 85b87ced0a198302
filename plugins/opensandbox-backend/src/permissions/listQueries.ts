import {
  isAndCriteria,
  isNotCriteria,
  isOrCriteria,
} from '@backstage/plugin-permission-node';
import type { PermissionCriteria } from '@backstage/plugin-permission-common';
import type { ConsoleSandbox } from '@opensandbox-console/plugin-opensandbox-common';
import type { SandboxFilter } from '@opensandbox-console/plugin-opensandbox-node';

/** Evaluates a filter tree against one sandbox (the `apply` counterpart of the leaves). */
export function matchesCriteria(
  criteria: PermissionCriteria<SandboxFilter>,
  sandbox: ConsoleSandbox,
): boolean {
  if (isNotCriteria(criteria)) return !matchesCriteria(criteria.not, sandbox);
  if (isOrCriteria(criteria))
    return criteria.anyOf.some(c => matchesCriteria(c, sandbox));
  if (isAndCriteria(criteria))
    return criteria.allOf.every(c => matchesCriteria(c, sandbox));
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
  return leaves.length === 1
    ? leaves[0]
    : { allOf: leaves as [SandboxFilter, ...SandboxFilter[]] };
}
