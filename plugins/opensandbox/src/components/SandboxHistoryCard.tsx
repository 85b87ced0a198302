import { InfoCard } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import type { OpenSandboxApi } from '../api';
import { auditRouteRef } from '../routes';
import { auditFilterToSearch } from '../lib/audit';
import { AuditColumn, AuditEventsTable } from './AuditEventsTable';
import { useAuditEvents } from './useAuditEvents';

/** Rows per page of the history card. */
export const HISTORY_PAGE_SIZE = 10;

const HISTORY_COLUMNS: AuditColumn[] = [
  'time',
  'actor',
  'action',
  'outcome',
  'httpStatus',
  'error',
  'requestId',
];

/**
 * The audit events of one sandbox (`sandboxId` filter), newest first, with "Load more" and a link
 * to the audit log filtered by the sandbox. Render it only for users with `opensandbox.audit.read`.
 */
export function SandboxHistoryCard(props: { api: OpenSandboxApi; sandboxId: string }) {
  const { api, sandboxId } = props;
  const auditLink = useRouteRef(auditRouteRef);
  const events = useAuditEvents(api, { sandboxId }, HISTORY_PAGE_SIZE);
  return (
    <InfoCard
      title="History"
      subheader="Audit events of this sandbox, newest first (times in UTC)"
      deepLink={{
        title: 'Open in audit log',
        link: `${auditLink()}?${auditFilterToSearch({ sandboxId })}`,
      }}
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
