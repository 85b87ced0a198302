import {
  createContext,
  ReactNode,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { Link as RouterLink } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Link from '@material-ui/core/Link';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import WarningIcon from '@material-ui/icons/Warning';
import { Table, TableColumn } from '@backstage/core-components';
import { useApi, useApiHolder } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import type {
  ConsoleListSandboxesResponse,
  ConsoleSandbox,
} from '@opensandbox-console/plugin-opensandbox-common';
import { ListSandboxesQuery, opensandboxApiRef } from '../api';
import {
  formatAgo,
  formatTimestamp,
  sandboxDisplayName,
  sandboxSource,
} from '../lib/format';
import { useNow } from '../lib/useNow';
import { useExpiringSoonSeconds } from '../lib/limits';
import { DEFAULT_PAGE_SIZE, PAGE_SIZE_OPTIONS } from '../lib/listState';
import { ExpiresIn, ExpiringSoonContext } from './ExpiresIn';
import { StateChip } from './StateChip';
import { StateWithFailure } from './FailureInsights';
import { EntityLink } from './EntityLink';
import { SortHeader, SortingContext, TableSorting } from './ListControls';
import { useSandboxLink } from './useSandboxLink';
import { SelectionContext, selectionColumn } from './bulk/SelectionColumn';
import type { BulkSelection } from './bulk/useBulkSelection';

export { PAGE_SIZE_OPTIONS, DEFAULT_PAGE_SIZE };
/** Tooltip of the flag next to owners the catalog does not know. */
export const OWNER_NOT_FOUND = 'Owner not found in the catalog';

/** Filters of a sandbox list, everything of {@link ListSandboxesQuery} but the paging. */
export type SandboxFilter = Omit<ListSandboxesQuery, 'page' | 'pageSize'>;

/** One page of sandboxes plus the paging controls; see {@link useSandboxPage}. */
export interface SandboxPage {
  value?: ConsoleListSandboxesResponse;
  loading: boolean;
  error?: Error;
  retry: () => void;
  /**
   * Refetches the page quietly (live status): the table keeps showing the current rows, without
   * its loading overlay, until the new ones arrive; a load in flight is superseded. Always set by
   * {@link useSandboxPage}.
   */
  refresh?: () => void;
  pageSize: number;
  setPage: (page: number) => void;
  setPageSize: (pageSize: number) => void;
}

/** Paging kept outside the hook (e.g. in the URL); the owner resets `page` on filter changes. */
export interface PagingControl {
  page: number;
  pageSize: number;
  onChange: (page: number, pageSize: number) => void;
}

/**
 * Loads one page of sandboxes: `api.listSandboxes({ ...filter, page, pageSize })`. Without
 * `paging` the hook keeps page and page size itself, and a change of `filter` (compared by value)
 * goes back to page 1. With `enabled: false` nothing is loaded (the value stays undefined).
 */
export function useSandboxPage(
  filter: SandboxFilter,
  options: { paging?: PagingControl; enabled?: boolean } = {},
): SandboxPage {
  const { paging: control, enabled = true } = options;
  const api = useApi(opensandboxApiRef);
  const key = JSON.stringify(filter);
  const [paging, setPaging] = useState({ key, page: 1 });
  const [pageSizeState, setPageSizeState] = useState(DEFAULT_PAGE_SIZE);
  const ownPage = paging.key === key ? paging.page : 1;
  const page = control ? control.page : ownPage;
  const pageSize = control ? control.pageSize : pageSizeState;
  // Live refreshes re-run the load through a dependency (a retry would be dropped while loading).
  const [refreshes, setRefreshes] = useState(0);
  const quiet = useRef(false);
  const { value, loading, error, retry } = useAsyncRetry(
    async () =>
      enabled
        ? api.listSandboxes({
            ...(JSON.parse(key) as SandboxFilter),
            page,
            pageSize,
          })
        : undefined,
    [api, key, page, pageSize, enabled, refreshes],
  );
  useEffect(() => {
    if (!loading) quiet.current = false;
  }, [loading]);
  // A refetch that answers the same page keeps the same object: the table is not rebuilt.
  const shown = useRef(value);
  if (
    value !== shown.current &&
    !(
      value &&
      shown.current &&
      JSON.stringify(value) === JSON.stringify(shown.current)
    )
  ) {
    shown.current = value;
  }
  return {
    value: shown.current,
    loading: loading && !(quiet.current && value),
    error,
    retry,
    refresh: () => {
      quiet.current = true;
      setRefreshes(n => n + 1);
    },
    pageSize,
    setPage: (next: number) =>
      control
        ? control.onChange(next, pageSize)
        : setPaging({ key, page: next }),
    setPageSize: (next: number) => {
      if (control) {
        control.onChange(1, next);
        return;
      }
      setPageSizeState(next);
      setPaging({ key, page: 1 });
    },
  };
}

const NONE_MISSING: Set<string> = new Set();

let dataGeneration = 0;

/**
 * A key that changes with every new page of data. material-table (dev builds) warns "The columns
 * provided to material table are static, but contain functions ..." on the first update whose
 * props differ, even when the columns are memoised and only `data` changed; mounting a fresh table
 * per page of data avoids that update (rows are few, paging is server-side and controlled).
 */
function useDataKey(data: unknown): number {
  return useMemo(() => ++dataGeneration, [data]); // eslint-disable-line react-hooks/exhaustive-deps
}

/**
 * The owners of the current page missing from the catalog. Read by the owner cells through a
 * context so the table's columns (and rows) stay the same when the lookup answers.
 */
const MissingOwnersContext = createContext<Set<string>>(NONE_MISSING);

/**
 * The owners (user refs) of `sandboxes` that the catalog does not know, looked up with ONE
 * `catalogApi.getEntitiesByRefs` call per distinct set of owners (i.e. per page). Empty while
 * loading, when the app has no catalog API, or when the lookup fails (nothing is flagged then).
 */
export function useMissingOwners(
  sandboxes: ConsoleSandbox[] | undefined,
): Set<string> {
  const catalogApi = useApiHolder().get(catalogApiRef);
  const refs = [
    ...new Set(
      (sandboxes ?? [])
        .map(s => s.ownership?.owner)
        .filter((r): r is string => !!r),
    ),
  ].sort();
  const key = refs.join('\n');
  const { value } = useAsync(async () => {
    const wanted = key ? key.split('\n') : [];
    if (!catalogApi || wanted.length === 0) return NONE_MISSING;
    const { items } = await catalogApi.getEntitiesByRefs({
      entityRefs: wanted,
      fields: ['kind', 'metadata.namespace', 'metadata.name'],
    });
    return new Set(wanted.filter((_, i) => !items[i]));
  }, [catalogApi, key]);
  return value ?? NONE_MISSING;
}

const useStyles = makeStyles(theme => ({
  owner: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
    // Names such as "Guest (development)" stay on one line instead of breaking mid-word.
    whiteSpace: 'nowrap',
  },
  missing: { color: theme.palette.warning.main, fontSize: '1rem' },
  // In the table, long names and images end in an ellipsis (the full text in the title) instead
  // of widening the table or breaking mid-word; narrower below 1280 px, so the table fits a
  // 1024 px window next to the sidebar.
  nameCell: {
    display: 'flex',
    flexDirection: 'column',
    maxWidth: 240,
    minWidth: 0,
    [theme.breakpoints.down('md')]: { maxWidth: 160 },
  },
  // The owner with the owning team under it. Display names ("Guest (development)") stay on one
  // line while there is room and wrap between words, never inside one, when the window is narrow.
  ownerCell: {
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'flex-start',
  },
  wrapsBetweenWords: {
    whiteSpace: 'normal',
    overflowWrap: 'normal',
    wordBreak: 'normal',
  },
  ellipsis: {
    display: 'block',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
    maxWidth: '100%',
  },
  // The short id (never truncated) and the image (truncated) on one line under the name.
  subline: {
    display: 'flex',
    minWidth: 0,
    gap: theme.spacing(0.75),
    alignItems: 'baseline',
  },
  shortId: { fontFamily: 'monospace', flexShrink: 0, whiteSpace: 'nowrap' },
  service: { whiteSpace: 'nowrap' },
}));

function NameCell(props: { sandbox: ConsoleSandbox }) {
  const classes = useStyles();
  const sandboxLink = useSandboxLink();
  const source = sandboxSource(props.sandbox);
  const name = props.sandbox.metadata?.name;
  const shortId = sandboxDisplayName({ id: props.sandbox.id });
  return (
    <div className={classes.nameCell}>
      <Link
        component={RouterLink}
        to={sandboxLink(props.sandbox)}
        title={name ? `${name} (${props.sandbox.id})` : props.sandbox.id}
        className={classes.ellipsis}
        data-testid="sandbox-link"
      >
        {sandboxDisplayName(props.sandbox)}
      </Link>
      <div className={classes.subline}>
        {/* Sandboxes with the same name are told apart by the id (the name links show it otherwise). */}
        {name && (
          <Typography
            variant="caption"
            color="textSecondary"
            className={classes.shortId}
            title={props.sandbox.id}
            data-testid="sandbox-short-id"
          >
            {shortId}
          </Typography>
        )}
        <Typography
          variant="caption"
          color="textSecondary"
          className={classes.ellipsis}
          title={source}
          data-testid="sandbox-image"
        >
          {source}
        </Typography>
      </div>
    </div>
  );
}

/** The owner (user) and, under it, the owning team (group), as catalog links; `-` for neither. */
function OwnerAndTeamCell(props: {
  sandbox: ConsoleSandbox;
  withTeam: boolean;
}) {
  const classes = useStyles();
  const { ownership } = props.sandbox;
  const team = props.withTeam ? ownership?.team : undefined;
  if (!ownership?.owner && !ownership?.service && !team) return <>-</>;
  return (
    <div className={classes.ownerCell}>
      {ownership?.owner && <OwnerCell owner={ownership.owner} wrap />}
      {!ownership?.owner && ownership?.service && (
        <ServiceCreator service={ownership.service} />
      )}
      {team && (
        <span className={classes.wrapsBetweenWords}>
          <EntityLink entityRef={team} testId="team-link" />
        </span>
      )}
    </div>
  );
}

/**
 * A sandbox's creator when a Backstage service created it (no user owner): the service subject
 * (`plugin:scaffolder`) with "(service)" after it.
 */
export function ServiceCreator(props: { service: string }) {
  const classes = useStyles();
  return (
    <span
      className={classes.service}
      title={`Created by the service ${props.service}`}
      data-testid="sandbox-creator-service"
    >
      {props.service} (service)
    </span>
  );
}

/** When the sandbox was created, relative (`47m ago`, ticking); the UTC time is in the title. */
export function CreatedAgo(props: { createdAt?: string }) {
  const now = useNow(10_000);
  if (!props.createdAt) return <>-</>;
  return (
    <span
      title={formatTimestamp(props.createdAt)}
      data-testid="sandbox-created"
    >
      {formatAgo(props.createdAt, now) || formatTimestamp(props.createdAt)}
    </span>
  );
}

/**
 * The owner as a catalog link, flagged when the catalog does not know it (`missing`, or else the
 * table's lookup). On one line, or with `wrap` (the table), wrapping between words when narrow.
 */
export function OwnerCell(props: {
  owner?: string;
  missing?: boolean;
  wrap?: boolean;
}) {
  const classes = useStyles();
  const missingOwners = useContext(MissingOwnersContext);
  if (!props.owner) return <>-</>;
  const missing = props.missing ?? missingOwners.has(props.owner);
  return (
    <span
      className={
        props.wrap
          ? `${classes.owner} ${classes.wrapsBetweenWords}`
          : classes.owner
      }
      data-testid="sandbox-owner"
    >
      <EntityLink entityRef={props.owner} testId="owner-link" />
      {missing && (
        <Tooltip title={OWNER_NOT_FOUND}>
          <WarningIcon
            className={classes.missing}
            data-testid="owner-missing"
            titleAccess={OWNER_NOT_FOUND}
          />
        </Tooltip>
      )}
    </span>
  );
}

/** Optional columns of {@link SandboxTable}. */
export type SandboxColumn = 'owner' | 'team' | 'entity' | 'server';

// Cells a little narrower than Material UI's dense default (16px + 24px), so the table fits a
// 1024 px window next to the sidebar; short values (names, links, countdowns) stay on one line.
const CELL = { paddingLeft: 4, paddingRight: 4 } as const;
const NO_WRAP = { ...CELL, whiteSpace: 'nowrap' } as const;
const HEADER = {
  paddingLeft: 4,
  paddingRight: 4,
  whiteSpace: 'nowrap',
} as const;
const FIRST_CELL = {
  paddingLeft: 16,
  paddingRight: 4,
  whiteSpace: 'nowrap',
} as const;
const FIRST_HEADER = { ...HEADER, paddingLeft: 16 } as const;

/**
 * The sandbox table shared by the list page and the entity tab: state, name (link to the detail
 * page) with the image under it, owner (catalog link, flagged when missing from the catalog)
 * with the team under it, entity, server (only with several servers), how long ago it was created
 * and a live expiry countdown, with server-side pagination and, with `sorting`, headers that
 * sort on the server (State, Name, Created, Expires).
 */
export function SandboxTable(props: {
  page: SandboxPage & { value: ConsoleListSandboxesResponse };
  title: string;
  emptyContent: ReactNode;
  /** Columns to leave out, e.g. `team` on a group's tab. */
  hide?: SandboxColumn[];
  /** The server-side sort the headers show and change; without it the headers are plain. */
  sorting?: TableSorting;
  /** Show the Server column (the console has several OpenSandbox servers). */
  showServer?: boolean;
  /** Row selection for bulk actions: a checkbox column (rows, and the page in the header). */
  selection?: BulkSelection;
}) {
  const {
    page,
    title,
    emptyContent,
    hide = [],
    sorting,
    showServer = false,
    selection,
  } = props;
  const selectable = !!selection;
  const { value } = page;
  const missingOwners = useMissingOwners(value.items);
  // Expiry countdowns within the first expiry warning lead time are highlighted.
  const expiringSoonSeconds = useExpiringSoonSeconds();
  const hideKey = [...hide, ...(showServer ? [] : ['server'])].join(',');
  const dataKey = useDataKey(value.items);

  const columns = useMemo<TableColumn<ConsoleSandbox>[]>(() => {
    const hidden = hideKey.split(',');
    const all: (TableColumn<ConsoleSandbox> & { key?: SandboxColumn })[] = [
      {
        title: <SortHeader label="State" sortKey="state" />,
        field: 'status.state',
        // A known failure gets a badge whose tooltip is the one-line explanation.
        render: row => (
          <StateWithFailure status={row.status}>
            <StateChip state={row.status?.state} />
          </StateWithFailure>
        ),
      },
      {
        title: <SortHeader label="Name" sortKey="name" />,
        field: 'id',
        render: row => <NameCell sandbox={row} />,
        cellStyle: CELL,
      },
      {
        key: 'server',
        title: 'Server',
        field: 'server',
        render: row => (
          <span data-testid="sandbox-server">{row.server ?? '-'}</span>
        ),
        cellStyle: NO_WRAP,
      },
      {
        key: 'owner',
        title: hidden.includes('team') ? 'Owner' : 'Owner / team',
        render: row => (
          <OwnerAndTeamCell sandbox={row} withTeam={!hidden.includes('team')} />
        ),
      },
      {
        key: 'entity',
        title: 'Entity',
        render: row => (
          <EntityLink entityRef={row.ownership?.entity} testId="entity-link" />
        ),
        cellStyle: NO_WRAP,
      },
      {
        title: <SortHeader label="Created" sortKey="createdAt" />,
        render: row => <CreatedAgo createdAt={row.createdAt} />,
        cellStyle: NO_WRAP,
      },
      {
        title: <SortHeader label="Expires" sortKey="expiresAt" />,
        render: row => <ExpiresIn expiresAt={row.expiresAt} />,
        cellStyle: NO_WRAP,
      },
    ];
    // Every column sizes to its content ('auto'), instead of material-table's equal shares that
    // squeeze long values until they break mid-word.
    const shown = all
      .filter(c => !c.key || !hidden.includes(c.key))
      .map(({ key: _key, ...column }, index) => ({
        ...column,
        width: 'auto',
        headerStyle: index === 0 ? FIRST_HEADER : HEADER,
        cellStyle: index === 0 ? FIRST_CELL : column.cellStyle ?? CELL,
      }));
    return selectable ? [selectionColumn, ...shown] : shown;
  }, [hideKey, selectable]);

  return (
    <SortingContext.Provider value={sorting}>
      <ExpiringSoonContext.Provider value={expiringSoonSeconds}>
        <SelectionContext.Provider
          value={selection ? { selection, rows: value.items } : undefined}
        >
          <MissingOwnersContext.Provider value={missingOwners}>
            {/* Always 4 px high, so the table does not move when a refetch starts or ends. */}
            <Box height={4} data-testid="sandbox-table-progress">
              {page.loading && (
                <LinearProgress aria-label="Loading sandboxes" />
              )}
            </Box>
            <Table<ConsoleSandbox>
              key={dataKey}
              title={title}
              subtitle={`${value.pagination.totalItems} in total`}
              columns={columns}
              data={value.items}
              // A refetch keeps the rows (the progress bar above says it is loading) instead of covering them.
              isLoading={false}
              page={value.pagination.page - 1}
              totalCount={value.pagination.totalItems}
              onPageChange={(newPage: number, newPageSize: number) => {
                if (newPageSize !== page.pageSize)
                  page.setPageSize(newPageSize);
                else page.setPage(newPage + 1);
              }}
              onRowsPerPageChange={(newPageSize: number) =>
                page.setPageSize(newPageSize)
              }
              options={{
                search: false,
                paging: true,
                pageSize: page.pageSize,
                pageSizeOptions: PAGE_SIZE_OPTIONS,
                padding: 'dense',
                emptyRowsWhenPaging: false,
                sorting: false,
                draggable: false,
              }}
              emptyContent={<Box p={2}>{emptyContent}</Box>}
            />
          </MissingOwnersContext.Provider>
        </SelectionContext.Provider>
      </ExpiringSoonContext.Provider>
    </SortingContext.Provider>
  );
}
