import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/core-plugin-api';
import type { FieldError } from '@opensandbox-console/plugin-opensandbox-common';
import { ConsoleSettings, opensandboxApiRef } from '../api/OpenSandboxApi';
import { EXPIRING_SOON_SECONDS } from './listState';

/** The console settings as the forms use them; see {@link useConsoleSettings}. */
export interface SettingsState {
  /** True until `GET /settings` answered (or failed). */
  loading: boolean;
  /** Why the settings could not be loaded; the forms then say so and leave the checks to the server. */
  error?: Error;
  /** The settings, once loaded. */
  settings?: ConsoleSettings;
  /**
   * The lifetime cap in seconds, or undefined when there is none OR it is not known (loading,
   * failed). Check `settings` to tell "no cap" from "unknown".
   */
  maxTimeoutSeconds?: number;
  /** Loads the settings again (after an error). */
  retry: () => void;
}

/**
 * The console settings from the backend (`GET /api/opensandbox/settings` through
 * `opensandboxApiRef`; the client fetches them once and caches them). The lifetime cap
 * (`opensandbox.maxTimeoutSeconds` of the backend) is enforced on create (`timeout` required and
 * at most the cap) and on renew (`expiresAt` at most now + cap). It is a backend setting: the
 * frontend config never has it.
 */
export function useConsoleSettings(): SettingsState {
  const api = useApi(opensandboxApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getSettings(),
    [api],
  );
  const cap = value?.maxTimeoutSeconds;
  return {
    loading: loading && !value,
    error: value ? undefined : error,
    settings: value,
    maxTimeoutSeconds:
      typeof cap === 'number' && Number.isFinite(cap) && cap > 0
        ? cap
        : undefined,
    retry,
  };
}

/**
 * The OpenSandbox servers of the console (`servers` of `GET /settings`), default first; empty
 * while loading, when the settings cannot be read and from older backends (the pages then show
 * no server column, filter or select).
 */
export function useServers(): string[] {
  const { settings } = useConsoleSettings();
  return settings?.servers ?? [];
}

/**
 * The "expiring soon" window in seconds (`expiringSoonSeconds` of `GET /settings`: the backend's
 * first expiry warning lead time); one hour while loading and from older backends.
 */
export function useExpiringSoonSeconds(): number {
  const { settings } = useConsoleSettings();
  const seconds = settings?.expiringSoonSeconds;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0
    ? seconds
    : EXPIRING_SOON_SECONDS;
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
