import { useEffect, useRef, useState } from 'react';
import { useApi, useApiHolder } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { signalApiRef } from '@backstage/plugin-signals-react';
import {
  SANDBOX_CHANGES_CHANNEL,
  SandboxChangeSignal,
} from '@opensandbox-console/plugin-opensandbox-common';
import { opensandboxApiRef, SandboxChangeRef } from '../api';

/**
 * The fallback poll (apps without the signals plugin): the first check this long after the page
 * opened or became visible, doubling after each check that found nothing (or failed), at most
 * `maxMs`; back to `initialMs` after a change.
 */
export const LIVE_POLL = { initialMs: 5_000, maxMs: 60_000 } as const;

/** Most `GET /changes` pages one check reads before it simply refetches. */
const MAX_CHANGE_PAGES = 10;

/** Whether the browser tab is visible (Page Visibility API); true where it is not supported. */
export function usePageVisible(): boolean {
  const read = () =>
    typeof document === 'undefined' || document.visibilityState !== 'hidden';
  const [visible, setVisible] = useState(read);
  useEffect(() => {
    if (typeof document === 'undefined') return undefined;
    const update = () => setVisible(read());
    document.addEventListener('visibilitychange', update);
    return () => document.removeEventListener('visibilitychange', update);
  }, []);
  return visible;
}

/** Options of {@link useLiveChanges}. */
export interface LiveChangesOptions {
  /**
   * Whether changed or removed sandboxes concern the page (e.g. the detail page: its own id).
   * Default: any change the user may see (a list: a new or changed sandbox may enter the page).
   */
  concerns?: (changes: SandboxChangeRef[]) => boolean;
  /** Refetches what the page shows. */
  onChange: () => void;
  /** False: nothing happens (e.g. until the page's first load). Default true. */
  enabled?: boolean;
}

/** How a page follows changes: Backstage signals, the fallback poll, or not at all (hidden tab, disabled). */
export type LiveMode = 'signals' | 'polling' | 'off';

/**
 * Live status for a page: calls `onChange` when sandboxes the page shows change, without a reload.
 *
 * - With the signals plugin installed (`signalApiRef`), it listens on `opensandbox:sandboxes`; a
 *   signal (which names no sandbox) makes it ask `GET /changes?since=<cursor>` which of the
 *   changes the user may read, and refetch when one `concerns` the page.
 * - Without it, it polls `GET /changes` with exponential backoff ({@link LIVE_POLL}: 5 s doubling
 *   up to 60 s, back to 5 s after a change).
 * - Backends without `/changes` (404): every signal, or every poll, refetches.
 * - Nothing runs while the tab is hidden (no subscription, no timer, no request); when it becomes
 *   visible again, ONE check catches up (and refetches when something changed meanwhile).
 *
 * Checks never overlap: a signal during a check makes one more check afterwards.
 */
export function useLiveChanges(options: LiveChangesOptions): LiveMode {
  const { enabled = true } = options;
  const api = useApi(opensandboxApiRef);
  const signalApi = useApiHolder().get(signalApiRef);
  const visible = usePageVisible();
  const latest = useRef(options);
  latest.current = options;
  // Survives hide/show: the cursor, whether the backend has /changes, whether a check ran before.
  const state = useRef<{ cursor?: number; relist: boolean; started: boolean }>({
    relist: false,
    started: false,
  });

  useEffect(() => {
    if (!enabled || !visible) return undefined;
    const st = state.current;
    let cancelled = false;
    let running: Promise<boolean> | undefined;
    let again = false;

    const changesApi = api.getSandboxChanges?.bind(api);
    if (!changesApi) st.relist = true;

    const fire = () => {
      if (!cancelled) latest.current.onChange();
    };

    /** Reads the current version (the cursor to start from). */
    const init = async () => {
      if (st.relist || !changesApi) return;
      try {
        st.cursor = (await changesApi()).version;
      } catch (error) {
        if (ResponseError.is(error) && error.statusCode === 404)
          st.relist = true;
      }
    };

    /**
     * One check: true when it found a change that concerns the page (and refetched). Re-listing
     * without `/changes` refetches but says false: nothing is known to have changed, so the poll
     * keeps backing off.
     */
    const checkOnce = async (): Promise<boolean> => {
      if (st.relist || !changesApi) {
        fire();
        return false;
      }
      if (st.cursor === undefined) {
        // No cursor yet (the first read failed): start from now, and refetch since we do not know.
        await init();
        if (st.cursor === undefined && !st.relist) return false;
        fire();
        return false;
      }
      const seen: SandboxChangeRef[] = [];
      let cursor = st.cursor;
      let reset = false;
      for (let i = 0; i < MAX_CHANGE_PAGES; i++) {
        const answer = await changesApi(cursor);
        cursor = answer.version;
        seen.push(...answer.changed, ...answer.removed);
        reset ||= answer.reset;
        if (!answer.hasMore) break;
        // Still more after MAX_CHANGE_PAGES: too much to sift, refetch.
        if (i === MAX_CHANGE_PAGES - 1) reset = true;
      }
      if (cancelled) return false;
      st.cursor = cursor;
      const concerns =
        latest.current.concerns ?? (changes => changes.length > 0);
      if (reset || concerns(seen)) {
        fire();
        return true;
      }
      return false;
    };

    const check = (): Promise<boolean> => {
      if (running) {
        again = true;
        return running;
      }
      running = (async () => {
        let changed = false;
        do {
          again = false;
          try {
            changed = (await checkOnce()) || changed;
          } catch (error) {
            if (ResponseError.is(error) && error.statusCode === 404) {
              // The backend lost (or never had) /changes: refetch instead.
              st.relist = true;
              fire();
            } else if (!again) {
              throw error;
            }
          }
        } while (again && !cancelled);
        return changed;
      })().finally(() => {
        running = undefined;
      });
      return running;
    };

    // First time: only the cursor. Later (the tab became visible again): catch up once.
    const start = st.started
      ? check().catch(() => false)
      : init().then(() => false);
    st.started = true;

    if (signalApi) {
      const subscription = signalApi.subscribe<
        SandboxChangeSignal & { [key: string]: any }
      >(SANDBOX_CHANGES_CHANNEL, message => {
        // A signal no newer than what this page has already seen needs no check.
        if (
          !st.relist &&
          st.cursor !== undefined &&
          typeof message?.version === 'number' &&
          message.version <= st.cursor
        )
          return;
        start.then(() => check()).catch(() => undefined);
      });
      return () => {
        cancelled = true;
        subscription.unsubscribe();
      };
    }

    let timer: ReturnType<typeof setTimeout> | undefined;
    let delay: number = LIVE_POLL.initialMs;
    const schedule = () => {
      timer = setTimeout(async () => {
        const changed = await check().catch(() => false);
        delay = changed
          ? LIVE_POLL.initialMs
          : Math.min(delay * 2, LIVE_POLL.maxMs);
        if (!cancelled) schedule();
      }, delay);
    };
    start.then(() => {
      if (!cancelled) schedule();
    });
    return () => {
      cancelled = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [api, signalApi, visible, enabled]);

  if (!enabled || !visible) return 'off';
  return signalApi ? 'signals' : 'polling';
}
