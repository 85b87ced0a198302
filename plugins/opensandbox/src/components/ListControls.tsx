import {
  createContext,
  KeyboardEvent,
  useContext,
  useEffect,
  useRef,
  useState,
} from 'react';
import FormControl from '@material-ui/core/FormControl';
import IconButton from '@material-ui/core/IconButton';
import InputAdornment from '@material-ui/core/InputAdornment';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import TableSortLabel from '@material-ui/core/TableSortLabel';
import TextField from '@material-ui/core/TextField';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ToggleButton from '@material-ui/lab/ToggleButton';
import AlarmIcon from '@material-ui/icons/Alarm';
import ClearIcon from '@material-ui/icons/Clear';
import SearchIcon from '@material-ui/icons/Search';
import { MAX_SEARCH_LENGTH, SandboxSortKey, SortOrder } from '../api';
import { formatAgo, formatTimestamp } from '../lib/format';
import {
  EXPIRING_SOON_SECONDS,
  formatSoonWindow,
  normalizeSearch,
} from '../lib/listState';
import { useNow } from '../lib/useNow';

/** How long the search box waits after the last keystroke before it searches, ms. */
export const SEARCH_DEBOUNCE_MS = 300;

/** After this long without a sync, the freshness note turns into a warning, ms. */
export const STALE_AFTER_MS = 5 * 60_000;

/** Tooltip of the freshness note: where the list comes from. */
export const FRESHNESS_EXPLANATION =
  "The list comes from the console's inventory of sandboxes, refreshed from OpenSandbox every few seconds and on every change made in the console.";

const useStyles = makeStyles(theme => ({
  // The label sits on the page's grey background, where the theme's grey is 4.47:1; a darker grey
  // reaches 6.4:1 (WCAG AA). Focused and invalid fields keep their colours.
  search: {
    width: 260,
    ...(theme.palette.type === 'dark'
      ? {}
      : { '& label:not(.Mui-error):not(.Mui-focused)': { color: '#595959' } }),
  },
  serverSelect: { minWidth: 160 },
  toggle: { height: 40, whiteSpace: 'nowrap', textTransform: 'none' },
  toggleIcon: { fontSize: '1.1rem', marginRight: theme.spacing(0.5) },
  freshness: { whiteSpace: 'nowrap', cursor: 'default' },
  // The note sits on the page's grey background: colours with at least 4.5:1 there (WCAG AA).
  fresh: {
    color:
      theme.palette.type === 'dark' ? theme.palette.text.secondary : '#595959',
  },
  stale: {
    color:
      theme.palette.type === 'dark'
        ? theme.palette.error.light
        : theme.palette.error.dark,
  },
  sortLabel: { whiteSpace: 'nowrap' },
  // A slightly smaller arrow than Material UI's (18px with 4px on both sides) keeps narrow
  // columns such as Created and Expires narrow.
  sortIcon: { fontSize: 16, marginLeft: 2, marginRight: 0 },
}));

/**
 * The search box of the sandbox lists: searches sandbox names and ids on the server,
 * {@link SEARCH_DEBOUNCE_MS} after the last keystroke (Enter searches at once). `value` is the
 * search the list shows (from the URL); when it changes from outside (Back, a shared link), the
 * box shows it.
 */
export function SearchBox(props: {
  value?: string;
  onChange: (search: string) => void;
}) {
  const classes = useStyles();
  const value = props.value ?? '';
  const [text, setText] = useState(value);
  // The search the list currently shows, as last applied or received.
  const applied = useRef(value);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;

  useEffect(() => {
    if (value !== applied.current) {
      applied.current = value;
      setText(value);
    }
  }, [value]);

  const apply = (next: string) => {
    const search = normalizeSearch(next);
    if (search === applied.current) return;
    applied.current = search;
    onChange.current(search);
  };

  useEffect(() => {
    if (normalizeSearch(text) === applied.current) return undefined;
    const timer = setTimeout(() => apply(text), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <TextField
      className={classes.search}
      variant="outlined"
      size="small"
      id="opensandbox-search"
      label="Search"
      placeholder="Name or ID"
      value={text}
      onChange={e => setText(e.target.value)}
      onKeyDown={(e: KeyboardEvent) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          apply(text);
        } else if (e.key === 'Escape' && text) {
          e.preventDefault();
          setText('');
          apply('');
        }
      }}
      inputProps={{
        'data-testid': 'search-input',
        maxLength: MAX_SEARCH_LENGTH,
        'aria-label': 'Search by name or ID',
      }}
      InputProps={{
        startAdornment: (
          <InputAdornment position="start">
            <SearchIcon fontSize="small" color="action" />
          </InputAdornment>
        ),
        endAdornment: text ? (
          <InputAdornment position="end">
            <IconButton
              size="small"
              aria-label="Clear search"
              edge="end"
              onClick={() => {
                setText('');
                apply('');
              }}
            >
              <ClearIcon fontSize="small" />
            </IconButton>
          </InputAdornment>
        ) : undefined,
      }}
    />
  );
}

/**
 * The "Expiring soon" quick filter: only sandboxes that expire within the next `seconds` (the
 * backend's first expiry warning lead time; default one hour).
 */
export function ExpiringSoonToggle(props: {
  selected: boolean;
  onChange: (selected: boolean) => void;
  seconds?: number;
}) {
  const classes = useStyles();
  return (
    <Tooltip
      title={`Only sandboxes that expire within the next ${formatSoonWindow(
        props.seconds ?? EXPIRING_SOON_SECONDS,
      )}`}
    >
      <ToggleButton
        size="small"
        value="expiring"
        selected={props.selected}
        onChange={() => props.onChange(!props.selected)}
        className={classes.toggle}
        aria-label="Expiring soon"
        data-testid="expiring-soon"
      >
        <AlarmIcon className={classes.toggleIcon} />
        Expiring soon
      </ToggleButton>
    </Tooltip>
  );
}

/** Value of the "All servers" option of {@link ServerFilter} (not a valid server name). */
const ALL_SERVERS = '*';

/** The OpenSandbox server filter; shown only when the console has several servers. */
export function ServerFilter(props: {
  servers: string[];
  value?: string;
  onChange: (server: string | undefined) => void;
}) {
  const classes = useStyles();
  const { servers, value } = props;
  // A server named in the URL that the console does not have still shows (and lists nothing).
  const options =
    value && !servers.includes(value) ? [...servers, value] : servers;
  return (
    <FormControl
      variant="outlined"
      size="small"
      className={classes.serverSelect}
    >
      <InputLabel id="opensandbox-server-filter-label">Server</InputLabel>
      <Select
        labelId="opensandbox-server-filter-label"
        label="Server"
        value={value ?? ALL_SERVERS}
        onChange={e => {
          const next = e.target.value as string;
          props.onChange(next === ALL_SERVERS ? undefined : next);
        }}
        renderValue={selected =>
          (selected as string) === ALL_SERVERS
            ? 'All servers'
            : (selected as string)
        }
        SelectDisplayProps={{ 'data-testid': 'server-filter' } as any}
      >
        <MenuItem value={ALL_SERVERS}>All servers</MenuItem>
        {options.map(server => (
          <MenuItem key={server} value={server}>
            {server}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
}

/**
 * How fresh the list is: "Updated 12s ago" from the answer's `syncedAt`, "Not synced yet" before
 * the inventory's first sync, nothing when the backend does not say (older backends). The tooltip
 * explains where the list comes from; after {@link STALE_AFTER_MS} without a sync the note is a
 * warning.
 */
export function Freshness(props: { syncedAt?: string | null }) {
  const classes = useStyles();
  const now = useNow(1000);
  const { syncedAt } = props;
  if (syncedAt === undefined) return null;
  const at = syncedAt === null ? NaN : Date.parse(syncedAt);
  let text = 'Not synced yet';
  let detail =
    'The inventory has not been synced with OpenSandbox yet; the list may be incomplete.';
  let stale = syncedAt === null;
  if (!Number.isNaN(at)) {
    text = `Updated ${formatAgo(syncedAt!, now)}`;
    detail = `Last sync: ${formatTimestamp(syncedAt!)}.`;
    if (now - at > STALE_AFTER_MS) {
      stale = true;
      detail +=
        ' That is longer ago than usual: OpenSandbox may be unreachable, so states may be out of date.';
    }
  } else if (syncedAt !== null) {
    text = 'Updated at an unknown time';
    detail = '';
  }
  return (
    <Tooltip title={`${FRESHNESS_EXPLANATION}${detail ? ` ${detail}` : ''}`}>
      <Typography
        variant="caption"
        className={`${classes.freshness} ${
          stale ? classes.stale : classes.fresh
        }`}
        data-testid="list-freshness"
        data-stale={stale ? 'true' : 'false'}
        tabIndex={0}
      >
        {text}
      </Typography>
    </Tooltip>
  );
}

/** The sort of a sandbox table as its headers show and change it. */
export interface TableSorting {
  sort: SandboxSortKey;
  order: SortOrder;
  onSort: (key: SandboxSortKey) => void;
}

/**
 * The table's sorting, read by the headers through a context so the table's columns stay the same
 * objects when the sort changes (material-table resets its state when columns change).
 */
export const SortingContext = createContext<TableSorting | undefined>(
  undefined,
);

/** A column header that sorts the list on the server by `sortKey` (a plain label without sorting). */
export function SortHeader(props: { label: string; sortKey: SandboxSortKey }) {
  const classes = useStyles();
  const sorting = useContext(SortingContext);
  if (!sorting) return <>{props.label}</>;
  const active = sorting.sort === props.sortKey;
  return (
    <TableSortLabel
      active={active}
      direction={active ? sorting.order : 'asc'}
      onClick={() => sorting.onSort(props.sortKey)}
      className={classes.sortLabel}
      classes={{ icon: classes.sortIcon }}
      data-testid={`sort-${props.sortKey}`}
      data-sort-direction={active ? sorting.order : 'none'}
      aria-label={`Sort by ${props.label}${
        active
          ? `, sorted ${sorting.order === 'asc' ? 'ascending' : 'descending'}`
          : ''
      }`}
    >
      {props.label}
    </TableSortLabel>
  );
}
