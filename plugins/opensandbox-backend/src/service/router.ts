import { randomUUID } from 'node:crypto';
import express, { Request, Response } from 'express';
import Router from 'express-promise-router';
import type { HttpAuthService, UserInfoService } from '@backstage/backend-plugin-api';
import type { ResourcePermission } from '@backstage/plugin-permission-common';
import {
  ConsoleSandbox,
  opensandboxSandboxCreatePermission,
  opensandboxSandboxDeletePermission,
  opensandboxSandboxEndpointPermission,
  opensandboxSandboxUpdatePermission,
  validateCreateSandboxRequest,
  validateMetadata,
  validateRenewRequest,
} from '@opensandbox-console/plugin-opensandbox-common';
import type { AuditAction, AuditAttemptInput, AuditRecorder } from '../audit/types';
import type { AuthorizedSandboxLister } from '../permissions/AuthorizedSandboxLister';
import type { SandboxAuthorizer } from '../permissions/SandboxAuthorizer';
import { isDenial, notAllowed } from '../permissions/denials';
import { SandboxService, RequestContext } from './SandboxService';
import { resolveCaller } from './callers';
import { httpStatusOf } from './httpStatus';
import {
  invalidInput,
  parseEndpointQuery,
  parseListQuery,
  parsePort,
  parseSandboxId,
} from './requestValidation';

/** Dependencies of {@link createRouter}. */
export interface RouterOptions {
  sandboxes: SandboxService;
  lister: AuthorizedSandboxLister;
  authorizer: SandboxAuthorizer;
  audit: AuditRecorder;
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  /** Extra routers mounted after the sandbox routes (e.g. `/audit-events`). */
  extraRouters?: express.Router[];
  /**
   * Lower-case group refs that grant roles (`opensandbox.permissionPolicy.roles`); they are never
   * chosen as a sandbox's default team.
   */
  roleGroups?: ReadonlySet<string>;
}

const REQUEST_ID = /^[A-Za-z0-9-]{8,64}$/;

/**
 * The console's HTTP API under `/api/opensandbox`, mirroring the upstream lifecycle paths
 * (see `openapi.yaml`). Each route: validate input (400 before any upstream call) → resolve the
 * caller → load the sandbox → one permission decision (404 if unreadable, 403 if the action is
 * refused; refusals are audited) → audit row `initiated` (refused with 503 if it cannot be
 * written) → upstream call → audit outcome → answer.
 */
export async function createRouter(options: RouterOptions): Promise<express.Router> {
  const { sandboxes, lister, authorizer, audit, httpAuth, userInfo } = options;
  const roleGroups = options.roleGroups ?? new Set<string>();

  /** The caller's groups that may own sandboxes: its ownership groups minus role groups. */
  function teamsOf(ctx: RequestContext): string[] {
    return ctx.caller.ownershipEntityRefs
      .map(r => r.toLocaleLowerCase('en-US'))
      .filter(r => r.startsWith('group:') && !roleGroups.has(r));
  }
  const router = Router();
  router.use(express.json({ limit: '1mb' }));

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  async function context(req: Request, res: Response): Promise<RequestContext> {
    const incoming = req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-ID', requestId);
    const { caller, credentials } = await resolveCaller(req, httpAuth, userInfo);
    return { caller, credentials, requestId };
  }

  function auditInput(
    req: Request,
    ctx: RequestContext,
    action: AuditAction,
    sandboxId: string | undefined,
    team: string | undefined,
    details: Record<string, unknown>,
  ): AuditAttemptInput {
    return {
      actor: ctx.caller.actor,
      actorType: ctx.caller.type,
      action,
      sandboxId,
      team,
      requestId: ctx.requestId,
      clientIp: req.ip,
      userAgent: req.header('user-agent'),
      details,
    };
  }

  function failure(error: unknown) {
    const e = error as { name?: string; message?: string; upstreamCode?: string; upstream?: { code?: string } };
    return {
      httpStatus: httpStatusOf(error),
      errorCode: e?.upstreamCode ?? e?.upstream?.code ?? e?.name,
      errorMessage: e?.message,
    };
  }

  /** Runs `perform` as one audited attempt (initiated → succeeded / failed). */
  async function attempt<T>(
    input: AuditAttemptInput,
    successStatus: number,
    perform: () => Promise<{ result: T; sandboxId?: string; details?: Record<string, unknown> }>,
  ): Promise<T> {
    const started = await audit.begin(input);
    try {
      const { result, sandboxId, details } = await perform();
      await started.succeed({ httpStatus: successStatus, sandboxId, details });
      return result;
    } catch (error) {
      await started.fail(failure(error));
      throw error;
    }
  }

  /** Loads, authorizes and audits one mutation of an existing sandbox. */
  async function mutate<T>(
    req: Request,
    ctx: RequestContext,
    spec: {
      action: AuditAction;
      sandboxId: string;
      permission: ResourcePermission;
      details: Record<string, unknown>;
      successStatus: number;
      perform: (sandbox: ConsoleSandbox) => Promise<{ result: T; details?: Record<string, unknown> }>;
    },
  ): Promise<T> {
    let sandbox: ConsoleSandbox;
    try {
      sandbox = await sandboxes.get(spec.sandboxId, ctx);
    } catch (error) {
      const input = auditInput(req, ctx, spec.action, spec.sandboxId, undefined, spec.details);
      await (await audit.begin(input)).fail(failure(error));
      throw error;
    }
    const input = auditInput(req, ctx, spec.action, spec.sandboxId, sandbox.ownership?.team, spec.details);
    try {
      await authorizer.authorizeAction(ctx.credentials, sandbox, spec.permission);
    } catch (error) {
      if (isDenial(error)) await audit.denied(input, failure(error));
      throw error;
    }
    return attempt(input, spec.successStatus, () => spec.perform(sandbox));
  }

  router.get('/teams', async (req, res) => {
    if (Object.keys(req.query).length > 0) {
      throw invalidInput(Object.keys(req.query).map(field => ({ field, message: 'is not a known query parameter' })));
    }
    const ctx = await context(req, res);
    res.json({ teams: teamsOf(ctx) });
  });

  router.get('/sandboxes', async (req, res) => {
    const { query, scope } = parseListQuery(req.query as Record<string, unknown>);
    const ctx = await context(req, res);
    res.json(await lister.list(query, scope, ctx.credentials, ctx));
  });

  router.post('/sandboxes', async (req, res) => {
    const errors = validateCreateSandboxRequest(req.body, { maxTimeoutSeconds: sandboxes.maxTimeoutSeconds });
    if (errors.length > 0) throw invalidInput(errors);
    const ctx = await context(req, res);
    const { team: requestedTeam, entityRef, ...request } = req.body;
    if (ctx.caller.type === 'service' && !requestedTeam) {
      throw invalidInput([{ field: 'team', message: 'is required when a service creates a sandbox (services have no groups)' }]);
    }
    const team: string | undefined = requestedTeam
      ? String(requestedTeam).toLocaleLowerCase('en-US')
      : teamsOf(ctx)[0];
    const input = auditInput(req, ctx, 'sandbox.create', undefined, team, { request: req.body });
    try {
      await authorizer.authorizeBasic(ctx.credentials, opensandboxSandboxCreatePermission);
      const ownTeam = !!team && ctx.caller.ownershipEntityRefs.some(r => r.toLocaleLowerCase('en-US') === team);
      if (requestedTeam && !ownTeam) {
        // May the caller manage a sandbox of that team? Only the team counts here: the caller
        // would be the owner of any sandbox it creates.
        const virtual = {
          id: '(new)',
          status: { state: 'Pending' },
          createdAt: new Date().toISOString(),
          entrypoint: [],
          ownership: { team },
        } as ConsoleSandbox;
        if (!(await authorizer.wouldAllow(ctx.credentials, opensandboxSandboxUpdatePermission, virtual))) {
          throw notAllowed(`team ${requestedTeam} is not one of your teams`);
        }
      }
    } catch (error) {
      if (isDenial(error)) await audit.denied(input, failure(error));
      throw error;
    }
    const created = await attempt(input, 202, async () => {
      const result = await sandboxes.create(request, { team, entity: entityRef }, ctx);
      return { result, sandboxId: result.id };
    });
    res.status(202).json(created);
  });

  router.get('/sandboxes/:sandboxId', async (req, res) => {
    const sandboxId = parseSandboxId(req.params.sandboxId);
    const ctx = await context(req, res);
    const sandbox = await sandboxes.get(sandboxId, ctx);
    await authorizer.authorizeRead(ctx.credentials, sandbox);
    res.json(sandbox);
  });

  router.delete('/sandboxes/:sandboxId', async (req, res) => {
    const sandboxId = parseSandboxId(req.params.sandboxId);
    const ctx = await context(req, res);
    await mutate(req, ctx, {
      action: 'sandbox.delete',
      sandboxId,
      permission: opensandboxSandboxDeletePermission,
      details: {},
      successStatus: 204,
      perform: async () => ({ result: await sandboxes.delete(sandboxId, ctx) }),
    });
    res.status(204).end();
  });

  router.post('/sandboxes/:sandboxId/renew-expiration', async (req, res) => {
    const sandboxId = parseSandboxId(req.params.sandboxId);
    const errors = validateRenewRequest(req.body, Date.now(), { maxTimeoutSeconds: sandboxes.maxTimeoutSeconds });
    if (errors.length > 0) throw invalidInput(errors);
    const ctx = await context(req, res);
    const renewed = await mutate(req, ctx, {
      action: 'sandbox.renew',
      sandboxId,
      permission: opensandboxSandboxUpdatePermission,
      details: { request: req.body },
      successStatus: 200,
      perform: async sandbox => {
        const result = await sandboxes.renew(sandboxId, req.body.expiresAt, ctx);
        return {
          result,
          details: { before: { expiresAt: sandbox.expiresAt ?? null }, after: { expiresAt: result.expiresAt } },
        };
      },
    });
    res.json(renewed);
  });

  for (const [path, action, call] of [
    ['pause', 'sandbox.pause', (id: string, ctx: RequestContext) => sandboxes.pause(id, ctx)],
    ['resume', 'sandbox.resume', (id: string, ctx: RequestContext) => sandboxes.resume(id, ctx)],
  ] as const) {
    router.post(`/sandboxes/:sandboxId/${path}`, async (req, res) => {
      const sandboxId = parseSandboxId(req.params.sandboxId);
      const ctx = await context(req, res);
      await mutate(req, ctx, {
        action,
        sandboxId,
        permission: opensandboxSandboxUpdatePermission,
        details: {},
        successStatus: 202,
        perform: async sandbox => {
          await call(sandboxId, ctx);
          return { result: undefined, details: { before: { state: sandbox.status.state } } };
        },
      });
      res.status(202).end();
    });
  }

  router.patch('/sandboxes/:sandboxId/metadata', async (req, res) => {
    const sandboxId = parseSandboxId(req.params.sandboxId);
    if (!req.is('application/json')) {
      throw invalidInput([{ field: 'body', message: 'must be a JSON object (Content-Type: application/json)' }]);
    }
    const errors = validateMetadata(req.body, 'metadata', true);
    if (errors.length > 0) throw invalidInput(errors);
    const ctx = await context(req, res);
    const patched = await mutate(req, ctx, {
      action: 'sandbox.metadata.update',
      sandboxId,
      permission: opensandboxSandboxUpdatePermission,
      details: { request: req.body, changedKeys: Object.keys(req.body).sort() },
      successStatus: 200,
      perform: async sandbox => {
        const result = await sandboxes.patchMetadata(sandboxId, req.body, ctx);
        const before: Record<string, string | null> = {};
        for (const key of Object.keys(req.body)) {
          before[key] = sandbox.metadata && Object.hasOwn(sandbox.metadata, key) ? sandbox.metadata[key] : null;
        }
        return { result, details: { before, after: req.body } };
      },
    });
    res.json(patched);
  });

  router.get('/sandboxes/:sandboxId/endpoints/:port', async (req, res) => {
    const sandboxId = parseSandboxId(req.params.sandboxId);
    const port = parsePort(req.params.port);
    const query = parseEndpointQuery(req.query as Record<string, unknown>);
    const ctx = await context(req, res);
    const sandbox = await sandboxes.get(sandboxId, ctx);
    await authorizer.authorizeAction(ctx.credentials, sandbox, opensandboxSandboxEndpointPermission);
    res.json(await sandboxes.endpoint(sandboxId, port, query, ctx));
  });

  for (const extra of options.extraRouters ?? []) router.use(extra);

  return router;
}
