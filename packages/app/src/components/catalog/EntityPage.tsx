import Grid from '@material-ui/core/Grid';
import {
  EntityAboutCard,
  EntityLayout,
  EntitySwitch,
  isKind,
} from '@backstage/plugin-catalog';
import {
  EntitySandboxesContent,
  isOpensandboxAvailable,
} from '@opensandbox-console/plugin-opensandbox';

const overviewContent = (
  <Grid container spacing={3} alignItems="stretch">
    <Grid item md={6} xs={12}>
      <EntityAboutCard />
    </Grid>
  </Grid>
);

/** The "Sandboxes" tab of the OpenSandbox console (Group, Component and System pages). */
const sandboxesRoute = (
  <EntityLayout.Route
    path="/sandboxes"
    title="Sandboxes"
    if={isOpensandboxAvailable}
  >
    <EntitySandboxesContent />
  </EntityLayout.Route>
);

/** Group, Component and System pages: the overview and the "Sandboxes" tab. */
const sandboxEntityPage = (
  <EntityLayout>
    <EntityLayout.Route path="/" title="Overview">
      {overviewContent}
    </EntityLayout.Route>
    {sandboxesRoute}
  </EntityLayout>
);

const defaultPage = (
  <EntityLayout>
    <EntityLayout.Route path="/" title="Overview">
      {overviewContent}
    </EntityLayout.Route>
  </EntityLayout>
);

/**
 * The entity pages: Group, Component and System get a "Sandboxes" tab next to the overview (the
 * About card); every other kind only has the overview.
 */
export const entityPage = (
  <EntitySwitch>
    <EntitySwitch.Case if={isKind(['group', 'component', 'system'])}>
      {sandboxEntityPage}
    </EntitySwitch.Case>
    <EntitySwitch.Case>{defaultPage}</EntitySwitch.Case>
  </EntitySwitch>
);
