import { useCallback, useState, KeyboardEvent } from 'react';
import {
  Link as RouterLink,
  useLocation,
  useSearchParams,
} from 'react-router-dom';
import Alert from '@material-ui/lab/Alert';
import useAsync from 'react-use/esm/useAsync';
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
import { makeStyles } from '@material-ui/core/styles';
import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import RefreshIcon from '@material-ui/icons/Refresh';
import HistoryIcon from '@material-ui/icons/History';
import SecurityIcon from '@material-ui/icons/Security';
import {
  Content,
  EmptyState,
  Header,
  Page,
  Progress,
} from '@backstage/core-components';
import {
  identityApiRef,
  useApi,
  useRouteRef,
} from '@backstage/core-plugin-api';
import {
  validateMetadataKey,
  validateMetadataValue,
} from '@opensandbox-console/plugin-opensandbox-common';
import { adminRouteRef, auditRouteRef } from '../routes';
import { filterRef, MAX_REF_FILTER_VALUES, ownGroupRefs } from '../lib/entity';
import {
  effectiveSort,
  listQueryOf,
  ListState,
  listStateFromSearch,
  listStateToSearch,
  normalizeMetadataFilter,
  QuickFilter,
  toggleSort,
} from '../lib/listState';
import { useExpiringSoonSeconds, useServers } from '../lib/limits';
import { KNOWN_STATES } from './StateChip';
import { useAdminGate, useAuditGate, useCreateGate } from './permissions';
import { CreateButton } from './CreateButton';
import {
  ExpiringSoonToggle,
  Freshness,
  SearchBox,
  ServerFilter,
} from './ListControls';
import { SandboxFilter, SandboxTable, useSandboxPage } from './SandboxTable';
import { ListLoadError } from './ListLoadError';
import { consumeNotice } from './notices';
import { useLiveChanges } from './useLiveChanges';
import { useListBulkActions } from './bulk/useListBulkActions';

export { PAGE_SIZE_OPTIONS, DEFAULT_PAGE_SIZE } from './SandboxTable';
export type { QuickFilter } from '../lib/listState';

const useStyles = makeStyles(theme => ({
  filters: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'flex-start',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(2),
    // On the page's grey background the theme's label grey falls just short of 4.5:1; a darker
    // grey reaches 6.4:1 (WCAG AA). Focused and invalid fields keep their colours.
    ...(theme.palette.type === 'dark'
      ? {}
      : { '& label:not(.Mui-error):not(.Mui-focused)': { color: '#595959' } }),
  },
  stateSelect: { minWidth: 220 },
  // The input and its button stay side by side; a long error wraps under the input instead of
  // widening it and pushing the button to the next row.
  metadataGroup: {
    display: 'flex',
    alignItems: 'flex-start',
    gap: theme.spacing(1),
  },
  metadataInput: { width: 300 },
  metadataButton: { height: 40, whiteSpace: 'nowrap' },
  chips: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0.5),
    alignItems: 'center',
  },
  actions: {
    marginLeft: 'auto',
    display: 'flex',
    gap: theme.spacing(1),
    alignItems: 'center',
  },
}));

/**
 * The signed-in user's refs for the quick filters, lower-case: `user` (Mine) and up to 20 group
 * refs among the ownership refs (My teams).
 */
function useQuickFilterRefs() {
  const identityApi = useApi(identityApiRef);
  return useAsync(async () => {
    const identity = await identityApi.getBackstageIdentity();
    return {
      user: filterRef(identity.userEntityRef),
      // ownGroupRefs drops case-insensitive duplicates, so no ref is sent twice.
      teams: ownGroupRefs(identity.ownershipEntityRefs)
        .map(filterRef)
        .slice(0, MAX_REF_FILTER_VALUES),
    };
  }, [identityApi]);
}

/**
 * The sandbox list: a search box (name or id, on the server), quick filters (All / Mine /
 * My teams, Expiring soon), state and metadata filters, a server filter and Server column when
 * the console has several OpenSandbox servers, headers that sort on the server (State, Name,
 * Created, Expires), server-side pagination, how fresh the console's inventory is, a create
 * button (disabled without `opensandbox.sandbox.create`), a refresh button and, for users who may
 * read it, a link to the audit log (for administrators also one to the administration page).
 * Users who may change the listed sandboxes can select rows (the page, or all sandboxes matching
 * the filter) and renew, pause, resume or delete them together (dry run first; see `bulk/`).
 * Filters, search, sort, page and page size live in the URL
 * (`?filter=mine&state=Running&metadata=project%3Dpayments&search=demo&sort=name&page=2`), so
 * Back from a sandbox restores the list as it was and a filtered list can be shared.
 * @public
 */
export function SandboxListPage() {
  const classes = useStyles();
  const auditLink = useRouteRef(auditRouteRef);
  const createGate = useCreateGate();
  const auditGate = useAuditGate();
  const adminLink = useRouteRef(adminRouteRef);
  const adminGate = useAdminGate();
  const refs = useQuickFilterRefs();
  const servers = useServers();
  const severalServers = servers.length > 1;

  const [searchParams, setSearchParams] = useSearchParams();
  // "Sandbox ... deleted." when the detail page navigated here after a delete.
  const location = useLocation();
  const [notice, setNotice] = useState<string | undefined>(() =>
    consumeNotice(location),
  );
  const listState = listStateFromSearch(searchParams);
  const { quick, states, metadata } = listState;
  // Filter changes go back to page 1; `replace` keeps one history entry for the list.
  const update = (patch: Partial<ListState>) =>
    setSearchParams(listStateToSearch({ ...listState, page: 1, ...patch }), {
      replace: true,
    });
  const [metadataInput, setMetadataInput] = useState('');
  const [metadataError, setMetadataError] = useState<string | undefined>();

  // "Expiring soon": the backend's first expiry warning lead time (one hour by default).
  const expiringSoonSeconds = useExpiringSoonSeconds();
  const filter: SandboxFilter = {
    states,
    metadata,
    ...listQueryOf(listState, expiringSoonSeconds),
  };
  if (quick === 'mine' && refs.value) filter.owner = [refs.value.user];
  if (quick === 'teams' && refs.value) filter.team = refs.value.teams;
  const page = useSandboxPage(filter, {
    paging: {
      page: listState.page,
      pageSize: listState.pageSize,
      onChange: (next, pageSize) => update({ page: next, pageSize }),
    },
    // "Mine" / "My teams" from a link wait for the user's refs instead of listing everything first.
    enabled: quick === 'all' || !refs.loading,
  });
  // Live status: the current page is refetched when a sandbox the user may see changes.
  useLiveChanges({ onChange: () => page.refresh?.() });
  // Row selection and the bulk toolbar (hidden for users who may not change these sandboxes).
  const bulk = useListBulkActions({
    filter,
    page: page.value,
    reload: page.retry,
  });

  const addMetadataFilter = useCallback(() => {
    const text = metadataInput.trim();
    if (!text) return;
    const eq = text.indexOf('=');
    if (eq <= 0) {
      setMetadataError('Use key=value');
      return;
    }
    const [key, val] = normalizeMetadataFilter(
      text.slice(0, eq).trim(),
      text.slice(eq + 1).trim(),
    );
    const problem = validateMetadataKey(key) ?? validateMetadataValue(val);
    if (problem) {
      setMetadataError(problem);
      return;
    }
    setSearchParams(
      prev => {
        const current = listStateFromSearch(prev);
        return listStateToSearch({
          ...current,
          page: 1,
          metadata: { ...current.metadata, [key]: val },
        });
      },
      { replace: true },
    );
    setMetadataInput('');
    setMetadataError(undefined);
  }, [metadataInput, setSearchParams]);

  const removeMetadataFilter = (key: string) => {
    const next = { ...metadata };
    delete next[key];
    update({ metadata: next });
  };

  const filtered =
    quick !== 'all' ||
    states.length > 0 ||
    Object.keys(metadata).length > 0 ||
    !!listState.search ||
    !!listState.expiringSoon ||
    !!listState.server;
  const noTeams = !!refs.value && refs.value.teams.length === 0;
  // With the list filtered to one server, "Create sandbox" offers that server.
  const createSearch = listState.server
    ? new URLSearchParams({ server: listState.server }).toString()
    : undefined;

  const filters = (
    <div className={classes.filters}>
      <SearchBox
        value={listState.search}
        onChange={search => update({ search: search || undefined })}
      />
      <ToggleButtonGroup
        exclusive
        size="small"
        value={quick}
        onChange={(_event, next: QuickFilter | null) => {
          if (next) update({ quick: next });
        }}
        aria-label="Quick filter"
        data-testid="quick-filter"
      >
        <ToggleButton
          value="all"
          aria-label="All sandboxes"
          data-testid="quick-filter-all"
        >
          All
        </ToggleButton>
        <ToggleButton
          value="mine"
          aria-label="Mine: sandboxes I created"
          disabled={!refs.value}
          data-testid="quick-filter-mine"
        >
          Mine
        </ToggleButton>
        <ToggleButton
          value="teams"
          aria-label="My teams: sandboxes of my teams"
          disabled={!refs.value || noTeams}
          title={noTeams ? 'You are not a member of any group' : undefined}
          data-testid="quick-filter-teams"
        >
          My teams
        </ToggleButton>
      </ToggleButtonGroup>
      <ExpiringSoonToggle
        seconds={expiringSoonSeconds}
        selected={!!listState.expiringSoon}
        onChange={selected => update({ expiringSoon: selected || undefined })}
      />
      <FormControl
        variant="outlined"
        size="small"
        className={classes.stateSelect}
      >
        <InputLabel id="opensandbox-state-filter-label">State</InputLabel>
        <Select
          labelId="opensandbox-state-filter-label"
          label="State"
          multiple
          value={states}
          onChange={e => update({ states: e.target.value as string[] })}
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
      {severalServers && (
        <ServerFilter
          servers={servers}
          value={listState.server}
          onChange={server => update({ server })}
        />
      )}
      <div className={classes.metadataGroup}>
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
        <Button
          variant="outlined"
          className={classes.metadataButton}
          onClick={addMetadataFilter}
          disabled={!metadataInput.trim()}
        >
          Add filter
        </Button>
      </div>
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
        <Freshness syncedAt={page.value?.syncedAt} />
        <Tooltip title="Refresh">
          {/* A span, since a disabled button fires no events for the tooltip. */}
          <span>
            <IconButton
              aria-label="Refresh"
              onClick={page.retry}
              disabled={page.loading}
            >
              <RefreshIcon />
            </IconButton>
          </span>
        </Tooltip>
        <CreateButton
          gate={createGate}
          testId="create-gate"
          withIcon
          search={createSearch}
        />
      </div>
    </div>
  );

  let body;
  if (page.error) {
    body = <ListLoadError error={page.error} onRetry={page.retry} />;
  } else if (!page.value) {
    body = <Progress />;
  } else {
    body = (
      <>
        {bulk.toolbar}
        <SandboxTable
          page={{ ...page, value: page.value }}
          selection={bulk.selection}
          title="Sandboxes"
          emptyContent={
            <EmptyState
              missing="data"
              title="No sandboxes"
              description={
                filtered
                  ? 'No sandbox matches these filters.'
                  : 'There are no sandboxes you can see yet. Create one to get started.'
              }
              action={
                filtered ? undefined : (
                  <CreateButton gate={createGate} testId="empty-create-gate" />
                )
              }
            />
          }
          showServer={severalServers}
          sorting={{
            ...effectiveSort(listState),
            onSort: key => update(toggleSort(listState, key)),
          }}
        />
      </>
    );
  }

  return (
    <Page themeId="tool">
      <Header
        title="Sandboxes"
        subtitle="OpenSandbox sandboxes you are allowed to see"
      >
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
        {adminGate.allowed && (
          <Button
            variant="outlined"
            startIcon={<SecurityIcon />}
            component={RouterLink}
            to={adminLink()}
            style={{
              color: 'inherit',
              borderColor: 'currentColor',
              marginLeft: 8,
            }}
          >
            Administration
          </Button>
        )}
      </Header>
      <Content>
        {notice && (
          <Alert
            severity="success"
            onClose={() => setNotice(undefined)}
            data-testid="list-notice"
            style={{ marginBottom: 16 }}
          >
            {notice}
          </Alert>
        )}
        {filters}
        {bulk.dialog}
        {body}
      </Content>
    </Page>
  );
}
