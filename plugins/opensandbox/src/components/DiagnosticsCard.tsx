import { useEffect, useRef, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import Box from '@material-ui/core/Box';
import IconButton from '@material-ui/core/IconButton';
import LinearProgress from '@material-ui/core/LinearProgress';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import RefreshIcon from '@material-ui/icons/Refresh';
import Alert from '@material-ui/lab/Alert';
import { InfoCard } from '@backstage/core-components';
import type { OpenSandboxApi, SandboxDiagnosticsKind } from '../api';
import { errorDetails } from '../lib/errors';
import { ErrorNotice } from './ErrorNotice';

const useStyles = makeStyles(theme => ({
  text: {
    fontFamily: 'monospace',
    fontSize: '0.8rem',
    lineHeight: 1.5,
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    maxHeight: 420,
    overflow: 'auto',
    margin: 0,
    padding: theme.spacing(1.5),
    backgroundColor:
      theme.palette.type === 'dark'
        ? theme.palette.grey[900]
        : theme.palette.grey[100],
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
  },
  header: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: theme.spacing(1),
  },
}));

/** The tabs of the card, in order. */
export const DIAGNOSTICS_KINDS: {
  kind: SandboxDiagnosticsKind;
  label: string;
}[] = [
  { kind: 'logs', label: 'Logs' },
  { kind: 'events', label: 'Events' },
  { kind: 'inspect', label: 'Inspect' },
  { kind: 'summary', label: 'Summary' },
];

const LABELS: Record<SandboxDiagnosticsKind, string> = {
  logs: 'Logs',
  events: 'Events',
  inspect: 'Inspect output',
  summary: 'A summary',
};

/**
 * The sandbox's diagnostics from OpenSandbox (`GET /sandboxes/:id/diagnostics/:kind`): logs,
 * events, inspect output and a summary, each in a scrollable monospace box (logs scrolled to their
 * end), loaded when its tab is shown and again with the refresh button. When the OpenSandbox
 * server does not offer a kind (`available: false`), or the console backend has no diagnostics
 * route, a notice says so instead. `kind` selects a tab from outside (the failure panel's
 * "Show logs"); `requestKey` changes force a reload of it.
 */
export function DiagnosticsCard(props: {
  api: OpenSandboxApi;
  sandboxId: string;
  server?: string;
  kind?: SandboxDiagnosticsKind;
  requestKey?: number;
  onKindChange?: (kind: SandboxDiagnosticsKind) => void;
}) {
  const { api, sandboxId, server } = props;
  const classes = useStyles();
  const [ownKind, setOwnKind] = useState<SandboxDiagnosticsKind>(
    props.kind ?? 'logs',
  );
  const kind = props.kind ?? ownKind;
  const [reloads, setReloads] = useState(0);
  const box = useRef<HTMLPreElement>(null);
  const supported = typeof api.getDiagnostics === 'function';
  const state = useAsyncRetry(async () => {
    if (!api.getDiagnostics) return undefined;
    return server
      ? api.getDiagnostics(sandboxId, kind, { server })
      : api.getDiagnostics(sandboxId, kind);
  }, [api, sandboxId, server, kind, reloads, props.requestKey]);
  const value = state.value?.kind === kind ? state.value : undefined;

  // Logs matter most at their end: show the last lines first.
  useEffect(() => {
    if (value?.available && kind === 'logs' && box.current)
      box.current.scrollTop = box.current.scrollHeight;
  }, [value, kind]);

  const select = (next: SandboxDiagnosticsKind) => {
    setOwnKind(next);
    props.onKindChange?.(next);
  };

  let body;
  if (!supported) {
    body = (
      <Alert severity="info" data-testid="diagnostics-unsupported">
        Diagnostics are not available: this console's backend does not offer
        them.
      </Alert>
    );
  } else if (state.error) {
    body = (
      <ErrorNotice
        details={errorDetails(state.error)}
        prefix={`Could not load the ${kind}: `}
        testId="diagnostics-error"
      />
    );
  } else if (value && !value.available) {
    body = (
      <Alert
        severity="info"
        data-testid="diagnostics-unavailable"
        title={value.reason}
      >
        {LABELS[kind]} {kind === 'logs' || kind === 'events' ? 'are' : 'is'} not
        available from this OpenSandbox server.
      </Alert>
    );
  } else if (value) {
    body = (
      // A scrollable box must be reachable by keyboard to scroll it (WCAG 2.1.1).
      <pre
        className={classes.text}
        ref={box}
        // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
        tabIndex={0}
        aria-label={`Sandbox ${kind}`}
        data-testid="diagnostics-text"
      >
        {value.text || '(empty)'}
      </pre>
    );
  } else {
    body = <Box height={48} />;
  }

  return (
    <InfoCard
      title={
        <div className={classes.header}>
          <span>Diagnostics</span>
          <Tooltip title={`Reload the ${kind} from OpenSandbox`}>
            <span>
              <IconButton
                size="small"
                aria-label="Reload diagnostics"
                onClick={() => setReloads(n => n + 1)}
                disabled={!supported || state.loading}
                data-testid="diagnostics-refresh"
              >
                <RefreshIcon fontSize="small" />
              </IconButton>
            </span>
          </Tooltip>
        </div>
      }
    >
      <div data-testid="diagnostics-card">
        <Tabs
          value={kind}
          onChange={(_e, next: SandboxDiagnosticsKind) => select(next)}
          indicatorColor="primary"
          textColor="primary"
          aria-label="Diagnostics kind"
        >
          {DIAGNOSTICS_KINDS.map(k => (
            <Tab
              key={k.kind}
              value={k.kind}
              label={k.label}
              data-testid={`diagnostics-tab-${k.kind}`}
            />
          ))}
        </Tabs>
        {state.loading ? (
          <LinearProgress
            data-testid="diagnostics-loading"
            aria-label="Loading diagnostics"
          />
        ) : (
          <Box height={4} />
        )}
        <Box mt={1}>{body}</Box>
        <Typography
          variant="caption"
          color="textSecondary"
          component="p"
          style={{ marginTop: 8 }}
        >
          From OpenSandbox's plain-text diagnostics (a deprecated upstream API):
          for reading, not parsing. Logs show the last 200 lines.
        </Typography>
      </div>
    </InfoCard>
  );
}
