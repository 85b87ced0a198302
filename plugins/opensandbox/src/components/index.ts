export { OpenSandboxRouter } from './OpenSandboxRouter';
export { SandboxListPage } from './SandboxListPage';
export { SandboxCreatePage } from './SandboxCreatePage';
export { SandboxDetailPage } from './SandboxDetailPage';
export { StateChip } from './StateChip';
export { AuditLogPage } from './AuditLogPage';
export { AdminPage } from './admin/AdminPage';
export { RoleBindingsCard } from './admin/RoleBindingsCard';
