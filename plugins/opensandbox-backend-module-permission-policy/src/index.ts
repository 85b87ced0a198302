/**
 * A ready role-based permission policy for the OpenSandbox Console.
 *
 * @packageDocumentation
 */
export { opensandboxPermissionPolicyModule as default } from './module';
export { OpensandboxRolePolicy } from './OpensandboxRolePolicy';
export type { OpensandboxRolePolicyOptions } from './OpensandboxRolePolicy';
export { fetchOpensandboxRoleBindings } from './roleBindingsClient';
