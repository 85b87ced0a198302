export * from './OpenSandboxApi';
export { OpenSandboxClient } from './OpenSandboxClient';
export {
  OpenSandboxAdminClient,
  opensandboxAdminApiRef,
} from './OpenSandboxAdminApi';
export type {
  OpenSandboxAdminApi,
  ImportRoleBindingsOptions,
} from './OpenSandboxAdminApi';
