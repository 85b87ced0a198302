import { useState } from 'react';
import Button from '@material-ui/core/Button';
import MuiTable from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { InfoCard } from '@backstage/core-components';
import { BreakableText } from './BreakableText';

const useStyles = makeStyles(theme => ({
  cell: { wordBreak: 'normal', overflowWrap: 'anywhere', verticalAlign: 'top' },
  toggle: { marginTop: theme.spacing(1) },
}));

/** Labels the console itself stamps (`backstage.io/owner`, `backstage.io/create-token`, ...). */
export function isInternalLabel(key: string): boolean {
  return key.toLocaleLowerCase('en-US').startsWith('backstage.io/');
}

/**
 * The sandbox's metadata, sorted by key. The console's own `backstage.io/*` labels (ownership,
 * create token; shown decoded elsewhere on the page) are folded away behind a "Show N internal
 * labels" button.
 */
export function MetadataCard(props: { metadata?: Record<string, string> }) {
  const classes = useStyles();
  const [showInternal, setShowInternal] = useState(false);
  const entries = Object.entries(props.metadata ?? {}).sort(([a], [b]) =>
    a.localeCompare(b),
  );
  const internal = entries.filter(([key]) => isInternalLabel(key)).length;
  const shown = showInternal
    ? entries
    : entries.filter(([key]) => !isInternalLabel(key));
  return (
    <InfoCard title="Metadata">
      {shown.length === 0 ? (
        <Typography color="textSecondary">
          {internal > 0 ? 'No metadata besides internal labels' : 'No metadata'}
        </Typography>
      ) : (
        <MuiTable
          size="small"
          aria-label="Sandbox metadata"
          data-testid="metadata-table"
        >
          <TableBody>
            {shown.map(([key, value]) => (
              <TableRow key={key}>
                <TableCell component="th" scope="row" className={classes.cell}>
                  <code>
                    <BreakableText text={key} />
                  </code>
                </TableCell>
                <TableCell className={classes.cell}>
                  <code>
                    <BreakableText text={value} />
                  </code>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </MuiTable>
      )}
      {internal > 0 && (
        <Button
          size="small"
          className={classes.toggle}
          onClick={() => setShowInternal(v => !v)}
          aria-expanded={showInternal}
          data-testid="metadata-internal-toggle"
        >
          {showInternal
            ? `Hide ${internal} internal labels`
            : `Show ${internal} internal labels`}
        </Button>
      )}
    </InfoCard>
  );
}
