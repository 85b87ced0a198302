/** Snapshot routes: this Docker-like runtime answers 501 `SNAPSHOT::NOT_IMPLEMENTED`. */
import { RequestHandler, Router } from 'express';
import { errors } from '../errors';
import { methodNotAllowed } from '../middleware';

/** Builds the snapshot router (mounted at both `/` and `/v1`). */
export function snapshotRoutes(): Router {
  const router = Router();
  const notImplemented: RequestHandler = (_req, _res, next) =>
    next(errors.snapshotsNotImplemented());
  router
    .route('/sandboxes/:sandboxId/snapshots')
    .post(notImplemented)
    .all(methodNotAllowed('POST'));
  router
    .route('/snapshots')
    .head(methodNotAllowed('GET'))
    .get(notImplemented)
    .all(methodNotAllowed('GET'));
  router
    .route('/snapshots/:snapshotId')
    .head(methodNotAllowed('GET'))
    .get(notImplemented)
    .delete(notImplemented)
    .all(methodNotAllowed('GET'));
  return router;
}
