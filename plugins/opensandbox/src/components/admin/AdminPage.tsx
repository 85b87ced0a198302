import { Content, Header, Page, Progress } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { opensandboxAdminManagePermission } from '@opensandbox-console/plugin-opensandbox-common';
import { rootRouteRef } from '../../routes';
import { NotAllowedPanel, useAdminGate } from '../permissions';
import { RoleBindingsCard } from './RoleBindingsCard';

/**
 * The console's administration page (`<root>/admin`): role bindings (list, add, remove,
 * explain, YAML export/import). Needs `opensandbox.admin.manage`; without it the page says so
 * and loads nothing.
 * @public
 */
export function AdminPage() {
  const rootLink = useRouteRef(rootRouteRef);
  const gate = useAdminGate();
  let body;
  if (gate.loading) body = <Progress />;
  else if (!gate.allowed) {
    body = (
      <NotAllowedPanel
        title="You are not allowed to administer the console"
        permission={opensandboxAdminManagePermission}
      />
    );
  } else body = <RoleBindingsCard />;
  return (
    <Page themeId="tool">
      <Header
        title="Administration"
        subtitle="Role bindings of the OpenSandbox Console"
        type="Sandboxes"
        typeLink={rootLink()}
      />
      <Content>{body}</Content>
    </Page>
  );
}
