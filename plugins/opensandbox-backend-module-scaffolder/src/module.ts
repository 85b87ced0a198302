import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { opensandboxOperationsServiceRef } from '@opensandbox-console/plugin-opensandbox-node';
import { createSandboxAction } from './actions/createSandbox';
import {
  deleteSandboxAction,
  getEndpointAction,
  renewSandboxAction,
} from './actions/lifecycle';

/**
 * Adds the OpenSandbox template actions to the scaffolder: `opensandbox:sandbox:create`,
 * `opensandbox:sandbox:renew`, `opensandbox:sandbox:delete` and `opensandbox:sandbox:get-endpoint`.
 * They call the OpenSandbox Console (`opensandboxOperationsServiceRef`) on behalf of the user
 * running the template, so the console decides, validates and audits each step as that user
 * (audit channel `scaffolder`); the module never holds an OpenSandbox API key.
 * @public
 */
export const opensandboxScaffolderModule = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'opensandbox',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        operations: opensandboxOperationsServiceRef,
        config: coreServices.rootConfig,
      },
      async init({ scaffolder, operations, config }) {
        const options = { operations, config };
        scaffolder.addActions(
          createSandboxAction(options),
          renewSandboxAction(options),
          deleteSandboxAction(options),
          getEndpointAction(options),
        );
      },
    });
  },
});
