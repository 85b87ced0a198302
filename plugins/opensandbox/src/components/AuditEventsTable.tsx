import { ReactNode } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import IconButton from '@material-ui/core/IconButton';
import Link from '@material-ui/core/Link';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import FilterListIcon from '@material-ui/icons/FilterList';
import LinearProgress from '@material-ui/core/LinearProgress';
import Alert from '@material-ui/lab/Alert';
import { makeStyles } from '@material-ui/core/styles';
import { amber, blue, green, grey, red } from '@material-ui/core/colors';
import { useRouteRef } from '@backstage/core-plugin-api';
import type { AuditEvent } from '../api';
import { sandboxRouteRef } from '../routes';
import { formatAuditTime } from '../lib/audit';
import { errorMessage, SHORT_ID_LENGTH } from '../lib/format';
import type { AuditEventsState } from './useAuditEvents';
import { EntityLink } from './EntityLink';
import { FailureExplanationLink } from './FailureInsights';

const useStyles = makeStyles({
  succeeded: { backgroundColor: green[700], color: '#fff' },
  failed: { backgroundColor: red[700], color: '#fff' },
  denied: { backgroundColor: amber[800], color: '#000' },
  initiated: { backgroundColor: blue[600], color: '#fff' },
  unknown: { backgroundColor: grey[500], color: '#000' },
  code: { fontFamily: 'monospace', fontSize: '0.8rem', whiteSpace: 'nowrap' },
  nowrap: { whiteSpace: 'nowrap' },
  withFilter: { display: 'inline-flex', alignItems: 'center', whiteSpace: 'nowrap' },
  filterButton: { padding: 2, marginLeft: 2 },
  errorWithWhy: { display: 'flex', alignItems: 'baseline', minWidth: 0 },
  // Long error texts take one line, cut with an ellipsis; the full text is in a tooltip.
  error: {
    display: 'block',
    maxWidth: 360,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  },
});

/** The filters a table cell can set (see `onFilter` of {@link AuditEventsTable}). */
export type AuditFilterKey = 'actor' | 'sandboxId' | 'team';

const FILTER_LABELS: Record<AuditFilterKey, string> = {
  actor: 'actor',
  sandboxId: 'sandbox',
  team: 'team',
};

/** A cell's content followed by a small "filter by this value" button when `onFilter` is given. */
function Filterable(props: {
  filterKey: AuditFilterKey;
  value: string | null;
  onFilter?: (key: AuditFilterKey, value: string) => void;
  children: ReactNode;
}) {
  const classes = useStyles();
  const { filterKey, value, onFilter, children } = props;
  if (!onFilter || !value) return <span className={classes.nowrap}>{children}</span>;
  const label = `Filter by ${FILTER_LABELS[filterKey]} ${value}`;
  return (
    <span className={classes.withFilter}>
      {children}
      <Tooltip title={label}>
        <IconButton
          size="small"
          className={classes.filterButton}
          aria-label={label}
          onClick={() => onFilter(filterKey, value)}
          data-testid={`audit-filter-${filterKey}`}
        >
          <FilterListIcon fontSize="inherit" />
        </IconButton>
      </Tooltip>
    </span>
  );
}

type OutcomeClass = 'succeeded' | 'failed' | 'denied' | 'initiated' | 'unknown';

/** A coloured chip for an audit outcome. */
export function OutcomeChip(props: { outcome: string }) {
  const classes = useStyles();
  const known: OutcomeClass[] = ['succeeded', 'failed', 'denied', 'initiated'];
  const category = (known as string[]).includes(props.outcome) ? (props.outcome as OutcomeClass) : 'unknown';
  return (
    <Chip
      size="small"
      label={props.outcome}
      className={classes[category]}
      data-testid="audit-outcome"
      data-outcome={props.outcome}
    />
  );
}

function SandboxCell(props: { sandboxId: string | null }) {
  const sandboxLink = useRouteRef(sandboxRouteRef);
  if (!props.sandboxId) return <>-</>;
  const short =
    props.sandboxId.length > SHORT_ID_LENGTH ? props.sandboxId.slice(0, SHORT_ID_LENGTH) : props.sandboxId;
  return (
    <Link
      component={RouterLink}
      to={sandboxLink({ sandboxId: props.sandboxId })}
      title={props.sandboxId}
      data-testid="audit-sandbox-link"
    >
      {short}
    </Link>
  );
}

/** Columns of {@link AuditEventsTable}; `sandbox` and `team` can be left out (history card). */
export type AuditColumn =
  | 'time'
  | 'actor'
  | 'action'
  | 'sandbox'
  | 'team'
  | 'outcome'
  | 'httpStatus'
  | 'error'
  | 'requestId';

/** Every column, in display order. */
export const ALL_AUDIT_COLUMNS: AuditColumn[] = [
  'time',
  'actor',
  'action',
  'sandbox',
  'team',
  'outcome',
  'httpStatus',
  'error',
  'requestId',
];

const HEADERS: Record<AuditColumn, string> = {
  time: 'Time (UTC)',
  actor: 'Actor',
  action: 'Action',
  sandbox: 'Sandbox',
  team: 'Team',
  outcome: 'Outcome',
  httpStatus: 'HTTP status',
  error: 'Error',
  requestId: 'Request ID',
};

/**
 * Columns that hold short values and must not wrap (ids, refs, numbers); the error column takes
 * the remaining width and truncates.
 */
const NOWRAP_COLUMNS: AuditColumn[] = ['time', 'actor', 'action', 'sandbox', 'team', 'outcome', 'httpStatus', 'requestId'];

function Cell(props: {
  event: AuditEvent;
  column: AuditColumn;
  onFilter?: (key: AuditFilterKey, value: string) => void;
}) {
  const { event, column, onFilter } = props;
  const classes = useStyles();
  switch (column) {
    case 'time':
      return <span className={classes.nowrap}>{formatAuditTime(event.occurredAt)}</span>;
    case 'actor':
      // Users link to the catalog; service principals stay raw text.
      return (
        <Filterable filterKey="actor" value={event.actor} onFilter={onFilter}>
          {event.actorType === 'user' ? (
            <EntityLink entityRef={event.actor} testId="audit-actor-link" />
          ) : (
            <>{event.actor} (service)</>
          )}
        </Filterable>
      );
    case 'action':
      return <span className={classes.nowrap}>{event.action}</span>;
    case 'sandbox':
      return (
        <Filterable filterKey="sandboxId" value={event.sandboxId} onFilter={onFilter}>
          <SandboxCell sandboxId={event.sandboxId} />
        </Filterable>
      );
    case 'team':
      return (
        <Filterable filterKey="team" value={event.team} onFilter={onFilter}>
          <EntityLink entityRef={event.team} testId="audit-team-link" />
        </Filterable>
      );
    case 'outcome':
      return <OutcomeChip outcome={event.outcome} />;
    case 'httpStatus':
      return <span className={classes.nowrap}>{event.httpStatus ?? '-'}</span>;
    case 'error': {
      const text = [event.errorCode, event.errorMessage].filter(Boolean).join(': ');
      if (!text) return <>-</>;
      // A failed, denied or unknown row links to the explanation of its error code ("Why?").
      return (
        <span className={classes.errorWithWhy}>
          <Tooltip title={text}>
            <span className={classes.error} data-testid="audit-error-text">
              {text}
            </span>
          </Tooltip>
          {event.outcome !== 'succeeded' && event.errorCode && (
            <FailureExplanationLink facts={{ errorCode: event.errorCode, message: event.errorMessage ?? undefined }} />
          )}
        </span>
      );
    }
    case 'requestId':
      return <span className={classes.code}>{event.requestId}</span>;
    default:
      return null;
  }
}

/**
 * Audit events as a table with a "Load more" button (cursor pagination). Shows the loaded rows,
 * a progress bar while loading and the error of the last request.
 */
export function AuditEventsTable(props: {
  events: AuditEventsState;
  columns?: AuditColumn[];
  /** Accessible name of the table. */
  label: string;
  emptyText?: string;
  /** Called with a value of an actor, sandbox or team cell to filter by it; no filter buttons without. */
  onFilter?: (key: AuditFilterKey, value: string) => void;
}) {
  const { events, columns = ALL_AUDIT_COLUMNS, label, emptyText = 'No audit events match.', onFilter } = props;
  const classes = useStyles();
  const initialLoad = events.loading && events.items.length === 0;
  return (
    <Box>
      {events.error && (
        <Box mb={2}>
          <Alert severity="error" data-testid="audit-error">
            Could not load audit events: {errorMessage(events.error)}
          </Alert>
        </Box>
      )}
      <Box style={{ overflowX: 'auto' }}>
        <Table size="small" aria-label={label}>
          <TableHead>
            <TableRow>
              {columns.map(column => (
                <TableCell key={column} className={classes.nowrap}>
                  {HEADERS[column]}
                </TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {events.items.map(event => (
              <TableRow key={event.id} data-testid="audit-row" data-event-id={event.id}>
                {columns.map(column => (
                  <TableCell
                    key={column}
                    data-column={column}
                    className={NOWRAP_COLUMNS.includes(column) ? classes.nowrap : undefined}
                    style={column === 'error' ? { width: '100%' } : undefined}
                  >
                    <Cell event={event} column={column} onFilter={onFilter} />
                  </TableCell>
                ))}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Box>
      {events.loading && <LinearProgress data-testid="audit-loading" />}
      {!events.loading && !events.error && events.items.length === 0 && !initialLoad && (
        <Box p={2}>
          <Typography color="textSecondary" data-testid="audit-empty">
            {emptyText}
          </Typography>
        </Box>
      )}
      <Box mt={1} display="flex" alignItems="center" style={{ gap: 16 }}>
        <Typography variant="body2" color="textSecondary" data-testid="audit-count">
          {events.items.length} {events.items.length === 1 ? 'event' : 'events'} shown
          {events.nextCursor ? '; more available' : ''}
        </Typography>
        {events.nextCursor && (
          <Button variant="outlined" size="small" onClick={events.loadMore} disabled={events.loading}>
            Load more
          </Button>
        )}
      </Box>
    </Box>
  );
}
