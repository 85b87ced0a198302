import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';
import { amber, blue, green, grey, red } from '@material-ui/core/colors';

/** Colour group of a lifecycle state; the state itself is an open string. */
export type StateCategory =
  | 'running'
  | 'paused'
  | 'transitional'
  | 'failed'
  | 'terminated'
  | 'unknown';

const TRANSITIONAL = [
  'pending',
  'pausing',
  'resuming',
  'stopping',
  'allocated',
];

/** Maps a (case-insensitive) state to its colour group; unknown values map to `unknown`. */
export function stateCategory(state: string | undefined): StateCategory {
  const s = (state ?? '').toLowerCase();
  if (s === 'running') return 'running';
  if (s === 'paused') return 'paused';
  if (TRANSITIONAL.includes(s)) return 'transitional';
  if (s === 'failed') return 'failed';
  if (s === 'terminated') return 'terminated';
  return 'unknown';
}

/** The states the list filter offers (the server accepts any string). */
export const KNOWN_STATES = [
  'Running',
  'Paused',
  'Pending',
  'Pausing',
  'Resuming',
  'Stopping',
  'Terminated',
  'Failed',
];

// Every pair reaches WCAG AA contrast for small text (4.5:1): white on green[800] 5.1:1, on
// blue[800] 5.8:1, on red[700] 5.0:1, on grey[700] 7.0:1; black on amber[700] 10:1, on grey[400] 11:1.
const useStyles = makeStyles({
  running: { backgroundColor: green[800], color: '#fff' },
  paused: { backgroundColor: blue[800], color: '#fff' },
  transitional: { backgroundColor: amber[700], color: '#000' },
  failed: { backgroundColor: red[700], color: '#fff' },
  terminated: { backgroundColor: grey[700], color: '#fff' },
  unknown: { backgroundColor: grey[400], color: '#000' },
});

/** A small coloured chip for a sandbox lifecycle state. */
export function StateChip(props: { state?: string }) {
  const classes = useStyles();
  const category = stateCategory(props.state);
  return (
    <Chip
      size="small"
      label={props.state || 'Unknown'}
      className={classes[category]}
      data-testid="sandbox-state"
      data-state-category={category}
    />
  );
}
