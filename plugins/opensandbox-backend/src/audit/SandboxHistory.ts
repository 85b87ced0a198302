/**
 * The history of one sandbox: its audit events, for whoever may read the sandbox.
 */
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ConsoleSandbox,
  OPENSANDBOX_SANDBOX_RESOURCE_TYPE,
  opensandboxAuditReadPermission,
  opensandboxSandboxHistoryReadPermission,
  opensandboxSandboxReadPermission,
} from '@opensandbox-console/plugin-opensandbox-common';
import { notAllowed, sandboxNotFound, sandboxNotReadable } from '../errors';
import type { SandboxInventoryStore } from '../inventory/SandboxInventoryStore';
import type { SandboxOperationPipeline } from '../operations/SandboxOperationPipeline';
import type { SandboxDecisions } from '../permissions/SandboxDecisions';
import type { DatabaseAuditStore } from './DatabaseAuditStore';
import { toAuditEventJson, AuditEventJson } from './auditEventJson';
import { allowsLastKnown, reconstructedSandbox } from './lastKnownSandbox';

/** Dependencies of {@link SandboxHistory}. */
export interface SandboxHistoryOptions {
  store: Pick<DatabaseAuditStore, 'query' | 'lastKnownOwnership'>;
  operations: Pick<SandboxOperationPipeline, 'findSandbox' | 'serverNames'>;
  inventory: Pick<SandboxInventoryStore, 'get'>;
  decisions: Pick<SandboxDecisions, 'decide' | 'allows'>;
}

/** One page of a sandbox's history, newest first; `nextCursor` absent on the last page. */
export interface SandboxHistoryPage {
  items: AuditEventJson[];
  nextCursor?: string;
}

/** How the sandbox was judged (logged by callers, asserted by tests). */
export type SandboxHistoryBasis = 'upstream' | 'inventory' | 'audit';

/**
 * `GET /sandboxes/{id}/history`: the audit events whose `sandboxId` is the sandbox, newest first
 * (keyset pages, like `GET /audit-events`), for callers allowed `opensandbox.sandbox.read` AND
 * `opensandbox.sandbox.history.read` on it — ONE decision (`SandboxDecisions.decide`, one
 * batched permission call also asking `opensandbox.audit.read`).
 *
 * Which sandbox is judged:
 * 1. upstream's sandbox (authoritative), when it exists;
 * 2. else the inventory's last copy (deleted outside the console, not yet synced away);
 * 3. else the sandbox rebuilt from its `succeeded` audit rows (creator and team); conditions on
 *    anything else (metadata, state) are unknown and deny (`./lastKnownSandbox`);
 * 4. nothing known and no events: the 404 of a missing sandbox, also for admins.
 *
 * Refusals: not readable → the same 404 as a missing sandbox (`Sandbox <id> not found.`);
 * readable but `history.read` refused → 403. Callers without `opensandbox.audit.read` get
 * `clientIp` and `userAgent` as null (other people's network details stay in the full log).
 */
export class SandboxHistory {
  constructor(private readonly options: SandboxHistoryOptions) {}

  /**
   * One page of the history.
   * @param query - `limit` 1-200 and `cursor` (already validated by `parseSandboxHistoryQuery`).
   * @throws NotFoundError (404), NotAllowedError (403), InputError naming `server`, upstream errors.
   */
  async read(
    credentials: BackstageCredentials,
    sandboxId: string,
    server: string | undefined,
    query: { limit?: number; cursor?: string; requestId?: string },
  ): Promise<SandboxHistoryPage & { basis: SandboxHistoryBasis }> {
    const { store, operations, inventory, decisions } = this.options;
    // The decision does not depend on the sandbox (conditions are applied locally below), so it
    // is asked while the sandbox loads; a load error (e.g. an unknown server, 400) wins.
    const decided = decisions.decide(credentials, [
      opensandboxSandboxReadPermission,
      opensandboxSandboxHistoryReadPermission,
      opensandboxAuditReadPermission,
    ]);
    decided.catch(() => undefined);
    const live = await operations.findSandbox(sandboxId, {
      server,
      requestId: query.requestId,
    });
    const serverName = server ?? operations.serverNames()[0];
    let sandbox: ConsoleSandbox | undefined = live;
    let basis: SandboxHistoryBasis = 'upstream';
    if (!sandbox) {
      sandbox = (await inventory.get(serverName, sandboxId))?.sandbox;
      basis = 'inventory';
    }
    const [read, history, auditRead] = await decided;
    let allows: (decision: typeof read) => boolean;
    if (sandbox) {
      const known = sandbox;
      allows = decision => decisions.allows(decision, known);
    } else {
      basis = 'audit';
      const rebuilt = reconstructedSandbox(
        sandboxId,
        serverName,
        await store.lastKnownOwnership(sandboxId),
      );
      allows = decision =>
        allowsLastKnown(decision, leaf =>
          decisions.allows(
            {
              result: AuthorizeResult.CONDITIONAL,
              pluginId: 'opensandbox',
              resourceType: OPENSANDBOX_SANDBOX_RESOURCE_TYPE,
              conditions: leaf,
            },
            rebuilt,
          ),
        );
    }
    if (!allows(read)) throw sandboxNotReadable(sandboxId);
    if (!allows(history)) {
      throw notAllowed(
        `You are not allowed to read the history of sandbox ${sandboxId} (${opensandboxSandboxHistoryReadPermission.name})`,
      );
    }
    const page = await store.query(
      { sandboxId },
      { limit: query.limit, cursor: query.cursor },
    );
    // A sandbox nobody knows anything about: the 404 of a missing sandbox (nothing to show).
    if (basis === 'audit' && page.items.length === 0 && !query.cursor)
      throw sandboxNotFound(sandboxId);
    const full = auditRead.result === AuthorizeResult.ALLOW;
    const items = page.items.map(record => {
      const event = toAuditEventJson(record);
      return full ? event : { ...event, clientIp: null, userAgent: null };
    });
    return {
      items,
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      basis,
    };
  }
}
