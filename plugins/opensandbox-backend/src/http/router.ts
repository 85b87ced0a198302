import { randomUUID } from 'node:crypto';
import express, { NextFunction, Request, RequestHandler, Response } from 'express';
import Router from 'express-promise-router';
import type { HttpAuthService } from '@backstage/backend-plugin-api';
import type { SandboxOperationContext } from '@opensandbox-console/plugin-opensandbox-node';
import { invalidInput } from '../errors';
import { REQUEST_BODY_LIMIT_BYTES, SandboxOperationPipeline } from '../operations/SandboxOperationPipeline';
import { parseEndpointQuery, parseListQuery, parsePort, parseSandboxId } from './requestParsing';

const REQUEST_ID = /^[A-Za-z0-9-]{8,64}$/;

/**
 * The console's HTTP API under `/api/opensandbox` (see `openapi.yaml`): each route parses the
 * request, calls one method of the operation pipeline with the caller's credentials, and answers.
 * Everything else — validation, the permission decision, audit, upstream, error mapping — is in
 * the pipeline.
 */
export async function createRouter(options: {
  operations: SandboxOperationPipeline;
  httpAuth: HttpAuthService;
  /** Extra routers mounted after the sandbox routes (e.g. `/audit-events`). */
  extraRouters?: express.Router[];
  /** Runs before each mutating route: the mutation rate limit (`../governance`, 429). */
  rateLimit?: RequestHandler;
}): Promise<express.Router> {
  const { operations: ops, httpAuth } = options;
  const limited: RequestHandler[] = options.rateLimit ? [options.rateLimit] : [];
  const router = Router();
  router.use(express.json({ limit: REQUEST_BODY_LIMIT_BYTES }));
  // The sandbox routes, for the default OpenSandbox server and under /servers/:server for any.
  const sandboxes = Router({ mergeParams: true });

  /** The caller's credentials and request metadata; sets `X-Request-ID` on the answer. */
  async function ctx(req: Request, res: Response): Promise<SandboxOperationContext> {
    const incoming = req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-ID', requestId);
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const server = req.params.server;
    // `X-OpenSandbox-Channel` (sent by HttpSandboxOperations) names the audit channel, accepted
    // only from another backend plugin (a plugin token: a user with a `plugin:` actor, or a
    // `plugin:` service) and only as `scaffolder` or `mcp`. Informational, never a permission input.
    const named = req.header('x-opensandbox-channel');
    const p = credentials.principal as { type: string; subject?: string; actor?: { subject?: string } };
    const viaPlugin = (p.type === 'user' ? p.actor?.subject : p.subject)?.startsWith('plugin:') === true;
    const channel = viaPlugin && (named === 'scaffolder' || named === 'mcp') ? named : undefined;
    return { credentials, requestId, clientIp: req.ip, userAgent: req.header('user-agent'), ...(server ? { server } : {}), ...(channel ? { channel } : {}) };
  }
  const noQuery = (req: Request) => {
    const keys = Object.keys(req.query);
    if (keys.length > 0) throw invalidInput(keys.map(field => ({ field, message: 'is not a known query parameter' })));
  };
  const id = (req: Request) => parseSandboxId(req.params.sandboxId);

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/settings', async (req, res) => {
    noQuery(req);
    await ctx(req, res);
    res.json(ops.settings());
  });
  router.get('/teams', async (req, res) => {
    noQuery(req);
    res.json({ teams: await ops.teams(await ctx(req, res)) });
  });
  sandboxes.get('/sandboxes', async (req, res) => {
    const { query, scope, server } = parseListQuery(req.query as Record<string, unknown>);
    const context = await ctx(req, res);
    res.json(await ops.list(query, scope, server && !context.server ? { ...context, server } : context));
  });
  sandboxes.post('/sandboxes', ...limited, async (req, res) => {
    const key = req.header('idempotency-key');
    const { sandbox, replayed } = await ops.create(req.body, { ...(await ctx(req, res)), idempotencyKey: key });
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(replayed ? 200 : 202).json(sandbox);
  });
  sandboxes.get('/sandboxes/:sandboxId', async (req, res) => {
    res.json(await ops.get(id(req), await ctx(req, res)));
  });
  sandboxes.delete('/sandboxes/:sandboxId', ...limited, async (req, res) => {
    await ops.delete(id(req), await ctx(req, res));
    res.status(204).end();
  });
  sandboxes.post('/sandboxes/:sandboxId/renew-expiration', ...limited, async (req, res) => {
    res.json(await ops.renew(id(req), req.body, await ctx(req, res)));
  });
  sandboxes.post('/sandboxes/:sandboxId/pause', ...limited, async (req, res) => {
    await ops.pause(id(req), await ctx(req, res));
    res.status(202).end();
  });
  sandboxes.post('/sandboxes/:sandboxId/resume', ...limited, async (req, res) => {
    await ops.resume(id(req), await ctx(req, res));
    res.status(202).end();
  });
  sandboxes.patch('/sandboxes/:sandboxId/metadata', ...limited, async (req, res) => {
    const sandboxId = id(req);
    if (!req.is('application/json')) {
      throw invalidInput([{ field: 'body', message: 'must be a JSON object (Content-Type: application/json)' }]);
    }
    res.json(await ops.patchMetadata(sandboxId, req.body, await ctx(req, res)));
  });
  sandboxes.get('/sandboxes/:sandboxId/diagnostics/:kind', async (req, res) => {
    const sandboxId = id(req);
    noQuery(req);
    res.json(await ops.diagnostics(sandboxId, req.params.kind as any, await ctx(req, res)));
  });
  sandboxes.get('/sandboxes/:sandboxId/endpoints/:port', async (req, res) => {
    const sandboxId = id(req);
    const port = parsePort(req.params.port);
    const query = parseEndpointQuery(req.query as Record<string, unknown>);
    res.json(await ops.getEndpoint(sandboxId, port, query, await ctx(req, res)));
  });
  router.use(sandboxes);
  router.use('/servers/:server', sandboxes);
  for (const extra of options.extraRouters ?? []) router.use(extra);

  // Every error body names the request id (browsers may not read the header cross-origin), and
  // upstream's Retry-After (429/503) is passed on; Backstage's error handler writes the body.
  router.use((error: any, _req: Request, res: Response, next: NextFunction) => {
    const requestId = res.getHeader('X-Request-ID');
    if (error instanceof Error && requestId && !(error as any).requestId) Object.assign(error, { requestId: String(requestId) });
    if (Number.isInteger(error?.retryAfterSeconds) && !res.headersSent) res.setHeader('Retry-After', String(error.retryAfterSeconds));
    next(error);
  });
  return router;
}
