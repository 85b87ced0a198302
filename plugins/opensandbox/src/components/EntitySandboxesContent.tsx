import useAsync from 'react-use/esm/useAsync';
import Box from '@material-ui/core/Box';
import IconButton from '@material-ui/core/IconButton';
import Tooltip from '@material-ui/core/Tooltip';
import RefreshIcon from '@material-ui/icons/Refresh';
import { EmptyState, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import type { Entity } from '@backstage/catalog-model';
import { createParamsForEntity, sandboxFilterForEntity } from '../lib/entity';
import { readAnnotationDefaults } from '../lib/annotations';
import { useCreateGate } from './permissions';
import { CreateButton } from './CreateButton';
import { SandboxTable, useSandboxPage } from './SandboxTable';
import { AnnotationWarnings } from './AnnotationWarnings';

function CreateFromEntity(props: { entity: Entity; testId: string; withIcon?: boolean }) {
  const gate = useCreateGate();
  const identityApi = useApi(identityApiRef);
  const identity = useAsync(() => identityApi.getBackstageIdentity(), [identityApi]);
  const search = createParamsForEntity(props.entity, identity.value?.ownershipEntityRefs ?? []).toString();
  // Wait for the identity so the link carries the default team.
  const loadingGate = identity.loading ? { allowed: false, loading: true, reason: 'Loading…' } : gate;
  return <CreateButton gate={loadingGate} testId={props.testId} withIcon={props.withIcon} search={search} />;
}

function EntitySandboxes(props: { entity: Entity; filter: NonNullable<ReturnType<typeof sandboxFilterForEntity>> }) {
  const { entity, filter } = props;
  const page = useSandboxPage(filter);
  const isGroup = !!filter.team;
  const warnings = isGroup ? [] : readAnnotationDefaults(entity).warnings.map(w => w.message);
  const what = isGroup ? 'team' : entity.kind.toLocaleLowerCase('en-US');

  let body;
  if (page.error) {
    body = <ResponseErrorPanel error={page.error} />;
  } else if (!page.value) {
    body = <Progress />;
  } else {
    body = (
      <SandboxTable
        page={{ ...page, value: page.value }}
        title={isGroup ? 'Sandboxes of this team' : `Sandboxes of this ${what}`}
        hide={isGroup ? ['team'] : ['entity']}
        emptyContent={
          <EmptyState
            missing="data"
            title="No sandboxes"
            description={
              isGroup
                ? 'This team owns no sandbox you can see.'
                : `No sandbox you can see was created for this ${what}.`
            }
            action={<CreateFromEntity entity={entity} testId="entity-empty-create-gate" />}
          />
        }
      />
    );
  }

  return (
    <Box data-testid="entity-sandboxes">
      <AnnotationWarnings messages={warnings} />
      <Box display="flex" justifyContent="flex-end" alignItems="center" mb={2} style={{ gap: 8 }}>
        <Tooltip title="Refresh">
          <span>
            <IconButton aria-label="Refresh" onClick={page.retry} disabled={page.loading}>
              <RefreshIcon />
            </IconButton>
          </span>
        </Tooltip>
        <CreateFromEntity entity={entity} testId="entity-create-gate" withIcon />
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
      <EmptyState
        missing="info"
        title="No sandboxes for this kind of entity"
        description="Sandboxes are linked to groups (their team), components and systems."
      />
    );
  }
  return <EntitySandboxes key={JSON.stringify(filter)} entity={entity} filter={filter} />;
}
