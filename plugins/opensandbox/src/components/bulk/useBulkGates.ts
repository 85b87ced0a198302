import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  opensandboxSandboxDeletePermission,
  opensandboxSandboxUpdatePermission,
} from '@opensandbox-console/plugin-opensandbox-common';
import type { ConsoleSandbox } from '@opensandbox-console/plugin-opensandbox-common';
import { CHECKING_PERMISSION, Gate } from '../permissions';

/** How many rows of the page are asked about (one batched permission request). */
export const GATE_SAMPLE_SIZE = 3;

/** Why a bulk button is disabled when its permission is denied (the permission name in brackets). */
export const BULK_DENIED_REASONS = {
  update: `You may not change these sandboxes (${opensandboxSandboxUpdatePermission.name})`,
  delete: `You may not delete these sandboxes (${opensandboxSandboxDeletePermission.name})`,
};

/**
 * Whether the bulk buttons are enabled: `update` (renew, pause, resume) and `delete` are allowed
 * when the caller may do them on at least one of the first rows of the page (resource permissions
 * need a sandbox; viewers are denied on every one). Only reflects the permissions: the server
 * decides every item of a batch anyway.
 */
export function useBulkGates(
  rows: Array<Pick<ConsoleSandbox, 'id' | 'server'>>,
): { update: Gate; delete: Gate } {
  const permissionApi = useApi(permissionApiRef);
  const refs = rows
    .slice(0, GATE_SAMPLE_SIZE)
    .map(r => (r.server ? `${r.server}/${r.id}` : r.id));
  const key = refs.join('\n');
  const { value, loading } = useAsync(async () => {
    const wanted = key ? key.split('\n') : [];
    const any = async (
      permission:
        | typeof opensandboxSandboxUpdatePermission
        | typeof opensandboxSandboxDeletePermission,
    ) => {
      const answers = await Promise.all(
        wanted.map(resourceRef =>
          permissionApi
            .authorize({ permission, resourceRef })
            .catch(() => ({ result: 'DENY' })),
        ),
      );
      // AuthorizeResult.ALLOW (the enum's value; -common's enum is not a runtime dependency here).
      return answers.some(a => String(a.result) === 'ALLOW');
    };
    const [update, del] = await Promise.all([
      any(opensandboxSandboxUpdatePermission),
      any(opensandboxSandboxDeletePermission),
    ]);
    return { update, delete: del };
  }, [permissionApi, key]);
  const gate = (allowed: boolean | undefined, reason: string): Gate => {
    if (loading || allowed === undefined)
      return { allowed: false, loading: true, reason: CHECKING_PERMISSION };
    return allowed
      ? { allowed: true, loading: false }
      : { allowed: false, loading: false, reason };
  };
  return {
    update: gate(value?.update, BULK_DENIED_REASONS.update),
    delete: gate(value?.delete, BULK_DENIED_REASONS.delete),
  };
}
