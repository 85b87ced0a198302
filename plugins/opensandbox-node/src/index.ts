/**
 * Server-side building blocks of the OpenSandbox Backstage plugins: the typed lifecycle client
 * (holds the OpenSandbox API key, never import it into a browser bundle).
 *
 * @packageDocumentation
 */
export * from './lifecycle/OpenSandboxLifecycleClient';
export * from './lifecycle/errors';
export * from './lifecycle/fromConfig';
export * from './permissions/resource';
export * from './permissions/rules';
export * from './permissions/conditionExports';
export * from './roles/roleConfig';
export * from './roles/roleDecisions';
export * from './operations/types';
export * from './operations/HttpSandboxOperations';
export * from './roles/roleBindings';
export * from './roles/RoleBindingsCache';
export * from './roles/roleBindingsSignal';
