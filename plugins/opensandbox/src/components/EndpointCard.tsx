import { useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Switch from '@material-ui/core/Switch';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { CopyTextButton, InfoCard } from '@backstage/core-components';
import type { Endpoint } from '@opensandbox-console/plugin-opensandbox-common';
import type { OpenSandboxApi } from '../api';
import { errorMessage } from '../lib/format';
import { GateTooltip } from './permissions';

/** The port input must be an integer from 1 to 65535. */
export function portError(text: string): string | undefined {
  const port = Number(text);
  if (
    !/^\d+$/.test(text.trim()) ||
    !Number.isInteger(port) ||
    port < 1 ||
    port > 65535
  ) {
    return 'Enter a port from 1 to 65535';
  }
  return undefined;
}

/**
 * The warning for an endpoint of a sandbox that cannot answer: Paused (until resumed) or Failed;
 * undefined for other states.
 */
export function endpointStateWarning(
  state: string | undefined,
): string | undefined {
  const s = (state ?? '').toLowerCase();
  if (s === 'paused')
    return 'The sandbox is Paused: its endpoint will not answer until the sandbox is resumed.';
  if (s === 'failed')
    return 'The sandbox has Failed: its endpoint will not answer.';
  return undefined;
}

/**
 * Looks up how to reach a port of the sandbox. The API returns `host:port/path` without a scheme;
 * the card shows it as an `http://` URL with a copy button, plus any headers requests must carry.
 */
export function EndpointCard(props: {
  api: OpenSandboxApi;
  sandboxId: string;
  /** The sandbox's OpenSandbox server when known (the lookup then uses `/servers/:server/...`). */
  server?: string;
  /** Disables the lookup (e.g. without `opensandbox.sandbox.endpoint`). */
  disabled?: boolean;
  /** Tooltip on the disabled button explaining why. */
  disabledReason?: string;
  /** The sandbox's lifecycle state: a Failed or Paused sandbox gets a warning that it will not answer. */
  state?: string;
}) {
  const { api, sandboxId, server, disabled, disabledReason } = props;
  const warning = endpointStateWarning(props.state);
  const [portText, setPortText] = useState('8080');
  const [useServerProxy, setUseServerProxy] = useState(false);
  const [loading, setLoading] = useState(false);
  const [endpoint, setEndpoint] = useState<Endpoint | undefined>();
  const [error, setError] = useState<string | undefined>();
  const inputError = portError(portText);

  const lookUp = async () => {
    setLoading(true);
    setError(undefined);
    setEndpoint(undefined);
    try {
      setEndpoint(
        await api.getEndpoint(
          sandboxId,
          Number(portText),
          server ? { useServerProxy, server } : { useServerProxy },
        ),
      );
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setLoading(false);
    }
  };

  const url = endpoint ? `http://${endpoint.endpoint}` : undefined;
  const headers = Object.entries(endpoint?.headers ?? {});

  return (
    <InfoCard title="Endpoint" subheader="Reach a port of the sandbox">
      <Box
        display="flex"
        alignItems="flex-start"
        flexWrap="wrap"
        style={{ gap: 16 }}
      >
        <TextField
          id="opensandbox-endpoint-port"
          label="Port"
          size="small"
          variant="outlined"
          value={portText}
          onChange={e => setPortText(e.target.value)}
          error={!!inputError}
          helperText={inputError}
          inputProps={{
            inputMode: 'numeric',
            'data-testid': 'endpoint-port-input',
          }}
        />
        <FormControlLabel
          control={
            <Switch
              checked={useServerProxy}
              onChange={e => setUseServerProxy(e.target.checked)}
              color="primary"
              inputProps={{ 'aria-label': 'Use server proxy' }}
            />
          }
          label="Use server proxy"
        />
        <GateTooltip
          reason={disabled ? disabledReason : undefined}
          testId="endpoint-gate"
        >
          <Button
            variant="outlined"
            color="primary"
            onClick={lookUp}
            disabled={!!inputError || loading || disabled}
          >
            Get endpoint
          </Button>
        </GateTooltip>
      </Box>
      {warning && (
        <Box mt={2}>
          <Alert severity="warning" data-testid="endpoint-state-warning">
            {warning}
          </Alert>
        </Box>
      )}
      {error && (
        <Box mt={2}>
          <Alert severity="error">{error}</Alert>
        </Box>
      )}
      {url && (
        <Box mt={2} data-testid="endpoint-result">
          <Box display="flex" alignItems="center">
            <Typography
              variant="body1"
              component="code"
              data-testid="endpoint-url"
            >
              {url}
            </Typography>
            <CopyTextButton
              text={url}
              tooltipText="Endpoint copied"
              aria-label="Copy endpoint"
            />
          </Box>
          {headers.length > 0 && (
            <>
              <Typography variant="subtitle2" style={{ marginTop: 8 }}>
                Every request must carry these headers:
              </Typography>
              <Table size="small" aria-label="Required headers">
                <TableHead>
                  <TableRow>
                    <TableCell>Header</TableCell>
                    <TableCell>Value</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {headers.map(([name, value]) => (
                    <TableRow key={name}>
                      <TableCell>{name}</TableCell>
                      <TableCell>
                        <code>{value}</code>
                        <CopyTextButton
                          text={value}
                          tooltipText="Header value copied"
                          aria-label={`Copy ${name}`}
                        />
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </>
          )}
        </Box>
      )}
    </InfoCard>
  );
}
