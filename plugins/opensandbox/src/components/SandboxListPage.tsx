import React, { useCallback, useMemo, useState, KeyboardEvent } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Chip from '@material-ui/core/Chip';
import FormControl from '@material-ui/core/FormControl';
import IconButton from '@material-ui/core/IconButton';
import InputLabel from '@material-ui/core/InputLabel';
import ListItemText from '@material-ui/core/ListItemText';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import TextField from '@material-ui/core/TextField';
import Tooltip from '@material-ui/core/Tooltip';
import Link from '@material-ui/core/Link';
import { makeStyles } from '@material-ui/core/styles';
import AddIcon from '@material-ui/icons/Add';
import RefreshIcon from '@material-ui/icons/Refresh';
import HistoryIcon from '@material-ui/icons/History';
import {
  Content,
  EmptyState,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import {
  ConsoleSandbox,
  validateMetadataKey,
  validateMetadataValue,
} from '@opensandbox-console/plugin-opensandbox-common';
import { opensandboxApiRef } from '../api';
import { auditRouteRef, createSandboxRouteRef, sandboxRouteRef } from '../routes';
import { formatTimestamp, sandboxDisplayName, sandboxSource } from '../lib/format';
import { ExpiresIn } from './ExpiresIn';
import { KNOWN_STATES, StateChip } from './StateChip';
import { Gate, GateTooltip, useAuditGate, useCreateGate } from './permissions';

/** Page sizes offered by the table; the server allows 1 to 200. */
export const PAGE_SIZE_OPTIONS = [10, 20, 50, 100];
/** Page size used until the user picks another one (same as the server default). */
export const DEFAULT_PAGE_SIZE = 20;

const useStyles = makeStyles(theme => ({
  filters: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'flex-start',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(2),
  },
  stateSelect: { minWidth: 220 },
  metadataInput: { minWidth: 280 },
  chips: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(0.5), alignItems: 'center' },
  actions: { marginLeft: 'auto', display: 'flex', gap: theme.spacing(1), alignItems: 'center' },
}));

function NameCell(props: { sandbox: ConsoleSandbox }) {
  const sandboxLink = useRouteRef(sandboxRouteRef);
  return (
    <Link
      component={RouterLink}
      to={sandboxLink({ sandboxId: props.sandbox.id })}
      title={props.sandbox.id}
      data-testid="sandbox-link"
    >
      {sandboxDisplayName(props.sandbox)}
    </Link>
  );
}

/**
 * "Create sandbox": a link to the form when allowed; disabled with a tooltip saying why while the
 * permission loads or when it is denied.
 */
function CreateButton(props: { gate: Gate; testId: string; withIcon?: boolean }) {
  const createLink = useRouteRef(createSandboxRouteRef);
  if (!props.gate.allowed) {
    return (
      <GateTooltip reason={props.gate.reason} testId={props.testId}>
        <Button variant="contained" color="primary" startIcon={props.withIcon ? <AddIcon /> : undefined} disabled>
          Create sandbox
        </Button>
      </GateTooltip>
    );
  }
  return (
    <Button
      variant="contained"
      color="primary"
      startIcon={props.withIcon ? <AddIcon /> : undefined}
      component={RouterLink}
      to={createLink()}
    >
      Create sandbox
    </Button>
  );
}

/**
 * The sandbox list: state and metadata filters, server-side pagination, a create button (disabled
 * without `opensandbox.sandbox.create`), a refresh button and, for users who may read it, a link
 * to the audit log.
 * @public
 */
export function SandboxListPage() {
  const classes = useStyles();
  const api = useApi(opensandboxApiRef);
  const auditLink = useRouteRef(auditRouteRef);
  const createGate = useCreateGate();
  const auditGate = useAuditGate();

  const [states, setStates] = useState<string[]>([]);
  const [metadata, setMetadata] = useState<Record<string, string>>({});
  const [metadataInput, setMetadataInput] = useState('');
  const [metadataError, setMetadataError] = useState<string | undefined>();
  const [page, setPage] = useState(1); // 1-based, as the API
  const [pageSize, setPageSize] = useState(DEFAULT_PAGE_SIZE);

  const { value, loading, error, retry } = useAsyncRetry(
    () => api.listSandboxes({ states, metadata, page, pageSize }),
    [api, states, metadata, page, pageSize],
  );

  const addMetadataFilter = useCallback(() => {
    const text = metadataInput.trim();
    if (!text) return;
    const eq = text.indexOf('=');
    if (eq <= 0) {
      setMetadataError('Use key=value');
      return;
    }
    const key = text.slice(0, eq).trim();
    const val = text.slice(eq + 1).trim();
    const problem = validateMetadataKey(key) ?? validateMetadataValue(val);
    if (problem) {
      setMetadataError(problem);
      return;
    }
    setMetadata(prev => ({ ...prev, [key]: val }));
    setMetadataInput('');
    setMetadataError(undefined);
    setPage(1);
  }, [metadataInput]);

  const removeMetadataFilter = (key: string) => {
    setMetadata(prev => {
      const next = { ...prev };
      delete next[key];
      return next;
    });
    setPage(1);
  };

  const columns = useMemo<TableColumn<ConsoleSandbox>[]>(
    () => [
      {
        title: 'State',
        field: 'status.state',
        render: row => <StateChip state={row.status?.state} />,
        width: '130px',
      },
      { title: 'Name', field: 'id', render: row => <NameCell sandbox={row} /> },
      { title: 'Image', render: row => sandboxSource(row) },
      {
        title: 'Owner',
        render: row => row.ownership?.owner ?? row.ownership?.team ?? '-',
      },
      { title: 'Created', render: row => formatTimestamp(row.createdAt) },
      { title: 'Expires', render: row => <ExpiresIn expiresAt={row.expiresAt} /> },
    ],
    [],
  );

  const filtered = states.length > 0 || Object.keys(metadata).length > 0;

  const filters = (
    <div className={classes.filters}>
      <FormControl variant="outlined" size="small" className={classes.stateSelect}>
        <InputLabel id="opensandbox-state-filter-label">State</InputLabel>
        <Select
          labelId="opensandbox-state-filter-label"
          label="State"
          multiple
          value={states}
          onChange={e => {
            setStates(e.target.value as string[]);
            setPage(1);
          }}
          renderValue={selected => (selected as string[]).join(', ')}
          inputProps={{ 'data-testid': 'state-filter-input' }}
          SelectDisplayProps={{ 'data-testid': 'state-filter' } as any}
        >
          {KNOWN_STATES.map(state => (
            <MenuItem key={state} value={state}>
              <Checkbox size="small" checked={states.includes(state)} />
              <ListItemText primary={state} />
            </MenuItem>
          ))}
        </Select>
      </FormControl>
      <TextField
        className={classes.metadataInput}
        variant="outlined"
        size="small"
        id="opensandbox-metadata-filter"
        label="Metadata filter"
        placeholder="key=value, then Enter"
        value={metadataInput}
        error={!!metadataError}
        helperText={metadataError}
        onChange={e => setMetadataInput(e.target.value)}
        onKeyDown={(e: KeyboardEvent) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            addMetadataFilter();
          }
        }}
        inputProps={{ 'data-testid': 'metadata-filter-input' }}
      />
      <Button variant="outlined" onClick={addMetadataFilter} disabled={!metadataInput.trim()}>
        Add filter
      </Button>
      <div className={classes.chips} data-testid="metadata-filter-chips">
        {Object.entries(metadata).map(([key, val]) => (
          <Chip
            key={key}
            size="small"
            label={`${key}=${val}`}
            onDelete={() => removeMetadataFilter(key)}
          />
        ))}
      </div>
      <div className={classes.actions}>
        <Tooltip title="Refresh">
          {/* A span, since a disabled button fires no events for the tooltip. */}
          <span>
            <IconButton aria-label="Refresh" onClick={retry} disabled={loading}>
              <RefreshIcon />
            </IconButton>
          </span>
        </Tooltip>
        <CreateButton gate={createGate} testId="create-gate" withIcon />
      </div>
    </div>
  );

  let body;
  if (error) {
    body = <ResponseErrorPanel error={error} />;
  } else if (!value) {
    body = <Progress />;
  } else {
    body = (
      <Table<ConsoleSandbox>
        title="Sandboxes"
        subtitle={`${value.pagination.totalItems} in total`}
        columns={columns}
        data={value.items}
        isLoading={loading}
        page={value.pagination.page - 1}
        totalCount={value.pagination.totalItems}
        onPageChange={(newPage: number, newPageSize: number) => {
          setPage(newPage + 1);
          setPageSize(newPageSize);
        }}
        onRowsPerPageChange={(newPageSize: number) => {
          setPageSize(newPageSize);
          setPage(1);
        }}
        options={{
          search: false,
          paging: true,
          pageSize,
          pageSizeOptions: PAGE_SIZE_OPTIONS,
          padding: 'dense',
          emptyRowsWhenPaging: false,
          sorting: false,
          draggable: false,
        }}
        emptyContent={
          <Box p={2}>
            <EmptyState
              missing="data"
              title="No sandboxes"
              description={
                filtered
                  ? 'No sandbox matches these filters.'
                  : 'There are no sandboxes you can see yet. Create one to get started.'
              }
              action={
                filtered ? undefined : <CreateButton gate={createGate} testId="empty-create-gate" />
              }
            />
          </Box>
        }
      />
    );
  }

  return (
    <Page themeId="tool">
      <Header title="Sandboxes" subtitle="OpenSandbox sandboxes you are allowed to see">
        {auditGate.allowed && (
          <Button
            variant="outlined"
            startIcon={<HistoryIcon />}
            component={RouterLink}
            to={auditLink()}
            style={{ color: 'inherit', borderColor: 'currentColor' }}
          >
            Audit log
          </Button>
        )}
      </Header>
      <Content>
        {filters}
        {body}
      </Content>
    </Page>
  );
}
