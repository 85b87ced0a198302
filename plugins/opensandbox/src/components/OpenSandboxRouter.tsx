import { Route, Routes } from 'react-router-dom';
import { SandboxListPage } from './SandboxListPage';
import { SandboxCreatePage } from './SandboxCreatePage';
import { SandboxDetailPage } from './SandboxDetailPage';
import { AuditLogPage } from './AuditLogPage';
import { AdminPage } from './admin/AdminPage';

/**
 * The plugin's pages under its mount point: the list at `/`, the create form at `/create`, the
 * audit log at `/audit`, the administration page (role bindings) at `/admin`, one sandbox at `/servers/:server/sandboxes/:sandboxId` and, on the
 * default server, at `/:sandboxId` or `/sandboxes/:sandboxId`.
 * @public
 */
export function OpenSandboxRouter() {
  return (
    <Routes>
      <Route path="/" element={<SandboxListPage />} />
      <Route path="/create" element={<SandboxCreatePage />} />
      <Route path="/audit" element={<AuditLogPage />} />
      <Route path="/admin" element={<AdminPage />} />
      <Route
        path="/servers/:server/sandboxes/:sandboxId"
        element={<SandboxDetailPage />}
      />
      <Route path="/sandboxes/:sandboxId" element={<SandboxDetailPage />} />
      <Route path="/:sandboxId" element={<SandboxDetailPage />} />
    </Routes>
  );
}
