/**
 * The per-sandbox caps, as pure checks: what a create, renewal or resume asks against a team's
 * resolved limits. The first violation is returned (plain data; `quotaExceeded` in `../errors`
 * makes the 403). The concurrent count (`maxSandboxes`) is not here: it needs the database
 * (`QuotaReservations`).
 */
import type { CreateSandboxRequest } from '@opensandbox-console/plugin-opensandbox-common';
import type { QuotaViolation } from '../errors';
import { imageAllowed, normalizeImageReference } from './imageRegistries';
import { parseQuantity } from './quantities';
import type { ResolvedQuotaLimits } from './quotaLimits';

/**
 * Caps of a create: `maxTimeoutSeconds` (a request without expiration exceeds any cap),
 * `allowedImageRegistries` (image creates; a snapshot create keeps the image its snapshot was
 * taken from), `maxCpu` and `maxMemory` (`resourceLimits.cpu` / `.memory` must be given and at
 * most the cap).
 */
export function checkCreateCaps(
  limits: ResolvedQuotaLimits,
  team: string | undefined,
  request: CreateSandboxRequest,
): QuotaViolation | undefined {
  if (limits.maxTimeoutSeconds !== null) {
    const timeout =
      typeof request.timeout === 'number' ? request.timeout : null;
    if (timeout === null || timeout > limits.maxTimeoutSeconds) {
      return {
        limit: 'maxTimeoutSeconds',
        team,
        value: limits.maxTimeoutSeconds,
        requested: timeout,
      };
    }
  }
  const image = request.image?.uri;
  if (
    limits.allowedImageRegistries !== null &&
    typeof image === 'string' &&
    !imageAllowed(image, limits.allowedImageRegistries)
  ) {
    return {
      limit: 'allowedImageRegistries',
      team,
      value: limits.allowedImageRegistries,
      requested: normalizeImageReference(image),
      action: 'create',
    };
  }
  for (const [limit, key] of [
    ['maxCpu', 'cpu'],
    ['maxMemory', 'memory'],
  ] as const) {
    const cap = limits[limit];
    if (cap === null) continue;
    const asked = (
      request.resourceLimits as Record<string, unknown> | undefined
    )?.[key];
    const askedValue =
      typeof asked === 'string' ? parseQuantity(asked) : undefined;
    if (askedValue === undefined || askedValue > parseQuantity(cap)!) {
      return {
        limit,
        team,
        value: cap,
        requested: typeof asked === 'string' ? asked : null,
      };
    }
  }
  return undefined;
}

/**
 * The renew horizon: the new expiry may be at most `maxRenewSeconds` from `now`. A renewal that
 * does not move the expiry later (a shortening) always passes.
 */
export function checkRenewCap(
  limits: ResolvedQuotaLimits,
  team: string | undefined,
  expiresAt: string,
  currentExpiresAt: string | undefined,
  now: number,
): QuotaViolation | undefined {
  if (limits.maxRenewSeconds === null) return undefined;
  const target = Date.parse(expiresAt);
  if (currentExpiresAt !== undefined && target <= Date.parse(currentExpiresAt))
    return undefined;
  const seconds = Math.ceil((target - now) / 1000);
  if (seconds <= limits.maxRenewSeconds) return undefined;
  return {
    limit: 'maxRenewSeconds',
    team,
    value: limits.maxRenewSeconds,
    requested: seconds,
  };
}

/**
 * Caps of a resume that depend on the sandbox alone: its image must still be from an allowed
 * registry (the sandbox's `resourceLimits` are not in upstream's answer, so CPU and memory
 * caps apply at create only).
 */
export function checkResumeCaps(
  limits: ResolvedQuotaLimits,
  team: string | undefined,
  imageUri: string | undefined,
): QuotaViolation | undefined {
  if (limits.allowedImageRegistries === null || typeof imageUri !== 'string')
    return undefined;
  if (imageAllowed(imageUri, limits.allowedImageRegistries)) return undefined;
  return {
    limit: 'allowedImageRegistries',
    team,
    value: limits.allowedImageRegistries,
    requested: normalizeImageReference(imageUri),
    action: 'resume',
  };
}
