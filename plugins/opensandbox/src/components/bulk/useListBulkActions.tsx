import { ReactNode, useState } from 'react';
import type { ConsoleListSandboxesResponse } from '@opensandbox-console/plugin-opensandbox-common';
import type { BulkAction, ListSandboxesQuery } from '../../api';
import { bulkFilterOf, BulkSelectionRequest } from '../../lib/bulk';
import { BulkDialog } from './BulkDialog';
import { BulkToolbar } from './BulkToolbar';
import { useBulkGates } from './useBulkGates';
import { BulkSelection, useBulkSelection } from './useBulkSelection';

/**
 * Bulk actions of a sandbox list: the row selection (for `SandboxTable`'s `selection`), the
 * toolbar to show over the table, and the open dialog. Selection and toolbar are absent for users
 * who may neither change nor delete the listed sandboxes (viewers), and while nothing is listed;
 * the dialog is independent of the list (it stays open while the list reloads or empties). The
 * selection is cleared when the filter changes.
 */
export function useListBulkActions(options: {
  filter: Omit<ListSandboxesQuery, 'page' | 'pageSize'>;
  page: ConsoleListSandboxesResponse | undefined;
  /** Reloads the list after a batch ran. */
  reload: () => void;
}): { selection?: BulkSelection; toolbar: ReactNode; dialog: ReactNode } {
  const { filter, page, reload } = options;
  const rows = page?.items ?? [];
  const gates = useBulkGates(rows);
  const selection = useBulkSelection(JSON.stringify(bulkFilterOf(filter)));
  const [open, setOpen] = useState<
    | { action: BulkAction; request: BulkSelectionRequest; count: number }
    | undefined
  >();
  const dialog = open ? (
    <BulkDialog
      action={open.action}
      selection={open.request}
      selectedCount={open.count}
      onClose={changed => {
        setOpen(undefined);
        if (changed) {
          selection.clear();
          reload();
        }
      }}
    />
  ) : null;
  const allowed = gates.update.allowed || gates.delete.allowed;
  if (
    !allowed ||
    !page ||
    (rows.length === 0 && selection.selected.length === 0)
  )
    return { toolbar: null, dialog };
  return {
    selection,
    dialog,
    toolbar: (
      <BulkToolbar
        selection={selection}
        rows={rows}
        total={page.pagination.totalItems}
        filter={filter}
        gates={gates}
        onAction={(action, request, count) =>
          setOpen({ action, request, count })
        }
      />
    ),
  };
}
