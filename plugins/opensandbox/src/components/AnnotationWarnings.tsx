import Box from '@material-ui/core/Box';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';

/** Warnings for invalid `opensandbox.backstage.io/default-*` annotations (not used as defaults). */
export function AnnotationWarnings(props: { messages: string[] }) {
  if (props.messages.length === 0) return null;
  return (
    <Box mb={2}>
      <Alert severity="warning" data-testid="annotation-warnings">
        <AlertTitle>
          Some sandbox defaults of this entity are ignored
        </AlertTitle>
        {props.messages.map(message => (
          <div key={message} data-testid="annotation-warning">
            {message}
          </div>
        ))}
      </Alert>
    </Box>
  );
}
