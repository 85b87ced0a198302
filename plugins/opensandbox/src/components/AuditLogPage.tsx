import { FormEvent, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import GetAppIcon from '@material-ui/icons/GetApp';
import {
  Content,
  Header,
  InfoCard,
  Page,
  Progress,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { opensandboxAuditReadPermission } from '@opensandbox-console/plugin-opensandbox-common';
import {
  AUDIT_ACTIONS,
  AUDIT_OUTCOMES,
  AuditEventFilter,
  AuditExportFormat,
  opensandboxApiRef,
} from '../api';
import { rootRouteRef } from '../routes';
import {
  AuditFilterForm,
  EMPTY_AUDIT_FILTER_FORM,
  auditExportFilename,
  auditFilterFromSearch,
  auditFilterToForm,
  auditFilterToSearch,
  auditSearchProblems,
  formToAuditFilter,
  saveBlob,
} from '../lib/audit';
import { errorMessage } from '../lib/format';
import { AuditEventsTable, AuditFilterKey } from './AuditEventsTable';
import {
  EntityRefField,
  resolveTypedRef,
  useEntityRefSuggestions,
} from './EntityRefField';
import { NotAllowedPanel, useAuditGate } from './permissions';
import { useAuditEvents } from './useAuditEvents';

/** Rows per page of the audit log (the server allows 1 to 200). */
export const AUDIT_PAGE_SIZE = 50;

const useStyles = makeStyles(theme => ({
  filters: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'flex-start',
    gap: theme.spacing(2),
  },
  text: { width: 300 },
  select: { minWidth: 200 },
  date: { minWidth: 230 },
  buttons: {
    display: 'flex',
    gap: theme.spacing(1),
    alignItems: 'center',
    paddingTop: theme.spacing(1),
  },
  exports: {
    marginLeft: 'auto',
    display: 'flex',
    gap: theme.spacing(1),
    paddingTop: theme.spacing(1),
  },
}));

function AuditLog() {
  const classes = useStyles();
  const api = useApi(opensandboxApiRef);
  const [searchParams, setSearchParams] = useSearchParams();

  // The applied filter lives in the URL (`?sandboxId=...`), so a filtered view can be shared.
  const searchKey = searchParams.toString();
  const filter = useMemo<AuditEventFilter>(
    () => auditFilterFromSearch(new URLSearchParams(searchKey)),
    [searchKey],
  );
  const [form, setForm] = useState<AuditFilterForm>(() =>
    auditFilterToForm(filter),
  );
  const [errors, setErrors] = useState<
    Partial<Record<keyof AuditFilterForm, string>>
  >({});
  const [exporting, setExporting] = useState<AuditExportFormat | undefined>();
  const [exportError, setExportError] = useState<string | undefined>();

  const events = useAuditEvents(api, filter, AUDIT_PAGE_SIZE);
  const users = useEntityRefSuggestions('User');
  const groups = useEntityRefSuggestions('Group');
  // Values of a shared link the filter had to ignore (`?outcome=bogus`): say so instead of
  // silently showing everything.
  const linkProblems = useMemo(
    () => auditSearchProblems(new URLSearchParams(searchKey)),
    [searchKey],
  );

  const set =
    (key: keyof AuditFilterForm) => (e: { target: { value: string } }) =>
      setForm(prev => ({ ...prev, [key]: e.target.value }));

  const apply = (event?: FormEvent) => {
    event?.preventDefault();
    // Names and display names people type become refs (`Ada Operator` → `user:default/ada`).
    const resolved = {
      ...form,
      actor: resolveTypedRef(form.actor, users),
      team: resolveTypedRef(form.team, groups),
    };
    const built = formToAuditFilter(resolved);
    setErrors(built.errors);
    if (Object.keys(built.errors).length > 0) return;
    if (auditFilterToSearch(built.filter).toString() === searchKey)
      events.reload();
    else setSearchParams(auditFilterToSearch(built.filter), { replace: true });
  };

  const clear = () => {
    setForm(EMPTY_AUDIT_FILTER_FORM);
    setErrors({});
    if (searchKey === '') events.reload();
    else setSearchParams(new URLSearchParams(), { replace: true });
  };

  /** Filters by a value clicked in the table (actor, sandbox or team), keeping the other filters. */
  const filterBy = (key: AuditFilterKey, value: string) => {
    const next = { ...filter, [key]: value };
    setForm(auditFilterToForm(next));
    setErrors({});
    setSearchParams(auditFilterToSearch(next), { replace: true });
  };

  const exportAs = async (format: AuditExportFormat) => {
    setExporting(format);
    setExportError(undefined);
    try {
      const blob = await api.exportAuditEvents(filter, format);
      saveBlob(blob, auditExportFilename(format));
    } catch (e) {
      setExportError(`Could not export the audit log: ${errorMessage(e)}`);
    } finally {
      setExporting(undefined);
    }
  };

  const field = (key: keyof AuditFilterForm) => ({
    id: `opensandbox-audit-${key}`,
    value: form[key],
    onChange: set(key),
    error: !!errors[key],
    variant: 'outlined' as const,
    size: 'small' as const,
  });

  return (
    <>
      {linkProblems.length > 0 && (
        <Box mb={2}>
          <Alert severity="warning" data-testid="audit-link-problems">
            This link has filter values the audit log does not understand, so
            they were ignored: {linkProblems.join('; ')}.
          </Alert>
        </Box>
      )}
      <InfoCard title="Filters">
        <form onSubmit={apply} noValidate aria-label="Audit log filters">
          <div className={classes.filters}>
            <EntityRefField
              id="opensandbox-audit-actor"
              className={classes.text}
              label="Actor"
              value={form.actor}
              onChange={value => setForm(prev => ({ ...prev, actor: value }))}
              suggestions={users}
              placeholder="ada"
              helperText="A user name, display name or ref, or a service name"
            />
            <TextField
              {...field('action')}
              className={classes.select}
              label="Action"
              select
              SelectProps={{ native: true }}
              InputLabelProps={{ shrink: true }}
            >
              <option value="">Any action</option>
              {AUDIT_ACTIONS.map(action => (
                <option key={action} value={action}>
                  {action}
                </option>
              ))}
            </TextField>
            <TextField
              {...field('sandboxId')}
              className={classes.text}
              label="Sandbox ID"
              placeholder="6f1c2b7e-3a4d-4f0e-9a51-2c8d7e9b1f20"
              helperText="The full sandbox UUID, not the 8-character short form"
            />
            <EntityRefField
              id="opensandbox-audit-team"
              className={classes.text}
              label="Team"
              value={form.team}
              onChange={value => setForm(prev => ({ ...prev, team: value }))}
              suggestions={groups}
              placeholder="team-a"
              helperText="A group name, title or ref"
            />
            <TextField
              {...field('outcome')}
              className={classes.select}
              label="Outcome"
              select
              SelectProps={{ native: true }}
              InputLabelProps={{ shrink: true }}
            >
              <option value="">Any outcome</option>
              {AUDIT_OUTCOMES.map(outcome => (
                <option key={outcome} value={outcome}>
                  {outcome}
                </option>
              ))}
            </TextField>
            <TextField
              {...field('batchId')}
              className={classes.text}
              label="Batch ID"
              placeholder="3f2b8c1e-..."
              helperText="The rows of one bulk action (shown after it ran)"
              inputProps={{ 'data-testid': 'audit-batch-filter' }}
            />
            <TextField
              {...field('from')}
              className={classes.date}
              label="From (UTC)"
              type="datetime-local"
              InputLabelProps={{ shrink: true }}
              inputProps={{ step: 1 }}
              helperText={errors.from ?? 'Inclusive, read as UTC'}
            />
            <TextField
              {...field('to')}
              className={classes.date}
              label="To (UTC)"
              type="datetime-local"
              InputLabelProps={{ shrink: true }}
              inputProps={{ step: 1 }}
              helperText={errors.to ?? 'Exclusive, read as UTC'}
            />
          </div>
          <Box display="flex" flexWrap="wrap" style={{ gap: 16 }} mt={1}>
            <div className={classes.buttons}>
              <Button type="submit" variant="contained" color="primary">
                Apply filters
              </Button>
              <Button onClick={clear}>Clear</Button>
            </div>
            <div className={classes.exports}>
              <Button
                variant="outlined"
                startIcon={<GetAppIcon />}
                onClick={() => exportAs('csv')}
                disabled={!!exporting}
              >
                Export CSV
              </Button>
              <Button
                variant="outlined"
                startIcon={<GetAppIcon />}
                onClick={() => exportAs('ndjson')}
                disabled={!!exporting}
              >
                Export NDJSON
              </Button>
            </div>
          </Box>
          <Typography
            variant="caption"
            color="textSecondary"
            component="p"
            style={{ marginTop: 8 }}
          >
            All times are UTC: From and To are read as UTC and the table shows
            UTC. Actor and Team accept a name (ada, team-a), a display name
            picked from the suggestions or a full ref; the other text filters
            match the whole value exactly. Click the filter icon next to an
            actor, sandbox or team in the table to filter by it, and the arrow
            at the start of a row to see its details and before/after changes.
            Exports contain every event matching the applied filters, not only
            the loaded rows.
          </Typography>
        </form>
      </InfoCard>
      {exporting && (
        <Box mt={2}>
          <Alert severity="info" data-testid="export-progress">
            Exporting {exporting.toUpperCase()}…
          </Alert>
        </Box>
      )}
      {exportError && (
        <Box mt={2}>
          <Alert
            severity="error"
            onClose={() => setExportError(undefined)}
            data-testid="export-error"
          >
            {exportError}
          </Alert>
        </Box>
      )}
      <Box mt={3}>
        <InfoCard title="Events" subheader="Newest first">
          <AuditEventsTable
            events={events}
            label="Audit events"
            onFilter={filterBy}
          />
        </InfoCard>
      </Box>
    </>
  );
}

/**
 * The audit log of mutating sandbox operations (`<root>/audit`): filters (kept in the URL), a
 * table with cursor pagination and CSV/NDJSON export of the filtered set. Needs the
 * `opensandbox.audit.read` permission; without it the page says so instead.
 * @public
 */
export function AuditLogPage() {
  const rootLink = useRouteRef(rootRouteRef);
  const gate = useAuditGate();
  let body;
  if (gate.loading) body = <Progress />;
  else if (!gate.allowed) {
    body = (
      <NotAllowedPanel
        title="You are not allowed to read the audit log"
        permission={opensandboxAuditReadPermission}
      />
    );
  } else body = <AuditLog />;
  return (
    <Page themeId="tool">
      <Header
        title="Audit log"
        subtitle="Every create, delete, renew, pause, resume and metadata change, including refused attempts"
        type="Sandboxes"
        typeLink={rootLink()}
      />
      <Content>{body}</Content>
    </Page>
  );
}
