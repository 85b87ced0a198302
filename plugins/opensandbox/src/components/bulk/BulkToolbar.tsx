import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import DeleteIcon from '@material-ui/icons/Delete';
import PauseIcon from '@material-ui/icons/Pause';
import PlayArrowIcon from '@material-ui/icons/PlayArrow';
import UpdateIcon from '@material-ui/icons/Update';
import type { ConsoleSandbox } from '@opensandbox-console/plugin-opensandbox-common';
import type { BulkAction, ListSandboxesQuery } from '../../api';
import {
  BULK_ACTION_LABELS,
  bulkFilterOf,
  BulkSelectionRequest,
  itemsSelection,
  sandboxCount,
} from '../../lib/bulk';
import { Gate, GateTooltip } from '../permissions';
import type { BulkSelection } from './useBulkSelection';

const useStyles = makeStyles(theme => ({
  bar: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1),
    padding: theme.spacing(1, 2),
    marginBottom: theme.spacing(1),
  },
  buttons: {
    marginLeft: 'auto',
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
  },
}));

const ICONS: Record<BulkAction, JSX.Element> = {
  renew: <UpdateIcon />,
  pause: <PauseIcon />,
  resume: <PlayArrowIcon />,
  delete: <DeleteIcon />,
};

/**
 * The bulk toolbar over the sandbox list: how many sandboxes are selected, "Select all N matching
 * this filter" once the whole page is selected, and Renew / Pause / Resume / Delete, each opening
 * the bulk dialog (dry run first). Buttons are disabled, with the reason, for users who may
 * not change (or delete) the listed sandboxes; the server decides every item anyway.
 */
export function BulkToolbar(props: {
  selection: BulkSelection;
  /** The rows of the current page. */
  rows: ConsoleSandbox[];
  /** How many sandboxes match the list's filter (all pages). */
  total: number;
  /** The list's filter (without paging), for "all matching". */
  filter: Omit<ListSandboxesQuery, 'page' | 'pageSize'>;
  /** Whether the caller may change (renew, pause, resume) and delete the listed sandboxes. */
  gates: { update: Gate; delete: Gate };
  /** Opens the dialog of `action` on `request` (`count` sandboxes selected). */
  onAction: (
    action: BulkAction,
    request: BulkSelectionRequest,
    count: number,
  ) => void;
}) {
  const { selection, rows, total, filter, gates, onAction } = props;
  const classes = useStyles();

  const count = selection.allMatching ? total : selection.selected.length;
  const pageSelected =
    rows.length > 0 && rows.every(r => selection.isSelected(r));
  const gateOf = (action: BulkAction): Gate =>
    action === 'delete' ? gates.delete : gates.update;

  const start = (action: BulkAction) => {
    const request = selection.allMatching
      ? { filter: bulkFilterOf(filter) }
      : itemsSelection(selection.selected);
    onAction(action, request, count);
  };

  let status;
  if (selection.allMatching) {
    status = (
      <Typography variant="body2" data-testid="bulk-selected">
        All <strong>{sandboxCount(total)}</strong> matching this filter are
        selected.
      </Typography>
    );
  } else if (count > 0) {
    status = (
      <Typography variant="body2" data-testid="bulk-selected">
        <strong>{count}</strong> selected.
      </Typography>
    );
  } else {
    status = (
      <Typography
        variant="body2"
        color="textSecondary"
        data-testid="bulk-selected"
      >
        Select sandboxes to renew, pause, resume or delete them together.
      </Typography>
    );
  }

  return (
    <Paper
      variant="outlined"
      className={classes.bar}
      data-testid="bulk-toolbar"
    >
      {status}
      {pageSelected && !selection.allMatching && total > rows.length && (
        <Button
          size="small"
          color="primary"
          onClick={selection.selectAllMatching}
          data-testid="bulk-select-all-matching"
        >
          Select all {total} matching this filter
        </Button>
      )}
      {count > 0 && (
        <Button size="small" onClick={selection.clear} data-testid="bulk-clear">
          Clear selection
        </Button>
      )}
      <Box className={classes.buttons}>
        {(['renew', 'pause', 'resume', 'delete'] as BulkAction[]).map(
          action => {
            const gate = gateOf(action);
            return (
              <GateTooltip
                key={action}
                reason={count > 0 ? gate.reason : undefined}
              >
                <Button
                  size="small"
                  variant="outlined"
                  color={action === 'delete' ? 'secondary' : 'default'}
                  startIcon={ICONS[action]}
                  disabled={count === 0 || !gate.allowed}
                  onClick={() => start(action)}
                  data-testid={`bulk-${action}`}
                >
                  {BULK_ACTION_LABELS[action].button}
                </Button>
              </GateTooltip>
            );
          },
        )}
      </Box>
    </Paper>
  );
}
