import { randomUUID } from 'node:crypto';
import express, { Request, Response } from 'express';
import Router from 'express-promise-router';
import type {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  normalizeRoleBindingEntityRef,
  opensandboxAdminManagePermission,
  RoleBindingImportResult,
  RoleBindingList,
  validateRoleBindingInput,
} from '@opensandbox-console/plugin-opensandbox-common';
import { invalidInput, notAllowed } from '../../errors';
import { requireJsonBody } from '../../http/jsonBody';
import type { RoleBindings } from './RoleBindings';
import { parseRoleBindingsYaml, toRoleBindingsYaml } from './roleBindingsYaml';

const REQUEST_ID = /^[A-Za-z0-9-]{8,64}$/;
const YAML_TYPES = [
  'application/yaml',
  'application/x-yaml',
  'text/yaml',
  'text/x-yaml',
  'text/plain',
];
/** Largest import document. */
export const MAX_IMPORT_BYTES = 1024 * 1024;

/** Options of {@link createRoleBindingsRouter}. */
export interface RoleBindingsRouterOptions {
  bindings: RoleBindings;
  httpAuth: HttpAuthService;
  /** Decides `opensandbox.admin.manage` (the plugin's decider: services narrowed by the role model). */
  permissions: PermissionsService;
}

function actorOf(credentials: BackstageCredentials): {
  actor: string;
  actorType: 'user' | 'service';
} {
  const p = credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
  };
  return p.type === 'user'
    ? { actor: p.userEntityRef!, actorType: 'user' }
    : { actor: p.subject ?? 'unknown', actorType: 'service' };
}

function bool(value: unknown, name: string): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true' || value === '') return true;
  throw invalidInput([{ field: name, message: 'must be true or false' }]);
}

function onlyQuery(req: Request, allowed: string[]) {
  const unknown = Object.keys(req.query).filter(k => !allowed.includes(k));
  if (unknown.length > 0)
    throw invalidInput(
      unknown.map(field => ({
        field,
        message: 'is not a known query parameter',
      })),
    );
  for (const key of allowed) {
    if (Array.isArray(req.query[key]))
      throw invalidInput([{ field: key, message: 'may be given once' }]);
  }
}

/**
 * The role binding administration API under `/api/opensandbox` (see openapi.yaml):
 *
 * - `GET /admin/role-bindings`: stored bindings and the app-config entries;
 * - `POST /admin/role-bindings` `{ subject, role, teams?, exempt?, description? }` → 201;
 * - `DELETE /admin/role-bindings/:id` → 204 (404 when there is none);
 * - `GET /admin/role-bindings/explain?user=user:default/x`: what the role model lets the user do;
 * - `GET /admin/role-bindings/export[?includeConfig=true]`: the YAML document;
 * - `POST /admin/role-bindings/import?mode=merge|replace[&dryRun=true]` with a YAML body.
 *
 * Every route needs `opensandbox.admin.manage` (403 otherwise; refused changes are audited
 * `denied`). Every change is an audit event (`binding.create` / `binding.delete`, details
 * `before`/`after`), written BEFORE the change (503 and no change when the audit log is down).
 *
 * - `GET /internal/role-bindings`: the stored bindings for the role policy, answered only to the
 *   `permission` plugin's service token (403 for everyone else); no permission check (the
 *   policy itself is asking).
 */
export function createRoleBindingsRouter(
  options: RoleBindingsRouterOptions,
): express.Router {
  const { bindings, httpAuth, permissions } = options;
  const router = Router();

  function requestMeta(req: Request, res: Response) {
    const incoming = req.header('x-request-id');
    const requestId =
      incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-ID', requestId);
    return { requestId, clientIp: req.ip, userAgent: req.header('user-agent') };
  }

  /**
   * The caller, once allowed `opensandbox.admin.manage`. A refused change (`change` given) is
   * audited `denied` with status 403.
   */
  async function authorize(
    req: Request,
    res: Response,
    change?: {
      action: 'binding.create' | 'binding.delete';
      details: Record<string, unknown>;
    },
  ) {
    const meta = requestMeta(req, res);
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const [decision] = await permissions.authorize(
      [{ permission: opensandboxAdminManagePermission }],
      { credentials },
    );
    const who = actorOf(credentials);
    if (decision.result !== AuthorizeResult.ALLOW) {
      const error = notAllowed(
        `not allowed to manage role bindings (${opensandboxAdminManagePermission.name})`,
      );
      if (change) {
        await bindings.recordDenied(
          { ...who, ...meta },
          change.action,
          change.details,
          error,
        );
      }
      throw error;
    }
    return { credentials, ...who, ...meta };
  }

  router.get('/internal/role-bindings', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['service'] });
    if (credentials.principal.subject !== 'plugin:permission') {
      throw new NotAllowedError(
        'only the permission plugin may read the role bindings here',
      );
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json({ bindings: await bindings.storedForPolicy() });
  });

  router.get('/admin/role-bindings', async (req, res) => {
    onlyQuery(req, []);
    await authorize(req, res);
    const list: RoleBindingList = await bindings.list();
    res.setHeader('Cache-Control', 'no-store');
    res.json(list);
  });

  router.post(
    '/admin/role-bindings',
    requireJsonBody,
    express.json({ limit: '64kb' }),
    async (req, res) => {
      onlyQuery(req, []);
      const { value, errors } = validateRoleBindingInput(req.body);
      const caller = await authorize(req, res, {
        action: 'binding.create',
        details: { request: req.body ?? null },
      });
      if (!value) throw invalidInput(errors);
      const created = await bindings.add(value, caller);
      res.status(201).json(created);
    },
  );

  router.delete('/admin/role-bindings/:id', async (req, res) => {
    onlyQuery(req, []);
    const caller = await authorize(req, res, {
      action: 'binding.delete',
      details: { bindingId: req.params.id },
    });
    const removed = await bindings.remove(req.params.id, caller);
    if (!removed)
      throw new NotFoundError(`Role binding ${req.params.id} not found.`);
    res.status(204).end();
  });

  router.get('/admin/role-bindings/explain', async (req, res) => {
    onlyQuery(req, ['user']);
    await authorize(req, res);
    const user =
      typeof req.query.user === 'string'
        ? normalizeRoleBindingEntityRef(req.query.user)
        : undefined;
    if (!user || !user.startsWith('user:')) {
      throw invalidInput([
        {
          field: 'user',
          message: 'is required: a user entity ref, e.g. user:default/vic',
        },
      ]);
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json(await bindings.explain(user));
  });

  router.get('/admin/role-bindings/export', async (req, res) => {
    onlyQuery(req, ['includeConfig']);
    const includeConfig = bool(req.query.includeConfig, 'includeConfig');
    await authorize(req, res);
    const list = await bindings.list();
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Type', 'application/yaml; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      'attachment; filename="opensandbox-role-bindings.yaml"',
    );
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.send(toRoleBindingsYaml(list.items, includeConfig ? list.config : []));
  });

  router.post(
    '/admin/role-bindings/import',
    express.text({ type: YAML_TYPES, limit: MAX_IMPORT_BYTES }),
    async (req, res) => {
      onlyQuery(req, ['mode', 'dryRun']);
      const mode = req.query.mode ?? 'merge';
      if (mode !== 'merge' && mode !== 'replace')
        throw invalidInput([
          { field: 'mode', message: 'must be merge or replace' },
        ]);
      const dryRun = bool(req.query.dryRun, 'dryRun');
      const caller = await authorize(
        req,
        res,
        dryRun
          ? undefined
          : { action: 'binding.create', details: { import: { mode } } },
      );
      if (typeof req.body !== 'string') {
        throw invalidInput([
          {
            field: 'body',
            message: `must be a YAML document (Content-Type ${YAML_TYPES.slice(
              0,
              3,
            ).join(', ')})`,
          },
        ]);
      }
      const parsed = parseRoleBindingsYaml(req.body);
      if (!parsed.bindings) throw invalidInput(parsed.errors);
      const result: RoleBindingImportResult = await bindings.import(
        parsed.bindings,
        { mode, dryRun },
        caller,
      );
      res.json(result);
    },
  );

  return router;
}
