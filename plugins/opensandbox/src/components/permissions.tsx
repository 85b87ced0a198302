import { ReactElement, ReactNode } from 'react';
import Tooltip from '@material-ui/core/Tooltip';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  opensandboxAdminManagePermission,
  opensandboxAuditReadPermission,
  opensandboxSandboxCreatePermission,
  opensandboxSandboxDeletePermission,
  opensandboxSandboxEndpointPermission,
  opensandboxSandboxUpdatePermission,
} from '@opensandbox-console/plugin-opensandbox-common';

/** Tooltip of controls whose permission is still being checked. */
export const CHECKING_PERMISSION = 'Checking your permissions…';

/** Why a control is disabled when its permission is denied (the permission name in brackets). */
export const DENIED_REASONS = {
  update: `You may not change this sandbox (${opensandboxSandboxUpdatePermission.name})`,
  delete: `You may not delete this sandbox (${opensandboxSandboxDeletePermission.name})`,
  endpoint: `You may not get endpoints of this sandbox (${opensandboxSandboxEndpointPermission.name})`,
  create: `You may not create sandboxes (${opensandboxSandboxCreatePermission.name})`,
  audit: `You may not read the audit log (${opensandboxAuditReadPermission.name})`,
  admin: `You may not administer the console (${opensandboxAdminManagePermission.name})`,
} as const;

/** A permission check as a control sees it. */
export interface Gate {
  /** True only once the check answered ALLOW. */
  allowed: boolean;
  loading: boolean;
  /** Tooltip explaining why the control is disabled; undefined when allowed. */
  reason?: string;
}

function toGate(
  result: { allowed: boolean; loading: boolean },
  denied: string,
): Gate {
  if (result.loading)
    return { allowed: false, loading: true, reason: CHECKING_PERMISSION };
  if (!result.allowed)
    return { allowed: false, loading: false, reason: denied };
  return { allowed: true, loading: false };
}

/**
 * The resource permissions of one sandbox (resourceRef = sandbox id): `update` (renew, pause,
 * resume, metadata), `delete` and `endpoint`. The server enforces them; the UI only reflects them.
 */
export function useSandboxGates(sandboxId: string | undefined): {
  update: Gate;
  delete: Gate;
  endpoint: Gate;
} {
  const update = usePermission({
    permission: opensandboxSandboxUpdatePermission,
    resourceRef: sandboxId,
  });
  const del = usePermission({
    permission: opensandboxSandboxDeletePermission,
    resourceRef: sandboxId,
  });
  const endpoint = usePermission({
    permission: opensandboxSandboxEndpointPermission,
    resourceRef: sandboxId,
  });
  return {
    update: toGate(update, DENIED_REASONS.update),
    delete: toGate(del, DENIED_REASONS.delete),
    endpoint: toGate(endpoint, DENIED_REASONS.endpoint),
  };
}

/** The basic permission `opensandbox.sandbox.create`. */
export function useCreateGate(): Gate {
  return toGate(
    usePermission({ permission: opensandboxSandboxCreatePermission }),
    DENIED_REASONS.create,
  );
}

/** The basic permission `opensandbox.audit.read`. */
export function useAuditGate(): Gate {
  return toGate(
    usePermission({ permission: opensandboxAuditReadPermission }),
    DENIED_REASONS.audit,
  );
}

/**
 * The basic permission `opensandbox.admin.manage`: the administration page (role bindings) and
 * every admin-only control (e.g. naming a team that is not the caller's on create).
 */
export function useAdminGate(): Gate {
  return toGate(
    usePermission({ permission: opensandboxAdminManagePermission }),
    DENIED_REASONS.admin,
  );
}

/**
 * Shows `reason` as a tooltip over a (disabled) control. A disabled button fires no mouse events,
 * so the tooltip hangs on a wrapping span, which keyboard users can focus (the tooltip then shows
 * and the reason is its accessible description). Without a reason the child renders as is.
 */
export function GateTooltip(props: {
  reason?: string;
  children: ReactElement;
  testId?: string;
}) {
  if (!props.reason) return props.children;
  return (
    <Tooltip title={props.reason}>
      {/* Focusable, so keyboard users reach the reason too (a disabled button takes no focus). */}
      <span
        data-testid={props.testId}
        style={{ display: 'inline-flex' }}
        // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
        tabIndex={0}
      >
        {props.children}
      </span>
    </Tooltip>
  );
}

/** Replaces a page body when the user lacks a permission. */
export function NotAllowedPanel(props: {
  title: string;
  permission: { name: string };
  children?: ReactNode;
}) {
  return (
    <Alert severity="warning" data-testid="not-allowed">
      <AlertTitle>{props.title}</AlertTitle>
      {props.children}
      {props.children ? ' ' : ''}
      This needs the permission <code>{props.permission.name}</code>; ask an
      administrator of the console if you need it.
    </Alert>
  );
}
