import type { Knex } from 'knex';
import { num, QUOTAS_TABLE } from './governanceDatabase';
import type { QuotaLimits } from './quotaLimits';

/** One database override of a team's (or the default) limits. */
export interface QuotaOverride {
  /** `default` or a lower-case group ref. */
  team: string;
  /** The limits this override sets (absent: inherited; `null`: no limit). */
  limits: QuotaLimits;
  /** Epoch ms (UTC) of the last change. */
  updatedAt: number;
  /** Actor of the last change. */
  updatedBy: string;
}

type Row = {
  team: string;
  limits: string;
  updated_at: number | string;
  updated_by: string;
};

const toOverride = (row: Row): QuotaOverride => ({
  team: row.team,
  limits: JSON.parse(row.limits),
  updatedAt: num(row.updated_at),
  updatedBy: row.updated_by,
});

/**
 * The database overrides of `opensandbox.quotas` (table `opensandbox_quotas`), one row per quota
 * key. Keys and limits are validated by the caller (`quotaKeyOf`, `parseQuotaLimits`).
 */
export class QuotaStore {
  constructor(
    private readonly knex: Knex,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Every override, by key. */
  async list(): Promise<QuotaOverride[]> {
    const rows: Row[] = await this.knex(QUOTAS_TABLE)
      .orderBy('team')
      .select('*');
    return rows.map(toOverride);
  }

  /** The overrides of `keys` (missing ones are absent from the map). */
  async getMany(keys: string[]): Promise<Map<string, QuotaOverride>> {
    const rows: Row[] = await this.knex(QUOTAS_TABLE)
      .whereIn('team', keys)
      .select('*');
    return new Map(rows.map(r => [r.team, toOverride(r)]));
  }

  /**
   * Replaces the override of `team` (PUT semantics), in one transaction.
   * @returns the override before the change (undefined when there was none) and after.
   */
  async put(
    team: string,
    limits: QuotaLimits,
    actor: string,
  ): Promise<{ before?: QuotaOverride; after: QuotaOverride }> {
    return this.knex.transaction(async tx => {
      const before: Row | undefined = await tx(QUOTAS_TABLE)
        .where({ team })
        .first();
      const row: Row = {
        team,
        limits: JSON.stringify(limits),
        updated_at: this.clock(),
        updated_by: actor,
      };
      await tx(QUOTAS_TABLE)
        .insert(row)
        .onConflict('team')
        .merge(['limits', 'updated_at', 'updated_by']);
      return {
        before: before ? toOverride(before) : undefined,
        after: toOverride(row),
      };
    });
  }

  /**
   * Removes the override of `team` (back to the config).
   * @returns the removed override, or undefined when there was none.
   */
  async delete(team: string): Promise<QuotaOverride | undefined> {
    return this.knex.transaction(async tx => {
      const before: Row | undefined = await tx(QUOTAS_TABLE)
        .where({ team })
        .first();
      if (before) await tx(QUOTAS_TABLE).where({ team }).delete();
      return before ? toOverride(before) : undefined;
    });
  }
}
