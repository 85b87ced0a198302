import { useCallback } from 'react';
import { InfoCard } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import {
  AuditEventsPageOptions,
  OpenSandboxApi,
  opensandboxApiRef,
} from '../api';
import { auditRouteRef } from '../routes';
import { auditFilterToSearch } from '../lib/audit';
import { AuditColumn, AuditEventsTable } from './AuditEventsTable';
import { useAuditGate } from './permissions';
import { usePagedAuditEvents } from './useAuditEvents';

/** Rows per page of the history card. */
export const HISTORY_PAGE_SIZE = 10;

const HISTORY_COLUMNS: AuditColumn[] = [
  'time',
  'actor',
  'action',
  'outcome',
  'error',
];

/**
 * The history of one sandbox: its audit events (`GET /sandboxes/:id/history`), newest first, with
 * "Load more", each row expandable to its details and before/after diff. Shown to everyone who may
 * read the sandbox (the server decides; an error is shown in the card). Users with
 * `opensandbox.audit.read` also get a link to the audit log filtered by the sandbox.
 */
export function SandboxHistoryCard(props: {
  api: OpenSandboxApi;
  sandboxId: string;
  server?: string;
}) {
  const { api, sandboxId, server } = props;
  const auditLink = useRouteRef(auditRouteRef);
  const auditGate = useAuditGate();
  const fetchPage = useCallback(
    (page: AuditEventsPageOptions) =>
      api.listSandboxHistory(sandboxId, server ? { ...page, server } : page),
    [api, sandboxId, server],
  );
  const events = usePagedAuditEvents(fetchPage, HISTORY_PAGE_SIZE);
  return (
    <InfoCard
      title="History"
      subheader="What was done to this sandbox and by whom, newest first (times in UTC)"
      {...(auditGate.allowed
        ? {
            deepLink: {
              title: 'Open in audit log',
              link: `${auditLink()}?${auditFilterToSearch({ sandboxId })}`,
            },
          }
        : {})}
    >
      <div data-testid="sandbox-history">
        <AuditEventsTable
          events={events}
          columns={HISTORY_COLUMNS}
          label="Sandbox history"
          emptyText="No audit events for this sandbox."
        />
      </div>
    </InfoCard>
  );
}

/**
 * {@link SandboxHistoryCard} with the plugin's API from context: drop it anywhere inside the
 * plugin's pages (`<SandboxHistory sandboxId={id} server={server} />`).
 */
export function SandboxHistory(props: { sandboxId: string; server?: string }) {
  const api = useApi(opensandboxApiRef);
  return (
    <SandboxHistoryCard
      api={api}
      sandboxId={props.sandboxId}
      server={props.server}
    />
  );
}
