import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ConsoleSandbox } from '@opensandbox-console/plugin-opensandbox-common';
import { selectionKey } from '../../lib/bulk';

/** A selected sandbox: what a bulk request and the dialog need. */
export type SelectedSandbox = Pick<
  ConsoleSandbox,
  'id' | 'server' | 'metadata'
>;

/** Row selection of the sandbox list; see {@link useBulkSelection}. */
export interface BulkSelection {
  /** Explicitly selected sandboxes, in the order they were selected. */
  selected: SelectedSandbox[];
  /** "All N matching this filter" is selected (the server resolves the filter). */
  allMatching: boolean;
  isSelected(sandbox: SelectedSandbox): boolean;
  toggle(sandbox: SelectedSandbox): void;
  /** Selects every row of `rows`, or unselects them all when they all are selected. */
  togglePage(rows: SelectedSandbox[]): void;
  /** Selects every sandbox matching the list's filter (not only the current page). */
  selectAllMatching(): void;
  clear(): void;
}

/**
 * The list's row selection. It is cleared whenever `filterKey` changes (another filter selects
 * other sandboxes), so "all matching" always means the filter shown.
 */
export function useBulkSelection(filterKey: string): BulkSelection {
  const [state, setState] = useState<{
    key: string;
    selected: Map<string, SelectedSandbox>;
    allMatching: boolean;
  }>({
    key: filterKey,
    selected: new Map(),
    allMatching: false,
  });
  useEffect(() => {
    setState(prev =>
      prev.key === filterKey
        ? prev
        : { key: filterKey, selected: new Map(), allMatching: false },
    );
  }, [filterKey]);
  const current =
    state.key === filterKey
      ? state
      : {
          key: filterKey,
          selected: new Map<string, SelectedSandbox>(),
          allMatching: false,
        };

  const toggle = useCallback(
    (sandbox: SelectedSandbox) =>
      setState(prev => {
        const selected = new Map(prev.key === filterKey ? prev.selected : []);
        const key = selectionKey(sandbox);
        if (selected.has(key)) selected.delete(key);
        else selected.set(key, sandbox);
        return { key: filterKey, selected, allMatching: false };
      }),
    [filterKey],
  );
  const togglePage = useCallback(
    (rows: SelectedSandbox[]) =>
      setState(prev => {
        const selected = new Map(prev.key === filterKey ? prev.selected : []);
        const all =
          rows.length > 0 && rows.every(r => selected.has(selectionKey(r)));
        for (const row of rows) {
          if (all) selected.delete(selectionKey(row));
          else selected.set(selectionKey(row), row);
        }
        return { key: filterKey, selected, allMatching: false };
      }),
    [filterKey],
  );
  const selectAllMatching = useCallback(
    () =>
      setState(prev => ({
        key: filterKey,
        selected: prev.key === filterKey ? prev.selected : new Map(),
        allMatching: true,
      })),
    [filterKey],
  );
  const clear = useCallback(
    () => setState({ key: filterKey, selected: new Map(), allMatching: false }),
    [filterKey],
  );

  const selectedMap = current.selected;
  return useMemo(
    () => ({
      selected: [...selectedMap.values()],
      allMatching: current.allMatching,
      isSelected: (sandbox: SelectedSandbox) =>
        current.allMatching || selectedMap.has(selectionKey(sandbox)),
      toggle,
      togglePage,
      selectAllMatching,
      clear,
    }),
    [
      selectedMap,
      current.allMatching,
      toggle,
      togglePage,
      selectAllMatching,
      clear,
    ],
  );
}
