import React from 'react';
import Grid from '@material-ui/core/Grid';
import { EntityAboutCard, EntityLayout } from '@backstage/plugin-catalog';

/** A minimal entity page: an overview tab with the About card, for every kind. */
export const entityPage = (
  <EntityLayout>
    <EntityLayout.Route path="/" title="Overview">
      <Grid container spacing={3} alignItems="stretch">
        <Grid item md={6} xs={12}>
          <EntityAboutCard />
        </Grid>
      </Grid>
    </EntityLayout.Route>
  </EntityLayout>
);
