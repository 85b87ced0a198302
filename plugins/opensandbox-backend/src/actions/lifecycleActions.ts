/**
 * The agent actions that change sandboxes: create, renew, pause, resume, delete. Each is one
 * pipeline call with the caller's credentials and `channel: 'mcp'`, so it is decided, validated
 * and audited exactly like the same request to the console's HTTP API (audit rows name the caller
 * and channel `mcp`; `requestId` in the answer finds the row).
 */
import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { InputError } from '@backstage/errors';
import { MIN_TIMEOUT_SECONDS } from '@opensandbox-console/plugin-opensandbox-common';
import {
  actionContext,
  run,
  sandboxIdInput,
  SandboxActionsOptions,
  sandboxSummarySchema,
  serverInput,
  summarize,
  Zod,
} from './shared';

const requestIdOutput = (z: Zod) =>
  z
    .string()
    .describe('The console request id: names this attempt in the audit log.');

/** The output of pause, resume and delete. */
const acceptedOutput = (z: Zod) =>
  z.object({
    sandboxId: z.string(),
    server: z.string().optional(),
    requestId: requestIdOutput(z),
  });

export function registerLifecycleActions(
  registry: ActionsRegistryService,
  { operations, config }: SandboxActionsOptions,
): void {
  registry.register({
    name: 'create-sandbox',
    title: 'Create a sandbox',
    description: [
      'Creates an OpenSandbox sandbox (an isolated container) owned by you and one of your teams, running `entrypoint` in `image`.',
      'It answers once OpenSandbox has accepted the sandbox (this can take a while on a real server: the image is pulled first); the sandbox is then usually Running.',
      `It is deleted automatically after \`timeoutSeconds\` (default 3600, minimum ${MIN_TIMEOUT_SECONDS}; the console may cap it); use renew-sandbox to extend it.`,
      "Pass the same `idempotencyKey` when retrying after a timeout or lost connection: the retry answers the first attempt's sandbox (`replayed: true`) instead of creating another.",
      'Errors: InputError names an invalid field (e.g. an image OpenSandbox could not pull is reported on image); NotAllowedError when your role or team may not create sandboxes, or the OpenSandbox quota is exhausted;',
      'ConflictError when a create with the same idempotencyKey is still running; ServiceUnavailableError when OpenSandbox is busy or failing (retry later; after a timeout the create may still have happened: list or retry with the same idempotencyKey).',
    ].join(' '),
    // Additive (creates a new sandbox, changes nothing existing); not idempotent without a key.
    attributes: { readOnly: false, destructive: false, idempotent: false },
    schema: {
      input: z =>
        z.object({
          image: z
            .string()
            .min(1)
            .describe(
              'Container image URI, e.g. python:3.12-slim or registry.example.com/team/app:1.2.',
            ),
          entrypoint: z
            .array(z.string().min(1))
            .min(1)
            .describe(
              'The main process: command and arguments, e.g. ["python", "-m", "http.server", "8000"]. The sandbox ends when it exits.',
            ),
          timeoutSeconds: z
            .number()
            .int()
            .min(MIN_TIMEOUT_SECONDS)
            .nullable()
            .default(3600)
            .describe(
              `Lifetime in seconds (>= ${MIN_TIMEOUT_SECONDS}); default 3600. null: never expires (refused when the console caps lifetimes).`,
            ),
          cpu: z
            .string()
            .default('1')
            .describe(
              'CPU limit, a Kubernetes quantity: "500m" (half a core), "1", "2". Default "1".',
            ),
          memory: z
            .string()
            .default('1Gi')
            .describe(
              'Memory limit, a Kubernetes quantity: "512Mi", "1Gi", "4Gi". Default "1Gi".',
            ),
          name: z
            .string()
            .max(63)
            .optional()
            .describe(
              'Display name shown in the console (stored as metadata `name`).',
            ),
          env: z
            .record(z.string())
            .optional()
            .describe(
              'Environment variables of the main process (values are redacted in the audit log).',
            ),
          metadata: z
            .record(z.string())
            .optional()
            .describe(
              'Extra labels (Kubernetes label syntax: values up to 63 characters). backstage.io/* keys are set by the console and refused.',
            ),
          team: z
            .string()
            .optional()
            .describe(
              'Owning team, a group ref such as group:default/team-a; default your first team. Required when you are a service.',
            ),
          entityRef: z
            .string()
            .optional()
            .describe(
              'Catalog entity the sandbox is for, e.g. component:default/payments-api.',
            ),
          server: serverInput(z).describe(
            'OpenSandbox server; default the server serving the team.',
          ),
          idempotencyKey: z
            .string()
            .min(1)
            .max(255)
            .optional()
            .describe(
              'Any unique string (e.g. a UUID) that makes retries safe; reuse it only to retry the same create.',
            ),
        }),
      output: z =>
        z.object({
          sandbox: sandboxSummarySchema(z),
          replayed: z
            .boolean()
            .describe(
              'True when an earlier attempt with the same idempotencyKey had created this sandbox.',
            ),
          requestId: requestIdOutput(z),
        }),
    },
    examples: [
      {
        title: 'A Python web server for one hour',
        input: {
          image: 'python:3.12-slim',
          entrypoint: ['python', '-m', 'http.server', '8000'],
          timeoutSeconds: 3600,
          cpu: '500m',
          memory: '512Mi',
          name: 'pr-1234-preview',
          idempotencyKey: '0b7c8f52-3f0e-4d2c-9a3b-7d1e2f3a4b5c',
        },
      },
    ],
    action: async ({ input, credentials }) => {
      const {
        image,
        entrypoint,
        timeoutSeconds,
        cpu,
        memory,
        name,
        env,
        metadata,
        team,
        entityRef,
        server,
        idempotencyKey,
      } = input;
      const body = {
        image: { uri: image },
        entrypoint,
        timeout: timeoutSeconds,
        resourceLimits: { cpu, memory },
        ...(env ? { env } : {}),
        ...(metadata || name
          ? { metadata: { ...(metadata ?? {}), ...(name ? { name } : {}) } }
          : {}),
        ...(team ? { team } : {}),
        ...(entityRef ? { entityRef } : {}),
        ...(server ? { server } : {}),
      };
      const ctx = actionContext(credentials);
      const { sandbox, replayed } = await run(() =>
        operations.create(body, {
          ...ctx,
          ...(idempotencyKey ? { idempotencyKey } : {}),
        }),
      );
      return {
        output: {
          sandbox: summarize(config, sandbox),
          replayed,
          requestId: ctx.requestId,
        },
      };
    },
  });

  registry.register({
    name: 'renew-sandbox',
    title: 'Renew (extend) a sandbox',
    description: [
      'Moves the automatic deletion time of a sandbox later. Give exactly one of `expiresInSeconds` (new expiry = now + that many seconds) or `expiresAt` (absolute, RFC 3339).',
      "It never shortens a sandbox's life: an expiry earlier than the current one is refused (InputError); delete the sandbox instead.",
      "Errors: InputError for a missing/invalid/earlier expiry or one beyond the console's lifetime cap; NotFoundError when the sandbox does not exist or you may not read it;",
      'NotAllowedError when you may read but not change it; ConflictError when the sandbox never expires (nothing to renew).',
    ].join(' '),
    // Changes only the expiry, and only later; calling again with expiresInSeconds moves it again.
    attributes: { readOnly: false, destructive: false, idempotent: false },
    schema: {
      input: z =>
        z.object({
          sandboxId: sandboxIdInput(z),
          expiresInSeconds: z
            .number()
            .int()
            .min(MIN_TIMEOUT_SECONDS)
            .optional()
            .describe(
              `The new expiry, in seconds from now (>= ${MIN_TIMEOUT_SECONDS}), e.g. 7200 for two hours.`,
            ),
          expiresAt: z
            .string()
            .optional()
            .describe(
              'The new expiry as an RFC 3339 time, e.g. 2026-12-01T18:00:00Z.',
            ),
          server: serverInput(z),
        }),
      output: z =>
        z.object({
          sandboxId: z.string(),
          expiresAt: z
            .string()
            .describe(
              'The new expiry as OpenSandbox recorded it (RFC 3339 UTC).',
            ),
          requestId: requestIdOutput(z),
        }),
    },
    examples: [
      {
        title: 'Two more hours',
        input: {
          sandboxId: '4f0c5a6e-2b7d-4a59-9a43-0c1f9a1b2c3d',
          expiresInSeconds: 7200,
        },
      },
    ],
    action: async ({ input, credentials }) => {
      const { sandboxId, expiresInSeconds, expiresAt, server } = input;
      if ((expiresInSeconds === undefined) === (expiresAt === undefined)) {
        throw new InputError(
          'Give exactly one of expiresInSeconds or expiresAt.',
        );
      }
      const target =
        expiresAt ??
        new Date(Date.now() + expiresInSeconds! * 1000).toISOString();
      const ctx = actionContext(credentials, server);
      const renewed = await run(() =>
        operations.renew(sandboxId, { expiresAt: target }, ctx),
      );
      return {
        output: {
          sandboxId,
          expiresAt: renewed.expiresAt,
          requestId: ctx.requestId,
        },
      };
    },
  });

  registry.register({
    name: 'pause-sandbox',
    title: 'Pause a sandbox',
    description: [
      'Pauses a Running sandbox (its processes are frozen, its state is kept; it still expires at its expiry). The state goes Pausing, then Paused; read it with get-sandbox.',
      'Errors: ConflictError when the sandbox is not Running (e.g. already Paused: nothing to do); NotFoundError when it does not exist or you may not read it; NotAllowedError when you may read but not change it.',
    ].join(' '),
    // Reversible (resume-sandbox); a second pause changes nothing (ConflictError).
    attributes: { readOnly: false, destructive: false, idempotent: true },
    schema: {
      input: z =>
        z.object({ sandboxId: sandboxIdInput(z), server: serverInput(z) }),
      output: acceptedOutput,
    },
    examples: [
      {
        title: 'Pause',
        input: { sandboxId: '4f0c5a6e-2b7d-4a59-9a43-0c1f9a1b2c3d' },
      },
    ],
    action: async ({ input, credentials }) => {
      const ctx = actionContext(credentials, input.server);
      await run(() => operations.pause(input.sandboxId, ctx));
      return {
        output: {
          sandboxId: input.sandboxId,
          ...(input.server ? { server: input.server } : {}),
          requestId: ctx.requestId,
        },
      };
    },
  });

  registry.register({
    name: 'resume-sandbox',
    title: 'Resume a sandbox',
    description: [
      'Resumes a Paused sandbox. The state goes Resuming, then Running; read it with get-sandbox.',
      'Errors: ConflictError when the sandbox is not Paused; NotFoundError when it does not exist or you may not read it; NotAllowedError when you may read but not change it.',
    ].join(' '),
    attributes: { readOnly: false, destructive: false, idempotent: true },
    schema: {
      input: z =>
        z.object({ sandboxId: sandboxIdInput(z), server: serverInput(z) }),
      output: acceptedOutput,
    },
    examples: [
      {
        title: 'Resume',
        input: { sandboxId: '4f0c5a6e-2b7d-4a59-9a43-0c1f9a1b2c3d' },
      },
    ],
    action: async ({ input, credentials }) => {
      const ctx = actionContext(credentials, input.server);
      await run(() => operations.resume(input.sandboxId, ctx));
      return {
        output: {
          sandboxId: input.sandboxId,
          ...(input.server ? { server: input.server } : {}),
          requestId: ctx.requestId,
        },
      };
    },
  });

  registry.register({
    name: 'delete-sandbox',
    title: 'Delete a sandbox',
    description: [
      'Deletes a sandbox and everything in it, now. This cannot be undone.',
      'Errors: NotFoundError when the sandbox does not exist (e.g. already deleted or expired) or you may not read it; NotAllowedError when you may read but not delete it;',
      'ServiceUnavailableError when OpenSandbox failed (after a timeout the delete may still have happened: check with get-sandbox).',
    ].join(' '),
    // Irreversible; deleting again changes nothing (NotFoundError).
    attributes: { readOnly: false, destructive: true, idempotent: true },
    schema: {
      input: z =>
        z.object({ sandboxId: sandboxIdInput(z), server: serverInput(z) }),
      output: acceptedOutput,
    },
    examples: [
      {
        title: 'Delete',
        input: { sandboxId: '4f0c5a6e-2b7d-4a59-9a43-0c1f9a1b2c3d' },
      },
    ],
    action: async ({ input, credentials }) => {
      const ctx = actionContext(credentials, input.server);
      await run(() => operations.delete(input.sandboxId, ctx));
      return {
        output: {
          sandboxId: input.sandboxId,
          ...(input.server ? { server: input.server } : {}),
          requestId: ctx.requestId,
        },
      };
    },
  });
}
