import Card from '@material-ui/core/Card';
import CardActionArea from '@material-ui/core/CardActionArea';
import CardContent from '@material-ui/core/CardContent';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import { InfoCard } from '@backstage/core-components';
import type { SandboxPreset } from '../api';
import { presetSummary } from '../lib/presets';

const useStyles = makeStyles(theme => ({
  card: { height: '100%', border: `2px solid transparent` },
  selected: { borderColor: theme.palette.primary.main },
  area: { height: '100%', alignItems: 'flex-start' },
  title: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: theme.spacing(1),
  },
  check: { color: theme.palette.primary.main, fontSize: '1.1rem' },
  summary: {
    fontFamily: 'monospace',
    fontSize: '0.75rem',
    overflowWrap: 'anywhere',
    marginTop: theme.spacing(1),
  },
}));

function Choice(props: {
  title: string;
  description?: string;
  summary?: string;
  selected: boolean;
  disabled?: boolean;
  testId: string;
  onClick: () => void;
}) {
  const classes = useStyles();
  return (
    <Card
      variant="outlined"
      className={`${classes.card} ${props.selected ? classes.selected : ''}`}
    >
      <CardActionArea
        className={classes.area}
        onClick={props.onClick}
        disabled={props.disabled}
        aria-pressed={props.selected}
        data-testid={props.testId}
      >
        <CardContent>
          <div className={classes.title}>
            <Typography variant="subtitle2" component="span">
              {props.title}
            </Typography>
            {props.selected && <CheckCircleIcon className={classes.check} />}
          </div>
          {props.description && (
            <Typography variant="body2" color="textSecondary">
              {props.description}
            </Typography>
          )}
          {props.summary && (
            <Typography
              variant="body2"
              color="textSecondary"
              className={classes.summary}
            >
              {props.summary}
            </Typography>
          )}
        </CardContent>
      </CardActionArea>
    </Card>
  );
}

/**
 * The create presets (`opensandbox.presets` of the backend, from `GET /settings`) as choices at
 * the top of the create form, plus "Custom" (the form's own defaults). Choosing one calls
 * `onSelect` with its name (undefined for Custom). Renders nothing without presets.
 */
export function PresetPicker(props: {
  presets: SandboxPreset[];
  selected?: string;
  onSelect: (name: string | undefined) => void;
  disabled?: boolean;
  /** Shown under the title, e.g. how the entity's defaults combine with a preset. */
  note?: string;
}) {
  const { presets, selected, onSelect, disabled, note } = props;
  if (presets.length === 0) return null;
  return (
    <InfoCard
      title="Start from a preset"
      subheader={
        note ?? 'Choosing one fills the form; you can still change every field.'
      }
    >
      <Grid
        container
        spacing={2}
        role="group"
        aria-label="Create presets"
        data-testid="create-presets"
      >
        <Grid item xs={12} sm={6} md={4}>
          <Choice
            title="Custom"
            description="Start from the form's defaults."
            selected={!selected}
            disabled={disabled}
            testId="preset-custom"
            onClick={() => onSelect(undefined)}
          />
        </Grid>
        {presets.map(preset => (
          <Grid item xs={12} sm={6} md={4} key={preset.name}>
            <Choice
              title={preset.title ?? preset.name}
              description={preset.description}
              summary={presetSummary(preset)}
              selected={selected === preset.name}
              disabled={disabled}
              testId={`preset-${preset.name}`}
              onClick={() => onSelect(preset.name)}
            />
          </Grid>
        ))}
      </Grid>
    </InfoCard>
  );
}
