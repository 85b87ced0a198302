import { ReactNode } from 'react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { CopyTextButton } from '@backstage/core-components';
import { ErrorDetails, retryAdvice } from '../lib/errors';

/**
 * The console's request id of a failed call, small, with a copy button
 * (`data-testid="request-id"`): what to quote to an administrator, who finds it in the backend
 * log and the audit log.
 */
export function RequestIdNote(props: { requestId?: string }) {
  if (!props.requestId) return null;
  return (
    <Typography
      variant="caption"
      component="div"
      color="textSecondary"
      data-testid="request-id"
      style={{ display: 'flex', alignItems: 'center', gap: 4 }}
    >
      Request ID: <code data-testid="request-id-value">{props.requestId}</code>
      <CopyTextButton
        text={props.requestId}
        tooltipText="Request ID copied"
        aria-label="Copy request ID"
      />
    </Typography>
  );
}

/**
 * An error Alert for a failed call: `prefix` + the server's message (with its HTTP status), when
 * to try again for 429 (`Retry-After`), and the request id.
 */
export function ErrorNotice(props: {
  details: ErrorDetails;
  /** Text before the message, e.g. `Could not pause the sandbox: `. */
  prefix?: string;
  title?: ReactNode;
  severity?: 'error' | 'warning';
  testId?: string;
  onClose?: () => void;
  /** Buttons shown in the Alert (e.g. Retry). */
  action?: ReactNode;
  children?: ReactNode;
}) {
  const {
    details,
    prefix = '',
    title,
    severity = 'error',
    testId,
    onClose,
    action,
    children,
  } = props;
  const advice = retryAdvice(details);
  return (
    <Alert
      severity={severity}
      onClose={onClose}
      data-testid={testId}
      action={action}
    >
      {title && <AlertTitle>{title}</AlertTitle>}
      <span data-testid={testId ? `${testId}-message` : undefined}>
        {prefix}
        {details.message}
      </span>
      {advice && (
        <>
          {' '}
          <strong data-testid="retry-after">{advice}</strong>
        </>
      )}
      {children}
      {details.requestId && (
        <Box mt={0.5}>
          <RequestIdNote requestId={details.requestId} />
        </Box>
      )}
    </Alert>
  );
}
