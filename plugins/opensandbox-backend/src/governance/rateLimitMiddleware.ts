import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type {
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { rateLimited } from '../errors';
import { limitOf, RateLimitConfig } from './rateLimitConfig';
import type { RateLimiter } from './RateLimiter';

const REQUEST_ID = /^[A-Za-z0-9-]{8,64}$/;

/** Options of {@link createRateLimitMiddleware}. */
export interface RateLimitMiddlewareOptions {
  limiter: RateLimiter;
  config: RateLimitConfig;
  httpAuth: HttpAuthService;
  logger: LoggerService;
}

/**
 * Express middleware for the mutating routes: takes one token of the caller's bucket
 * (`user:<ref>` or `service:<subject>`) and answers 429 `RateLimitedError` with `Retry-After`
 * when it is empty. Principals without a limit pass without a database call. Mounted per route,
 * so other routers of the plugin are not affected. If the database cannot be reached the request
 * passes (logged): the limit protects capacity, and the route's own audit write is fail-closed.
 */
export function createRateLimitMiddleware(
  options: RateLimitMiddlewareOptions,
): RequestHandler {
  const { limiter, config, httpAuth, logger } = options;
  const off =
    config.userPerMinute === undefined &&
    config.servicePerMinute === undefined &&
    Object.keys(config.principals).length === 0;
  return async (req: Request, res: Response, next: NextFunction) => {
    if (off) {
      next();
      return;
    }
    try {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const p = credentials.principal as {
        type: 'user' | 'service';
        userEntityRef?: string;
        subject?: string;
      };
      const id = (p.type === 'user' ? p.userEntityRef : p.subject) ?? '';
      const perMinute = limitOf(config, { type: p.type, id });
      if (perMinute === undefined) {
        next();
        return;
      }
      let decision;
      try {
        decision = await limiter.take(
          `${p.type}:${id.toLocaleLowerCase('en-US')}`,
          perMinute,
        );
      } catch (error) {
        logger.warn(
          `Rate limit of ${id} could not be checked; letting the request through`,
          error as Error,
        );
        next();
        return;
      }
      if (!decision.allowed) {
        const incoming = req.header('x-request-id');
        res.setHeader(
          'X-Request-ID',
          incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID(),
        );
        next(rateLimited(perMinute, decision.retryAfterSeconds));
        return;
      }
      next();
    } catch (error) {
      next(error);
    }
  };
}
