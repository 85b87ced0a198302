import { Link as RouterLink } from 'react-router-dom';
import Button from '@material-ui/core/Button';
import AddIcon from '@material-ui/icons/Add';
import { useRouteRef } from '@backstage/core-plugin-api';
import { createSandboxRouteRef } from '../routes';
import { Gate, GateTooltip } from './permissions';

/**
 * "Create sandbox": a link to the create form (with `search`, e.g. `entityRef=...&team=...`, as
 * its query string) when allowed; disabled with a tooltip saying why while the permission loads
 * or when it is denied.
 */
export function CreateButton(props: {
  gate: Gate;
  testId: string;
  withIcon?: boolean;
  search?: string;
}) {
  const createLink = useRouteRef(createSandboxRouteRef);
  const icon = props.withIcon ? <AddIcon /> : undefined;
  if (!props.gate.allowed) {
    return (
      <GateTooltip reason={props.gate.reason} testId={props.testId}>
        <Button variant="contained" color="primary" startIcon={icon} disabled>
          Create sandbox
        </Button>
      </GateTooltip>
    );
  }
  return (
    <Button
      variant="contained"
      color="primary"
      startIcon={icon}
      component={RouterLink}
      to={props.search ? `${createLink()}?${props.search}` : createLink()}
      data-testid={`${props.testId}-link`}
    >
      Create sandbox
    </Button>
  );
}
