import { randomUUID } from 'node:crypto';
import express, {
  NextFunction,
  Request,
  RequestHandler,
  Response,
} from 'express';
import Router from 'express-promise-router';
import type { HttpAuthService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import type { SandboxOperationContext } from '@opensandbox-console/plugin-opensandbox-node';
import { ConsoleError, invalidInput } from '../errors';
import {
  REQUEST_BODY_LIMIT_BYTES,
  SandboxOperationPipeline,
} from '../operations/SandboxOperationPipeline';
import {
  parseEndpointQuery,
  parseListQuery,
  parsePort,
  parseSandboxId,
} from './requestParsing';
import { requireJsonBody } from './jsonBody';

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
  const limited: RequestHandler[] = options.rateLimit
    ? [options.rateLimit]
    : [];
  // Routes taking a JSON body: any other body is a 415 naming `body`; then the limit.
  const jsonLimited: RequestHandler[] = [requireJsonBody, ...limited];
  const router = Router();
  router.use(express.json({ limit: REQUEST_BODY_LIMIT_BYTES }));
  // The sandbox routes, for the default OpenSandbox server and under /servers/:server for any.
  const sandboxes = Router({ mergeParams: true });

  /** The caller's credentials and request metadata; sets `X-Request-ID` on the answer. */
  async function ctx(
    req: Request,
    res: Response,
  ): Promise<SandboxOperationContext> {
    const incoming = req.header('x-request-id');
    const requestId =
      incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-ID', requestId);
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const server = req.params.server;
    // `X-OpenSandbox-Channel` (sent by HttpSandboxOperations) names the audit channel, accepted
    // only from another backend plugin (a plugin token: a user with a `plugin:` actor, or a
    // `plugin:` service) and only as `scaffolder` or `mcp`. Informational, never a permission input.
    const named = req.header('x-opensandbox-channel');
    const p = credentials.principal as {
      type: string;
      subject?: string;
      actor?: { subject?: string };
    };
    const viaPlugin =
      (p.type === 'user' ? p.actor?.subject : p.subject)?.startsWith(
        'plugin:',
      ) === true;
    const channel =
      viaPlugin && (named === 'scaffolder' || named === 'mcp')
        ? named
        : undefined;
    return {
      credentials,
      requestId,
      clientIp: req.ip,
      userAgent: req.header('user-agent'),
      ...(server ? { server } : {}),
      ...(channel ? { channel } : {}),
    };
  }
  const noQuery = (req: Request) => {
    const keys = Object.keys(req.query);
    if (keys.length > 0)
      throw invalidInput(
        keys.map(field => ({
          field,
          message: 'is not a known query parameter',
        })),
      );
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
    const { query, scope, server } = parseListQuery(
      req.query as Record<string, unknown>,
    );
    const context = await ctx(req, res);
    res.json(
      await ops.list(
        query,
        scope,
        server && !context.server ? { ...context, server } : context,
      ),
    );
  });
  sandboxes.post('/sandboxes', ...jsonLimited, async (req, res) => {
    const key = req.header('idempotency-key');
    const { sandbox, replayed } = await ops.create(req.body, {
      ...(await ctx(req, res)),
      idempotencyKey: key,
    });
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
  sandboxes.post(
    '/sandboxes/:sandboxId/renew-expiration',
    ...jsonLimited,
    async (req, res) => {
      res.json(await ops.renew(id(req), req.body, await ctx(req, res)));
    },
  );
  sandboxes.post(
    '/sandboxes/:sandboxId/pause',
    ...limited,
    async (req, res) => {
      await ops.pause(id(req), await ctx(req, res));
      res.status(202).end();
    },
  );
  sandboxes.post(
    '/sandboxes/:sandboxId/resume',
    ...limited,
    async (req, res) => {
      await ops.resume(id(req), await ctx(req, res));
      res.status(202).end();
    },
  );
  sandboxes.patch(
    '/sandboxes/:sandboxId/metadata',
    ...jsonLimited,
    async (req, res) => {
      const sandboxId = id(req);
      if (!req.is('application/json')) {
        throw invalidInput([
          {
            field: 'body',
            message: 'must be a JSON object (Content-Type: application/json)',
          },
        ]);
      }
      res.json(
        await ops.patchMetadata(sandboxId, req.body, await ctx(req, res)),
      );
    },
  );
  sandboxes.get('/sandboxes/:sandboxId/diagnostics/:kind', async (req, res) => {
    const sandboxId = id(req);
    noQuery(req);
    res.json(
      await ops.diagnostics(
        sandboxId,
        req.params.kind as any,
        await ctx(req, res),
      ),
    );
  });
  sandboxes.get('/sandboxes/:sandboxId/endpoints/:port', async (req, res) => {
    const sandboxId = id(req);
    const port = parsePort(req.params.port);
    const query = parseEndpointQuery(req.query as Record<string, unknown>);
    res.json(
      await ops.getEndpoint(sandboxId, port, query, await ctx(req, res)),
    );
  });
  router.use(sandboxes);
  router.use('/servers/:server', sandboxes);
  for (const extra of options.extraRouters ?? []) router.use(extra);
  // Anything else under /api/opensandbox is a 404 naming the method and path (an empty 404 would
  // not say what was wrong). Backstage's own `/.backstage/...` routes pass.
  router.use((req: Request, _res: Response, next: NextFunction) => {
    if (req.path.startsWith('/.backstage/')) return next();
    throw new NotFoundError(
      `${req.method} ${req.path} is not a route of the OpenSandbox console API (see openapi.yaml).`,
    );
  });

  // Every error body names the request id (browsers may not read the header cross-origin), and
  // upstream's Retry-After (429/503) is passed on; Backstage's error handler writes the body.
  router.use((raw: any, _req: Request, res: Response, next: NextFunction) => {
    const error: any = fromBodyParser(raw);
    if (!res.headersSent && !res.getHeader('X-Request-ID'))
      res.setHeader('X-Request-ID', randomUUID());
    const requestId = res.getHeader('X-Request-ID');
    if (error instanceof Error && requestId && !(error as any).requestId)
      Object.assign(error, { requestId: String(requestId) });
    if (Number.isInteger(error?.retryAfterSeconds) && !res.headersSent)
      res.setHeader('Retry-After', String(error.retryAfterSeconds));
    next(error);
  });
  return router;
}

/**
 * Body parser failures (express.json / express.text) as console errors naming the body, instead of
 * the parser's own error (whose serialisation would echo the body back): unreadable JSON → 400,
 * too large → 413, unsupported charset or encoding → 415, a body its Content-Encoding cannot
 * decode (zlib errors) → 400 naming `body`. Other errors are returned unchanged.
 */
export function fromBodyParser(error: any): unknown {
  switch (error?.type) {
    case 'entity.parse.failed':
      return invalidInput([
        {
          field: 'body',
          message:
            'must be a JSON object (the body is not valid JSON, or not an object or array)',
        },
      ]);
    case 'entity.too.large':
      return new ConsoleError(
        'PayloadTooLargeError',
        413,
        `The request body is larger than the limit of ${error.limit} bytes.`,
      );
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new ConsoleError(
        'UnsupportedMediaTypeError',
        415,
        `The request body's ${
          error.type === 'charset.unsupported' ? 'charset' : 'content encoding'
        } is not supported; send UTF-8 JSON.`,
      );
    case 'request.aborted':
    case 'stream.encoding.set':
    case 'stream.not.readable':
    case 'request.size.invalid':
      return new ConsoleError(
        'BadRequestError',
        400,
        'The request body could not be read.',
      );
    default:
      // Any other parser failure the parser marks 400 (an http-errors error: `status` and
      // `expose`) without a known `type` — e.g. zlib's `Z_DATA_ERROR` for a body that does not
      // match its Content-Encoding — is the caller's body at fault; the raw error is not shown.
      if (
        error?.type === undefined &&
        error?.status === 400 &&
        typeof error?.expose === 'boolean'
      ) {
        return invalidInput([
          {
            field: 'body',
            message:
              'could not be decoded: it does not match its Content-Encoding (send plain UTF-8 JSON, or valid gzip/deflate/br)',
          },
        ]);
      }
      return error;
  }
}
