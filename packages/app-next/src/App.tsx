import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import notificationsPlugin from '@backstage/plugin-notifications/alpha';
import signalsPlugin from '@backstage/plugin-signals/alpha';
import opensandboxPlugin from '@opensandbox-console/plugin-opensandbox/alpha';
import { signInModule } from './modules/signIn';
import { skipLinkModule } from './modules/skipLink';

/**
 * The OpenSandbox Console on the new frontend system: the primary demo app (`npm start` serves its
 * production build through the backend on :3000). The features are listed explicitly (no
 * `app.packages: all` discovery), so the same list runs in the dev server, the production bundle
 * and the jest tests.
 */
export default createApp({
  // Signals push live status to the sandbox pages; notifications show the expiry warnings
  // (page /notifications with its nav item).
  features: [
    catalogPlugin,
    opensandboxPlugin,
    signalsPlugin,
    notificationsPlugin,
    signInModule,
    // A "Skip to content" button as the first keyboard stop of every page.
    skipLinkModule,
  ],
});
