import { PropsWithChildren } from 'react';
import ComputerIcon from '@material-ui/icons/Computer';
import CategoryIcon from '@material-ui/icons/Category';
import HistoryIcon from '@material-ui/icons/History';
import {
  Sidebar,
  SidebarDivider,
  SidebarGroup,
  SidebarItem,
  SidebarPage,
  SidebarScrollWrapper,
  SidebarSpace,
} from '@backstage/core-components';
import { Settings as SidebarSettings, UserSettingsSignInAvatar } from '@backstage/plugin-user-settings';
import MenuIcon from '@material-ui/icons/Menu';

/** The app shell: a sidebar with Sandboxes, Audit log, Catalog and Settings around the routed pages. */
export const Root = ({ children }: PropsWithChildren<{}>) => (
  <SidebarPage>
    <Sidebar>
      <SidebarGroup label="Menu" icon={<MenuIcon />}>
        <SidebarScrollWrapper>
          <SidebarItem icon={ComputerIcon} to="opensandbox" text="Sandboxes" />
          <SidebarItem icon={HistoryIcon} to="opensandbox/audit" text="Audit log" />
          <SidebarItem icon={CategoryIcon} to="catalog" text="Catalog" />
        </SidebarScrollWrapper>
      </SidebarGroup>
      <SidebarSpace />
      <SidebarDivider />
      <SidebarGroup label="Settings" icon={<UserSettingsSignInAvatar />} to="/settings">
        <SidebarSettings />
      </SidebarGroup>
    </Sidebar>
    {children}
  </SidebarPage>
);
