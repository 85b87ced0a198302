import Typography from '@material-ui/core/Typography';
import { formatExpiresIn, formatTimestamp } from '../lib/format';
import { useNow } from '../lib/useNow';

/**
 * Live countdown to a sandbox's expiry: `in 12m`, `expired`, or `never` (manual cleanup).
 * Ticks every second; the absolute time is in the title.
 */
export function ExpiresIn(props: { expiresAt?: string }) {
  const now = useNow();
  const text = formatExpiresIn(props.expiresAt, now);
  return (
    <Typography
      component="span"
      variant="inherit"
      color={text === 'expired' ? 'error' : 'inherit'}
      title={props.expiresAt ? formatTimestamp(props.expiresAt) : 'Manual cleanup: no expiry'}
      data-testid="sandbox-expires-in"
    >
      {text}
    </Typography>
  );
}
