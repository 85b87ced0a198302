import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { MIN_TIMEOUT_SECONDS } from '@opensandbox-console/plugin-opensandbox-common';
import type { z as zod } from 'zod/v3';
import {
  given,
  SandboxTemplateActionOptions,
  stepContext,
  stepError,
} from './shared';

const sandboxIdInput = (z: typeof zod) =>
  z
    .string()
    .min(1)
    .describe('The sandbox id (e.g. `${{ steps.sandbox.output.sandboxId }}`).');
const serverInput = (z: typeof zod) =>
  z
    .string()
    .optional()
    .describe(
      'Its OpenSandbox server (e.g. `${{ steps.sandbox.output.server }}`); default the first server.',
    );

/** `opensandbox:sandbox:renew`: moves a sandbox's expiry, as the user running the template. */
export function renewSandboxAction({
  operations,
}: SandboxTemplateActionOptions) {
  return createTemplateAction({
    id: 'opensandbox:sandbox:renew',
    description:
      'Sets a new expiry for a sandbox, as the user running the template (the console checks the role and records the renewal). ' +
      'Give exactly one of `expiresInSeconds` (from now) or `expiresAt`. An earlier expiry than the current one is refused unless `allowShorten` is true. ' +
      'A dry run makes no call.',
    examples: [
      {
        description: 'Keep the sandbox two more hours',
        example: `steps:
  - id: renew
    action: opensandbox:sandbox:renew
    input:
      sandboxId: \${{ parameters.sandboxId }}
      expiresInSeconds: 7200`,
      },
    ],
    supportsDryRun: true,
    schema: {
      input: {
        sandboxId: sandboxIdInput,
        expiresInSeconds: z =>
          z
            .number()
            .int()
            .min(MIN_TIMEOUT_SECONDS)
            .optional()
            .describe(
              `The new expiry in seconds from now (>= ${MIN_TIMEOUT_SECONDS}).`,
            ),
        expiresAt: z =>
          z
            .string()
            .optional()
            .describe('The new expiry, RFC 3339 (e.g. 2026-12-01T18:00:00Z).'),
        allowShorten: z =>
          z
            .boolean()
            .optional()
            .describe('Allow an expiry earlier than the current one.'),
        server: serverInput,
      },
      output: {
        expiresAt: z =>
          z
            .string()
            .describe(
              'The new expiry as OpenSandbox recorded it (RFC 3339 UTC).',
            ),
      },
    },
    async handler(ctx) {
      const { sandboxId, expiresInSeconds, allowShorten } = ctx.input;
      const expiresAt = given(ctx.input.expiresAt);
      if ((expiresInSeconds === undefined) === (expiresAt === undefined)) {
        throw new InputError(
          'Give exactly one of expiresInSeconds or expiresAt.',
        );
      }
      const target =
        expiresAt ??
        new Date(Date.now() + expiresInSeconds! * 1000).toISOString();
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: sandbox ${sandboxId} would be renewed until ${target}; nothing was changed.`,
        );
        ctx.output('expiresAt', target);
        return;
      }
      const credentials = await ctx.getInitiatorCredentials();
      try {
        const renewed = await operations.renew(
          sandboxId,
          { expiresAt: target, ...(allowShorten ? { allowShorten } : {}) },
          stepContext(credentials, given(ctx.input.server)),
        );
        ctx.logger.info(
          `Sandbox ${sandboxId} now expires at ${renewed.expiresAt}.`,
        );
        ctx.output('expiresAt', renewed.expiresAt);
      } catch (error) {
        throw stepError(error, `renew sandbox ${sandboxId}`);
      }
    },
  });
}

/** `opensandbox:sandbox:delete`: deletes a sandbox, as the user running the template. */
export function deleteSandboxAction({
  operations,
}: SandboxTemplateActionOptions) {
  return createTemplateAction({
    id: 'opensandbox:sandbox:delete',
    description:
      'Deletes a sandbox, as the user running the template (the console checks the role and records the deletion). ' +
      'With `ignoreMissing`, a sandbox that is already gone is not an error. A dry run makes no call.',
    examples: [
      {
        description: 'Delete the sandbox a previous step created',
        example: `steps:
  - id: cleanup
    action: opensandbox:sandbox:delete
    input:
      sandboxId: \${{ steps.sandbox.output.sandboxId }}
      server: \${{ steps.sandbox.output.server }}`,
      },
    ],
    supportsDryRun: true,
    schema: {
      input: {
        sandboxId: sandboxIdInput,
        server: serverInput,
        ignoreMissing: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Succeed when the sandbox does not exist (or you may not read it) instead of failing.',
            ),
      },
      output: {
        deleted: z =>
          z
            .boolean()
            .describe(
              'False when the sandbox was already gone (with ignoreMissing).',
            ),
      },
    },
    async handler(ctx) {
      const { sandboxId, ignoreMissing } = ctx.input;
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: sandbox ${sandboxId} would be deleted; nothing was changed.`,
        );
        ctx.output('deleted', true);
        return;
      }
      const credentials = await ctx.getInitiatorCredentials();
      try {
        await operations.delete(
          sandboxId,
          stepContext(credentials, given(ctx.input.server)),
        );
        ctx.logger.info(`Deleted sandbox ${sandboxId}.`);
        ctx.output('deleted', true);
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if (ignoreMissing && status === 404) {
          ctx.logger.info(
            `Sandbox ${sandboxId} does not exist (or you may not read it); nothing to delete.`,
          );
          ctx.output('deleted', false);
          return;
        }
        throw stepError(error, `delete sandbox ${sandboxId}`);
      }
    },
  });
}

/** `opensandbox:sandbox:get-endpoint`: the public endpoint of a port of a sandbox. */
export function getEndpointAction({
  operations,
}: SandboxTemplateActionOptions) {
  return createTemplateAction({
    id: 'opensandbox:sandbox:get-endpoint',
    description:
      'Looks up how to reach a port served inside a sandbox, as the user running the template: `url` (http://) and any `headers` requests need. ' +
      'A dry run makes no call and answers a placeholder.',
    examples: [
      {
        description: 'The endpoint of port 8000 of the sandbox created before',
        example: `steps:
  - id: endpoint
    action: opensandbox:sandbox:get-endpoint
    input:
      sandboxId: \${{ steps.sandbox.output.sandboxId }}
      server: \${{ steps.sandbox.output.server }}
      port: 8000
output:
  links:
    - title: Open the app in the sandbox
      url: \${{ steps.endpoint.output.url }}`,
      },
    ],
    supportsDryRun: true,
    schema: {
      input: {
        sandboxId: sandboxIdInput,
        port: z =>
          z
            .number()
            .int()
            .min(1)
            .max(65535)
            .describe('The port inside the sandbox, e.g. 8000.'),
        useServerProxy: z =>
          z
            .boolean()
            .optional()
            .describe("Route through the OpenSandbox server's proxy."),
        server: serverInput,
      },
      output: {
        endpoint: z =>
          z
            .string()
            .describe(
              'host[:port]/path without a scheme, as OpenSandbox returns it.',
            ),
        url: z => z.string().describe('The endpoint as an http:// URL.'),
        headers: z =>
          z
            .record(z.string())
            .optional()
            .describe('Headers requests to the endpoint must carry.'),
      },
    },
    async handler(ctx) {
      const { sandboxId, port, useServerProxy } = ctx.input;
      if (ctx.isDryRun) {
        const endpoint = `dry-run.invalid/sandboxes/${sandboxId}/port/${port}`;
        ctx.logger.info(
          `Dry run: the endpoint of port ${port} of sandbox ${sandboxId} was not looked up.`,
        );
        ctx.output('endpoint', endpoint);
        ctx.output('url', `http://${endpoint}`);
        return;
      }
      const credentials = await ctx.getInitiatorCredentials();
      try {
        const endpoint = await operations.getEndpoint(
          sandboxId,
          port,
          useServerProxy === undefined ? {} : { useServerProxy },
          stepContext(credentials, given(ctx.input.server)),
        );
        ctx.logger.info(
          `Port ${port} of sandbox ${sandboxId}: http://${endpoint.endpoint}`,
        );
        ctx.output('endpoint', endpoint.endpoint);
        ctx.output('url', `http://${endpoint.endpoint}`);
        if (endpoint.headers && Object.keys(endpoint.headers).length > 0)
          ctx.output('headers', endpoint.headers);
      } catch (error) {
        throw stepError(error, `look up port ${port} of sandbox ${sandboxId}`);
      }
    },
  });
}
