import type { LoggerService } from '@backstage/backend-plugin-api';
import type { SignalsService } from '@backstage/plugin-signals-node';
import {
  SANDBOX_CHANGES_CHANNEL,
  SandboxChangeSignal,
} from '@opensandbox-console/plugin-opensandbox-common';
import type { SandboxInventoryStore } from '../inventory/SandboxInventoryStore';
import type { InventoryChange } from '../operations/SandboxOperationPipeline';

/** Default of {@link LiveStatusPublisherOptions.coalesceMs}. */
export const DEFAULT_COALESCE_MS = 200;

/** Options of {@link LiveStatusPublisher}. */
export interface LiveStatusPublisherOptions {
  /** The signals service (`signalsServiceRef` of `@backstage/plugin-signals-node`). */
  signals: Pick<SignalsService, 'publish'>;
  /** Reads the version the signal carries. */
  inventory: Pick<SandboxInventoryStore, 'currentVersion'>;
  logger: LoggerService;
  /**
   * Changes arriving within this many ms are published as ONE signal (a bulk action or a burst
   * of operations is one message per window, not one per sandbox). Default 200; 0 publishes each
   * change on its own (still asynchronously).
   */
  coalesceMs?: number;
}

/**
 * Live status: publishes a Backstage signal on {@link SANDBOX_CHANGES_CHANNEL} whenever the
 * inventory saw a change (the pipeline's `onInventoryChange`). The signal is a broadcast and
 * carries no sandbox id or detail — only the servers, how many sandboxes changed and the
 * inventory version — so no user learns about a sandbox it may not read; pages then ask
 * `GET /changes?since=<version>`, which is filtered by the caller's read permission.
 *
 * Publishing never fails an operation: errors are logged (warn) and the pages' fallback poll and
 * the next change catch up.
 */
export class LiveStatusPublisher {
  readonly #o: LiveStatusPublisherOptions;
  readonly #coalesceMs: number;
  #pending = new Map<
    string,
    { server: string; source: InventoryChange['source'] }
  >();
  #timer?: ReturnType<typeof setTimeout>;
  #flushing: Promise<void> = Promise.resolve();

  constructor(options: LiveStatusPublisherOptions) {
    this.#o = options;
    this.#coalesceMs = options.coalesceMs ?? DEFAULT_COALESCE_MS;
  }

  /** Queues a change; the signal follows within `coalesceMs`. Never throws. */
  publish(change: InventoryChange): void {
    for (const id of change.ids) {
      const key = `${change.server}\u0000${id}`;
      const known = this.#pending.get(key);
      // A console change in the window wins: the signal says `console` when any was.
      if (!known || change.source === 'console')
        this.#pending.set(key, {
          server: change.server,
          source: change.source,
        });
    }
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        void this.flush();
      }, this.#coalesceMs);
      this.#timer.unref?.();
    }
  }

  /** Publishes what is queued now (tests; shutdown). Resolves once sent (or failed and logged). */
  flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const pending = [...this.#pending.values()];
    this.#pending = new Map();
    if (pending.length === 0) return this.#flushing;
    // Signals go out in order: a later signal never carries an older version.
    this.#flushing = this.#flushing.then(() => this.#send(pending));
    return this.#flushing;
  }

  async #send(
    pending: Array<{ server: string; source: InventoryChange['source'] }>,
  ): Promise<void> {
    try {
      const message: SandboxChangeSignal = {
        version: await this.#o.inventory.currentVersion(),
        servers: [...new Set(pending.map(p => p.server))].sort(),
        count: pending.length,
        source: pending.some(p => p.source === 'console') ? 'console' : 'sync',
      };
      await this.#o.signals.publish<
        SandboxChangeSignal & { [key: string]: any }
      >({
        recipients: { type: 'broadcast' },
        channel: SANDBOX_CHANGES_CHANNEL,
        message,
      });
    } catch (error) {
      this.#o.logger.warn(
        `Could not publish the live status signal on ${SANDBOX_CHANGES_CHANNEL}`,
        error as Error,
      );
    }
  }
}
