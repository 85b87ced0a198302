/**
 * What the agent actions share: the sandbox summary they answer, the error translation, and the
 * context every action passes to the pipeline (`channel: 'mcp'`).
 */
import { randomUUID } from 'node:crypto';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import {
  AuthenticationError,
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  NotImplementedError,
  ServiceUnavailableError,
} from '@backstage/errors';
import type { ConsoleSandbox } from '@opensandbox-console/plugin-opensandbox-common';
import type {
  SandboxDetail,
  SandboxOperationContext,
  SandboxOperations,
} from '@opensandbox-console/plugin-opensandbox-node';
import type { z as zod } from 'zod/v3';
import { httpStatusOf } from '../errors';

/** What the action files need. */
export interface SandboxActionsOptions {
  /** The console's operation pipeline (in process): every action is one call of it. */
  operations: SandboxOperations;
  /** Root config: `app.baseUrl` makes the console links in the answers. */
  config: Config;
}

/** The zod namespace the actions registry hands to schema factories (zod v3 API). */
export type Zod = typeof zod;

/** The pipeline context of an agent action: the caller's own credentials, channel `mcp`. */
export function actionContext(
  credentials: BackstageCredentials,
  server?: string,
): SandboxOperationContext & { requestId: string } {
  return {
    credentials,
    channel: 'mcp',
    requestId: randomUUID(),
    ...(server ? { server } : {}),
  };
}

/** The optional `server` input of every action. */
export const serverInput = (z: Zod) =>
  z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/)
    .optional()
    .describe(
      'OpenSandbox server name (see list-sandboxes `server` of each item). Omit for the default server.',
    );

/** The `sandboxId` input. */
export const sandboxIdInput = (z: Zod) =>
  z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/)
    .describe(
      'The sandbox id, as returned by list-sandboxes or create-sandbox (e.g. a UUID).',
    );

/** The sandbox as the actions answer it: flat, with the console's ownership and a link. */
export const sandboxSummarySchema = (z: Zod) =>
  z.object({
    id: z.string().describe('Sandbox id.'),
    server: z
      .string()
      .optional()
      .describe('The OpenSandbox server the sandbox lives on.'),
    name: z.string().optional().describe('Display name (metadata `name`).'),
    state: z
      .string()
      .describe(
        'Lifecycle state: Pending, Running, Pausing, Paused, Resuming, Stopping, Terminated or Failed (new states may appear).',
      ),
    reason: z
      .string()
      .optional()
      .describe(
        'Machine-readable reason of the state, when OpenSandbox gives one.',
      ),
    message: z
      .string()
      .optional()
      .describe('Human-readable detail of the state.'),
    image: z.string().optional().describe('Container image URI.'),
    entrypoint: z.array(z.string()).optional(),
    createdAt: z.string().describe('RFC 3339 UTC.'),
    expiresAt: z
      .string()
      .nullable()
      .describe(
        'When OpenSandbox deletes the sandbox automatically (RFC 3339 UTC); null: it never expires.',
      ),
    owner: z
      .string()
      .optional()
      .describe('User entity ref of the creator (console-created sandboxes).'),
    team: z
      .string()
      .optional()
      .describe('Group entity ref of the owning team.'),
    entity: z
      .string()
      .optional()
      .describe('Catalog entity the sandbox was created for.'),
    metadata: z
      .record(z.string())
      .describe('All metadata labels (backstage.io/* are set by the console).'),
    url: z
      .string()
      .optional()
      .describe('The sandbox page in the Backstage console (for people).'),
  });

export type SandboxSummary = zod.infer<ReturnType<typeof sandboxSummarySchema>>;

/** The console page of a sandbox, when `app.baseUrl` is configured. */
export function consoleUrl(
  config: Config,
  sandbox: { id: string; server?: string },
): string | undefined {
  const base = config.getOptionalString('app.baseUrl');
  if (!base) return undefined;
  const root = `${base.replace(/\/+$/, '')}/opensandbox`;
  const id = encodeURIComponent(sandbox.id);
  return sandbox.server
    ? `${root}/servers/${encodeURIComponent(sandbox.server)}/sandboxes/${id}`
    : `${root}/sandboxes/${id}`;
}

/** The summary of a console sandbox. */
export function summarize(
  config: Config,
  sandbox: ConsoleSandbox | SandboxDetail,
): SandboxSummary {
  const url = consoleUrl(config, sandbox);
  const { status } = sandbox;
  return {
    id: sandbox.id,
    ...(sandbox.server ? { server: sandbox.server } : {}),
    ...(sandbox.metadata?.name ? { name: sandbox.metadata.name } : {}),
    state: status.state,
    ...(status.reason ? { reason: status.reason } : {}),
    ...(status.message ? { message: status.message } : {}),
    ...(sandbox.image?.uri ? { image: sandbox.image.uri } : {}),
    ...(sandbox.entrypoint ? { entrypoint: sandbox.entrypoint } : {}),
    createdAt: sandbox.createdAt,
    expiresAt: sandbox.expiresAt ?? null,
    ...(sandbox.ownership?.owner ? { owner: sandbox.ownership.owner } : {}),
    ...(sandbox.ownership?.team ? { team: sandbox.ownership.team } : {}),
    ...(sandbox.ownership?.entity ? { entity: sandbox.ownership.entity } : {}),
    metadata: sandbox.metadata ?? {},
    ...(url ? { url } : {}),
  };
}

/** Error names MCP clients see as tool errors (the MCP actions backend passes these through). */
const PASSED_THROUGH = new Set([
  'InputError',
  'AuthenticationError',
  'NotAllowedError',
  'NotFoundError',
  'ConflictError',
  'NotImplementedError',
  'ServiceUnavailableError',
]);

/** What an agent can do about each kind of error, appended to the message. */
const HINTS: Record<number, string> = {
  400: 'Fix the named input and call again.',
  403: 'You are not allowed to do this (your role, your team, or a quota); do not retry unchanged.',
  404: 'The sandbox does not exist on this server, or you may not read it.',
  409: "The sandbox's state does not allow this now; read it with get-sandbox and act on its state.",
  429: 'Retry later.',
  502: 'OpenSandbox failed; the request id identifies the attempt in the audit log.',
  503: 'Retry later.',
  504: 'The outcome may be unknown; read the sandbox (or list sandboxes) before retrying.',
};

/**
 * Turns an error of the pipeline into one an agent can act on: the message keeps the console's
 * explanation (never upstream internals, which the pipeline keeps out of errors) and adds what to
 * do; the name is one the MCP actions backend passes through as a tool error (other names become
 * protocol errors there), and the status is the one the console's HTTP API would answer (so the
 * actions registry's HTTP surface answers 4xx/5xx, not 500). Unexpected errors are unchanged.
 */
export function toAgentError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const status = httpStatusOf(error);
  if (status === 500) return error;
  const extras = error as Error & {
    requestId?: string;
    retryAfterSeconds?: number;
    fields?: unknown;
    upstreamCode?: string;
  };
  const parts = [
    PASSED_THROUGH.has(error.name)
      ? error.message
      : `${error.name}: ${error.message}`,
  ];
  if (Number.isInteger(extras.retryAfterSeconds))
    parts.push(`Retry after ${extras.retryAfterSeconds} s.`);
  const hint = HINTS[status] ?? (status >= 500 ? HINTS[502] : undefined);
  if (hint) parts.push(hint);
  if (extras.requestId && !error.message.includes(extras.requestId))
    parts.push(`Request id ${extras.requestId}.`);
  const message = parts.join(' ');
  let mapped: Error;
  if (status === 400) mapped = new InputError(message);
  else if (status === 401) mapped = new AuthenticationError(message);
  else if (status === 403) mapped = new NotAllowedError(message);
  else if (status === 404) mapped = new NotFoundError(message);
  else if (status === 409) mapped = new ConflictError(message);
  else if (status === 501) mapped = new NotImplementedError(message);
  else mapped = new ServiceUnavailableError(message);
  const copied: Record<string, unknown> = {};
  if (extras.requestId) copied.requestId = extras.requestId;
  if (extras.upstreamCode) copied.upstreamCode = extras.upstreamCode;
  if (extras.fields) copied.fields = extras.fields;
  // Keep the console's status for the registry's HTTP surface (e.g. 429, 502, 504).
  if (httpStatusOf(mapped) !== status) copied.statusCode = status;
  return Object.assign(mapped, copied);
}

/** Runs one pipeline call; errors are translated by {@link toAgentError}. */
export async function run<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toAgentError(error);
  }
}
