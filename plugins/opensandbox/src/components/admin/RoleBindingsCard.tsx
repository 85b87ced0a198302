import { FormEvent, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Chip from '@material-ui/core/Chip';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import GetAppIcon from '@material-ui/icons/GetApp';
import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  FieldError,
  ROLE_BINDING_ROLES,
  RoleBinding,
  RoleBindingExplanation,
  RoleBindingGrant,
  RoleBindingImportResult,
  RoleBindingRole,
  validateRoleBindingInput,
} from '@opensandbox-console/plugin-opensandbox-common';
import { opensandboxAdminApiRef } from '../../api';
import { saveBlob } from '../../lib/audit';
import { errorMessage, formatTimestamp } from '../../lib/format';

const useStyles = makeStyles(theme => ({
  form: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'flex-start',
    gap: theme.spacing(2),
  },
  wide: { minWidth: 320 },
  narrow: { minWidth: 160 },
  yaml: { fontFamily: 'monospace' },
  teams: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(0.5) },
}));

/** Splits the teams field (commas, spaces or new lines). */
export function parseTeamsField(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map(s => s.trim())
    .filter(Boolean);
}

function Teams(props: { teams: string[] }) {
  const classes = useStyles();
  if (props.teams.length === 0)
    return (
      <Typography variant="body2" color="textSecondary">
        own groups
      </Typography>
    );
  return (
    <span className={classes.teams}>
      {props.teams.map(team => (
        <Chip key={team} size="small" label={team} />
      ))}
    </span>
  );
}

const SOURCE_NAMES: Record<RoleBindingGrant['source'], string> = {
  database: 'binding',
  config: 'app-config',
  default: 'default role',
};

const GROUPS_SOURCES: Record<RoleBindingExplanation['groupsSource'], string> = {
  catalog: ' (groups from the catalog)',
  'not-in-catalog': ' (not in the catalog: groups unknown)',
  'catalog-unavailable': ' (catalog unavailable: groups unknown)',
};

const grantText = (g: RoleBindingGrant) =>
  `${g.role} via ${SOURCE_NAMES[g.source]} ${g.subject}`;

/** The add form: subject, role, teams, exempt, description (validated as the server does). */
function AddBindingForm(props: { onAdded: (binding: RoleBinding) => void }) {
  const classes = useStyles();
  const api = useApi(opensandboxAdminApiRef);
  const [subject, setSubject] = useState('');
  const [role, setRole] = useState<RoleBindingRole>('operator');
  const [teams, setTeams] = useState('');
  const [exempt, setExempt] = useState(false);
  const [description, setDescription] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  const fieldError = (name: string) =>
    errors.find(e => e.field === name || e.field.startsWith(`${name}[`))
      ?.message;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(undefined);
    const input = {
      subject: subject.trim(),
      role,
      teams: parseTeamsField(teams),
      exempt,
      ...(description.trim() ? { description: description.trim() } : {}),
    };
    const checked = validateRoleBindingInput(input);
    setErrors(checked.errors);
    if (!checked.value) return;
    setBusy(true);
    try {
      const added = await api.addRoleBinding(input);
      setSubject('');
      setTeams('');
      setExempt(false);
      setDescription('');
      props.onAdded(added);
    } catch (e) {
      setFailure(`Could not add the binding: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Add a role binding">
      <div className={classes.form}>
        <TextField
          id="role-binding-subject"
          label="Subject"
          placeholder="user:default/vic"
          className={classes.wide}
          variant="outlined"
          size="small"
          value={subject}
          onChange={e => setSubject(e.target.value)}
          error={!!fieldError('subject')}
          helperText={
            fieldError('subject') ??
            'user:…, group:… or a service subject (external:ci-bot)'
          }
          inputProps={{ 'data-testid': 'binding-subject' }}
        />
        <TextField
          id="role-binding-role"
          label="Role"
          select
          SelectProps={{ native: true }}
          InputLabelProps={{ shrink: true }}
          className={classes.narrow}
          variant="outlined"
          size="small"
          value={role}
          onChange={e => setRole(e.target.value as RoleBindingRole)}
          inputProps={{ 'data-testid': 'binding-role' }}
        >
          {ROLE_BINDING_ROLES.map(r => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </TextField>
        <TextField
          id="role-binding-teams"
          label="Teams (optional)"
          placeholder="group:default/team-a"
          className={classes.wide}
          variant="outlined"
          size="small"
          value={teams}
          onChange={e => setTeams(e.target.value)}
          error={!!fieldError('teams')}
          helperText={
            fieldError('teams') ??
            "Scope: own sandboxes and these teams'; empty: the subject's own groups"
          }
          inputProps={{ 'data-testid': 'binding-teams' }}
        />
        <TextField
          id="role-binding-description"
          label="Description (optional)"
          className={classes.wide}
          variant="outlined"
          size="small"
          value={description}
          onChange={e => setDescription(e.target.value)}
          error={!!fieldError('description')}
          helperText={fieldError('description')}
        />
        <FormControlLabel
          control={
            <Checkbox
              checked={exempt}
              onChange={e => setExempt(e.target.checked)}
              color="primary"
            />
          }
          label="Exempt from quotas"
        />
        <Button
          type="submit"
          variant="contained"
          color="primary"
          disabled={busy}
          data-testid="binding-add"
        >
          Add binding
        </Button>
      </div>
      {failure && (
        <Box mt={1}>
          <Alert
            severity="error"
            data-testid="binding-add-error"
            onClose={() => setFailure(undefined)}
          >
            {failure}
          </Alert>
        </Box>
      )}
    </form>
  );
}

/** "What may this user do?": every permission with its decision and the bindings behind it. */
function ExplainPanel() {
  const classes = useStyles();
  const api = useApi(opensandboxAdminApiRef);
  const [user, setUser] = useState('');
  const [result, setResult] = useState<RoleBindingExplanation>();
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);

  const explain = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(undefined);
    setBusy(true);
    try {
      setResult(await api.explainRoleBindings(user.trim()));
    } catch (e) {
      setResult(undefined);
      setFailure(`Could not explain: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <form
        onSubmit={explain}
        noValidate
        aria-label="Explain a user's permissions"
        className={classes.form}
      >
        <TextField
          id="role-binding-explain-user"
          label="User"
          placeholder="user:default/vic"
          className={classes.wide}
          variant="outlined"
          size="small"
          value={user}
          onChange={e => setUser(e.target.value)}
          inputProps={{ 'data-testid': 'explain-user' }}
        />
        <Button
          type="submit"
          variant="outlined"
          disabled={busy || !user.trim()}
          data-testid="explain-submit"
        >
          Explain
        </Button>
      </form>
      {failure && (
        <Box mt={1}>
          <Alert severity="error" data-testid="explain-error">
            {failure}
          </Alert>
        </Box>
      )}
      {result && (
        <Box mt={2} data-testid="explain-result">
          <Typography variant="body2">
            <strong>{result.user}</strong> with{' '}
            {result.ownershipEntityRefs
              .filter(r => r !== result.user)
              .join(', ') || 'no groups'}
            {GROUPS_SOURCES[result.groupsSource]}
            {result.exempt ? '; exempt from quotas' : ''}.
          </Typography>
          <Table size="small" aria-label="Permissions of the user">
            <TableHead>
              <TableRow>
                <TableCell>Permission</TableCell>
                <TableCell>Decision</TableCell>
                <TableCell>Granted by</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {result.permissions.map(p => (
                <TableRow
                  key={p.permission}
                  data-testid={`explain-${p.permission}`}
                >
                  <TableCell style={{ whiteSpace: 'nowrap' }}>
                    <code>{p.permission}</code>
                  </TableCell>
                  <TableCell>
                    {p.decision === 'allow' && 'allowed (all)'}
                    {p.decision === 'deny' && 'denied'}
                    {p.decision === 'conditional' &&
                      `own sandboxes${
                        p.scope?.teams.length
                          ? ` and ${p.scope.teams.join(', ')}`
                          : ''
                      }`}
                  </TableCell>
                  <TableCell>
                    {p.grantedBy.map(grantText).join('; ') || '-'}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      )}
    </>
  );
}

function ImportResult(props: { result: RoleBindingImportResult }) {
  const { result } = props;
  const line = (b: { subject: string; role: string; teams: string[] }) =>
    `${b.subject} → ${b.role}${
      b.teams.length ? ` (${b.teams.join(', ')})` : ''
    }`;
  return (
    <Alert
      severity={result.dryRun ? 'info' : 'success'}
      data-testid="import-result"
    >
      {result.dryRun
        ? 'Dry run (nothing changed): would add'
        : 'Imported: added'}{' '}
      {result.created.length}, remove {result.deleted.length}, keep{' '}
      {result.unchanged} unchanged ({result.mode}).
      {result.created.length > 0 && (
        <div>Add: {result.created.map(line).join('; ')}</div>
      )}
      {result.deleted.length > 0 && (
        <div>Remove: {result.deleted.map(line).join('; ')}</div>
      )}
    </Alert>
  );
}

/** Export as YAML (download) and import a YAML document (dry run first, merge or replace). */
function ImportExportPanel(props: { onImported: () => void }) {
  const classes = useStyles();
  const api = useApi(opensandboxAdminApiRef);
  const [includeConfig, setIncludeConfig] = useState(false);
  const [yaml, setYaml] = useState('');
  const [mode, setMode] = useState<'merge' | 'replace'>('merge');
  const [result, setResult] = useState<RoleBindingImportResult>();
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);

  const exportYaml = async () => {
    setFailure(undefined);
    try {
      const text = await api.exportRoleBindings({ includeConfig });
      saveBlob(
        new Blob([text], { type: 'application/yaml' }),
        'opensandbox-role-bindings.yaml',
      );
    } catch (e) {
      setFailure(`Could not export: ${errorMessage(e)}`);
    }
  };

  const run = async (dryRun: boolean) => {
    setFailure(undefined);
    setBusy(true);
    try {
      const answer = await api.importRoleBindings(yaml, { mode, dryRun });
      setResult(answer);
      if (!dryRun) props.onImported();
    } catch (e) {
      setResult(undefined);
      setFailure(`Could not import: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Box className={classes.form} alignItems="center">
        <Button
          variant="outlined"
          startIcon={<GetAppIcon />}
          onClick={exportYaml}
          data-testid="export-yaml"
        >
          Export YAML
        </Button>
        <FormControlLabel
          control={
            <Checkbox
              checked={includeConfig}
              onChange={e => setIncludeConfig(e.target.checked)}
            />
          }
          label="Include the app-config entries (to move them into the database)"
        />
      </Box>
      <Box mt={2}>
        <TextField
          id="role-binding-import"
          label="YAML to import"
          placeholder={
            'apiVersion: opensandbox.console/v1\nkind: RoleBindings\nbindings:\n  - subject: group:default/team-a\n    role: operator'
          }
          multiline
          minRows={6}
          fullWidth
          variant="outlined"
          value={yaml}
          onChange={e => setYaml(e.target.value)}
          InputProps={{ className: classes.yaml }}
          inputProps={{ 'data-testid': 'import-yaml' }}
        />
      </Box>
      <Box mt={1} className={classes.form} alignItems="center">
        <TextField
          id="role-binding-import-mode"
          label="Mode"
          select
          SelectProps={{ native: true }}
          InputLabelProps={{ shrink: true }}
          className={classes.narrow}
          variant="outlined"
          size="small"
          value={mode}
          onChange={e => setMode(e.target.value as 'merge' | 'replace')}
          helperText={
            mode === 'merge'
              ? 'Adds what is missing'
              : 'Also removes bindings not in the file'
          }
          inputProps={{ 'data-testid': 'import-mode' }}
        >
          <option value="merge">merge</option>
          <option value="replace">replace</option>
        </TextField>
        <Button
          variant="outlined"
          disabled={busy || !yaml.trim()}
          onClick={() => run(true)}
          data-testid="import-dry-run"
        >
          Preview (dry run)
        </Button>
        <Button
          variant="contained"
          color="primary"
          disabled={busy || !yaml.trim()}
          onClick={() => run(false)}
          data-testid="import-apply"
        >
          Import
        </Button>
      </Box>
      {failure && (
        <Box mt={1}>
          <Alert severity="error" data-testid="import-error">
            {failure}
          </Alert>
        </Box>
      )}
      {result && (
        <Box mt={1}>
          <ImportResult result={result} />
        </Box>
      )}
    </>
  );
}

/**
 * Role bindings managed in the console (`/api/opensandbox/admin/role-bindings`): the stored
 * bindings and the app-config entries (read-only), add and remove, "explain" for a user, and
 * YAML export/import. Callers need `opensandbox.admin.manage` (the page checks it).
 * @public
 */
export function RoleBindingsCard() {
  const api = useApi(opensandboxAdminApiRef);
  const list = useAsyncRetry(() => api.listRoleBindings(), [api]);
  const [removing, setRemoving] = useState<RoleBinding>();
  const [removeError, setRemoveError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);
  const seconds = list.value?.cacheSeconds;
  const staleness =
    seconds === undefined
      ? ''
      : ` Changes are in force on every replica within ${seconds} s.`;

  const remove = async () => {
    if (!removing) return;
    setBusy(true);
    setRemoveError(undefined);
    try {
      await api.removeRoleBinding(removing.id);
      setNotice(`Removed: ${removing.subject} → ${removing.role}.`);
      setRemoving(undefined);
      list.retry();
    } catch (e) {
      setRemoveError(`Could not remove the binding: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
    }
  };

  let table;
  if (list.loading && !list.value) table = <Progress />;
  else if (list.error) {
    table = (
      <Alert severity="error" data-testid="bindings-error">
        Could not load the role bindings: {errorMessage(list.error)}
      </Alert>
    );
  } else if (list.value) {
    const { items, config, defaultRole } = list.value;
    table = (
      <>
        <Table size="small" aria-label="Role bindings">
          <TableHead>
            <TableRow>
              <TableCell>Subject</TableCell>
              <TableCell>Role</TableCell>
              <TableCell>Scope</TableCell>
              <TableCell>Exempt</TableCell>
              <TableCell>Source</TableCell>
              <TableCell>Description</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {items.map(b => (
              <TableRow
                key={b.id}
                data-testid="binding-row"
                data-subject={b.subject}
                data-role={b.role}
              >
                <TableCell>
                  <code>{b.subject}</code>
                </TableCell>
                <TableCell style={{ whiteSpace: 'nowrap' }}>{b.role}</TableCell>
                <TableCell>
                  <Teams teams={b.teams} />
                </TableCell>
                <TableCell>{b.exempt ? 'yes' : ''}</TableCell>
                <TableCell>
                  <Typography variant="body2">database</Typography>
                  <Typography variant="caption" color="textSecondary">
                    {formatTimestamp(b.createdAt)} by {b.createdBy}
                  </Typography>
                </TableCell>
                <TableCell>{b.description ?? ''}</TableCell>
                <TableCell align="right">
                  <Button
                    size="small"
                    onClick={() => setRemoving(b)}
                    aria-label={`Remove ${b.subject} ${b.role}`}
                  >
                    Remove
                  </Button>
                </TableCell>
              </TableRow>
            ))}
            {config.map(b => (
              <TableRow
                key={`config-${b.subject}-${b.role}`}
                data-testid="config-row"
                data-subject={b.subject}
                data-role={b.role}
              >
                <TableCell>
                  <code>{b.subject}</code>
                </TableCell>
                <TableCell style={{ whiteSpace: 'nowrap' }}>{b.role}</TableCell>
                <TableCell>
                  <Teams teams={b.teams} />
                </TableCell>
                <TableCell />
                <TableCell>
                  <Chip size="small" label="app-config" />
                </TableCell>
                <TableCell>
                  <Typography variant="caption" color="textSecondary">
                    opensandbox.permissionPolicy (change it in app-config)
                  </Typography>
                </TableCell>
                <TableCell />
              </TableRow>
            ))}
          </TableBody>
        </Table>
        {items.length === 0 && (
          <Box mt={1}>
            <Typography
              variant="body2"
              color="textSecondary"
              data-testid="bindings-empty"
            >
              No bindings in the database yet: the app-config entries alone
              decide.
            </Typography>
          </Box>
        )}
        <Box mt={1}>
          <Typography variant="caption" color="textSecondary">
            Users no entry names get the default role: {defaultRole ?? 'none'}.
            A user holds every role its bindings give (database bindings are
            added to the app-config entries).
          </Typography>
        </Box>
      </>
    );
  }

  return (
    <>
      <InfoCard
        title="Role bindings"
        subheader={`Who may do what in the console.${staleness}`}
      >
        {notice && (
          <Box mb={2}>
            <Alert
              severity="success"
              onClose={() => setNotice(undefined)}
              data-testid="bindings-notice"
            >
              {notice}
            </Alert>
          </Box>
        )}
        {table}
        <Box mt={3}>
          <Typography variant="h6" component="h3">
            Add a binding
          </Typography>
          <Box mt={1}>
            <AddBindingForm
              onAdded={added => {
                setNotice(
                  `Added: ${added.subject} → ${added.role}.${staleness}`,
                );
                list.retry();
              }}
            />
          </Box>
        </Box>
      </InfoCard>
      <Box mt={3}>
        <InfoCard
          title="Explain"
          subheader="What a user may do, and which binding gives it (the ready role policy's decision)"
        >
          <ExplainPanel />
        </InfoCard>
      </Box>
      <Box mt={3}>
        <InfoCard
          title="Export and import (GitOps)"
          subheader="The stored bindings as YAML; an import is one transaction"
        >
          <ImportExportPanel onImported={() => list.retry()} />
        </InfoCard>
      </Box>
      <Dialog
        open={!!removing}
        onClose={() => setRemoving(undefined)}
        aria-labelledby="remove-binding-title"
      >
        <DialogTitle id="remove-binding-title">
          Remove this binding?
        </DialogTitle>
        <DialogContent>
          <Typography>
            {removing?.subject} loses the role {removing?.role}
            {removing?.teams.length
              ? ` for ${removing.teams.join(', ')}`
              : ''}{' '}
            (unless another binding or app-config gives it).{staleness}
          </Typography>
          {removeError && (
            <Box mt={1}>
              <Alert severity="error" data-testid="binding-remove-error">
                {removeError}
              </Alert>
            </Box>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setRemoving(undefined)}>Cancel</Button>
          <Button
            color="secondary"
            variant="contained"
            onClick={remove}
            disabled={busy}
            data-testid="binding-remove-confirm"
          >
            Remove
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
