/** The lifecycle routes (`/sandboxes...`), mounted at both `/` and `/v1`. */
import express, { Request, Router } from 'express';
import { SimulatorState } from '../context';
import { errors } from '../errors';
import { parseMetadataFilter } from '../metadataFilter';
import { methodNotAllowed, queryOf } from '../middleware';
import { toCreateResponse, toSandbox } from '../serialize';
import { formatTimestamp } from '../time';
import {
  parseJsonBody,
  validateCreateSandbox,
  validateEndpointQuery,
  validateListQuery,
  validateMetadataPatch,
  validateRenew,
} from '../validation';

/** Options of {@link sandboxRoutes}. */
export interface SandboxRoutesOptions {
  /** Host reported in direct (non-proxied) endpoints, e.g. `127.0.0.1`. */
  endpointHost: string;
}

const rawBody = express.text({ type: () => true, limit: '10mb' });

function bodyText(req: Request): string {
  return typeof req.body === 'string' ? req.body : '';
}

/** Builds the lifecycle router over the given state. */
export function sandboxRoutes(
  state: SimulatorState,
  options: SandboxRoutesOptions,
): Router {
  const router = Router();
  const { store } = state;

  router
    .route('/sandboxes')
    .get((req, res) => {
      const q = validateListQuery(queryOf(req.originalUrl));
      let pairs: Array<[string, string]> = [];
      if (q.metadata) {
        try {
          pairs = parseMetadataFilter(q.metadata);
        } catch (e) {
          throw errors.invalidMetadataFormat((e as Error).message);
        }
      }
      const states = q.states.map(s => s.toLowerCase());
      const matching = store
        .list()
        .filter(
          s =>
            states.length === 0 ||
            states.includes(s.status.state.toLowerCase()),
        )
        .filter(s => pairs.every(([k, v]) => s.metadata[k] === v));
      const totalItems = matching.length;
      const totalPages = Math.ceil(totalItems / q.pageSize);
      const start = (q.page - 1) * q.pageSize;
      res.status(200).json({
        items: matching.slice(start, start + q.pageSize).map(toSandbox),
        pagination: {
          page: q.page,
          pageSize: q.pageSize,
          totalItems,
          totalPages,
          hasNextPage: q.page < totalPages,
        },
      });
    })
    .post(rawBody, (req, res) => {
      const input = validateCreateSandbox(parseJsonBody(bodyText(req), true));
      res.status(202).json(toCreateResponse(store.create(input)));
    })
    .all(methodNotAllowed);

  router
    .route('/sandboxes/:sandboxId')
    .get((req, res) => {
      res.status(200).json(toSandbox(store.get(req.params.sandboxId)));
    })
    .delete((req, res) => {
      store.delete(req.params.sandboxId);
      res.status(204).end();
    })
    .all(methodNotAllowed);

  router
    .route('/sandboxes/:sandboxId/metadata')
    .patch(rawBody, (req, res) => {
      const patch = validateMetadataPatch(parseJsonBody(bodyText(req), true));
      res
        .status(200)
        .json(toSandbox(store.patchMetadata(req.params.sandboxId, patch)));
    })
    .all(methodNotAllowed);

  router
    .route('/sandboxes/:sandboxId/pause')
    .post((req, res) => {
      store.pause(req.params.sandboxId);
      res.status(202).end();
    })
    .all(methodNotAllowed);

  router
    .route('/sandboxes/:sandboxId/resume')
    .post((req, res) => {
      store.resume(req.params.sandboxId);
      res.status(202).end();
    })
    .all(methodNotAllowed);

  router
    .route('/sandboxes/:sandboxId/renew-expiration')
    .post(rawBody, (req, res) => {
      const expiresAt = validateRenew(parseJsonBody(bodyText(req), true));
      const renewed = store.renew(req.params.sandboxId, expiresAt);
      res.status(200).json({ expiresAt: formatTimestamp(renewed) });
    })
    .all(methodNotAllowed);

  router
    .route('/sandboxes/:sandboxId/endpoints/:port')
    .get((req, res) => {
      const q = validateEndpointQuery(
        req.params.port,
        queryOf(req.originalUrl),
      );
      if (q.expires !== undefined && q.useServerProxy) {
        throw errors.invalidParameter(
          'expires cannot be combined with use_server_proxy=true.',
        );
      }
      if (q.port < 1 || q.port > 65535) throw errors.invalidPort(q.port);
      const s = store.get(req.params.sandboxId);
      if (q.expires !== undefined) {
        throw errors.apiNotSupported(
          'Signed endpoints are not supported by the Docker runtime.',
        );
      }
      let endpoint: string;
      if (q.useServerProxy) {
        const host = req.header('host') ?? `${options.endpointHost}`;
        endpoint = `${host}/sandboxes/${s.id}/proxy/${q.port}`;
      } else if (q.port === 8080) {
        endpoint = `${options.endpointHost}:${s.httpHostPort}`;
      } else {
        endpoint = `${options.endpointHost}:${s.proxyHostPort}/proxy/${q.port}`;
      }
      res.status(200).json({ endpoint });
    })
    .all(methodNotAllowed);

  return router;
}
