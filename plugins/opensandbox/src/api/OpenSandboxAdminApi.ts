import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  RoleBinding,
  RoleBindingExplanation,
  RoleBindingImportResult,
  RoleBindingInput,
  RoleBindingList,
} from '@opensandbox-console/plugin-opensandbox-common';
import { newIdempotencyKey as randomUuid } from '../lib/errors';

/** Options of {@link OpenSandboxAdminApi.importRoleBindings}. @public */
export interface ImportRoleBindingsOptions {
  /** `merge` (default) adds what is missing; `replace` also removes stored bindings the document lacks. */
  mode?: 'merge' | 'replace';
  /** Only answer the plan. */
  dryRun?: boolean;
}

/**
 * The console's administration API (`/api/opensandbox/admin/...`, permission
 * `opensandbox.admin.manage`): role bindings.
 * @public
 */
export interface OpenSandboxAdminApi {
  /** `GET /admin/role-bindings` */
  listRoleBindings(): Promise<RoleBindingList>;
  /** `POST /admin/role-bindings` */
  addRoleBinding(input: RoleBindingInput): Promise<RoleBinding>;
  /** `DELETE /admin/role-bindings/:id` */
  removeRoleBinding(id: string): Promise<void>;
  /** `GET /admin/role-bindings/explain?user=` */
  explainRoleBindings(userEntityRef: string): Promise<RoleBindingExplanation>;
  /** `GET /admin/role-bindings/export[?includeConfig=true]`, the YAML text. */
  exportRoleBindings(options?: { includeConfig?: boolean }): Promise<string>;
  /** `POST /admin/role-bindings/import?mode=&dryRun=` with the YAML text. */
  importRoleBindings(
    yaml: string,
    options?: ImportRoleBindingsOptions,
  ): Promise<RoleBindingImportResult>;
}

/** The {@link OpenSandboxAdminApi} (`plugin.opensandbox.admin`). @public */
export const opensandboxAdminApiRef = createApiRef<OpenSandboxAdminApi>({
  id: 'plugin.opensandbox.admin',
});

/**
 * Default {@link OpenSandboxAdminApi}: the console backend through `fetchApi` (the user's token).
 * @public
 */
export class OpenSandboxAdminClient implements OpenSandboxAdminApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async listRoleBindings(): Promise<RoleBindingList> {
    return (await this.send('GET', '/admin/role-bindings')).json();
  }

  async addRoleBinding(input: RoleBindingInput): Promise<RoleBinding> {
    return (
      await this.send('POST', '/admin/role-bindings', {
        type: 'application/json',
        body: JSON.stringify(input),
      })
    ).json();
  }

  async removeRoleBinding(id: string): Promise<void> {
    await this.send('DELETE', `/admin/role-bindings/${encodeURIComponent(id)}`);
  }

  async explainRoleBindings(
    userEntityRef: string,
  ): Promise<RoleBindingExplanation> {
    const params = new URLSearchParams({ user: userEntityRef });
    return (
      await this.send('GET', `/admin/role-bindings/explain?${params}`)
    ).json();
  }

  async exportRoleBindings(
    options: { includeConfig?: boolean } = {},
  ): Promise<string> {
    const qs = options.includeConfig ? '?includeConfig=true' : '';
    return (await this.send('GET', `/admin/role-bindings/export${qs}`)).text();
  }

  async importRoleBindings(
    yaml: string,
    options: ImportRoleBindingsOptions = {},
  ): Promise<RoleBindingImportResult> {
    const params = new URLSearchParams({ mode: options.mode ?? 'merge' });
    if (options.dryRun) params.set('dryRun', 'true');
    return (
      await this.send('POST', `/admin/role-bindings/import?${params}`, {
        type: 'application/yaml',
        body: yaml,
      })
    ).json();
  }

  private async send(
    method: string,
    path: string,
    content?: { type: string; body: string },
  ): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('opensandbox');
    const headers: Record<string, string> = {};
    // Changes carry their own request id (audit log), like the sandbox client's.
    const requestId = method === 'GET' ? undefined : randomUuid();
    if (requestId) headers['X-Request-ID'] = requestId;
    if (content) headers['Content-Type'] = content.type;
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: content?.body,
    });
    if (!response.ok) {
      const error = await ResponseError.fromResponse(response);
      if (requestId) Object.assign(error, { requestId });
      throw error;
    }
    return response;
  }
}
