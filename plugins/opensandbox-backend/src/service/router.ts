import { randomUUID } from 'node:crypto';
import express, { Request, Response } from 'express';
import Router from 'express-promise-router';
import type {
  AuditorService,
  HttpAuthService,
  LoggerService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  validateCreateSandboxRequest,
  validateRenewRequest,
} from '@opensandbox-console/plugin-opensandbox-common';
import { SandboxService, RequestContext } from './SandboxService';
import { resolveCaller } from './callers';
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
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  auditor: AuditorService;
  logger: LoggerService;
}

const REQUEST_ID = /^[A-Za-z0-9-]{8,64}$/;

/**
 * The console's HTTP API under `/api/opensandbox`, mirroring the upstream lifecycle paths
 * (see `openapi.yaml`). Routes are thin: parse and validate (400 before any upstream call),
 * resolve the caller, call {@link SandboxService}, answer.
 */
export async function createRouter(options: RouterOptions): Promise<express.Router> {
  const { sandboxes, httpAuth, userInfo, auditor } = options;
  const router = Router();
  router.use(express.json({ limit: '1mb' }));

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  async function context(req: Request, res: Response): Promise<RequestContext> {
    const incoming = req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-ID', requestId);
    const caller = await resolveCaller(req, httpAuth, userInfo);
    return { caller, requestId };
  }

  /** Runs a mutation inside an auditor event (initiated, then succeeded or failed). */
  async function audited<T>(
    req: Request,
    eventId: string,
    meta: Record<string, unknown>,
    ctx: RequestContext,
    run: () => Promise<T>,
  ): Promise<T> {
    const event = await auditor.createEvent({
      eventId,
      severityLevel: 'medium',
      request: req,
      meta: { ...meta, requestId: ctx.requestId },
    });
    try {
      const result = await run();
      await event.success();
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  router.get('/sandboxes', async (req, res) => {
    const ctx = await context(req, res);
    const query = parseListQuery(req.query as Record<string, unknown>);
    res.json(await sandboxes.list(query, ctx));
  });

  router.post('/sandboxes', async (req, res) => {
    const ctx = await context(req, res);
    const errors = validateCreateSandboxRequest(req.body, { maxTimeoutSeconds: sandboxes.maxTimeoutSeconds });
    if (errors.length > 0) throw invalidInput(errors);
    const created = await audited(req, 'sandbox-create', { image: req.body.image?.uri }, ctx, () =>
      sandboxes.create(req.body, ctx),
    );
    res.status(202).json(created);
  });

  router.get('/sandboxes/:sandboxId', async (req, res) => {
    const ctx = await context(req, res);
    const sandboxId = parseSandboxId(req.params.sandboxId);
    res.json(await sandboxes.get(sandboxId, ctx));
  });

  router.delete('/sandboxes/:sandboxId', async (req, res) => {
    const ctx = await context(req, res);
    const sandboxId = parseSandboxId(req.params.sandboxId);
    await audited(req, 'sandbox-delete', { sandboxId }, ctx, () => sandboxes.delete(sandboxId, ctx));
    res.status(204).end();
  });

  router.post('/sandboxes/:sandboxId/renew-expiration', async (req, res) => {
    const ctx = await context(req, res);
    const sandboxId = parseSandboxId(req.params.sandboxId);
    const errors = validateRenewRequest(req.body);
    if (errors.length > 0) throw invalidInput(errors);
    const renewed = await audited(req, 'sandbox-renew', { sandboxId, expiresAt: req.body.expiresAt }, ctx, () =>
      sandboxes.renew(sandboxId, req.body.expiresAt, ctx),
    );
    res.json(renewed);
  });

  router.post('/sandboxes/:sandboxId/pause', async (req, res) => {
    const ctx = await context(req, res);
    const sandboxId = parseSandboxId(req.params.sandboxId);
    await audited(req, 'sandbox-pause', { sandboxId }, ctx, () => sandboxes.pause(sandboxId, ctx));
    res.status(202).end();
  });

  router.post('/sandboxes/:sandboxId/resume', async (req, res) => {
    const ctx = await context(req, res);
    const sandboxId = parseSandboxId(req.params.sandboxId);
    await audited(req, 'sandbox-resume', { sandboxId }, ctx, () => sandboxes.resume(sandboxId, ctx));
    res.status(202).end();
  });

  router.get('/sandboxes/:sandboxId/endpoints/:port', async (req, res) => {
    const ctx = await context(req, res);
    const sandboxId = parseSandboxId(req.params.sandboxId);
    const port = parsePort(req.params.port);
    const query = parseEndpointQuery(req.query as Record<string, unknown>);
    res.json(await sandboxes.endpoint(sandboxId, port, query, ctx));
  });

  return router;
}
