import type { NextFunction, Request, Response } from 'express';
import { unsupportedBodyType } from '../errors';

/** True when the request carries body bytes (`Content-Length` > 0, or a chunked body). */
function carriesBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(req.headers['content-length']);
  return Number.isFinite(length) && length > 0;
}

/**
 * Route middleware of every route that takes a JSON body (create, renew, metadata, bulk, admin
 * writes): a body in anything but `application/json`, or a `Content-Type` other than JSON, is a 415
 * naming `body` ({@link unsupportedBodyType}) before the route reads `req.body` (which
 * `express.json` leaves empty for other types, so the route would report every required field
 * missing instead). A request with no body and no `Content-Type` passes: routes whose body is
 * optional keep working without one.
 */
export function requireJsonBody(
  req: Request,
  _res: Response,
  next: NextFunction,
): void {
  const contentType = req.headers['content-type'];
  if (contentType === undefined && !carriesBody(req)) return next();
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') {
    return next(unsupportedBodyType(contentType));
  }
  return next();
}
