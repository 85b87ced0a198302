import { randomUUID } from 'node:crypto';
import express, { Request, Response } from 'express';
import Router from 'express-promise-router';
import type {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { opensandboxAuditReadPermission } from '@opensandbox-console/plugin-opensandbox-common';
import type { DatabaseAuditStore } from './DatabaseAuditStore';
import type { AuditEventRecord } from './records';
import { parseAuditEventsQuery, parseSandboxHistoryQuery } from './auditQuery';
import type { SandboxHistory } from './SandboxHistory';
import { parseSandboxId } from '../http/requestParsing';
import { toAuditEventJson } from './auditEventJson';
import { auditCsvHeader, auditCsvLine } from './csv';

/** Options of {@link createAuditEventsRouter}. */
export interface AuditEventsRouterOptions {
  store: Pick<DatabaseAuditStore, 'query' | 'stream'>;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  /** Serves `GET /sandboxes/{id}/history` (and its `/servers/{server}/...` alias) when given. */
  history?: SandboxHistory;
}

const EXPORTS = {
  csv: {
    type: 'text/csv; charset=utf-8',
    file: 'opensandbox-audit-events.csv',
  },
  ndjson: {
    type: 'application/x-ndjson; charset=utf-8',
    file: 'opensandbox-audit-events.ndjson',
  },
} as const;

/**
 * `GET /audit-events`: the audit log, for callers (user or service) allowed
 * `opensandbox.audit.read` (else 403). Query: `actor`, `action`, `sandboxId`, `team`, `outcome`,
 * `batchId` (the rows of one bulk operation),
 * `from`/`to` (ISO 8601 with zone, or epoch ms; `from` inclusive, `to` exclusive), `limit`
 * (1-200, default 50), `cursor`, `format`:
 * - `json` (default): `{ items, nextCursor? }`, newest first;
 * - `csv` / `ndjson`: the whole filtered set streamed as an attachment (no `limit`/`cursor`).
 * Invalid parameters answer 400 naming the parameter.
 */
export function createAuditEventsRouter(
  options: AuditEventsRouterOptions,
): express.Router {
  const { store, httpAuth, permissions } = options;
  const router = Router();

  router.get('/audit-events', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const [decision] = await permissions.authorize(
      [{ permission: opensandboxAuditReadPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError('not allowed to read the audit log');
    }
    const query = parseAuditEventsQuery(req.query as Record<string, unknown>);
    res.setHeader('Cache-Control', 'no-store');
    if (query.format === 'json') {
      const page = await store.query(query.filter, {
        limit: query.limit,
        cursor: query.cursor,
      });
      res.json({
        items: page.items.map(toAuditEventJson),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      });
      return;
    }
    const format = query.format;
    const lines = exportLines(store.stream(query.filter), format);
    await streamDownload(req, res, lines, EXPORTS[format]);
  });

  // The history of one sandbox (./SandboxHistory): whoever may read the sandbox. The id and the
  // query are checked first, the server name by the pipeline; all before any upstream call.
  const history = options.history;
  if (history) {
    const historyRoute = async (req: Request, res: Response) => {
      const incoming = req.header('x-request-id');
      const requestId =
        incoming && /^[A-Za-z0-9-]{8,64}$/.test(incoming)
          ? incoming
          : randomUUID();
      res.setHeader('X-Request-ID', requestId);
      const sandboxId = parseSandboxId(req.params.sandboxId);
      const query = parseSandboxHistoryQuery(
        req.query as Record<string, unknown>,
      );
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const { basis: _basis, ...page } = await history.read(
        credentials,
        sandboxId,
        req.params.server,
        { ...query, requestId },
      );
      res.setHeader('Cache-Control', 'no-store');
      res.json(page);
    };
    router.get('/sandboxes/:sandboxId/history', historyRoute);
    router.get('/servers/:server/sandboxes/:sandboxId/history', historyRoute);
  }

  return router;
}

async function* exportLines(
  records: AsyncIterable<AuditEventRecord>,
  format: 'csv' | 'ndjson',
): AsyncGenerator<string, void, undefined> {
  if (format === 'csv') yield auditCsvHeader();
  for await (const record of records) {
    const event = toAuditEventJson(record);
    yield format === 'csv' ? auditCsvLine(event) : `${JSON.stringify(event)}\n`;
  }
}

/**
 * Streams `lines` as an attachment with backpressure. The first line is produced before headers
 * are sent, so an early failure (database down) still answers a proper error; a later failure
 * aborts the connection (truncated download). Stops reading when the client goes away.
 */
async function streamDownload(
  _req: Request,
  res: Response,
  lines: AsyncGenerator<string, void, undefined>,
  kind: { type: string; file: string },
): Promise<void> {
  const first = await lines.next();
  res.status(200);
  res.setHeader('Content-Type', kind.type);
  res.setHeader('Content-Disposition', `attachment; filename="${kind.file}"`);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  let closed = false;
  const onClose = () => {
    closed = true;
  };
  res.on('close', onClose);
  try {
    let next = first;
    while (!next.done && !closed) {
      if (!res.write(next.value)) await drainOrClose(res);
      next = await lines.next();
    }
    if (closed) await lines.return(undefined);
    else res.end();
  } catch (error) {
    res.destroy(error as Error);
  } finally {
    res.off('close', onClose);
  }
}

function drainOrClose(res: Response): Promise<void> {
  return new Promise(resolve => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
