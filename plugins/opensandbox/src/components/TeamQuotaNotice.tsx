import Alert from '@material-ui/lab/Alert';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import { opensandboxApiRef, TeamQuota } from '../api';
import { formatDuration } from '../lib/format';

/** `team-a` for `group:default/team-a`, `ns/name` for other namespaces. */
function teamName(team: string): string {
  const ref = team.replace(/^group:/, '');
  return ref.startsWith('default/') ? ref.slice('default/'.length) : ref;
}

/** The caps of a quota as short phrases (`timeout ≤ 2h`, `CPU ≤ 2`, ...). */
export function quotaCaps(quota: TeamQuota): string[] {
  const { limits } = quota;
  const caps: string[] = [];
  if (limits.maxTimeoutSeconds !== null)
    caps.push(`timeout ≤ ${formatDuration(limits.maxTimeoutSeconds * 1000)}`);
  if (limits.maxRenewSeconds !== null)
    caps.push(
      `renewal ≤ ${formatDuration(limits.maxRenewSeconds * 1000)} ahead`,
    );
  if (limits.maxCpu !== null) caps.push(`CPU ≤ ${limits.maxCpu}`);
  if (limits.maxMemory !== null) caps.push(`memory ≤ ${limits.maxMemory}`);
  if (limits.allowedImageRegistries !== null) {
    caps.push(
      limits.allowedImageRegistries.length === 0
        ? 'no image allowed'
        : `images from ${limits.allowedImageRegistries.join(', ')}`,
    );
  }
  return caps;
}

/**
 * The quota of the chosen owning team on the create form (`GET /quotas?team=`): sandboxes in use
 * and left, and the caps the server will check. Renders nothing while loading, for a team the
 * caller may not see, against a backend without quotas, or when no limit applies.
 */
export function TeamQuotaNotice(props: { team: string }) {
  const api = useApi(opensandboxApiRef);
  const { team } = props;
  const quota = useAsync(
    async () => (team && api.getQuota ? api.getQuota(team) : undefined),
    [api, team],
  );
  const q = quota.value;
  if (!team || quota.loading || quota.error || !q) return null;
  const caps = quotaCaps(q);
  if (q.limits.maxSandboxes === null && caps.length === 0) return null;
  const used = q.usage.sandboxes + q.usage.reserved;
  const full = !q.exempt && q.remaining === 0;
  return (
    <Alert severity={full ? 'warning' : 'info'} data-testid="create-quota">
      <strong>{teamName(q.team)}</strong>:{' '}
      {q.limits.maxSandboxes === null
        ? `${used} sandboxes, no limit on their number.`
        : `${used} of ${q.limits.maxSandboxes} sandboxes in use, ${
            q.remaining
          } left${
            full
              ? ': delete one or ask an administrator to raise the quota.'
              : '.'
          }`}
      {caps.length > 0 && ` Caps: ${caps.join('; ')}.`}
      {q.exempt &&
        ' You administer the console: these limits do not apply to you.'}
    </Alert>
  );
}
