/** The lifecycle routes (`/sandboxes...`), mounted at both `/` and `/v1`. */
import { Request, Response, Router } from 'express';
import { SimulatorState } from '../context';
import { errors } from '../errors';
import { parseMetadataFilter } from '../metadataFilter';
import { bodyReady, methodNotAllowed, queryOf } from '../middleware';
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

function bodyText(req: Request): string {
  return typeof req.body === 'string' ? req.body : '';
}

/**
 * Builds the lifecycle router over the given state. Each path answers 405
 * (with FastAPI's `Allow` header, see {@link methodNotAllowed}) for other
 * methods, HEAD included.
 */
export function sandboxRoutes(
  state: SimulatorState,
  options: SandboxRoutesOptions,
): Router {
  const router = Router();
  const { store } = state;

  /**
   * `POST /sandboxes`: schema and service checks answer at once; then the
   * "image pull" (`createDelayMs`, blocking the server with
   * `blockWhileCreating`) and the provisioning. Nothing here depends on the
   * client still being connected, so a create whose client gave up completes.
   */
  const createSandbox = async (req: Request, res: Response) => {
    const input = validateCreateSandbox(parseJsonBody(bodyText(req), true));
    store.checkCreate(input);
    const requestedAt = store.reserveRequestTime();
    const record = await state.runCreate(() =>
      store.provision(input, requestedAt),
    );
    res.status(202).json(toCreateResponse(record, input.metadata));
  };

  router
    .route('/sandboxes')
    .head(methodNotAllowed('POST'))
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
    .post(bodyReady, (req, res, next) => {
      createSandbox(req, res).catch(next);
    })
    .all(methodNotAllowed('POST'));

  router
    .route('/sandboxes/:sandboxId')
    .head(methodNotAllowed('GET'))
    .get((req, res) => {
      res.status(200).json(toSandbox(store.get(req.params.sandboxId)));
    })
    .delete((req, res) => {
      store.delete(req.params.sandboxId);
      res.status(204).end();
    })
    .all(methodNotAllowed('GET'));

  router
    .route('/sandboxes/:sandboxId/metadata')
    .patch(bodyReady, (req, res) => {
      const patch = validateMetadataPatch(parseJsonBody(bodyText(req), true));
      res
        .status(200)
        .json(toSandbox(store.patchMetadata(req.params.sandboxId, patch)));
    })
    .all(methodNotAllowed('PATCH'));

  router
    .route('/sandboxes/:sandboxId/pause')
    .post((req, res) => {
      store.pause(req.params.sandboxId);
      res.status(202).end();
    })
    .all(methodNotAllowed('POST'));

  router
    .route('/sandboxes/:sandboxId/resume')
    .post((req, res) => {
      store.resume(req.params.sandboxId);
      res.status(202).end();
    })
    .all(methodNotAllowed('POST'));

  router
    .route('/sandboxes/:sandboxId/renew-expiration')
    .post(bodyReady, (req, res) => {
      const expiresAt = validateRenew(parseJsonBody(bodyText(req), true));
      const renewed = store.renew(req.params.sandboxId, expiresAt);
      res.status(200).json({ expiresAt: formatTimestamp(renewed) });
    })
    .all(methodNotAllowed('POST'));

  router
    .route('/sandboxes/:sandboxId/endpoints/:port')
    .head(methodNotAllowed('GET'))
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
    .all(methodNotAllowed('GET'));

  return router;
}
