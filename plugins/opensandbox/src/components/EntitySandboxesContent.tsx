import { useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import Box from '@material-ui/core/Box';
import IconButton from '@material-ui/core/IconButton';
import Tooltip from '@material-ui/core/Tooltip';
import RefreshIcon from '@material-ui/icons/Refresh';
import { Progress } from '@backstage/core-components';
import { SectionEmptyState } from './SectionEmptyState';
import { ListLoadError } from './ListLoadError';
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { opensandboxApiRef } from '../api';
import {
  createParamsForEntity,
  filterRef,
  sandboxFilterForEntity,
} from '../lib/entity';
import { readAnnotationDefaults } from '../lib/annotations';
import {
  DEFAULT_LIST_STATE,
  effectiveSort,
  listQueryOf,
  ListState,
  listStateFromSearch,
  listStateToSearch,
  toggleSort,
} from '../lib/listState';
import { Gate, useAdminGate, useCreateGate } from './permissions';
import { CreateButton } from './CreateButton';
import { SandboxTable, useSandboxPage } from './SandboxTable';
import { useLiveChanges } from './useLiveChanges';
import { AnnotationWarnings } from './AnnotationWarnings';
import {
  ExpiringSoonToggle,
  Freshness,
  SearchBox,
  ServerFilter,
} from './ListControls';
import { useExpiringSoonSeconds, useServers } from '../lib/limits';

/** Tooltip of a group tab's "Create sandbox" when the caller may not create for that team. */
export function notYourTeamReason(groupRef: string): string {
  return `You are not a member of ${groupRef}; only its members and administrators can create sandboxes for it`;
}

/**
 * On a Group's tab, whether the caller may create a sandbox owned by that group: when it is one of
 * their teams (`api.listTeams()`), or when they may name any team (administrators: holders of
 * `opensandbox.admin.manage`). Other entities: always allowed.
 */
function useTeamGate(entity: Entity): Gate {
  const api = useApi(opensandboxApiRef);
  const isGroup = entity.kind.toLocaleLowerCase('en-US') === 'group';
  const teams = useAsync(
    async () => (isGroup ? api.listTeams() : []),
    [api, isGroup],
  );
  const admin = useAdminGate();
  if (!isGroup) return { allowed: true, loading: false };
  if (teams.loading || admin.loading)
    return { allowed: false, loading: true, reason: 'Loading…' };
  if (admin.allowed) return { allowed: true, loading: false };
  const ref = filterRef(stringifyEntityRef(entity));
  // If the teams cannot be read, let the server decide.
  if (teams.error || (teams.value ?? []).some(team => filterRef(team) === ref))
    return { allowed: true, loading: false };
  return { allowed: false, loading: false, reason: notYourTeamReason(ref) };
}

function CreateFromEntity(props: {
  entity: Entity;
  testId: string;
  withIcon?: boolean;
}) {
  const gate = useCreateGate();
  const teamGate = useTeamGate(props.entity);
  const identityApi = useApi(identityApiRef);
  const identity = useAsync(
    () => identityApi.getBackstageIdentity(),
    [identityApi],
  );
  const search = createParamsForEntity(
    props.entity,
    identity.value?.ownershipEntityRefs ?? [],
  ).toString();
  // Wait for the identity so the link carries the default team.
  let effective: Gate = gate;
  if (identity.loading)
    effective = { allowed: false, loading: true, reason: 'Loading…' };
  else if (gate.allowed && !teamGate.allowed) effective = teamGate;
  return (
    <CreateButton
      gate={effective}
      testId={props.testId}
      withIcon={props.withIcon}
      search={search}
    />
  );
}

/** The part of the list state the entity tab keeps in the URL. */
type TabState = Pick<
  ListState,
  'page' | 'pageSize' | 'search' | 'sort' | 'order' | 'expiringSoon' | 'server'
>;

function EntitySandboxes(props: {
  entity: Entity;
  filter: NonNullable<ReturnType<typeof sandboxFilterForEntity>>;
}) {
  const { entity, filter } = props;
  const servers = useServers();
  const severalServers = servers.length > 1;
  // Search, sort, "Expiring soon", server, page and page size live in the URL like on the list
  // page (`?search=dev&sort=name&page=2`); the entity's own filter does not.
  const [searchParams, setSearchParams] = useSearchParams();
  const {
    page: pageNumber,
    pageSize,
    search,
    sort,
    order,
    expiringSoon,
    server,
  } = listStateFromSearch(searchParams);
  const tab: TabState = {
    page: pageNumber,
    pageSize,
    search,
    sort,
    order,
    expiringSoon,
    server,
  };
  const expiringSoonSeconds = useExpiringSoonSeconds();
  const update = (patch: Partial<TabState>) =>
    setSearchParams(
      listStateToSearch({ ...DEFAULT_LIST_STATE, ...tab, page: 1, ...patch }),
      { replace: true },
    );
  const page = useSandboxPage(
    { ...filter, ...listQueryOf(tab, expiringSoonSeconds) },
    {
      paging: {
        page: pageNumber,
        pageSize,
        onChange: (next, size) => update({ page: next, pageSize: size }),
      },
    },
  );
  // Live status: the current page is refetched when a sandbox the user may see changes.
  useLiveChanges({ onChange: () => page.refresh?.() });
  const isGroup = !!filter.team;
  const warnings = isGroup
    ? []
    : readAnnotationDefaults(entity).warnings.map(w => w.message);
  const what = isGroup ? 'team' : entity.kind.toLocaleLowerCase('en-US');
  const filtered = !!search || !!expiringSoon || !!server;
  let emptyDescription = isGroup
    ? 'This team owns no sandbox you can see.'
    : `No sandbox you can see was created for this ${what}.`;
  if (filtered) emptyDescription = 'No sandbox matches the search and filters.';

  let body;
  if (page.error) {
    body = <ListLoadError error={page.error} onRetry={page.retry} />;
  } else if (!page.value) {
    body = <Progress />;
  } else {
    body = (
      <SandboxTable
        page={{ ...page, value: page.value }}
        title={isGroup ? 'Sandboxes of this team' : `Sandboxes of this ${what}`}
        hide={isGroup ? ['team'] : ['entity']}
        emptyContent={
          <SectionEmptyState
            missing="data"
            title="No sandboxes"
            description={emptyDescription}
            action={
              <CreateFromEntity
                entity={entity}
                testId="entity-empty-create-gate"
              />
            }
          />
        }
        showServer={severalServers}
        sorting={{
          ...effectiveSort(tab),
          onSort: key => update(toggleSort(tab, key)),
        }}
      />
    );
  }

  return (
    <Box data-testid="entity-sandboxes">
      <AnnotationWarnings messages={warnings} />
      <Box
        display="flex"
        flexWrap="wrap"
        alignItems="center"
        mb={2}
        style={{ gap: 16 }}
      >
        <SearchBox
          value={search}
          onChange={next => update({ search: next || undefined })}
        />
        <ExpiringSoonToggle
          seconds={expiringSoonSeconds}
          selected={!!expiringSoon}
          onChange={selected => update({ expiringSoon: selected || undefined })}
        />
        {severalServers && (
          <ServerFilter
            servers={servers}
            value={server}
            onChange={next => update({ server: next })}
          />
        )}
        {/* Freshness, Refresh and Create stay together on the right, also when the row wraps. */}
        <Box display="flex" alignItems="center" ml="auto" style={{ gap: 8 }}>
          <Freshness syncedAt={page.value?.syncedAt} />
          <Tooltip title="Refresh">
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
          <CreateFromEntity
            entity={entity}
            testId="entity-create-gate"
            withIcon
          />
        </Box>
      </Box>
      {body}
    </Box>
  );
}

/**
 * The "Sandboxes" entity tab: for a Group, the sandboxes its team owns (`team` filter); for a
 * Component or System, the sandboxes created for it (`entity` filter). It shows warnings for
 * invalid `opensandbox.backstage.io/default-*` annotations and a "Create sandbox" button that
 * opens the create form with the entity (and the owning team) preselected.
 * @public
 */
export function EntitySandboxesContent() {
  const { entity } = useEntity();
  const filter = sandboxFilterForEntity(entity);
  if (!filter) {
    return (
      <SectionEmptyState
        missing="info"
        title="No sandboxes for this kind of entity"
        description="Sandboxes are linked to groups (their team), components and systems."
      />
    );
  }
  return (
    <EntitySandboxes
      key={JSON.stringify(filter)}
      entity={entity}
      filter={filter}
    />
  );
}
