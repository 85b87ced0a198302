import { randomUUID } from 'node:crypto';
import express, { RequestHandler } from 'express';
import Router from 'express-promise-router';
import type { HttpAuthService } from '@backstage/backend-plugin-api';
import { requireJsonBody } from '../http/jsonBody';
import type { BulkOperations } from './BulkOperations';

const REQUEST_ID = /^[A-Za-z0-9-]{8,64}$/;

/**
 * `POST /bulk/{renew|pause|resume|delete}` (see `openapi.yaml`): parses nothing itself; hands the
 * body, the caller's credentials and an AbortSignal that fires when the caller disconnects before
 * the answer to {@link BulkOperations.run}, and answers 200 with its result.
 */
export function createBulkRouter(options: {
  bulk: BulkOperations;
  httpAuth: HttpAuthService;
  /** The mutation rate limit (one token per batch request). */
  rateLimit?: RequestHandler;
}): express.Router {
  const router = Router();
  // A body in anything but JSON is a 415 naming `body`; then the mutation rate limit.
  const before: RequestHandler[] = [
    requireJsonBody,
    ...(options.rateLimit ? [options.rateLimit] : []),
  ];
  router.post('/bulk/:action', ...before, async (req, res) => {
    const incoming = req.header('x-request-id');
    const requestId =
      incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-ID', requestId);
    const credentials = await options.httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    // The caller going away (closed tab, aborted fetch) stops the batch from starting more items.
    const cancel = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) cancel.abort();
    };
    res.on('close', onClose);
    try {
      const result = await options.bulk.run(
        req.params.action,
        req.body,
        {
          credentials,
          requestId,
          clientIp: req.ip,
          userAgent: req.header('user-agent'),
        },
        cancel.signal,
      );
      res.setHeader('Cache-Control', 'no-store');
      res.json(result);
    } finally {
      res.off('close', onClose);
    }
  });
  return router;
}
