import { ReactNode, useEffect, useMemo, useState } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import LinearProgress from '@material-ui/core/LinearProgress';
import MenuItem from '@material-ui/core/MenuItem';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { makeStyles } from '@material-ui/core/styles';
import { amber, green, grey, red } from '@material-ui/core/colors';
import { CopyTextButton } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import {
  BulkAction,
  BulkCheckItem,
  BulkCheckResponse,
  BulkRunItem,
  BulkRunResponse,
  opensandboxApiRef,
} from '../../api';
import { auditRouteRef } from '../../routes';
import {
  BULK_ACTION_LABELS,
  BULK_EXTEND_OPTIONS,
  BulkSelectionRequest,
  sandboxCount,
} from '../../lib/bulk';
import { ErrorDetails, errorDetails } from '../../lib/errors';
import { formatTimestamp, SHORT_ID_LENGTH } from '../../lib/format';
import { ErrorNotice } from '../ErrorNotice';
import { useAuditGate } from '../permissions';

const useStyles = makeStyles(theme => ({
  counts: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    margin: theme.spacing(1, 0, 2),
  },
  // White on green[800] is 5.1:1 (WCAG AA); green[700] was 4.1:1.
  good: { backgroundColor: green[800], color: '#fff' },
  bad: { backgroundColor: red[700], color: '#fff' },
  refused: { backgroundColor: amber[800], color: '#000' },
  neutral: { backgroundColor: grey[300], color: '#000' },
  table: {
    maxHeight: 340,
    overflowY: 'auto',
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: 4,
  },
  code: { fontFamily: 'monospace', fontSize: '0.8rem' },
  reason: { maxWidth: 380, overflowWrap: 'anywhere' },
  // Header text on the sticky header's grey: the primary text colour (the theme's subtle grey is
  // 3.9:1 there, short of WCAG AA's 4.5:1).
  head: { '& th': { color: theme.palette.text.primary } },
}));

type Tone = 'good' | 'bad' | 'refused' | 'neutral';
const TONES: Record<string, Tone> = {
  'would-succeed': 'good',
  succeeded: 'good',
  denied: 'refused',
  failed: 'bad',
  error: 'bad',
  'not-applicable': 'neutral',
  'not-found': 'neutral',
  skipped: 'neutral',
};

function OutcomeChip(props: {
  outcome: string;
  label?: string;
  testId?: string;
}) {
  const classes = useStyles();
  return (
    <Chip
      size="small"
      label={props.label ?? props.outcome}
      className={classes[TONES[props.outcome] ?? 'neutral']}
      data-testid={props.testId ?? 'bulk-item-outcome'}
      data-outcome={props.outcome}
    />
  );
}

/** The counts per outcome as chips (`3 would-succeed`), zeros left out. */
function Counts(props: { counts: Record<string, number>; testId: string }) {
  const classes = useStyles();
  const entries = Object.entries(props.counts).filter(([, n]) => n > 0);
  return (
    <div className={classes.counts} data-testid={props.testId}>
      {entries.length === 0 && (
        <Typography variant="body2">No sandbox selected.</Typography>
      )}
      {entries.map(([outcome, n]) => (
        <OutcomeChip
          key={outcome}
          outcome={outcome}
          label={`${n} ${outcome}`}
          testId={`${props.testId}-${outcome}`}
        />
      ))}
    </div>
  );
}

function shortId(id: string): string {
  return id.length > SHORT_ID_LENGTH ? id.slice(0, SHORT_ID_LENGTH) : id;
}

/** One row per sandbox: name (or short id), state, outcome and why. */
function ItemsTable(props: {
  rows: Array<{
    key: string;
    name: ReactNode;
    state?: string;
    outcome: string;
    detail?: ReactNode;
  }>;
  testId: string;
  detailTitle: string;
  /** Header of the state column (the results show the state the dry run saw). */
  stateTitle?: string;
}) {
  const classes = useStyles();
  return (
    <div className={classes.table}>
      <Table size="small" stickyHeader data-testid={props.testId}>
        <TableHead>
          <TableRow className={classes.head}>
            <TableCell>Sandbox</TableCell>
            <TableCell>{props.stateTitle ?? 'State'}</TableCell>
            <TableCell>Outcome</TableCell>
            <TableCell>{props.detailTitle}</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {props.rows.map(row => (
            <TableRow key={row.key} data-testid="bulk-item">
              <TableCell>{row.name}</TableCell>
              <TableCell>{row.state ?? '-'}</TableCell>
              <TableCell>
                <OutcomeChip outcome={row.outcome} />
              </TableCell>
              <TableCell className={classes.reason}>
                {row.detail ?? ''}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

type Phase =
  | { kind: 'checking' }
  | { kind: 'checked'; check: BulkCheckResponse }
  | { kind: 'running'; check: BulkCheckResponse }
  | { kind: 'done'; check: BulkCheckResponse; run: BulkRunResponse }
  | { kind: 'error'; details: ErrorDetails; check?: BulkCheckResponse };

/**
 * The bulk action dialog: it first runs the DRY RUN of `action` on the selection and shows what
 * would happen to each sandbox (counts and a table); only then can the user run it (a delete
 * needs the number of sandboxes typed in). The execution answers per sandbox, shown the same way,
 * with the batch id and, for users who may read it, a link to the audit log filtered by the batch.
 * `onClose(changed)` says whether anything ran.
 */
export function BulkDialog(props: {
  action: BulkAction;
  selection: BulkSelectionRequest;
  /** How many sandboxes the user selected (shown while the dry run runs). */
  selectedCount: number;
  onClose: (changed: boolean) => void;
}) {
  const { action, selection, selectedCount, onClose } = props;
  const api = useApi(opensandboxApiRef);
  const auditGate = useAuditGate();
  const auditLink = useRouteRef(auditRouteRef);
  const labels = BULK_ACTION_LABELS[action];
  const [extendSeconds, setExtendSeconds] = useState(
    BULK_EXTEND_OPTIONS[0].seconds,
  );
  const [attempt, setAttempt] = useState(0);
  const [phase, setPhase] = useState<Phase>({ kind: 'checking' });
  const [typed, setTyped] = useState('');
  const renewOptions = action === 'renew' ? { extendSeconds } : {};
  const selectionKey = JSON.stringify(selection);

  useEffect(() => {
    let cancelled = false;
    setPhase({ kind: 'checking' });
    setTyped('');
    (async () => {
      if (!api.runBulk)
        throw new Error('This console backend has no bulk actions.');
      const answer = await api.runBulk(action, {
        ...JSON.parse(selectionKey),
        ...(action === 'renew' ? { extendSeconds } : {}),
        dryRun: true,
      });
      if (!cancelled)
        setPhase({ kind: 'checked', check: answer as BulkCheckResponse });
    })().catch(error => {
      if (!cancelled) setPhase({ kind: 'error', details: errorDetails(error) });
    });
    return () => {
      cancelled = true;
    };
  }, [api, action, selectionKey, extendSeconds, attempt]);

  const check = phase.kind === 'checking' ? undefined : phase.check;
  const names = useMemo(
    () => new Map((check?.items ?? []).map(i => [`${i.server}/${i.id}`, i])),
    [check],
  );
  const willDo = check?.counts['would-succeed'] ?? 0;
  const confirmed = action !== 'delete' || typed.trim() === String(willDo);

  const execute = async () => {
    if (!check || !api.runBulk) return;
    setPhase({ kind: 'running', check });
    try {
      const run = (await api.runBulk(action, {
        ...selection,
        ...renewOptions,
        dryRun: false,
        confirmationToken: check.confirmationToken,
      })) as BulkRunResponse;
      setPhase({ kind: 'done', check, run });
    } catch (error) {
      setPhase({ kind: 'error', details: errorDetails(error), check });
    }
  };

  const nameOf = (item: { id: string; server: string }) => {
    const known = names.get(`${item.server}/${item.id}`) as
      | BulkCheckItem
      | undefined;
    return (
      <span title={item.id} data-testid="bulk-item-name">
        {known?.sandbox?.name ?? shortId(item.id)}
      </span>
    );
  };

  let body: ReactNode;
  if (phase.kind === 'checking') {
    body = (
      <Box data-testid="bulk-checking">
        <Typography variant="body2">
          Checking what {labels.verb} would do to {sandboxCount(selectedCount)}…
        </Typography>
        <LinearProgress aria-label="Checking what would happen" />
      </Box>
    );
  } else if (
    phase.kind === 'checked' ||
    phase.kind === 'running' ||
    (phase.kind === 'error' && phase.check)
  ) {
    const c = check!;
    body = (
      <>
        <Typography variant="body2" data-testid="bulk-dry-run-summary">
          Dry run: nothing has changed yet. {sandboxCount(c.total)} selected;{' '}
          {labels.verb} would apply to <strong>{sandboxCount(willDo)}</strong>.
        </Typography>
        <Counts counts={c.counts} testId="bulk-check-counts" />
        <ItemsTable
          testId="bulk-check-items"
          detailTitle="Why"
          rows={c.items.map(item => ({
            key: `${item.server}/${item.id}`,
            name: nameOf(item),
            state: item.sandbox?.state,
            outcome: item.outcome,
            detail:
              item.outcome === 'would-succeed' && item.expiresAt
                ? `New expiry ${formatTimestamp(item.expiresAt)}`
                : item.reason,
          }))}
        />
        {action === 'delete' && willDo > 0 && (
          <Box mt={2}>
            <TextField
              id="opensandbox-bulk-confirm"
              label={`Type ${willDo} to delete ${sandboxCount(willDo)}`}
              value={typed}
              onChange={e => setTyped(e.target.value)}
              variant="outlined"
              size="small"
              disabled={phase.kind === 'running'}
              helperText="Deleted sandboxes cannot be restored."
              inputProps={{
                'data-testid': 'bulk-confirm-input',
                inputMode: 'numeric',
              }}
            />
          </Box>
        )}
        {phase.kind === 'running' && (
          <Box mt={2} data-testid="bulk-running">
            <Typography variant="body2">
              Running {labels.verb} on {sandboxCount(willDo)}…
            </Typography>
            <LinearProgress aria-label="Running the bulk action" />
          </Box>
        )}
      </>
    );
  } else if (phase.kind === 'done') {
    const { run } = phase;
    body = (
      <>
        <Typography variant="body2" data-testid="bulk-run-summary">
          Done: {run.counts.succeeded} of {sandboxCount(run.total)}{' '}
          {labels.done}.
        </Typography>
        <Counts counts={run.counts} testId="bulk-run-counts" />
        <ItemsTable
          testId="bulk-run-items"
          detailTitle="Details"
          stateTitle="State before"
          rows={run.items.map((item: BulkRunItem) => ({
            key: `${item.server}/${item.id}`,
            name: nameOf(item),
            state: (
              names.get(`${item.server}/${item.id}`) as
                | BulkCheckItem
                | undefined
            )?.sandbox?.state,
            outcome: item.outcome,
            detail: (
              <>
                {item.skipReason ? `${item.skipReason}: ` : ''}
                {item.outcome === 'succeeded' && item.expiresAt
                  ? `New expiry ${formatTimestamp(item.expiresAt)}`
                  : item.reason}
                {item.outcome === 'failed' && item.requestId && (
                  <Typography
                    variant="caption"
                    component="div"
                    color="textSecondary"
                  >
                    Request ID: <code>{item.requestId}</code>
                  </Typography>
                )}
              </>
            ),
          }))}
        />
        <Box
          mt={2}
          display="flex"
          alignItems="center"
          style={{ gap: 8 }}
          data-testid="bulk-batch"
        >
          <Typography variant="caption" color="textSecondary">
            Batch ID: <code data-testid="bulk-batch-id">{run.batchId}</code>
          </Typography>
          <CopyTextButton
            text={run.batchId}
            tooltipText="Batch ID copied"
            aria-label="Copy batch ID"
          />
          {auditGate.allowed && (
            <Button
              size="small"
              component={RouterLink}
              to={`${auditLink()}?${new URLSearchParams({
                batchId: run.batchId,
              })}`}
              data-testid="bulk-audit-link"
            >
              View in audit log
            </Button>
          )}
        </Box>
      </>
    );
  }

  const error =
    phase.kind === 'error' ? (
      <Box mb={2}>
        <ErrorNotice
          details={phase.details}
          prefix={
            phase.check
              ? `Could not ${labels.verb} the sandboxes: `
              : 'Could not check the selection: '
          }
          testId="bulk-error"
          action={
            <Button
              color="inherit"
              size="small"
              onClick={() => setAttempt(n => n + 1)}
            >
              Check again
            </Button>
          }
        />
      </Box>
    ) : null;

  const done = phase.kind === 'done';
  return (
    <Dialog
      open
      onClose={() => phase.kind !== 'running' && onClose(done)}
      maxWidth="md"
      fullWidth
      aria-labelledby="bulk-dialog-title"
    >
      <DialogTitle id="bulk-dialog-title">
        {labels.button} {sandboxCount(check?.total ?? selectedCount)}
      </DialogTitle>
      <DialogContent>
        {action === 'renew' && !done && (
          <Box mb={2}>
            <TextField
              select
              label="Extend each sandbox by"
              value={extendSeconds}
              onChange={e => setExtendSeconds(Number(e.target.value))}
              variant="outlined"
              size="small"
              disabled={phase.kind === 'running' || phase.kind === 'checking'}
              helperText="From each sandbox's own current expiry"
              SelectProps={{
                SelectDisplayProps: { 'data-testid': 'bulk-extend' } as any,
              }}
            >
              {BULK_EXTEND_OPTIONS.map(option => (
                <MenuItem key={option.seconds} value={option.seconds}>
                  {option.label}
                </MenuItem>
              ))}
            </TextField>
          </Box>
        )}
        {error}
        {body}
        {phase.kind === 'checked' && willDo === 0 && (
          <Box mt={2}>
            <Alert severity="info">
              Nothing to {labels.verb}: no selected sandbox would change.
            </Alert>
          </Box>
        )}
      </DialogContent>
      <DialogActions>
        {done ? (
          <Button
            onClick={() => onClose(true)}
            color="primary"
            variant="contained"
            data-testid="bulk-close"
          >
            Close
          </Button>
        ) : (
          <>
            <Button
              onClick={() => onClose(false)}
              disabled={phase.kind === 'running'}
            >
              Cancel
            </Button>
            <Button
              onClick={execute}
              color={action === 'delete' ? 'secondary' : 'primary'}
              variant="contained"
              disabled={phase.kind !== 'checked' || willDo === 0 || !confirmed}
              data-testid="bulk-execute"
            >
              {labels.button} {sandboxCount(willDo)}
            </Button>
          </>
        )}
      </DialogActions>
    </Dialog>
  );
}
