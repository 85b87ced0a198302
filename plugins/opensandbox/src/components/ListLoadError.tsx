import Button from '@material-ui/core/Button';
import { errorDetails } from '../lib/errors';
import { ErrorNotice } from './ErrorNotice';

/**
 * The error of a sandbox list that could not load: the server's message (with its HTTP status),
 * when to try again for 429, the request id, and a Retry button that loads the page again.
 */
export function ListLoadError(props: { error: Error; onRetry: () => void }) {
  return (
    <ErrorNotice
      details={errorDetails(props.error)}
      title="Could not load the sandboxes"
      testId="list-error"
      action={
        <Button
          color="inherit"
          variant="outlined"
          size="small"
          onClick={props.onRetry}
          data-testid="list-retry"
        >
          Retry
        </Button>
      }
    />
  );
}
