/**
 * Deciding on a sandbox that no longer exists upstream, from what the console last knew of it.
 */
import {
  AuthorizeResult,
  PermissionCondition,
  PermissionCriteria,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  isAndCriteria,
  isNotCriteria,
  isOrCriteria,
} from '@backstage/plugin-permission-node';
import type { ConsoleSandbox } from '@opensandbox-console/plugin-opensandbox-common';

/** Rules that a reconstructed sandbox can answer: they look at its ownership only. */
const OWNERSHIP_RULES = ['IS_OWNER', 'IS_TEAM_MEMBER'];

/**
 * A sandbox rebuilt from its audit rows (`DatabaseAuditStore.lastKnownOwnership`): id, server and
 * ownership are known; metadata and state are not (empty metadata, state `Unknown`).
 */
export function reconstructedSandbox(
  id: string,
  server: string,
  ownership: { owner?: string; team?: string },
): ConsoleSandbox {
  return {
    id,
    server,
    metadata: {},
    status: { state: 'Unknown' },
    ...(ownership.owner || ownership.team ? { ownership } : {}),
  } as unknown as ConsoleSandbox;
}

/**
 * Whether `decision` allows a reconstructed sandbox, failing closed. Conditions are evaluated in
 * three-valued logic: `IS_OWNER` / `IS_TEAM_MEMBER` leaves are answered by `allowsLeaf` (the
 * plugin's own rules on the reconstructed ownership); every other leaf (metadata, state) is
 * unknown, and so is `not` of an unknown. Only a condition tree that is certainly true allows; an
 * unknown result is a denial.
 */
export function allowsLastKnown(
  decision: PolicyDecision,
  allowsLeaf: (leaf: PermissionCondition) => boolean,
): boolean {
  if (decision.result === AuthorizeResult.ALLOW) return true;
  if (decision.result !== AuthorizeResult.CONDITIONAL) return false;
  return evaluate(decision.conditions, allowsLeaf) === true;
}

/** `true`, `false` or `undefined` (unknown). */
function evaluate(
  criteria: PermissionCriteria<PermissionCondition>,
  allowsLeaf: (leaf: PermissionCondition) => boolean,
): boolean | undefined {
  if (isAndCriteria(criteria)) {
    const values = criteria.allOf.map(c => evaluate(c, allowsLeaf));
    if (values.includes(false)) return false;
    return values.every(v => v === true) ? true : undefined;
  }
  if (isOrCriteria(criteria)) {
    const values = criteria.anyOf.map(c => evaluate(c, allowsLeaf));
    if (values.includes(true)) return true;
    return values.every(v => v === false) ? false : undefined;
  }
  if (isNotCriteria(criteria)) {
    const value = evaluate(criteria.not, allowsLeaf);
    return value === undefined ? undefined : !value;
  }
  const leaf = criteria as PermissionCondition;
  return OWNERSHIP_RULES.includes(leaf.rule) ? allowsLeaf(leaf) : undefined;
}
