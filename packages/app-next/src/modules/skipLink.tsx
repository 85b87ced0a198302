import { ReactNode, useState } from 'react';
import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { AppRootWrapperBlueprint } from '@backstage/plugin-app-react';

const hidden = {
  position: 'absolute',
  left: -10000,
  top: 0,
  width: 1,
  height: 1,
  overflow: 'hidden',
} as const;

const shown = {
  position: 'fixed',
  left: 8,
  top: 8,
  zIndex: 2000,
  padding: '8px 16px',
  background: '#fff',
  color: '#000',
  border: '2px solid #1f5493',
  borderRadius: 4,
  font: 'inherit',
} as const;

/** Moves the keyboard focus to the page's main content (`main`, `[role=main]` or `article`). */
export function focusMainContent(doc: Document = document): boolean {
  const main = doc.querySelector<HTMLElement>('main, [role="main"], article');
  if (!main) return false;
  if (!main.hasAttribute('tabindex')) main.setAttribute('tabindex', '-1');
  main.focus();
  return true;
}

/**
 * A "Skip to content" button, the first stop of the keyboard on every page (WCAG 2.4.1 Bypass
 * Blocks): visually hidden until it has the focus; activating it moves the focus to the page's
 * main content. The legacy app gets the same from core-components' Sidebar.
 */
export function SkipToContent() {
  const [focused, setFocused] = useState(false);
  return (
    <button
      type="button"
      style={focused ? shown : hidden}
      onFocus={() => setFocused(true)}
      onBlur={() => setFocused(false)}
      onClick={() => focusMainContent()}
    >
      Skip to content
    </button>
  );
}

/** `app-root-wrapper:app/skip-link`: puts the skip button before the app's layout. */
const skipLinkWrapper = AppRootWrapperBlueprint.make({
  name: 'skip-link',
  params: {
    component: ({ children }: { children: ReactNode }) => (
      <>
        <SkipToContent />
        {children}
      </>
    ),
  },
});

/** The app-next accessibility additions (a module of the `app` plugin). */
export const skipLinkModule = createFrontendModule({
  pluginId: 'app',
  extensions: [skipLinkWrapper],
});
