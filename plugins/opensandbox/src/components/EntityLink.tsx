import { Component, ReactNode } from 'react';
import { useRouteRef } from '@backstage/core-plugin-api';
import { EntityRefLink, entityRouteRef } from '@backstage/plugin-catalog-react';
import { isEntityRefString } from '../lib/entity';

/** Renders `fallback` instead of a link that failed to render (e.g. no catalog entity route). */
class LinkBoundary extends Component<
  { fallback: ReactNode; children: ReactNode },
  { failed: boolean }
> {
  static getDerivedStateFromError() {
    return { failed: true };
  }

  state = { failed: false };

  render() {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}

/**
 * Whether the app mounts the catalog's entity page route. `useRouteRef` throws "No path for
 * routeRef" otherwise, after calling all its hooks, so catching keeps the hook order stable.
 */
function useHasEntityRoute(): boolean {
  try {
    useRouteRef(entityRouteRef);
    return true;
  } catch {
    return false;
  }
}

/**
 * An entity ref as a catalog link (`EntityRefLink`: the entity's display name once the catalog
 * answers, the short ref until then). `-` when absent; plain text when the value is not an entity
 * ref or the app has no catalog entity route. The element carries `data-entity-ref`.
 */
export function EntityLink(props: {
  entityRef?: string | null;
  testId?: string;
}) {
  const { entityRef, testId } = props;
  const hasEntityRoute = useHasEntityRoute();
  if (!entityRef) return <>-</>;
  const text = (
    <span data-testid={testId} data-entity-ref={entityRef}>
      {entityRef}
    </span>
  );
  if (!hasEntityRoute || !isEntityRefString(entityRef)) return text;
  return (
    <LinkBoundary fallback={text}>
      <EntityRefLink
        entityRef={entityRef}
        data-testid={testId}
        data-entity-ref={entityRef}
      />
    </LinkBoundary>
  );
}
