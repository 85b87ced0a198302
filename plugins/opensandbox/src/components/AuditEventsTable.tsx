import { Fragment, ReactNode, useState } from 'react';
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
import KeyboardArrowDownIcon from '@material-ui/icons/KeyboardArrowDown';
import KeyboardArrowUpIcon from '@material-ui/icons/KeyboardArrowUp';
import LinearProgress from '@material-ui/core/LinearProgress';
import Alert from '@material-ui/lab/Alert';
import { makeStyles, Theme } from '@material-ui/core/styles';
import useMediaQuery from '@material-ui/core/useMediaQuery';
import { amber, blue, green, grey, red } from '@material-ui/core/colors';
import { useRouteRef } from '@backstage/core-plugin-api';
import type { AuditEvent } from '../api';
import { sandboxRouteRef } from '../routes';
import { formatAuditTime } from '../lib/audit';
import { auditChanges, hasAuditDiff } from '../lib/auditDiff';
import { errorMessage, SHORT_ID_LENGTH } from '../lib/format';
import type { AuditEventsState } from './useAuditEvents';
import { EntityLink } from './EntityLink';
import { FailureExplanationLink } from './FailureInsights';

const useStyles = makeStyles(theme => ({
  // Chip colours with at least 4.5:1 contrast for their 13 px label (WCAG AA).
  succeeded: { backgroundColor: green[800], color: '#fff' },
  failed: { backgroundColor: red[800], color: '#fff' },
  denied: { backgroundColor: amber[800], color: '#000' },
  initiated: { backgroundColor: blue[800], color: '#fff' },
  unknown: { backgroundColor: grey[700], color: '#fff' },
  code: { fontFamily: 'monospace', fontSize: '0.8rem', wordBreak: 'break-all' },
  nowrap: { whiteSpace: 'nowrap' },
  withFilter: {
    display: 'inline-flex',
    alignItems: 'center',
    whiteSpace: 'nowrap',
  },
  filterButton: { padding: 2, marginLeft: 2 },
  errorWithWhy: { display: 'flex', alignItems: 'center', minWidth: 0 },
  // Long error texts take one line, cut with an ellipsis; the full text is in a tooltip and in
  // the expanded row. The cell takes the remaining width and never widens the table.
  errorCell: { width: '100%', maxWidth: 0 },
  error: {
    display: 'block',
    minWidth: 0,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  },
  // Words never break inside (a page may set `overflow-wrap: anywhere` on its cards).
  cell: {
    paddingLeft: 8,
    paddingRight: 8,
    overflowWrap: 'normal',
    wordBreak: 'normal',
  },
  toggleCell: { width: 40, paddingLeft: 4, paddingRight: 0 },
  detailsCell: {
    paddingTop: 0,
    paddingBottom: 16,
    backgroundColor: 'rgba(127, 127, 127, 0.06)',
  },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content minmax(0, 1fr)',
    columnGap: 16,
    rowGap: 4,
    margin: '12px 0',
    '& dt': { fontWeight: 500 },
    '& dd': { margin: 0, minWidth: 0, overflowWrap: 'anywhere' },
  },
  diff: { maxWidth: 900, marginBottom: 8 },
  removed: { textDecoration: 'line-through' },
  // Below 1280 px (e.g. a 1024 px window beside the sidebar) the table keeps fitting: the time and
  // the action may wrap (at the space and the dots) and the team moves into the expanded row.
  wrapsWhenNarrow: {
    whiteSpace: 'nowrap',
    [theme.breakpoints.down('md')]: { whiteSpace: 'normal' },
  },
  hiddenWhenNarrow: {
    [theme.breakpoints.down('md')]: { display: 'none' },
  },
}));

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
  if (!onFilter || !value)
    return <span className={classes.nowrap}>{children}</span>;
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
  const category = (known as string[]).includes(props.outcome)
    ? (props.outcome as OutcomeClass)
    : 'unknown';
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
    props.sandboxId.length > SHORT_ID_LENGTH
      ? props.sandboxId.slice(0, SHORT_ID_LENGTH)
      : props.sandboxId;
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

/**
 * Columns of {@link AuditEventsTable}; `sandbox` and `team` can be left out (history card). The
 * secondary fields (HTTP status, request id, channel, batch, client, before/after diff, request
 * details) are in each row's expandable part, so the table fits a 1024 px wide window.
 */
export type AuditColumn =
  | 'time'
  | 'actor'
  | 'action'
  | 'sandbox'
  | 'team'
  | 'outcome'
  | 'error';

/** Every column, in display order. */
export const ALL_AUDIT_COLUMNS: AuditColumn[] = [
  'time',
  'actor',
  'action',
  'sandbox',
  'team',
  'outcome',
  'error',
];

const HEADERS: Record<AuditColumn, string> = {
  time: 'Time (UTC)',
  actor: 'Actor',
  action: 'Action',
  sandbox: 'Sandbox',
  team: 'Team',
  outcome: 'Outcome',
  error: 'Error',
};

function Cell(props: {
  event: AuditEvent;
  column: AuditColumn;
  onFilter?: (key: AuditFilterKey, value: string) => void;
  /** The window is narrower than 1280 px. */
  narrow: boolean;
}) {
  const { event, column, onFilter, narrow } = props;
  const classes = useStyles();
  switch (column) {
    case 'time': {
      // Date and time wrap apart when the window is narrow.
      const [date, time] = formatAuditTime(event.occurredAt).split(' ');
      return (
        <>
          <span className={classes.nowrap}>{date}</span>{' '}
          <span className={classes.nowrap}>{time}</span>
        </>
      );
    }
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
      // When the window is narrow, it may break after its dots (`sandbox.metadata.update`);
      // browsers break at <wbr> even in `nowrap` text, so it is only rendered then.
      if (!narrow) return <>{event.action}</>;
      return (
        <>
          {event.action.split('.').map((part, i, parts) => (
            <Fragment key={i}>
              {part}
              {i < parts.length - 1 && (
                <>
                  .<wbr />
                </>
              )}
            </Fragment>
          ))}
        </>
      );
    case 'sandbox':
      return (
        <Filterable
          filterKey="sandboxId"
          value={event.sandboxId}
          onFilter={onFilter}
        >
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
    case 'error': {
      const text = errorText(event);
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
            <FailureExplanationLink
              facts={{
                errorCode: event.errorCode,
                message: event.errorMessage ?? undefined,
              }}
            />
          )}
        </span>
      );
    }
    default:
      return null;
  }
}

function errorText(event: AuditEvent): string {
  return [event.errorCode, event.errorMessage].filter(Boolean).join(': ');
}

/** The before → after table of an event's changed fields (docs/audit.md). */
export function AuditDiff(props: {
  details: Record<string, unknown> | null | undefined;
}) {
  const classes = useStyles();
  const changes = auditChanges(props.details);
  if (!hasAuditDiff(props.details)) return null;
  if (changes.length === 0) {
    return (
      <Typography
        variant="body2"
        color="textSecondary"
        data-testid="audit-diff-empty"
      >
        Nothing changed between before and after.
      </Typography>
    );
  }
  return (
    <Table
      size="small"
      aria-label="Changed fields"
      className={classes.diff}
      data-testid="audit-diff"
    >
      <TableHead>
        <TableRow>
          <TableCell>Field</TableCell>
          <TableCell>Before</TableCell>
          <TableCell>After</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {changes.map(change => (
          <TableRow key={change.field} data-testid="audit-diff-row">
            <TableCell className={classes.code}>{change.field}</TableCell>
            <TableCell className={classes.code}>
              {change.before === undefined ? (
                <em>not recorded</em>
              ) : (
                <span className={classes.removed}>{change.before}</span>
              )}
            </TableCell>
            <TableCell className={classes.code}>
              {change.after === undefined ? (
                <em>not recorded</em>
              ) : (
                change.after
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** The expanded part of a row: every secondary field, the diff and the request details. */
function EventDetails(props: { event: AuditEvent }) {
  const { event } = props;
  const classes = useStyles();
  const { before: _before, after: _after, ...request } = event.details ?? {};
  const facts: Array<[string, ReactNode]> = [
    ['Event ID', <span className={classes.code}>{event.id}</span>],
    ['Team', <EntityLink entityRef={event.team} />],
    ['HTTP status', event.httpStatus ?? '-'],
    [
      'Request ID',
      <span className={classes.code} data-testid="audit-request-id">
        {event.requestId}
      </span>,
    ],
    ['Error', errorText(event) || '-'],
    ['Channel', event.channel ?? '-'],
    [
      'Batch ID',
      event.batchId ? (
        <span className={classes.code}>{event.batchId}</span>
      ) : (
        '-'
      ),
    ],
    ['Client IP', event.clientIp ?? '-'],
    ['User agent', event.userAgent ?? '-'],
  ];
  return (
    <Box data-testid="audit-event-details">
      <dl className={classes.facts}>
        {facts.map(([name, value]) => (
          <Fragment key={name}>
            <dt>{name}</dt>
            <dd>{value}</dd>
          </Fragment>
        ))}
      </dl>
      {hasAuditDiff(event.details) && (
        <>
          <Typography variant="subtitle2" component="p">
            Changes (before → after)
          </Typography>
          <AuditDiff details={event.details} />
        </>
      )}
      {Object.keys(request).length > 0 && (
        <>
          <Typography variant="subtitle2" component="p">
            Details (secrets redacted)
          </Typography>
          <pre
            className={classes.code}
            style={{ whiteSpace: 'pre-wrap', margin: '4px 0 0' }}
            data-testid="audit-details-json"
          >
            {JSON.stringify(request, null, 2)}
          </pre>
        </>
      )}
    </Box>
  );
}

/** Hides text visually but keeps it for screen readers (the header of the toggle column). */
const visuallyHidden = {
  border: 0,
  clip: 'rect(0 0 0 0)',
  height: 1,
  margin: -1,
  overflow: 'hidden',
  padding: 0,
  position: 'absolute',
  whiteSpace: 'nowrap',
  width: 1,
} as const;

/** Classes of a column's cells: how it wraps and whether it folds away below 1280 px. */
function columnClass(
  classes: ReturnType<typeof useStyles>,
  column: AuditColumn,
  header = false,
): string {
  const names = [classes.cell];
  if (column === 'team') names.push(classes.hiddenWhenNarrow);
  if (column === 'error' && !header) names.push(classes.errorCell);
  else if (column === 'time' || column === 'action')
    names.push(classes.wrapsWhenNarrow);
  else names.push(classes.nowrap);
  return names.join(' ');
}

/** One event: its main row and, when expanded, the row with its details. */
function EventRows(props: {
  event: AuditEvent;
  columns: AuditColumn[];
  onFilter?: (key: AuditFilterKey, value: string) => void;
}) {
  const { event, columns, onFilter } = props;
  const classes = useStyles();
  const [open, setOpen] = useState(false);
  const narrow = useMediaQuery((theme: Theme) => theme.breakpoints.down('md'));
  const detailsId = `audit-event-${event.id}-details`;
  const label = `${open ? 'Hide' : 'Show'} details of ${
    event.action
  } at ${formatAuditTime(event.occurredAt)}`;
  return (
    <>
      <TableRow data-testid="audit-row" data-event-id={event.id}>
        <TableCell className={classes.toggleCell}>
          <Tooltip title={label}>
            <IconButton
              size="small"
              aria-label={label}
              aria-expanded={open}
              aria-controls={open ? detailsId : undefined}
              onClick={() => setOpen(!open)}
              data-testid="audit-row-toggle"
            >
              {open ? (
                <KeyboardArrowUpIcon fontSize="small" />
              ) : (
                <KeyboardArrowDownIcon fontSize="small" />
              )}
            </IconButton>
          </Tooltip>
        </TableCell>
        {columns.map(column => (
          <TableCell
            key={column}
            data-column={column}
            className={columnClass(classes, column)}
          >
            <Cell
              event={event}
              column={column}
              onFilter={onFilter}
              narrow={narrow}
            />
          </TableCell>
        ))}
      </TableRow>
      {open && (
        <TableRow id={detailsId} data-testid="audit-row-details">
          <TableCell
            colSpan={columns.length + 1}
            className={classes.detailsCell}
          >
            <EventDetails event={event} />
          </TableCell>
        </TableRow>
      )}
    </>
  );
}

/**
 * Audit events as a table with a "Load more" button (cursor pagination). Shows the loaded rows,
 * a progress bar while loading and the error of the last request. Each row expands to its
 * secondary fields and its before/after diff.
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
  const {
    events,
    columns = ALL_AUDIT_COLUMNS,
    label,
    emptyText = 'No audit events match.',
    onFilter,
  } = props;
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
              <TableCell className={classes.toggleCell}>
                <span style={visuallyHidden}>Details</span>
              </TableCell>
              {columns.map(column => (
                <TableCell
                  key={column}
                  className={`${columnClass(classes, column, true)}`}
                >
                  {HEADERS[column]}
                </TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {events.items.map(event => (
              <EventRows
                key={event.id}
                event={event}
                columns={columns}
                onFilter={onFilter}
              />
            ))}
          </TableBody>
        </Table>
      </Box>
      {events.loading && (
        <LinearProgress
          data-testid="audit-loading"
          aria-label="Loading audit events"
        />
      )}
      {!events.loading &&
        !events.error &&
        events.items.length === 0 &&
        !initialLoad && (
          <Box p={2}>
            <Typography color="textSecondary" data-testid="audit-empty">
              {emptyText}
            </Typography>
          </Box>
        )}
      <Box mt={1} display="flex" alignItems="center" style={{ gap: 16 }}>
        <Typography
          variant="body2"
          color="textSecondary"
          data-testid="audit-count"
        >
          {events.items.length} {events.items.length === 1 ? 'event' : 'events'}{' '}
          shown
          {events.nextCursor ? '; more available' : ''}
        </Typography>
        {events.nextCursor && (
          <Button
            variant="outlined"
            size="small"
            onClick={events.loadMore}
            disabled={events.loading}
          >
            Load more
          </Button>
        )}
      </Box>
    </Box>
  );
}
