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
    .all(methodNotAllowed);
  router.route('/snapshots').get(notImplemented).all(methodNotAllowed);
  router
    .route('/snapshots/:snapshotId')
    .get(notImplemented)
    .delete(notImplemented)
    .all(methodNotAllowed);
  return router;
}
