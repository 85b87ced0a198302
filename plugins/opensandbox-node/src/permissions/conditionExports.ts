import { createConditionExports } from '@backstage/plugin-permission-node';
import { opensandboxSandboxPermissionResourceRef } from './resource';
import { opensandboxSandboxRules } from './rules';

const { conditions, createConditionalDecision } = createConditionExports({
  resourceRef: opensandboxSandboxPermissionResourceRef,
  rules: opensandboxSandboxRules,
});

/**
 * Conditions for sandbox permissions, for policy authors:
 * `isOwner({ claims })`, `isTeamMember({ teams })`, `hasMetadata({ key, value })`,
 * `isInState({ states })`.
 * @public
 */
export const opensandboxSandboxConditions = conditions;

/**
 * Builds a conditional decision for a sandbox resource permission, e.g.
 * `createOpensandboxSandboxConditionalDecision(permission, { anyOf: [opensandboxSandboxConditions.isOwner({ claims: [userRef] }), opensandboxSandboxConditions.isTeamMember({ teams: ownershipEntityRefs })] })`.
 * @public
 */
export const createOpensandboxSandboxConditionalDecision =
  createConditionalDecision;
