import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  formatFieldErrors,
  MIN_TIMEOUT_SECONDS,
  validateCreateSandboxRequest,
} from '@opensandbox-console/plugin-opensandbox-common';
import {
  readAnnotationDefaults,
  splitCommand,
} from '@opensandbox-console/plugin-opensandbox-common';
import {
  consoleLink,
  given,
  SandboxTemplateActionOptions,
  stepContext,
  stepError,
} from './shared';

const EXAMPLE = `steps:
  - id: component
    action: catalog:fetch
    input:
      entityRef: \${{ parameters.component }}
  - id: sandbox
    name: Create a sandbox
    action: opensandbox:sandbox:create
    input:
      entityRef: \${{ parameters.component }}
      # Defaults from the component's opensandbox.backstage.io/default-* annotations
      annotations: \${{ steps.component.output.entity.metadata.annotations }}
      name: preview-\${{ parameters.branch }}
      timeoutSeconds: 7200
output:
  links:
    - title: Sandbox
      url: \${{ steps.sandbox.output.link }}`;

const EXPLICIT_EXAMPLE = `steps:
  - id: sandbox
    action: opensandbox:sandbox:create
    input:
      image: python:3.12-slim
      entrypoint: python -m http.server 8000
      cpu: 500m
      memory: 512Mi
      timeoutSeconds: 3600
      team: group:default/team-a
      env:
        APP_ENV: preview`;

/**
 * `opensandbox:sandbox:create`: creates a sandbox as the user running the template (owner: that
 * user; team: `team` or the user's first team), through the console's operation pipeline.
 */
export function createSandboxAction({
  operations,
  config,
}: SandboxTemplateActionOptions) {
  return createTemplateAction({
    id: 'opensandbox:sandbox:create',
    description:
      'Creates an OpenSandbox sandbox as the user running the template, through the OpenSandbox Console (its roles, quotas and audit log). ' +
      "Inputs not given fall back to the `annotations` passed in (an entity's opensandbox.backstage.io/default-* annotations), then to cpu 1, memory 1Gi, one hour. " +
      'A dry run only checks the inputs; it creates nothing.',
    examples: [
      {
        description:
          "Create a sandbox for a component, with its annotations' defaults",
        example: EXAMPLE,
      },
      {
        description: 'Create a sandbox from explicit inputs',
        example: EXPLICIT_EXAMPLE,
      },
    ],
    supportsDryRun: true,
    schema: {
      input: {
        image: z =>
          z
            .string()
            .optional()
            .describe(
              'Container image URI, e.g. python:3.12-slim. Default: the default-image annotation.',
            ),
        entrypoint: z =>
          z
            .union([z.string(), z.array(z.string())])
            .optional()
            .describe(
              'The main process: a command line ("python -m http.server 8000") or an argument array. Default: the default-entrypoint annotation.',
            ),
        cpu: z =>
          z
            .string()
            .optional()
            .describe(
              'CPU limit, a Kubernetes quantity ("500m", "1"). Default: the default-cpu annotation, else "1".',
            ),
        memory: z =>
          z
            .string()
            .optional()
            .describe(
              'Memory limit, a Kubernetes quantity ("512Mi", "1Gi"). Default: the default-memory annotation, else "1Gi".',
            ),
        timeoutSeconds: z =>
          z
            .number()
            .int()
            .min(MIN_TIMEOUT_SECONDS)
            .optional()
            .describe(
              `Lifetime in seconds (>= ${MIN_TIMEOUT_SECONDS}); the sandbox is deleted when it ends. Default: the default-timeout annotation, else 3600.`,
            ),
        name: z =>
          z
            .string()
            .optional()
            .describe('Display name in the console (metadata `name`).'),
        env: z =>
          z
            .record(z.string())
            .optional()
            .describe('Environment variables of the main process.'),
        metadata: z =>
          z
            .record(z.string())
            .optional()
            .describe(
              "Extra metadata labels (backstage.io/* keys are the console's and refused).",
            ),
        team: z =>
          z
            .string()
            .optional()
            .describe(
              "Owning team (group ref, e.g. group:default/team-a); default the user's first team.",
            ),
        entityRef: z =>
          z
            .string()
            .optional()
            .describe(
              'Catalog entity the sandbox is for, e.g. component:default/payments-api (shown on its Sandboxes tab).',
            ),
        annotations: z =>
          z
            .record(z.unknown())
            .optional()
            .describe(
              "An entity's annotations; its opensandbox.backstage.io/default-* values fill the inputs not given. Invalid ones are ignored with a warning.",
            ),
        server: z =>
          z
            .string()
            .optional()
            .describe(
              'OpenSandbox server name; default the server serving the team.',
            ),
        idempotencyKey: z =>
          z
            .string()
            .optional()
            .describe(
              'Makes retries safe: the same key answers the first sandbox. Default: derived from the task and step, so re-running a task does not create a second sandbox.',
            ),
      },
      output: {
        sandboxId: z => z.string().describe('The new sandbox id.'),
        server: z => z.string().describe('Its OpenSandbox server.'),
        name: z => z.string().optional().describe('Its display name.'),
        state: z =>
          z
            .string()
            .describe(
              'Its state when created (usually Running; Pending on servers that start asynchronously).',
            ),
        expiresAt: z =>
          z
            .string()
            .optional()
            .describe('When it is deleted automatically (RFC 3339 UTC).'),
        link: z => z.string().describe('Its page in the OpenSandbox Console.'),
        replayed: z =>
          z
            .boolean()
            .describe(
              'True when an earlier run with the same idempotency key had created it.',
            ),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const { defaults, warnings } = readAnnotationDefaults(input.annotations);
      for (const warning of warnings)
        ctx.logger.warn(`${warning.message} (ignored)`);

      let entrypoint: string[] | undefined = defaults.entrypointArgs;
      if (typeof input.entrypoint === 'string' && given(input.entrypoint)) {
        const { args, error } = splitCommand(input.entrypoint);
        if (error) throw new InputError(`entrypoint ${error}`);
        entrypoint = args;
      } else if (
        Array.isArray(input.entrypoint) &&
        input.entrypoint.length > 0
      ) {
        entrypoint = input.entrypoint;
      }
      const image = given(input.image) ?? defaults.imageUri;
      const name = given(input.name);
      const team = given(input.team);
      const entityRef = given(input.entityRef);
      const server = given(input.server);
      const body = {
        ...(image ? { image: { uri: image } } : {}),
        ...(entrypoint ? { entrypoint } : {}),
        timeout: input.timeoutSeconds ?? defaults.timeoutSeconds ?? 3600,
        resourceLimits: {
          cpu: given(input.cpu) ?? defaults.cpu ?? '1',
          memory: given(input.memory) ?? defaults.memory ?? '1Gi',
        },
        ...(input.env ? { env: input.env } : {}),
        ...(input.metadata || name
          ? {
              metadata: {
                ...(input.metadata ?? {}),
                ...(name ? { name } : {}),
              },
            }
          : {}),
        ...(team ? { team } : {}),
        ...(entityRef ? { entityRef } : {}),
        ...(server ? { server } : {}),
      };
      // The console validates again (with its lifetime cap); this catches mistakes before any call.
      const errors = validateCreateSandboxRequest(body);
      if (errors.length > 0)
        throw new InputError(`Invalid sandbox: ${formatFieldErrors(errors)}`);
      ctx.logger.info(
        `Sandbox: image ${image}, entrypoint ${JSON.stringify(
          entrypoint,
        )}, cpu ${body.resourceLimits.cpu}, memory ${
          body.resourceLimits.memory
        }, ` +
          `timeout ${body.timeout} s${team ? `, team ${team}` : ''}${
            entityRef ? `, for ${entityRef}` : ''
          }`,
      );

      if (ctx.isDryRun) {
        ctx.logger.info('Dry run: no sandbox was created.');
        ctx.output('sandboxId', 'dry-run');
        ctx.output('server', server ?? 'default');
        if (name) ctx.output('name', name);
        ctx.output('state', 'DryRun');
        ctx.output(
          'expiresAt',
          new Date(Date.now() + body.timeout * 1000).toISOString(),
        );
        ctx.output('link', consoleLink(config, 'dry-run', server));
        ctx.output('replayed', false);
        return;
      }

      // One key per task, step and `each` item: a re-run (retry, recovery) finds its sandbox.
      const derived = `scaffolder:${ctx.task.id}:${ctx.step?.id ?? 'create'}${
        ctx.each ? `:${JSON.stringify(ctx.each.key ?? ctx.each)}` : ''
      }`;
      const idempotencyKey = (given(input.idempotencyKey) ?? derived).replace(
        /[^\x21-\x7e]/g,
        '_',
      );
      const credentials = await ctx.getInitiatorCredentials();
      let result;
      try {
        result = await operations.create(body, {
          ...stepContext(credentials),
          idempotencyKey: idempotencyKey.slice(0, 255),
        });
      } catch (error) {
        throw stepError(error, 'create the sandbox');
      }
      const { sandbox, replayed } = result;
      const sandboxServer = sandbox.server ?? server ?? 'default';
      const link = consoleLink(config, sandbox.id, sandboxServer);
      ctx.logger.info(
        `${
          replayed
            ? 'Found the sandbox an earlier run created'
            : 'Created sandbox'
        } ${sandbox.id} (${sandbox.status.state}): ${link}`,
      );
      ctx.output('sandboxId', sandbox.id);
      ctx.output('server', sandboxServer);
      if (sandbox.metadata?.name) ctx.output('name', sandbox.metadata.name);
      ctx.output('state', sandbox.status.state);
      if (sandbox.expiresAt) ctx.output('expiresAt', sandbox.expiresAt);
      ctx.output('link', link);
      ctx.output('replayed', replayed);
    },
  });
}
