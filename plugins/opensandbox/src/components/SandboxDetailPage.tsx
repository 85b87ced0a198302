import { ReactNode, useState } from 'react';
import {
  Link as RouterLink,
  useLocation,
  useNavigate,
  useParams,
} from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import MuiTable from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import DeleteIcon from '@material-ui/icons/Delete';
import EditIcon from '@material-ui/icons/Edit';
import PauseIcon from '@material-ui/icons/Pause';
import PlayArrowIcon from '@material-ui/icons/PlayArrow';
import RefreshIcon from '@material-ui/icons/Refresh';
import ScheduleIcon from '@material-ui/icons/Schedule';
import {
  Content,
  CopyTextButton,
  EmptyState,
  Header,
  InfoCard,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { ConsoleSandbox } from '@opensandbox-console/plugin-opensandbox-common';
import { explainSandboxStatus } from '@opensandbox-console/plugin-opensandbox-common';
import { OpenSandboxApi, opensandboxApiRef, SandboxDetails } from '../api';
import { rootRouteRef } from '../routes';
import {
  formatAgo,
  formatCommand,
  formatTimestamp,
  sandboxDisplayName,
  sandboxSource,
} from '../lib/format';
import { useNow } from '../lib/useNow';
import { useServers } from '../lib/limits';
import { ErrorDetails, errorDetails } from '../lib/errors';
import { ErrorNotice } from './ErrorNotice';
import { ExpiresIn } from './ExpiresIn';
import { StateChip } from './StateChip';
import {
  DeleteDialog,
  MetadataDialog,
  RenewChoice,
  RenewDialog,
} from './SandboxActions';
import { EndpointCard } from './EndpointCard';
import { GateTooltip, useSandboxGates } from './permissions';
import { SandboxHistoryCard } from './SandboxHistoryCard';
import { FailurePanel } from './FailureInsights';
import { DiagnosticsCard } from './DiagnosticsCard';
import type { SandboxDiagnosticsKind } from '../api';
import { EntityLink } from './EntityLink';
import { OwnerCell, ServiceCreator, useMissingOwners } from './SandboxTable';
import { MetadataCard } from './MetadataCard';
import { BreakableText } from './BreakableText';

export { BreakableText } from './BreakableText';
import { consumeNotice, NoticeState } from './notices';
import { useLiveChanges } from './useLiveChanges';
import { useRenewDeepLink } from './useRenewDeepLink';

const useStyles = makeStyles(theme => ({
  actions: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    marginBottom: theme.spacing(2),
  },
  label: {
    fontWeight: theme.typography.fontWeightBold as number,
    width: '30%',
    verticalAlign: 'top',
    // Labels wrap between words only ("Environment variables" never as "Environmen|t").
    wordBreak: 'normal',
    overflowWrap: 'normal',
  },
  // Long ids, images, commands and metadata wrap after separators (`/ . - _ : =`, see
  // {@link BreakableText}), and inside a part only when that part alone is wider than the card.
  code: {
    fontFamily: 'monospace',
    wordBreak: 'normal',
    overflowWrap: 'anywhere',
  },
  // The id with its copy button beside it, centred on the text line; a small button, so the row
  // keeps the height of the others.
  idLine: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
    maxWidth: '100%',
  },
  copy: {
    flexShrink: 0,
    '& button': { padding: 4 },
    '& svg': { fontSize: '1rem' },
  },
}));

function Field(props: { label: string; testId: string; children: ReactNode }) {
  const classes = useStyles();
  return (
    <TableRow>
      <TableCell className={classes.label} component="th" scope="row">
        {props.label}
      </TableCell>
      <TableCell data-testid={props.testId}>{props.children}</TableCell>
    </TableRow>
  );
}

type Action = 'renew' | 'pause' | 'resume' | 'delete' | 'metadata';

/**
 * For a 404 of the sandbox read (missing, or not readable by the caller: the server answers both
 * the same way), the server's message (`Sandbox <id> not found.`); undefined for other errors.
 */
export function notFoundMessage(
  error: unknown,
  sandboxId: string,
): string | undefined {
  if (!ResponseError.is(error) || error.statusCode !== 404) return undefined;
  const message = error.body?.error?.message;
  return typeof message === 'string' && message
    ? message
    : `Sandbox ${sandboxId} not found.`;
}

/** The page body when the sandbox does not exist or the caller may not see it. */
function NotFound(props: { message: string; listLink: string }) {
  return (
    <EmptyState
      missing="data"
      title={props.message}
      description="It may have been deleted or have expired, or you may not be allowed to see it."
      action={
        <Button
          variant="contained"
          color="primary"
          component={RouterLink}
          to={props.listLink}
        >
          Back to sandboxes
        </Button>
      }
    />
  );
}

/** `500m` → `500m (0.5 CPU)`; other values as given. */
function cpuText(value: string | undefined): string {
  if (!value) return '-';
  const milli = /^(\d+)m$/.exec(value);
  return milli ? `${value} (${Number(milli[1]) / 1000} CPU)` : value;
}

/** Who created the sandbox: the creating user or service (from the create audit event, else the labels). */
function CreatedBy(props: { sandbox: SandboxDetails }) {
  const { creation, ownership } = props.sandbox;
  if (creation?.actorType === 'service')
    return <ServiceCreator service={creation.actor} />;
  const user = creation?.actor ?? ownership?.owner;
  if (user) return <EntityLink entityRef={user} testId="creator-link" />;
  if (ownership?.service) return <ServiceCreator service={ownership.service} />;
  return <>-</>;
}

function Overview(props: { sandbox: SandboxDetails; server?: string }) {
  const { sandbox } = props;
  const servers = useServers();
  const classes = useStyles();
  const now = useNow(10_000);
  const missingOwners = useMissingOwners([sandbox]);
  // Limits, env names and platform as requested at creation (OpenSandbox does not return them).
  const limits = sandbox.creation?.resourceLimits;
  const envNames = sandbox.creation?.envNames ?? [];
  const requested = sandbox.creation?.platform;
  const platformText = requested
    ? `${requested.os}/${requested.arch}`
    : 'Any (runtime default)';
  return (
    <InfoCard title="Overview">
      <MuiTable size="small" aria-label="Sandbox overview">
        <TableBody>
          <Field label="State" testId="field-state">
            <StateChip state={sandbox.status?.state} />
          </Field>
          <Field label="Reason" testId="field-reason">
            {sandbox.status?.reason ?? '-'}
          </Field>
          <Field label="Message" testId="field-message">
            {sandbox.status?.message ?? '-'}
          </Field>
          <Field label="Last transition" testId="field-last-transition">
            {formatTimestamp(sandbox.status?.lastTransitionAt)}
          </Field>
          {servers.length > 1 && (
            <Field label="Server" testId="field-server">
              {sandbox.server ?? props.server ?? servers[0]}
            </Field>
          )}
          <Field label="ID" testId="field-id">
            <span className={classes.idLine}>
              <span className={classes.code}>
                <BreakableText text={sandbox.id} />
              </span>
              <span className={classes.copy}>
                <CopyTextButton
                  text={sandbox.id}
                  tooltipText="Sandbox ID copied"
                  aria-label="Copy sandbox ID"
                />
              </span>
            </span>
          </Field>
          <Field label="Image" testId="field-image">
            <span className={classes.code}>
              <BreakableText text={sandboxSource(sandbox)} />
            </span>
          </Field>
          <Field label="Entrypoint" testId="field-entrypoint">
            <span className={classes.code}>
              {formatCommand(sandbox.entrypoint) || '-'}
            </span>
          </Field>
          <Field label="CPU limit" testId="field-cpu">
            {cpuText(limits?.cpu)}
          </Field>
          <Field label="Memory limit" testId="field-memory">
            {limits?.memory ?? '-'}
          </Field>
          {Object.entries(limits ?? {})
            .filter(([key]) => key !== 'cpu' && key !== 'memory')
            .map(([key, value]) => (
              <Field
                key={key}
                label={`${key.toUpperCase()} limit`}
                testId={`field-limit-${key}`}
              >
                {value}
              </Field>
            ))}
          <Field label="Environment variables" testId="field-env">
            {envNames.length === 0 ? (
              '-'
            ) : (
              <>
                <span className={classes.code}>{envNames.join(', ')}</span>
                <Typography
                  variant="caption"
                  color="textSecondary"
                  component="div"
                >
                  Values are not shown
                </Typography>
              </>
            )}
          </Field>
          <Field label="Platform" testId="field-platform">
            {sandbox.platform
              ? `${sandbox.platform.os}/${sandbox.platform.arch}`
              : platformText}
          </Field>
          <Field label="Created by" testId="field-created-by">
            <CreatedBy sandbox={sandbox} />
          </Field>
          <Field label="Created" testId="field-created">
            {formatTimestamp(sandbox.createdAt)} (
            {formatAgo(sandbox.createdAt, now)})
          </Field>
          <Field label="Expires" testId="field-expires">
            {sandbox.expiresAt ? (
              <>
                {formatTimestamp(sandbox.expiresAt)} (
                <ExpiresIn expiresAt={sandbox.expiresAt} />)
              </>
            ) : (
              'Never (manual cleanup)'
            )}
          </Field>
          <Field label="Owner" testId="field-owner">
            <OwnerCell
              owner={sandbox.ownership?.owner}
              missing={missingOwners.has(sandbox.ownership?.owner ?? '')}
            />
          </Field>
          <Field label="Team" testId="field-team">
            <EntityLink
              entityRef={sandbox.ownership?.team}
              testId="team-link"
            />
          </Field>
          <Field label="Entity" testId="field-entity">
            <EntityLink
              entityRef={sandbox.ownership?.entity}
              testId="entity-link"
            />
          </Field>
        </TableBody>
      </MuiTable>
    </InfoCard>
  );
}

/**
 * The warning shown when OpenSandbox's current expiry differs from the last renewal the console
 * audited (`lastRenewal.drift`), e.g. because the OpenSandbox server restarted and lost it.
 */
export function RenewalDriftNotice(props: {
  sandbox: SandboxDetails;
  /** Opens the renew dialog; absent when renewing is not possible (no expiry, not allowed). */
  onRenewAgain?: () => void;
  renewDisabled?: boolean;
}) {
  const { sandbox, onRenewAgain, renewDisabled } = props;
  const renewal = sandbox.lastRenewal;
  if (!renewal?.drift) return null;
  const reported = sandbox.expiresAt
    ? formatTimestamp(sandbox.expiresAt)
    : 'no expiry (manual cleanup)';
  return (
    <Alert
      severity="warning"
      data-testid="renewal-drift"
      action={
        onRenewAgain ? (
          <Button
            color="inherit"
            size="small"
            variant="outlined"
            onClick={onRenewAgain}
            disabled={renewDisabled}
            data-testid="renew-again"
          >
            Renew again
          </Button>
        ) : undefined
      }
    >
      <AlertTitle>The expiry differs from the last renewal</AlertTitle>
      OpenSandbox now reports{' '}
      <strong data-testid="drift-reported">{reported}</strong>, but{' '}
      <span data-testid="drift-actor">{renewal.actor}</span> renewed it to{' '}
      <strong data-testid="drift-renewed-to">
        {formatTimestamp(renewal.expiresAt)}
      </strong>{' '}
      at{' '}
      <span data-testid="drift-renewed-at">
        {formatTimestamp(renewal.renewedAt)}
      </span>
      . The OpenSandbox server may have restarted and lost that renewal; renew
      again to restore the expiry you want.
    </Alert>
  );
}

/** The notice after a successful renewal: the expiry OpenSandbox answered, and the one asked for when they differ. */
export function renewedNotice(answered: string, requested: string): string {
  const set = `Expiry moved to ${formatTimestamp(answered)}.`;
  return Date.parse(answered) === Date.parse(requested)
    ? set
    : `${set} OpenSandbox set this instead of the requested ${formatTimestamp(
        requested,
      )}.`;
}

/** The diagnostics tab a sandbox opens on: where its failure explanation says to look, else the logs. */
function defaultDiagnosticsKind(
  sandbox: ConsoleSandbox,
): SandboxDiagnosticsKind {
  return explainSandboxStatus(sandbox.status)?.look ?? 'logs';
}

/**
 * The API calls about one sandbox. With `server` they carry `{ server }` (the client then calls
 * `/servers/:server/sandboxes/:id/...`); without it they are made exactly as on a console with one
 * server (the default server's `/sandboxes/:id/...`).
 */
export function sandboxCalls(api: OpenSandboxApi, id: string, server?: string) {
  const at = server ? { server } : undefined;
  return {
    get: () => (at ? api.getSandbox(id, at) : api.getSandbox(id)),
    pause: () => (at ? api.pauseSandbox(id, at) : api.pauseSandbox(id)),
    resume: () => (at ? api.resumeSandbox(id, at) : api.resumeSandbox(id)),
    delete: () => (at ? api.deleteSandbox(id, at) : api.deleteSandbox(id)),
    updateMetadata: (patch: Record<string, string | null>) =>
      at ? api.updateMetadata(id, patch, at) : api.updateMetadata(id, patch),
    /** `allowShorten` is sent only for a confirmed earlier expiry, never otherwise. */
    renew: (expiresAt: string, allowShorten: boolean) => {
      if (allowShorten)
        return api.renewExpiration(id, expiresAt, {
          allowShorten: true,
          ...at,
        });
      return at
        ? api.renewExpiration(id, expiresAt, at)
        : api.renewExpiration(id, expiresAt);
    },
  };
}

/**
 * Details of one sandbox (`:sandboxId` route parameter, and `:server` on
 * `/servers/:server/sandboxes/:sandboxId`) with its actions: renew, pause/resume, edit metadata,
 * delete (confirmed) and endpoint lookup, each disabled with a tooltip when the user lacks its
 * permission on this sandbox; and its audit history for users who may read the audit log. With a
 * `:server` every call goes to the backend's `/servers/:server/sandboxes/:id/...` routes (and the
 * permission checks name the sandbox `<server>/<id>`); without one, to the default server's
 * `/sandboxes/:id/...`. When OpenSandbox's expiry differs from the last audited renewal, a warning
 * offers to renew again. Action errors show the server's message, when to retry (429) and the
 * request id.
 * @public
 */
export function SandboxDetailPage() {
  const classes = useStyles();
  const { sandboxId = '', server } = useParams();
  const api = useApi(opensandboxApiRef);
  const rootLink = useRouteRef(rootRouteRef);
  const navigate = useNavigate();
  const location = useLocation();
  // Live status: bumped when this sandbox changed (signal or poll), which reloads it.
  const [liveRefreshes, setLiveRefreshes] = useState(0);
  // The sandbox's server is in the route; absent on the default server's routes.
  const {
    value: sandbox,
    loading,
    error,
    retry,
  } = useAsyncRetry(
    () => sandboxCalls(api, sandboxId, server).get(),
    [api, sandboxId, server, liveRefreshes],
  );
  // Actions name the sandbox by the id the server answered.
  const calls = sandboxCalls(api, sandbox?.id ?? sandboxId, server);
  const [busy, setBusy] = useState<Action | undefined>();
  const [actionError, setActionError] = useState<
    { prefix: string; details: ErrorDetails } | undefined
  >();
  // "Sandbox ... created." when the create page navigated here.
  const [notice, setNotice] = useState<string | undefined>(() =>
    consumeNotice(location),
  );
  // The renew dialog, opened empty ("Renew") or with a time ("Renew again" after a lost renewal).
  const [renewOpen, setRenewOpen] = useState<
    { initialExpiresAt?: string } | undefined
  >();
  const [renewError, setRenewError] = useState<ErrorDetails | undefined>();
  const [deleteOpen, setDeleteOpen] = useState(false);
  const [metadataOpen, setMetadataOpen] = useState(false);
  // The permission framework names a sandbox `<server>/<id>`, or `<id>` on the default server.
  const resourceRef = server ? `${server}/${sandboxId}` : sandboxId;
  const gates = useSandboxGates(sandboxId ? resourceRef : undefined);
  // Failure insights: the diagnostics tab shown (the failure panel's "Show logs" selects one).
  const [diagnosticsKind, setDiagnosticsKind] = useState<
    SandboxDiagnosticsKind | undefined
  >();

  const run = async (
    action: Action,
    fn: () => Promise<unknown>,
    done: string,
  ) => {
    setBusy(action);
    setActionError(undefined);
    setNotice(undefined);
    try {
      await fn();
      setNotice(done);
      return true;
    } catch (e) {
      const verb = action === 'metadata' ? 'update the metadata of' : action;
      setActionError({
        prefix: `Could not ${verb} the sandbox: `,
        details: errorDetails(e),
      });
      return false;
    } finally {
      setBusy(undefined);
    }
  };

  // The dialog stays open while renewing; errors show in it, so the time can be corrected.
  const renew = async (choice: RenewChoice) => {
    setBusy('renew');
    setRenewError(undefined);
    setActionError(undefined);
    setNotice(undefined);
    try {
      const answer = await calls.renew(choice.expiresAt, !!choice.allowShorten);
      setRenewOpen(undefined);
      // What OpenSandbox set, which may differ from what was asked for.
      setNotice(
        renewedNotice(answer?.expiresAt ?? choice.expiresAt, choice.expiresAt),
      );
      retry();
    } catch (e) {
      setRenewError(errorDetails(e));
    } finally {
      setBusy(undefined);
    }
  };
  const openRenew = (initialExpiresAt?: string) => {
    setRenewError(undefined);
    setRenewOpen({ initialExpiresAt });
  };
  // Live status: reload when this sandbox changed or was removed (it then shows as not found).
  useLiveChanges({
    concerns: changes =>
      changes.some(
        c =>
          c.id === (sandbox?.id ?? sandboxId) &&
          (c.server === (sandbox?.server ?? server) ||
            !(sandbox?.server ?? server)),
      ),
    onChange: () => setLiveRefreshes(n => n + 1),
  });
  // `?renew=1` (the link of an expiry warning) opens the renew dialog once.
  useRenewDeepLink({
    ready: !!sandbox,
    decided: !gates.update.loading,
    allowed: gates.update.allowed && !!sandbox?.expiresAt,
    open: () => openRenew(),
  });

  if (!sandbox) {
    const missing = notFoundMessage(error, sandboxId);
    let body = <Progress />;
    if (missing) body = <NotFound message={missing} listLink={rootLink()} />;
    else if (error) body = <ResponseErrorPanel error={error} />;
    return (
      <Page themeId="tool">
        <Header
          title="Sandbox"
          subtitle={server ? `${sandboxId} on ${server}` : sandboxId}
          type="Sandboxes"
          typeLink={rootLink()}
        />
        <Content>{body}</Content>
      </Page>
    );
  }

  const name = sandboxDisplayName(sandbox);
  const state = (sandbox.status?.state ?? '').toLowerCase();
  const manualCleanup = !sandbox.expiresAt;
  // Why Pause is off although the user may pause: only a Running sandbox can be paused.
  const pauseStateReason =
    state === 'running'
      ? undefined
      : `Only a Running sandbox can be paused; this one is ${
          sandbox.status?.state || 'in an unknown state'
        }.`;

  return (
    <Page themeId="tool">
      <Header
        title={name}
        subtitle={sandbox.id}
        type="Sandboxes"
        typeLink={rootLink()}
      />
      <Content>
        <div className={classes.actions}>
          {!manualCleanup && (
            <GateTooltip reason={gates.update.reason} testId="renew-gate">
              <Button
                variant="outlined"
                startIcon={<ScheduleIcon />}
                onClick={() => openRenew()}
                disabled={!!busy || !gates.update.allowed}
              >
                Renew
              </Button>
            </GateTooltip>
          )}
          {state === 'paused' ? (
            <GateTooltip reason={gates.update.reason} testId="resume-gate">
              <Button
                variant="outlined"
                startIcon={<PlayArrowIcon />}
                disabled={!!busy || !gates.update.allowed}
                onClick={async () => {
                  if (
                    await run(
                      'resume',
                      () => calls.resume(),
                      'Resume requested.',
                    )
                  )
                    retry();
                }}
              >
                Resume
              </Button>
            </GateTooltip>
          ) : (
            <GateTooltip
              reason={gates.update.reason ?? pauseStateReason}
              testId="pause-gate"
            >
              <Button
                variant="outlined"
                startIcon={<PauseIcon />}
                disabled={
                  !!busy || state !== 'running' || !gates.update.allowed
                }
                onClick={async () => {
                  if (
                    await run('pause', () => calls.pause(), 'Pause requested.')
                  )
                    retry();
                }}
              >
                Pause
              </Button>
            </GateTooltip>
          )}
          <GateTooltip reason={gates.update.reason} testId="metadata-gate">
            <Button
              variant="outlined"
              startIcon={<EditIcon />}
              disabled={!!busy || !gates.update.allowed}
              onClick={() => setMetadataOpen(true)}
            >
              Edit metadata
            </Button>
          </GateTooltip>
          <GateTooltip reason={gates.delete.reason} testId="delete-gate">
            <Button
              variant="outlined"
              color="secondary"
              startIcon={<DeleteIcon />}
              disabled={!!busy || !gates.delete.allowed}
              onClick={() => setDeleteOpen(true)}
            >
              Delete
            </Button>
          </GateTooltip>
          <Button
            startIcon={<RefreshIcon />}
            onClick={() => {
              // A notice about an earlier action would be stale next to the fresh data.
              setNotice(undefined);
              setActionError(undefined);
              retry();
            }}
            disabled={loading}
            aria-label="Refresh"
          >
            Refresh
          </Button>
        </div>
        {busy && <Progress />}
        {actionError && (
          <Box mb={2}>
            <ErrorNotice
              details={actionError.details}
              prefix={actionError.prefix}
              onClose={() => setActionError(undefined)}
              testId="action-error"
            />
          </Box>
        )}
        {notice && !actionError && (
          <Box mb={2}>
            <Alert
              severity="success"
              onClose={() => setNotice(undefined)}
              data-testid="action-notice"
            >
              {notice}
            </Alert>
          </Box>
        )}
        {sandbox.lastRenewal?.drift && (
          <Box mb={2}>
            <RenewalDriftNotice
              sandbox={sandbox}
              onRenewAgain={
                manualCleanup
                  ? undefined
                  : () => {
                      const target = sandbox.lastRenewal!.expiresAt;
                      openRenew(
                        Date.parse(target) > Date.now() ? target : undefined,
                      );
                    }
              }
              renewDisabled={!!busy || !gates.update.allowed}
            />
          </Box>
        )}
        {error && (
          <Box mb={2}>
            <ResponseErrorPanel
              error={error}
              title="Could not refresh the sandbox"
            />
          </Box>
        )}
        <Box mb={2}>
          <FailurePanel
            sandbox={sandbox}
            onShow={kind => {
              setDiagnosticsKind(kind);
              document
                .getElementById('opensandbox-diagnostics')
                ?.scrollIntoView?.({ behavior: 'smooth' });
            }}
          />
        </Box>
        <Grid container spacing={3}>
          <Grid item xs={12} md={7}>
            <Overview sandbox={sandbox} server={server} />
          </Grid>
          <Grid item xs={12} md={5}>
            <Grid container spacing={3} direction="column">
              <Grid item>
                <MetadataCard metadata={sandbox.metadata} />
              </Grid>
              <Grid item>
                <EndpointCard
                  api={api}
                  sandboxId={sandbox.id}
                  server={server}
                  disabled={!gates.endpoint.allowed}
                  disabledReason={gates.endpoint.reason}
                  state={sandbox.status?.state}
                />
              </Grid>
            </Grid>
          </Grid>
          <Grid item xs={12} id="opensandbox-diagnostics">
            <DiagnosticsCard
              api={api}
              sandboxId={sandbox.id}
              server={server}
              kind={diagnosticsKind ?? defaultDiagnosticsKind(sandbox)}
              onKindChange={setDiagnosticsKind}
            />
          </Grid>
          {/* The sandbox's history: for everyone who may read it (the server decides). */}
          <Grid item xs={12}>
            <SandboxHistoryCard
              api={api}
              sandboxId={sandbox.id}
              server={server}
            />
          </Grid>
        </Grid>
        {!manualCleanup && renewOpen && (
          <RenewDialog
            open
            currentExpiresAt={sandbox.expiresAt}
            initialExpiresAt={renewOpen.initialExpiresAt}
            busy={busy === 'renew'}
            error={renewError}
            onClose={() => setRenewOpen(undefined)}
            onRenew={choice => renew(choice)}
          />
        )}
        {metadataOpen && (
          <MetadataDialog
            open
            metadata={sandbox.metadata ?? {}}
            busy={busy === 'metadata'}
            onClose={() => setMetadataOpen(false)}
            onSave={async patch => {
              setMetadataOpen(false);
              const ok = await run(
                'metadata',
                () => calls.updateMetadata(patch),
                'Metadata updated.',
              );
              if (ok) retry();
            }}
          />
        )}
        <DeleteDialog
          open={deleteOpen}
          name={name}
          busy={busy === 'delete'}
          onClose={() => setDeleteOpen(false)}
          onConfirm={async () => {
            setDeleteOpen(false);
            const deleted = `Sandbox ${
              name === sandbox.id ? sandbox.id : `"${name}" (${sandbox.id})`
            } deleted.`;
            if (await run('delete', () => calls.delete(), deleted)) {
              // The list says what was deleted.
              navigate(rootLink(), {
                state: { notice: deleted } satisfies NoticeState,
              });
            }
          }}
        />
      </Content>
    </Page>
  );
}
