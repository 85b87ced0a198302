import { createContext, ReactNode, useContext, useMemo, useState } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import Box from '@material-ui/core/Box';
import Link from '@material-ui/core/Link';
import Tooltip from '@material-ui/core/Tooltip';
import { makeStyles } from '@material-ui/core/styles';
import WarningIcon from '@material-ui/icons/Warning';
import { Table, TableColumn } from '@backstage/core-components';
import { useApi, useApiHolder, useRouteRef } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import type {
  ConsoleListSandboxesResponse,
  ConsoleSandbox,
} from '@opensandbox-console/plugin-opensandbox-common';
import { ListSandboxesQuery, opensandboxApiRef } from '../api';
import { sandboxRouteRef } from '../routes';
import {
  formatTimestamp,
  sandboxDisplayName,
  sandboxSource,
} from '../lib/format';
import { DEFAULT_PAGE_SIZE, PAGE_SIZE_OPTIONS } from '../lib/listState';
import { ExpiresIn } from './ExpiresIn';
import { StateChip } from './StateChip';
import { EntityLink } from './EntityLink';

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
  const { value, loading, error, retry } = useAsyncRetry(
    async () =>
      enabled
        ? api.listSandboxes({
            ...(JSON.parse(key) as SandboxFilter),
            page,
            pageSize,
          })
        : undefined,
    [api, key, page, pageSize, enabled],
  );
  return {
    value,
    loading,
    error,
    retry,
    pageSize,
    setPage: (next: number) => (control ? control.onChange(next, pageSize) : setPaging({ key, page: next })),
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
 * The owner as a catalog link, flagged when the catalog does not know it (`missing`, or else the
 * table's lookup).
 */
export function OwnerCell(props: { owner?: string; missing?: boolean }) {
  const classes = useStyles();
  const missingOwners = useContext(MissingOwnersContext);
  if (!props.owner) return <>-</>;
  const missing = props.missing ?? missingOwners.has(props.owner);
  return (
    <span className={classes.owner} data-testid="sandbox-owner">
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
export type SandboxColumn = 'owner' | 'team' | 'entity';

/**
 * The sandbox table shared by the list page and the entity tab: state, name (link to the detail
 * page), image, owner (catalog link, flagged when missing from the catalog), team, entity,
 * created and a live expiry countdown, with server-side pagination.
 */
export function SandboxTable(props: {
  page: SandboxPage & { value: ConsoleListSandboxesResponse };
  title: string;
  emptyContent: ReactNode;
  /** Columns to leave out, e.g. `team` on a group's tab. */
  hide?: SandboxColumn[];
}) {
  const { page, title, emptyContent, hide = [] } = props;
  const { value } = page;
  const missingOwners = useMissingOwners(value.items);
  const hideKey = hide.join(',');
  const dataKey = useDataKey(value.items);

  const columns = useMemo<TableColumn<ConsoleSandbox>[]>(() => {
    const hidden = hideKey.split(',');
    const all: (TableColumn<ConsoleSandbox> & { key?: SandboxColumn })[] = [
      {
        title: 'State',
        field: 'status.state',
        render: row => <StateChip state={row.status?.state} />,
        width: '130px',
      },
      { title: 'Name', field: 'id', render: row => <NameCell sandbox={row} /> },
      { title: 'Image', render: row => sandboxSource(row) },
      {
        key: 'owner',
        title: 'Owner',
        render: row => <OwnerCell owner={row.ownership?.owner} />,
      },
      {
        key: 'team',
        title: 'Team',
        render: row => (
          <EntityLink entityRef={row.ownership?.team} testId="team-link" />
        ),
      },
      {
        key: 'entity',
        title: 'Entity',
        render: row => (
          <EntityLink entityRef={row.ownership?.entity} testId="entity-link" />
        ),
      },
      { title: 'Created', render: row => formatTimestamp(row.createdAt) },
      {
        title: 'Expires',
        render: row => <ExpiresIn expiresAt={row.expiresAt} />,
      },
    ];
    return all
      .filter(c => !c.key || !hidden.includes(c.key))
      .map(({ key: _key, ...column }) => column);
  }, [hideKey]);

  return (
    <MissingOwnersContext.Provider value={missingOwners}>
      <Table<ConsoleSandbox>
        key={dataKey}
        title={title}
        subtitle={`${value.pagination.totalItems} in total`}
        columns={columns}
        data={value.items}
        isLoading={page.loading}
        page={value.pagination.page - 1}
        totalCount={value.pagination.totalItems}
        onPageChange={(newPage: number, newPageSize: number) => {
          if (newPageSize !== page.pageSize) page.setPageSize(newPageSize);
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
  );
}
