import { createContext, useContext } from 'react';
import Checkbox from '@material-ui/core/Checkbox';
import type { TableColumn } from '@backstage/core-components';
import type { ConsoleSandbox } from '@opensandbox-console/plugin-opensandbox-common';
import { sandboxDisplayName } from '../../lib/format';
import type { BulkSelection } from './useBulkSelection';

/** What the selection column needs: the selection and the rows of the current page. */
export interface TableSelection {
  selection: BulkSelection;
  rows: ConsoleSandbox[];
}

/**
 * Read by the checkboxes, so the table's columns (and rows) stay the same when the selection
 * changes (material-table re-renders cells, not columns).
 */
export const SelectionContext = createContext<TableSelection | undefined>(
  undefined,
);

function PageCheckbox() {
  const context = useContext(SelectionContext);
  if (!context) return null;
  const { selection, rows } = context;
  const count = rows.filter(r => selection.isSelected(r)).length;
  return (
    <Checkbox
      size="small"
      checked={rows.length > 0 && count === rows.length}
      indeterminate={count > 0 && count < rows.length}
      disabled={rows.length === 0}
      onChange={() =>
        selection.allMatching ? selection.clear() : selection.togglePage(rows)
      }
      inputProps={
        {
          'aria-label': 'Select all sandboxes on this page',
          'data-testid': 'select-page',
        } as any
      }
    />
  );
}

function RowCheckbox(props: { row: ConsoleSandbox }) {
  const context = useContext(SelectionContext);
  if (!context) return null;
  const { selection } = context;
  return (
    <Checkbox
      size="small"
      checked={selection.isSelected(props.row)}
      onChange={() => selection.toggle(props.row)}
      inputProps={
        {
          'aria-label': `Select ${sandboxDisplayName(props.row)}`,
          'data-testid': 'select-row',
        } as any
      }
    />
  );
}

/** The checkbox column of a selectable sandbox table (first column). */
export const selectionColumn: TableColumn<ConsoleSandbox> = {
  title: <PageCheckbox />,
  render: row => <RowCheckbox row={row} />,
  width: '40px',
  cellStyle: { paddingLeft: 8, paddingRight: 0, width: 40 },
  headerStyle: { paddingLeft: 8, paddingRight: 0, width: 40 },
};
