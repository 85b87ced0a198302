import { NotAllowedError, NotFoundError } from '@backstage/errors';

const denials = new WeakSet<Error>();

/**
 * A refusal by the permission framework. The mark is kept outside the error object, so the
 * response body of a refused read is identical to that of a missing sandbox (no existence leak).
 */
export function denied<T extends Error>(error: T): T {
  denials.add(error);
  return error;
}

/** True for errors created by {@link denied}: the route records them as `denied` audit rows. */
export function isDenial(error: unknown): boolean {
  return error instanceof Error && denials.has(error);
}

/** The 404 of a sandbox that does not exist or that the caller may not read (same body). */
export function sandboxNotFound(sandboxId: string): NotFoundError {
  return new NotFoundError(`Sandbox ${sandboxId} not found.`);
}

/** A 403 for an action the caller may not perform. */
export function notAllowed(message: string): NotAllowedError {
  return denied(new NotAllowedError(message));
}
