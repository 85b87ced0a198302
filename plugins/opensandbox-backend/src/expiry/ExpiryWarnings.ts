import type {
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { NotificationPayload } from '@backstage/plugin-notifications-common';
import type { ConsoleSandbox } from '@opensandbox-console/plugin-opensandbox-common';
import type {
  InventoryEntry,
  SandboxInventoryStore,
} from '../inventory/SandboxInventoryStore';
import type { ExpiryWarningsConfig } from './expiryWarningsConfig';
import type {
  ExpiryWarningKey,
  ExpiryWarningStore,
} from './ExpiryWarningStore';

/** Scheduler task id of the expiry warnings. */
export const EXPIRY_WARNINGS_TASK_ID = 'opensandbox-expiry-warnings';

/** Notification topic of the warnings (the notifications page filters by it). */
export const EXPIRY_WARNING_TOPIC = 'Sandbox expiry';

/** Rows of expiries longer ago than this are pruned (ms): 7 days. */
const PRUNE_AFTER_MS = 7 * 86_400_000;

/** Inventory rows read per query. */
const SCAN_PAGE = 1000;

/** Options of {@link ExpiryWarnings}. */
export interface ExpiryWarningsOptions {
  inventory: Pick<SandboxInventoryStore, 'expiringBetween'>;
  store: Pick<
    ExpiryWarningStore,
    'claim' | 'markSent' | 'markFailed' | 'prune'
  >;
  /** `notificationService` of `@backstage/plugin-notifications-node`. */
  notifications: Pick<NotificationService, 'send'>;
  config: ExpiryWarningsConfig;
  logger: LoggerService;
  /** Current time, epoch ms. Default `Date.now`. */
  clock?: () => number;
}

/** What one {@link ExpiryWarnings.run} did. */
export interface ExpiryWarningsRunResult {
  /** Sandboxes expiring within the largest lead time (not Terminated). */
  scanned: number;
  /** Warnings sent now. */
  sent: number;
  /** Warnings due but already claimed (sent earlier, by another run or replica). */
  alreadyClaimed: number;
  /** Sandboxes without owner and team (nobody to tell), or without a readable expiry. */
  skipped: number;
  /** Sends the notifications service refused (retried by a later run). */
  failed: number;
}

/** `1 minute`, `25 minutes`, `1 hour`, `2 hours`, `1 hour 30 minutes`. */
export function formatDuration(minutes: number): string {
  const plural = (n: number, unit: string) =>
    `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0
    ? plural(hours, 'hour')
    : `${plural(hours, 'hour')} ${plural(rest, 'minute')}`;
}

/**
 * The lead time due for a sandbox `remainingMs` before its expiry: the smallest lead time that is
 * at least the remaining time (with `[60, 10]`: 45 minutes left → 60, 5 left → 10); undefined
 * when none is (more time left than the largest lead time). An earlier lead time that was never
 * sent (the sandbox was created or renewed inside it, the console was down) is superseded.
 */
export function dueLeadMinutes(
  leadTimesMinutes: number[],
  remainingMs: number,
): number | undefined {
  let due: number | undefined;
  for (const lead of leadTimesMinutes)
    if (remainingMs <= lead * 60_000 && (due === undefined || lead < due))
      due = lead;
  return due;
}

/** The app link of a sandbox's detail page that opens its renew dialog. */
export function renewLink(
  linkBasePath: string,
  server: string,
  sandboxId: string,
): string {
  return `${linkBasePath}/servers/${encodeURIComponent(
    server,
  )}/sandboxes/${encodeURIComponent(sandboxId)}?renew=1`;
}

/**
 * Expiry warnings: scans the inventory for sandboxes expiring within the largest lead time
 * (`opensandbox.expiryWarnings.leadTimesMinutes`, default `[60, 10]`) and notifies each one's owner
 * and team (Backstage notifications, recipients `{ type: 'entity', entityRef: [owner, team] }`)
 * once per lead time and expiry, with a link to the sandbox that opens its renew dialog.
 *
 * No duplicates: each warning is claimed in the database BEFORE it is sent (see
 * {@link ExpiryWarningStore}), so replicas, overlapping runs and restarts send it once. A renewal
 * changes `expiresAt`, so the warnings of the new expiry are due again. Notifications share one
 * scope per sandbox (`opensandbox:expiry:<server>/<id>`): a later warning replaces the earlier one
 * in the recipient's list (marked unread again) instead of piling up.
 */
export class ExpiryWarnings {
  readonly #o: ExpiryWarningsOptions;
  readonly #clock: () => number;

  constructor(options: ExpiryWarningsOptions) {
    this.#o = options;
    this.#clock = options.clock ?? Date.now;
  }

  /** One scan; sends what is due. Errors of single sends are recorded, not thrown. */
  async run(): Promise<ExpiryWarningsRunResult> {
    const { config } = this.#o;
    const result: ExpiryWarningsRunResult = {
      scanned: 0,
      sent: 0,
      alreadyClaimed: 0,
      skipped: 0,
      failed: 0,
    };
    const now = this.#clock();
    const largest = Math.max(...config.leadTimesMinutes);
    for (const entry of await this.#expiring(now, now + largest * 60_000)) {
      result.scanned += 1;
      const outcome = await this.#warn(entry, now);
      result[outcome] += 1;
    }
    await this.#o.store.prune(now - PRUNE_AFTER_MS);
    if (result.sent + result.failed > 0) {
      this.#o.logger.info(
        `Expiry warnings: ${result.sent} sent, ${result.failed} failed, ${result.alreadyClaimed} already sent, ${result.skipped} skipped`,
      );
    }
    return result;
  }

  /** The inventory's sandboxes expiring in `[from, to)`, read in pages of {@link SCAN_PAGE}. */
  async #expiring(from: number, to: number): Promise<InventoryEntry[]> {
    const seen = new Map<string, InventoryEntry>();
    let cursor = from;
    for (;;) {
      const page = await this.#o.inventory.expiringBetween(
        cursor,
        to,
        SCAN_PAGE,
      );
      let added = 0;
      for (const entry of page) {
        const key = `${entry.server}\u0000${entry.sandbox.id}`;
        if (!seen.has(key)) {
          seen.set(key, entry);
          added += 1;
        }
      }
      if (page.length < SCAN_PAGE) break;
      if (added === 0) {
        this.#o.logger.warn(
          `Expiry warnings: more than ${SCAN_PAGE} sandboxes expire at the same millisecond; some were not scanned`,
        );
        break;
      }
      // The next page starts at the last expiry read (inclusive); sandboxes seen already are skipped.
      cursor = Date.parse(page[page.length - 1].sandbox.expiresAt!);
    }
    return [...seen.values()];
  }

  async #warn(
    entry: InventoryEntry,
    now: number,
  ): Promise<'sent' | 'alreadyClaimed' | 'skipped' | 'failed'> {
    const { config, store, notifications, logger } = this.#o;
    const sandbox = entry.sandbox;
    const expiresAt = Date.parse(sandbox.expiresAt ?? '');
    if (!Number.isFinite(expiresAt)) return 'skipped';
    const lead = dueLeadMinutes(config.leadTimesMinutes, expiresAt - now);
    if (lead === undefined) return 'skipped';
    const recipients = recipientsOf(sandbox);
    if (recipients.length === 0) return 'skipped';
    const key: ExpiryWarningKey = {
      server: entry.server,
      sandboxId: sandbox.id,
      expiresAt,
      leadMinutes: lead,
    };
    if (!(await store.claim(key, config.maxAttempts))) return 'alreadyClaimed';
    try {
      await notifications.send({
        recipients: { type: 'entity', entityRef: recipients },
        payload: this.#payload(entry, expiresAt, lead, now),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.warn(
        `Could not send the expiry warning of sandbox ${sandbox.id} (${entry.server}): ${message}`,
      );
      await store.markFailed(key, message);
      return 'failed';
    }
    await store.markSent(key, recipients);
    return 'sent';
  }

  #payload(
    entry: InventoryEntry,
    expiresAt: number,
    lead: number,
    now: number,
  ): NotificationPayload {
    const { sandbox, server } = entry;
    const name = sandbox.metadata?.name || sandbox.id;
    const left = formatDuration(
      Math.max(1, Math.ceil((expiresAt - now) / 60_000)),
    );
    const smallest = Math.min(...this.#o.config.leadTimesMinutes);
    const owners = [sandbox.ownership?.team, sandbox.ownership?.owner]
      .filter(Boolean)
      .join(', ');
    return {
      title: `Sandbox ${name} expires in ${left}`,
      description:
        `Sandbox ${name} (${sandbox.id}) on OpenSandbox server ${server}${
          owners ? `, owned by ${owners},` : ''
        } expires at ` +
        `${new Date(
          expiresAt,
        ).toISOString()} and is then deleted with its data. Open it and renew it to keep it.`,
      link: renewLink(this.#o.config.linkBasePath, server, sandbox.id),
      severity: lead === smallest ? 'high' : 'normal',
      topic: EXPIRY_WARNING_TOPIC,
      scope: `opensandbox:expiry:${server}/${sandbox.id}`,
      metadata: {
        server,
        sandboxId: sandbox.id,
        expiresAt: new Date(expiresAt).toISOString(),
        leadMinutes: lead,
      },
    };
  }
}

/** The owner (user ref) and team (group ref) of a sandbox, lower-case, without duplicates. */
export function recipientsOf(sandbox: ConsoleSandbox): string[] {
  const refs = [sandbox.ownership?.owner, sandbox.ownership?.team]
    .filter((r): r is string => typeof r === 'string' && r.length > 0)
    .map(r => r.toLocaleLowerCase('en-US'));
  return [...new Set(refs)];
}

/**
 * Schedules {@link ExpiryWarnings.run} as `opensandbox-expiry-warnings` every
 * `opensandbox.expiryWarnings.intervalSeconds` (default 60) with scope `global`: one replica at a
 * time (the database claim guards against overlaps anyway). Nothing is scheduled when disabled.
 */
export async function scheduleExpiryWarnings(options: {
  scheduler: SchedulerService;
  logger: LoggerService;
  config: ExpiryWarningsConfig;
  warnings: Pick<ExpiryWarnings, 'run'>;
}): Promise<void> {
  const { scheduler, logger, config, warnings } = options;
  if (!config.enabled) {
    logger.info(
      'Expiry warnings are disabled (opensandbox.expiryWarnings.enabled: false)',
    );
    return;
  }
  await scheduler.scheduleTask({
    id: EXPIRY_WARNINGS_TASK_ID,
    frequency: { seconds: config.intervalSeconds },
    timeout: { minutes: 5 },
    scope: 'global',
    fn: async () => {
      try {
        await warnings.run();
      } catch (error) {
        logger.warn(
          `Expiry warnings run failed: ${
            error instanceof Error ? error.message : String(error)
          }`,
        );
      }
    },
  });
}
