/**
 * Scaffolder template actions for OpenSandbox sandboxes, run through the OpenSandbox Console as the
 * user running the template.
 *
 * @packageDocumentation
 */
export { opensandboxScaffolderModule as default } from './module';
export { createSandboxAction } from './actions/createSandbox';
export {
  deleteSandboxAction,
  getEndpointAction,
  renewSandboxAction,
} from './actions/lifecycle';
export type { SandboxTemplateActionOptions } from './actions/shared';
