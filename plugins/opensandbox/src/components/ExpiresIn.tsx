import { createContext, useContext } from 'react';
import Typography from '@material-ui/core/Typography';
import { makeStyles, Theme } from '@material-ui/core/styles';
import AlarmIcon from '@material-ui/icons/Alarm';
import { formatExpiresIn, formatTimestamp } from '../lib/format';
import { EXPIRING_SOON_SECONDS, formatSoonWindow } from '../lib/listState';
import { useNow } from '../lib/useNow';

/**
 * The "expiring soon" window in seconds that {@link ExpiresIn} highlights: the backend's
 * `expiringSoonSeconds` (its first expiry warning lead time), provided by the sandbox table;
 * one hour elsewhere.
 */
export const ExpiringSoonContext = createContext<number>(EXPIRING_SOON_SECONDS);

// Text colours with at least 4.5:1 contrast on the light theme's white and grey rows (WCAG AA):
// a dark orange (6.1:1) instead of warning.dark (2.7:1), error.dark (5.0:1) instead of error.main.
const light = (theme: Theme) => theme.palette.type !== 'dark';
const useStyles = makeStyles(theme => ({
  soon: {
    color: light(theme) ? '#a84300' : theme.palette.warning.light,
    fontWeight: theme.typography.fontWeightMedium as number,
    display: 'inline-flex',
    alignItems: 'center',
    gap: 2,
  },
  icon: { fontSize: '1rem' },
  expired: {
    color: light(theme) ? theme.palette.error.dark : theme.palette.error.light,
  },
}));

/**
 * Live countdown to a sandbox's expiry: `in 12m`, `expired`, or `never` (manual cleanup).
 * Ticks every second; the absolute time is in the title. Within the "expiring soon" window
 * ({@link ExpiringSoonContext}) it is highlighted with an alarm icon (`data-expiring-soon`).
 */
export function ExpiresIn(props: { expiresAt?: string }) {
  const classes = useStyles();
  const now = useNow();
  const soonWindow = useContext(ExpiringSoonContext);
  const text = formatExpiresIn(props.expiresAt, now);
  const at = props.expiresAt ? Date.parse(props.expiresAt) : NaN;
  const soon = Number.isFinite(at) && at > now && at - now <= soonWindow * 1000;
  const title = props.expiresAt
    ? formatTimestamp(props.expiresAt)
    : 'Manual cleanup: no expiry';
  return (
    <Typography
      component="span"
      variant="inherit"
      color="inherit"
      className={
        soon
          ? classes.soon
          : (text === 'expired' && classes.expired) || undefined
      }
      title={
        soon
          ? `${title}: expires within ${formatSoonWindow(
              soonWindow,
            )}; renew it to keep it`
          : title
      }
      data-testid="sandbox-expires-in"
      data-expiring-soon={soon ? 'true' : undefined}
    >
      {soon && (
        <AlarmIcon className={classes.icon} aria-label="Expiring soon" />
      )}
      {text}
    </Typography>
  );
}
