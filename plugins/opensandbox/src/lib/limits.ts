import { configApiRef, useApiHolder } from '@backstage/core-plugin-api';
import type { FieldError } from '@opensandbox-console/plugin-opensandbox-common';

/** Config key of the lifetime cap the backend enforces (visible to the frontend). */
export const MAX_TIMEOUT_CONFIG_KEY = 'opensandbox.maxTimeoutSeconds';

/**
 * The lifetime cap of sandboxes in seconds (`opensandbox.maxTimeoutSeconds`), or undefined when
 * the console sets none (or the app has no config API). The backend enforces it on create
 * (`timeout` required and at most the cap) and on renew (`expiresAt` at most now + cap).
 */
export function useMaxTimeoutSeconds(): number | undefined {
  const configApi = useApiHolder().get(configApiRef);
  const value = configApi?.getOptionalNumber(MAX_TIMEOUT_CONFIG_KEY);
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** The largest whole number of minutes within a cap in seconds (`86400` -> `1440`). */
export function capInMinutes(maxTimeoutSeconds: number): number {
  return Math.floor(maxTimeoutSeconds / 60);
}

/** `1 minute`, `90 minutes`. */
export function pluralMinutes(minutes: number): string {
  return `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
}

/**
 * A `timeout` / `expiresAt` error of the shared validators (stated in seconds) restated in the
 * minutes the forms use: `must be at least 60 seconds` -> `must be at least 1 minute`,
 * `must be at most 86400 seconds` -> `must be at most 1440 minutes`.
 */
export function secondsMessageInMinutes(message: string): string {
  return message.replace(/(\d+) seconds/g, (_match, seconds: string) =>
    pluralMinutes(Math.floor(Number(seconds) / 60)),
  );
}

/** {@link secondsMessageInMinutes} of a field error's message. */
export function fieldErrorInMinutes(error: FieldError): FieldError {
  return { ...error, message: secondsMessageInMinutes(error.message) };
}
