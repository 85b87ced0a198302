import type { ComponentProps } from 'react';
import { EmptyState } from '@backstage/core-components';
import { Theme, ThemeProvider } from '@material-ui/core/styles';

/** The enclosing theme with `h5` Typography rendered as an `<h3>` element (looks unchanged). */
function withH5AsH3(outer: Theme): Theme {
  const typography = outer.props?.MuiTypography;
  return {
    ...outer,
    props: {
      ...outer.props,
      MuiTypography: {
        ...typography,
        variantMapping: { ...typography?.variantMapping, h5: 'h3' },
      },
    },
  };
}

/**
 * Backstage's `EmptyState` inside a section whose heading is an `<h2>` (a card or tab title): its
 * title is rendered as an `<h3>` instead of EmptyState's `<h5>`, so the page's heading levels do
 * not skip (axe `heading-order`). Same props and look as `EmptyState`.
 */
export function SectionEmptyState(props: ComponentProps<typeof EmptyState>) {
  return (
    <ThemeProvider theme={withH5AsH3}>
      <EmptyState {...props} />
    </ThemeProvider>
  );
}
