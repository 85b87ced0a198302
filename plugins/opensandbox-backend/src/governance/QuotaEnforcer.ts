import type { LoggerService } from '@backstage/backend-plugin-api';
import type { CreateSandboxRequest } from '@opensandbox-console/plugin-opensandbox-common';
import { quotaExceeded, quotaUnavailable, QuotaViolation } from '../errors';
import { checkCreateCaps, checkRenewCap, checkResumeCaps } from './quotaChecks';
import type { QuotaConfig } from './quotaConfig';
import {
  DEFAULT_QUOTA_KEY,
  QuotaLimitKey,
  QuotaSource,
  ResolvedQuotaLimits,
  resolveQuotaLimits,
} from './quotaLimits';
import type { QuotaReservations, TeamUsage } from './QuotaReservations';
import type { QuotaStore } from './QuotaStore';

/**
 * Whether the caller is exempt from quotas (its decision for `opensandbox.admin.manage` is
 * ALLOW). Asked only when a limit would refuse, so ordinary requests cost no extra decision.
 */
export type Exemption = () => Promise<boolean>;

/** A team's limits, each resolved from the most specific layer that sets it. */
export interface EffectiveQuota {
  /** Lower-case group ref; null for sandboxes without a team (the default layers only). */
  team: string | null;
  limits: ResolvedQuotaLimits;
  sources: Record<QuotaLimitKey, QuotaSource>;
}

/** A team's limits with its usage (`GET /quotas`). */
export interface QuotaStatus extends EffectiveQuota {
  usage: TeamUsage;
  /** Sandboxes the team may still create; null when `maxSandboxes` is not limited. */
  remaining: number | null;
}

/**
 * The quota a create holds while it runs; the pipeline reports the create's outcome exactly once.
 * Never throws (a failure to release is logged; the reservation then expires).
 */
export interface QuotaReservation {
  /** The create failed. `outcomeUnknown`: the sandbox may exist, keep counting until expiry. */
  failed(outcomeUnknown: boolean): Promise<void>;
  /** The create succeeded and its sandbox was written to the inventory. */
  succeeded(): Promise<void>;
}

const NO_RESERVATION: QuotaReservation = {
  failed: async () => {},
  succeeded: async () => {},
};

/** Options of {@link QuotaEnforcer}. */
export interface QuotaEnforcerOptions {
  /** `opensandbox.quotas` (the config layers). */
  config: QuotaConfig;
  /** The database layers (admin API). */
  store: QuotaStore;
  reservations: QuotaReservations;
  logger: LoggerService;
}

/**
 * Team quotas and caps, enforced by the operation pipeline before any upstream call (create,
 * renew, resume; bulk and agent actions call the same pipeline). Limits are resolved per request
 * from the database and the config (no cache: a change through the admin API holds on every
 * replica at once). Every refusal is the 403 of `quotaExceeded`, unless the caller is exempt.
 */
export class QuotaEnforcer {
  constructor(private readonly options: QuotaEnforcerOptions) {}

  /** The resolved limits of `team` (a lower-case group ref), or the default ones. */
  async limitsFor(team: string | undefined): Promise<EffectiveQuota> {
    const key = team ?? null;
    const overrides = await this.options.store.getMany(
      key ? [DEFAULT_QUOTA_KEY, key] : [DEFAULT_QUOTA_KEY],
    );
    const { limits, sources } = resolveQuotaLimits({
      databaseTeam: key ? overrides.get(key)?.limits : undefined,
      configTeam: key ? this.options.config.teams[key] : undefined,
      databaseDefault: overrides.get(DEFAULT_QUOTA_KEY)?.limits,
      configDefault: this.options.config.default,
    });
    return { team: key, limits, sources };
  }

  /** The team's limits, usage and remaining sandboxes. */
  async status(team: string): Promise<QuotaStatus> {
    const [quota, usage] = await Promise.all([
      this.limitsFor(team),
      this.options.reservations.usage(team),
    ]);
    const max = quota.limits.maxSandboxes;
    return {
      ...quota,
      usage,
      remaining:
        max === null
          ? null
          : Math.max(0, max - usage.sandboxes - usage.reserved),
    };
  }

  /**
   * A create: the caps, then (for a team with `maxSandboxes`) a reservation made in the database
   * under the team's lock. An exempt caller passes every check and still reserves (its create
   * counts for the others).
   * @throws the 403 of `quotaExceeded` naming the limit, its value and the usage or request.
   */
  async admitCreate(
    input: {
      team?: string;
      request: CreateSandboxRequest;
      createToken: string;
      server: string;
      ttlMs: number;
    },
    exempt: Exemption,
  ): Promise<QuotaReservation> {
    const { team } = input;
    const { limits } = await this.#guard(() => this.limitsFor(team));
    await this.#refuseUnlessExempt(
      checkCreateCaps(limits, team, input.request),
      exempt,
    );
    if (!team || limits.maxSandboxes === null) return NO_RESERVATION;
    const reserve = (limit: number | null) =>
      this.#guard(() =>
        this.options.reservations.reserve({
          team,
          limit,
          createToken: input.createToken,
          server: input.server,
          ttlMs: input.ttlMs,
        }),
      );
    const first = await reserve(limits.maxSandboxes);
    if (first.reservationId) return this.#handle(first.reservationId);
    const { usage } = first;
    await this.#refuseUnlessExempt(
      {
        limit: 'maxSandboxes',
        team,
        value: limits.maxSandboxes,
        usage: usage.sandboxes + usage.reserved,
        action: 'create',
      },
      exempt,
    );
    const forced = await reserve(null);
    return this.#handle(forced.reservationId!);
  }

  /**
   * A renewal: the new expiry within `maxRenewSeconds` from `now`.
   * @throws the 403 of `quotaExceeded`.
   */
  async admitRenew(
    input: {
      team?: string;
      expiresAt: string;
      currentExpiresAt?: string;
      now: number;
    },
    exempt: Exemption,
  ): Promise<void> {
    const { limits } = await this.#guard(() => this.limitsFor(input.team));
    await this.#refuseUnlessExempt(
      checkRenewCap(
        limits,
        input.team,
        input.expiresAt,
        input.currentExpiresAt,
        input.now,
      ),
      exempt,
    );
  }

  /**
   * A resume: the sandbox's image still from an allowed registry, and the team within
   * `maxSandboxes` (the paused sandbox already counts, so the team may be AT its quota, not over).
   * @throws the 403 of `quotaExceeded`.
   */
  async admitResume(
    input: { team?: string; imageUri?: string },
    exempt: Exemption,
  ): Promise<void> {
    const { team } = input;
    const { limits } = await this.#guard(() => this.limitsFor(team));
    await this.#refuseUnlessExempt(
      checkResumeCaps(limits, team, input.imageUri),
      exempt,
    );
    if (!team || limits.maxSandboxes === null) return;
    const usage = await this.#guard(() =>
      this.options.reservations.usage(team),
    );
    const used = usage.sandboxes + usage.reserved;
    if (used > limits.maxSandboxes) {
      await this.#refuseUnlessExempt(
        {
          limit: 'maxSandboxes',
          team,
          value: limits.maxSandboxes,
          usage: used,
          action: 'resume',
        },
        exempt,
      );
    }
  }

  async #refuseUnlessExempt(
    violation: QuotaViolation | undefined,
    exempt: Exemption,
  ): Promise<void> {
    if (violation && !(await exempt())) throw quotaExceeded(violation);
  }

  /** Database failures: 503, the operation is not performed (quotas fail closed). */
  async #guard<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      this.options.logger.error(
        'Quota check failed; refusing the operation',
        error as Error,
      );
      throw quotaUnavailable();
    }
  }

  #handle(id: string): QuotaReservation {
    const { reservations, logger } = this.options;
    let done = false;
    const once = async (what: string, run: () => Promise<unknown>) => {
      if (done) return;
      done = true;
      try {
        await run();
      } catch (error) {
        logger.warn(
          `Could not ${what} quota reservation ${id}; it expires by itself`,
          error as Error,
        );
      }
    };
    return {
      failed: outcomeUnknown =>
        once('release', () =>
          outcomeUnknown ? Promise.resolve() : reservations.release(id),
        ),
      succeeded: () => once('settle', () => reservations.settle(id)),
    };
  }
}
