import { z } from 'zod';
import { createPermissionRule } from '@backstage/plugin-permission-node';
import { opensandboxSandboxPermissionResourceRef } from './resource';

const lower = (s: string) => s.toLocaleLowerCase('en-US');

/**
 * The sandbox's owner (the user who created it through the console) is one of `claims`.
 * Typical use: `isOwner({ claims: [userEntityRef] })`.
 * @public
 */
export const isOwner = createPermissionRule({
  name: 'IS_OWNER',
  description:
    'Allow sandboxes whose owner (creator) is one of the given user entity refs',
  resourceRef: opensandboxSandboxPermissionResourceRef,
  paramsSchema: z.object({
    claims: z
      .array(z.string())
      .describe('User entity refs, e.g. user:default/jane'),
  }),
  apply: (sandbox, { claims }) =>
    !!sandbox.ownership?.owner &&
    claims.map(lower).includes(lower(sandbox.ownership.owner)),
  toQuery: ({ claims }) => ({
    property: 'owner',
    refs: claims.map(lower).filter(ref => ref.startsWith('user:')),
  }),
});

/**
 * The sandbox's owning team is one of `teams`. Typical use: the caller's ownership entity refs
 * from `userInfo` (`isTeamMember({ teams: ownershipEntityRefs })`); non-group refs never match.
 * @public
 */
export const isTeamMember = createPermissionRule({
  name: 'IS_TEAM_MEMBER',
  description: 'Allow sandboxes owned by one of the given group entity refs',
  resourceRef: opensandboxSandboxPermissionResourceRef,
  paramsSchema: z.object({
    teams: z
      .array(z.string())
      .describe('Group entity refs, e.g. group:default/team-a'),
  }),
  apply: (sandbox, { teams }) =>
    !!sandbox.ownership?.team &&
    teams.map(lower).includes(lower(sandbox.ownership.team)),
  toQuery: ({ teams }) => ({
    property: 'team',
    refs: teams.map(lower).filter(ref => ref.startsWith('group:')),
  }),
});

/**
 * The sandbox has metadata `key` equal to `value` (exact match).
 * @public
 */
export const hasMetadata = createPermissionRule({
  name: 'HAS_METADATA',
  description: 'Allow sandboxes with the given metadata key and value',
  resourceRef: opensandboxSandboxPermissionResourceRef,
  paramsSchema: z.object({
    key: z.string().describe('Metadata key'),
    value: z.string().describe('Exact metadata value'),
  }),
  apply: (sandbox, { key, value }) => sandbox.metadata?.[key] === value,
  toQuery: ({ key, value }) => ({ property: 'metadata', key, value }),
});

/**
 * The sandbox is in one of `states` (case-insensitive, e.g. `Running`, `Paused`).
 * @public
 */
export const isInState = createPermissionRule({
  name: 'IS_IN_STATE',
  description: 'Allow sandboxes in one of the given lifecycle states',
  resourceRef: opensandboxSandboxPermissionResourceRef,
  paramsSchema: z.object({
    states: z
      .array(z.string())
      .describe('Lifecycle states, e.g. Running, Paused'),
  }),
  apply: (sandbox, { states }) =>
    states.map(lower).includes(lower(sandbox.status.state)),
  toQuery: ({ states }) => ({ property: 'state', states }),
});

/** Every sandbox permission rule, for `permissionsRegistry.addResourceType`. @public */
export const opensandboxSandboxRules = {
  isOwner,
  isTeamMember,
  hasMetadata,
  isInState,
};
