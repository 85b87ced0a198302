import { Route, Routes } from 'react-router-dom';
import { SandboxListPage } from './SandboxListPage';
import { SandboxCreatePage } from './SandboxCreatePage';
import { SandboxDetailPage } from './SandboxDetailPage';
import { AuditLogPage } from './AuditLogPage';

/**
 * The plugin's pages under its mount point: the list at `/`, the create form at `/create`, the
 * audit log at `/audit` and one sandbox at `/:sandboxId`.
 * @public
 */
export function OpenSandboxRouter() {
  return (
    <Routes>
      <Route path="/" element={<SandboxListPage />} />
      <Route path="/create" element={<SandboxCreatePage />} />
      <Route path="/audit" element={<AuditLogPage />} />
      <Route path="/:sandboxId" element={<SandboxDetailPage />} />
    </Routes>
  );
}
