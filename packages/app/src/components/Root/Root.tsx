import { PropsWithChildren } from 'react';
import ComputerIcon from '@material-ui/icons/Computer';
import CategoryIcon from '@material-ui/icons/Category';
import HistoryIcon from '@material-ui/icons/History';
import SecurityIcon from '@material-ui/icons/Security';
import {
  Sidebar,
  SidebarDivider,
  SidebarGroup,
  SidebarItem,
  SidebarPage,
  SidebarScrollWrapper,
  SidebarSpace,
} from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import { NotificationsSidebarItem } from '@backstage/plugin-notifications';
import {
  Settings as SidebarSettings,
  UserSettingsSignInAvatar,
} from '@backstage/plugin-user-settings';
import {
  opensandboxAdminManagePermission,
  opensandboxAuditReadPermission,
} from '@opensandbox-console/plugin-opensandbox-common';
import MenuIcon from '@material-ui/icons/Menu';

/** "Audit log", only for users with `opensandbox.audit.read` (hidden while the check runs). */
const AuditLogItem = () => {
  const { allowed } = usePermission({
    permission: opensandboxAuditReadPermission,
  });
  return allowed ? (
    <SidebarItem icon={HistoryIcon} to="opensandbox/audit" text="Audit log" />
  ) : null;
};

/** "Administration" (role bindings), only for users with `opensandbox.admin.manage`. */
const AdminItem = () => {
  const { allowed } = usePermission({
    permission: opensandboxAdminManagePermission,
  });
  return allowed ? (
    <SidebarItem
      icon={SecurityIcon}
      to="opensandbox/admin"
      text="Administration"
    />
  ) : null;
};

/**
 * The app shell: a sidebar with Sandboxes, Audit log (for users who may read it), Administration
 * (for administrators), Catalog, Notifications (expiry warnings; unread count) and Settings around
 * the routed pages.
 */
export const Root = ({ children }: PropsWithChildren<{}>) => (
  <SidebarPage>
    <Sidebar>
      <SidebarGroup label="Menu" icon={<MenuIcon />}>
        <SidebarScrollWrapper>
          <SidebarItem icon={ComputerIcon} to="opensandbox" text="Sandboxes" />
          <AuditLogItem />
          <AdminItem />
          <SidebarItem icon={CategoryIcon} to="catalog" text="Catalog" />
        </SidebarScrollWrapper>
      </SidebarGroup>
      <SidebarSpace />
      <SidebarDivider />
      {/* Expiry warnings of sandboxes (opensandbox.expiryWarnings) arrive here. */}
      <NotificationsSidebarItem />
      <SidebarDivider />
      <SidebarGroup
        label="Settings"
        icon={<UserSettingsSignInAvatar />}
        to="/settings"
      >
        <SidebarSettings />
      </SidebarGroup>
    </Sidebar>
    {children}
  </SidebarPage>
);
