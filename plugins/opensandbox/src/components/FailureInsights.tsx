import { ReactNode, useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import IconButton from '@material-ui/core/IconButton';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import HelpIcon from '@material-ui/icons/HelpOutline';
import ReportProblemIcon from '@material-ui/icons/ReportProblemOutlined';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import {
  explainFailure,
  explainSandboxStatus,
  FailureExplanation,
  FailureFacts,
} from '@opensandbox-console/plugin-opensandbox-common';
import type { ConsoleSandbox } from '@opensandbox-console/plugin-opensandbox-common';
import { ResponseError } from '@backstage/errors';

const useStyles = makeStyles(theme => ({
  badge: {
    fontSize: '1rem',
    color: theme.palette.error.main,
    verticalAlign: 'middle',
    marginLeft: theme.spacing(0.5),
  },
  badgeWrap: {
    display: 'inline-flex',
    alignItems: 'center',
    whiteSpace: 'nowrap',
  },
  reported: {
    fontFamily: 'monospace',
    fontSize: '0.8rem',
    overflowWrap: 'anywhere',
  },
  why: { marginLeft: theme.spacing(0.5), padding: 2, alignSelf: 'center' },
}));

/** States that are a problem in themselves (the panel shows even without a known explanation). */
const PROBLEM_STATES = ['failed', 'unknown', 'terminated'];

/**
 * The failure panel of the detail page: for a sandbox whose state is a problem (Failed, Unknown,
 * Terminated, or a known failure reason such as an image that cannot be pulled), what happened in
 * plain language and what to do, from the failure explanations table of `-common`; and what
 * OpenSandbox reported (reason, message). `onShow` adds a button to the logs or events when the
 * explanation says where to look. Renders nothing for a healthy sandbox.
 */
export function FailurePanel(props: {
  sandbox: ConsoleSandbox;
  onShow?: (kind: 'logs' | 'events') => void;
}) {
  const classes = useStyles();
  const { status } = props.sandbox;
  const explanation = explainSandboxStatus(status);
  const problem = PROBLEM_STATES.includes((status?.state ?? '').toLowerCase());
  if (!explanation && !problem) return null;
  const failed = (status?.state ?? '').toLowerCase() !== 'terminated';
  const reported = [status?.reason, status?.message].filter(Boolean).join(': ');
  return (
    <Alert
      severity={failed ? 'error' : 'warning'}
      data-testid="failure-panel"
      data-failure-id={explanation?.id ?? ''}
      action={
        explanation?.look && props.onShow ? (
          <Button
            color="inherit"
            size="small"
            variant="outlined"
            onClick={() => props.onShow!(explanation.look!)}
            data-testid="failure-show-diagnostics"
          >
            Show {explanation.look}
          </Button>
        ) : undefined
      }
    >
      <AlertTitle data-testid="failure-title">
        {explanation?.title ?? `The sandbox is ${status?.state}`}
      </AlertTitle>
      {explanation && (
        <>
          <Typography
            variant="body2"
            component="p"
            data-testid="failure-explanation"
          >
            {explanation.explanation}
          </Typography>
          <Typography
            variant="body2"
            component="p"
            data-testid="failure-action"
            style={{ marginTop: 8 }}
          >
            <strong>What to do: </strong>
            {explanation.action}
          </Typography>
        </>
      )}
      {reported && (
        <Typography variant="body2" component="p" style={{ marginTop: 8 }}>
          OpenSandbox reports:{' '}
          <span className={classes.reported} data-testid="failure-reported">
            {reported}
          </span>
        </Typography>
      )}
    </Alert>
  );
}

/**
 * A small warning icon next to a sandbox's state in the list when the state is a known failure;
 * its tooltip (and accessible name) is the one-line explanation. Renders nothing otherwise.
 */
export function FailureBadge(props: { status?: ConsoleSandbox['status'] }) {
  const classes = useStyles();
  const explanation = explainSandboxStatus(props.status);
  if (!explanation) return null;
  return (
    <Tooltip title={explanation.title}>
      <span
        role="img"
        aria-label={explanation.title}
        data-testid="failure-badge"
        data-failure-id={explanation.id}
        className={classes.badgeWrap}
      >
        <ReportProblemIcon className={classes.badge} />
      </span>
    </Tooltip>
  );
}

/** The explanation in a dialog (title, why, what to do, and the code it is about). */
export function FailureExplanationDialog(props: {
  explanation: FailureExplanation;
  errorCode?: string | null;
  open: boolean;
  onClose: () => void;
}) {
  const { explanation, errorCode, open, onClose } = props;
  return (
    <Dialog
      open={open}
      onClose={onClose}
      aria-labelledby="failure-explanation-title"
      data-testid="failure-dialog"
    >
      <DialogTitle id="failure-explanation-title">
        {explanation.title}
      </DialogTitle>
      <DialogContent>
        <Typography
          variant="body2"
          component="p"
          data-testid="failure-explanation"
        >
          {explanation.explanation}
        </Typography>
        <Box mt={2}>
          <Typography
            variant="body2"
            component="p"
            data-testid="failure-action"
          >
            <strong>What to do: </strong>
            {explanation.action}
          </Typography>
        </Box>
        {errorCode && (
          <Box mt={2}>
            <Typography variant="caption" color="textSecondary">
              Error code: <code>{errorCode}</code>
            </Typography>
          </Box>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} color="primary">
          Close
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/**
 * "Why?": a small help button that opens the explanation of a failure (e.g. an audit row's `errorCode` and
 * `errorMessage`); nothing when the table has no explanation for it.
 */
export function FailureExplanationLink(props: { facts: FailureFacts }) {
  const classes = useStyles();
  const [open, setOpen] = useState(false);
  const explanation = explainFailure(props.facts);
  if (!explanation) return null;
  return (
    <>
      <Tooltip title={`Why? ${explanation.title}`}>
        <IconButton
          size="small"
          className={classes.why}
          aria-label={`Why: ${explanation.title}`}
          onClick={() => setOpen(true)}
          data-testid="failure-why"
          data-failure-id={explanation.id}
        >
          <HelpIcon fontSize="inherit" />
        </IconButton>
      </Tooltip>
      {open && (
        <FailureExplanationDialog
          explanation={explanation}
          errorCode={props.facts.errorCode}
          open
          onClose={() => setOpen(false)}
        />
      )}
    </>
  );
}

/** Wraps a state chip with the failure badge, on one line. */
export function StateWithFailure(props: {
  status?: ConsoleSandbox['status'];
  children: ReactNode;
}) {
  const classes = useStyles();
  return (
    <span className={classes.badgeWrap}>
      {props.children}
      <FailureBadge status={props.status} />
    </span>
  );
}

/**
 * The explanation of a failed request (an error thrown by the API client), for error alerts: its
 * title and what to do, from the error's `upstreamCode` (else its name). For errors that may
 * succeed when retried (the alert already says when), the why instead of the what to do. Nothing
 * for errors without an explanation, or whose id is in `skip`.
 */
export function ErrorExplanation(props: {
  error: unknown;
  retryAfterSeconds?: number;
  skip?: string[];
}) {
  const body = ResponseError.is(props.error)
    ? (props.error.body?.error as Record<string, unknown> | undefined)
    : undefined;
  const upstreamCode =
    typeof body?.upstreamCode === 'string' ? body.upstreamCode : undefined;
  const code =
    upstreamCode ?? (typeof body?.name === 'string' ? body.name : undefined);
  const explanation = code
    ? explainFailure({
        errorCode: code,
        retryAfterSeconds: props.retryAfterSeconds,
      })
    : undefined;
  if (!explanation || props.skip?.includes(explanation.id)) return null;
  return (
    <Typography
      variant="body2"
      component="div"
      data-testid="error-explanation"
      data-failure-id={explanation.id}
      style={{ marginTop: 4 }}
    >
      <strong>{explanation.title}.</strong>{' '}
      {explanation.retryable
        ? explanation.explanation
        : `What to do: ${explanation.action}`}
    </Typography>
  );
}
