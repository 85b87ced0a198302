import React from 'react';
import { Route, Routes } from 'react-router-dom';
import { SandboxListPage } from './SandboxListPage';
import { SandboxCreatePage } from './SandboxCreatePage';
import { SandboxDetailPage } from './SandboxDetailPage';

/**
 * The plugin's pages under its mount point: the list at `/`, the create form at `/create` and
 * one sandbox at `/:sandboxId`.
 * @public
 */
export function OpenSandboxRouter() {
  return (
    <Routes>
      <Route path="/" element={<SandboxListPage />} />
      <Route path="/create" element={<SandboxCreatePage />} />
      <Route path="/:sandboxId" element={<SandboxDetailPage />} />
    </Routes>
  );
}
