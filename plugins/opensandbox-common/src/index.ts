/**
 * Shared code of the OpenSandbox Backstage plugins: upstream API types, permissions, the ownership
 * label encoding and input validation. Browser-safe.
 *
 * @packageDocumentation
 */
export * from './types';
export * from './ownership';
export * from './permissions';
export * from './validation';
export * from './audit';
export * from './roleBindings';
export * from './bulk';
export * from './failureExplanations';
export * from './presets';
export * from './liveStatus';
export * from './annotations';
