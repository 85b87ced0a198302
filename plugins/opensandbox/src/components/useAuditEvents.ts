import { useCallback, useEffect, useRef, useState } from 'react';
import type {
  AuditEvent,
  AuditEventFilter,
  AuditEventsPage,
  AuditEventsPageOptions,
  OpenSandboxApi,
} from '../api';

/** Audit events loaded so far for one filter, with cursor pagination. */
export interface AuditEventsState {
  items: AuditEvent[];
  /** Cursor of the next page; undefined on the last page. */
  nextCursor?: string;
  /** True while the first page or the next page loads. */
  loading: boolean;
  /** The error of the last request (earlier pages stay shown). */
  error?: Error;
  /** Loads the page after the last one and appends it. */
  loadMore: () => void;
  /** Loads the first page again. */
  reload: () => void;
}

/**
 * Loads audit events page by page with `nextCursor` (keyset pagination, no page numbers). A new
 * filter starts over; answers to requests of an older filter are dropped.
 * @param enabled - false to load nothing (e.g. while the permission is unknown).
 */
export function useAuditEvents(
  api: OpenSandboxApi,
  filter: AuditEventFilter,
  limit: number,
  enabled = true,
): AuditEventsState {
  const filterKey = JSON.stringify(filter);
  const fetchPage = useCallback(
    (page: AuditEventsPageOptions) =>
      api.listAuditEvents(JSON.parse(filterKey), page),
    [api, filterKey],
  );
  return usePagedAuditEvents(fetchPage, limit, enabled);
}

/**
 * Like {@link useAuditEvents} for any source of audit pages (e.g. one sandbox's history,
 * `OpenSandboxApi.listSandboxHistory`). A new `fetchPage` (memoise it) starts over.
 */
export function usePagedAuditEvents(
  fetchPage: (page: AuditEventsPageOptions) => Promise<AuditEventsPage>,
  limit: number,
  enabled = true,
): AuditEventsState {
  const [state, setState] = useState<
    Omit<AuditEventsState, 'loadMore' | 'reload'>
  >({
    items: [],
    loading: enabled,
  });
  const generation = useRef(0);

  const load = useCallback(
    async (cursor?: string) => {
      const current = cursor ? generation.current : ++generation.current;
      setState(prev => ({
        items: cursor ? prev.items : [],
        nextCursor: cursor ? prev.nextCursor : undefined,
        loading: true,
      }));
      try {
        const page = await fetchPage(cursor ? { limit, cursor } : { limit });
        if (current !== generation.current) return;
        setState(prev => ({
          items: cursor ? [...prev.items, ...page.items] : page.items,
          nextCursor: page.nextCursor,
          loading: false,
        }));
      } catch (error) {
        if (current !== generation.current) return;
        setState(prev => ({ ...prev, loading: false, error: error as Error }));
      }
    },
    [fetchPage, limit],
  );

  useEffect(() => {
    if (enabled) load();
  }, [enabled, load]);

  const { nextCursor, loading } = state;
  const loadMore = useCallback(() => {
    if (nextCursor && !loading) load(nextCursor);
  }, [load, nextCursor, loading]);
  const reload = useCallback(() => {
    load();
  }, [load]);

  return { ...state, loadMore, reload };
}
