import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type {
  SandboxOperationContext,
  SandboxOperations,
} from '@opensandbox-console/plugin-opensandbox-node';

/** What every template action needs. */
export interface SandboxTemplateActionOptions {
  /**
   * The console's operations (`opensandboxOperationsServiceRef`): by default they call the
   * console's HTTP API on behalf of the user running the template, so every step is decided,
   * validated and audited by the console as that user.
   */
  operations: SandboxOperations;
  /** Root config: `app.baseUrl` makes the console links. */
  config: Config;
}

/** The pipeline context of a template step: the initiator's credentials, channel `scaffolder`. */
export function stepContext(
  credentials: BackstageCredentials,
  server?: string,
): SandboxOperationContext {
  return { credentials, channel: 'scaffolder', ...(server ? { server } : {}) };
}

/** The console page of a sandbox (`<app.baseUrl>/opensandbox/...`), when `app.baseUrl` is configured. */
export function consoleLink(
  config: Config,
  sandboxId: string,
  server?: string,
): string {
  const base = (config.getOptionalString('app.baseUrl') ?? '').replace(
    /\/+$/,
    '',
  );
  const id = encodeURIComponent(sandboxId);
  return server
    ? `${base}/opensandbox/servers/${encodeURIComponent(
        server,
      )}/sandboxes/${id}`
    : `${base}/opensandbox/sandboxes/${id}`;
}

/** `undefined` for empty strings (a template parameter the user left empty). */
export function given(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/**
 * The console's refusal as a step error: `HttpSandboxOperations` throws `ResponseError`s whose
 * cause is the console's error (name, message with the request id); the step log shows it.
 */
export function stepError(error: unknown, doing: string): Error {
  const e = error as {
    name?: string;
    statusCode?: number;
    cause?: { name?: string; message?: string; requestId?: string };
  };
  if (e?.name === 'ResponseError' && e.cause) {
    const { name, message, requestId } = e.cause;
    const id =
      requestId && !String(message).includes(requestId)
        ? ` (request id ${requestId})`
        : '';
    const out = new Error(
      `The OpenSandbox console refused to ${doing}: ${name}: ${message}${id} [HTTP ${e.statusCode}]`,
    );
    out.name = name ?? 'Error';
    return out;
  }
  return error instanceof Error ? error : new Error(String(error));
}
