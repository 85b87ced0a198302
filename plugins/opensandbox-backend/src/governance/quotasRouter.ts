import { randomUUID } from 'node:crypto';
import express, { Request, RequestHandler, Response } from 'express';
import Router from 'express-promise-router';
import type {
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { auditErrorOf, invalidInput, notAllowed } from '../errors';
import { requireJsonBody } from '../http/jsonBody';
import type { AuditAttemptInput, AuditRecorder } from '../audit/types';
import type { QuotaConfig } from './quotaConfig';
import type { QuotaEnforcer } from './QuotaEnforcer';
import {
  DEFAULT_QUOTA_KEY,
  parseQuotaLimits,
  QuotaLimits,
  quotaKeyOf,
  teamLabel,
} from './quotaLimits';
import type { QuotaOverride, QuotaStore } from './QuotaStore';

const REQUEST_ID = /^[A-Za-z0-9-]{8,64}$/;

/** Options of {@link createQuotasRouter}. */
export interface QuotasRouterOptions {
  enforcer: QuotaEnforcer;
  store: QuotaStore;
  config: QuotaConfig;
  audit: AuditRecorder;
  httpAuth: HttpAuthService;
  /** The teams the caller may create for (its groups minus role groups), default first. */
  teamsOf: (credentials: BackstageCredentials) => Promise<string[]>;
  /** True when the caller's decision for `opensandbox.admin.manage` is ALLOW (false on errors). */
  isAdmin: (credentials: BackstageCredentials) => Promise<boolean>;
  /** True when the caller is exempt from quotas (admins, `exempt` role bindings). Default: `isAdmin`. */
  isExempt?: (credentials: BackstageCredentials) => Promise<boolean>;
  /** Rate limit of the mutating routes (PUT, DELETE). */
  rateLimit?: RequestHandler;
}

/** One quota key as the admin API shows it: its layers and the result. */
export interface QuotaEntry {
  /** `default` or a lower-case group ref. */
  team: string;
  /** The config layer (`opensandbox.quotas.default` / `.teams[team]`); null when none. */
  config: QuotaLimits | null;
  /** The database layer; null when none. */
  override: QuotaOverride | null;
  /** What applies (for a team: over the default layers), with each limit's source. */
  effective: Awaited<ReturnType<QuotaEnforcer['limitsFor']>>;
}

/**
 * Quota routes:
 * - `GET /quotas?team=<group ref>`: the limits that apply to one of the caller's teams (default:
 *   its first team), with the usage and the remaining sandboxes, and whether the caller is
 *   exempt (admins may ask for any team); for the create form.
 * - `GET /admin/quotas`, `GET|PUT|DELETE /admin/quotas/<key>` (`default` or a url-encoded group
 *   ref): the config and database layers; PUT replaces the database override of a key (absent
 *   limits inherit, `null` = no limit), DELETE removes it. Callers need `opensandbox.admin.manage`
 *   (else 403); every change (and every refused change) is an audit event `quota.update` /
 *   `quota.delete` with `before` / `after`.
 */
export function createQuotasRouter(
  options: QuotasRouterOptions,
): express.Router {
  const { enforcer, store, config, audit, httpAuth } = options;
  const router = Router();
  const limited: RequestHandler[] = options.rateLimit
    ? [options.rateLimit]
    : [];
  /** A body in anything but JSON is a 415 naming `body` (before the limit). */
  const jsonLimited: RequestHandler[] = [requireJsonBody, ...limited];

  const credentialsOf = async (req: Request, res: Response) => {
    const incoming = req.header('x-request-id');
    const requestId =
      incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-ID', requestId);
    return {
      credentials: await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      }),
      requestId,
    };
  };
  const keyParam = (req: Request): string => {
    const key = quotaKeyOf(req.params.team);
    if (!key)
      throw invalidInput([
        {
          field: 'team',
          message:
            'must be "default" or a group ref such as group:default/team-a (url-encoded)',
        },
      ]);
    return key;
  };
  const entry = async (
    key: string,
    override?: QuotaOverride | null,
  ): Promise<QuotaEntry> => {
    const stored =
      override !== undefined
        ? override
        : (await store.getMany([key])).get(key) ?? null;
    return {
      team: key,
      config:
        (key === DEFAULT_QUOTA_KEY ? config.default : config.teams[key]) ??
        null,
      override: stored,
      effective: await enforcer.limitsFor(
        key === DEFAULT_QUOTA_KEY ? undefined : key,
      ),
    };
  };
  const requireAdmin = async (credentials: BackstageCredentials) => {
    if (!(await options.isAdmin(credentials)))
      throw notAllowed(
        'You are not allowed to manage quotas (opensandbox.admin.manage)',
      );
  };
  const auditInput = (
    credentials: BackstageCredentials,
    req: Request,
    requestId: string,
    action: 'quota.update' | 'quota.delete',
    key: string,
    details: Record<string, unknown>,
  ): AuditAttemptInput => {
    const p = credentials.principal as {
      type: 'user' | 'service';
      userEntityRef?: string;
      subject?: string;
    };
    return {
      actor: (p.type === 'user' ? p.userEntityRef : p.subject) ?? 'unknown',
      actorType: p.type,
      action,
      team: key === DEFAULT_QUOTA_KEY ? undefined : key,
      requestId,
      clientIp: req.ip,
      userAgent: req.header('user-agent'),
      channel: 'http',
      details: { quota: key, ...details },
    };
  };
  /** A change: admin check (refusal audited `denied`), then initiated → change → succeeded. */
  const change = async (
    req: Request,
    res: Response,
    action: 'quota.update' | 'quota.delete',
    key: string,
    details: Record<string, unknown>,
    run: (
      actor: string,
    ) => Promise<{ before: QuotaLimits | null; after: QuotaLimits | null }>,
  ) => {
    const { credentials, requestId } = await credentialsOf(req, res);
    const input = auditInput(credentials, req, requestId, action, key, details);
    try {
      await requireAdmin(credentials);
    } catch (error) {
      await audit.denied(input, auditErrorOf(error));
      throw error;
    }
    const attempt = await audit.begin(input);
    try {
      const { before, after } = await run(input.actor);
      await attempt.succeed({
        httpStatus: action === 'quota.delete' ? 204 : 200,
        details: { before, after },
      });
    } catch (error) {
      await attempt.fail(auditErrorOf(error));
      throw error;
    }
  };

  router.get('/quotas', async (req, res) => {
    const unknown = Object.keys(req.query).filter(k => k !== 'team');
    if (unknown.length > 0)
      throw invalidInput(
        unknown.map(field => ({
          field,
          message: 'is not a known query parameter',
        })),
      );
    const { credentials } = await credentialsOf(req, res);
    const teams = await options.teamsOf(credentials);
    let team: string | undefined;
    if (req.query.team !== undefined) {
      const key = quotaKeyOf(req.query.team);
      if (!key || key === DEFAULT_QUOTA_KEY)
        throw invalidInput([
          {
            field: 'team',
            message: 'must be a group ref such as group:default/team-a',
          },
        ]);
      team = key;
    } else team = teams[0];
    if (!team)
      throw invalidInput([
        { field: 'team', message: 'is required (the caller has no team)' },
      ]);
    if (!teams.includes(team) && !(await options.isAdmin(credentials))) {
      throw notAllowed(
        `You may see the quotas of your own teams only; ${teamLabel(
          team,
        )} is not one of them`,
      );
    }
    const exempt = await (options.isExempt ?? options.isAdmin)(credentials);
    res.json({ ...(await enforcer.status(team)), exempt });
  });

  router.get('/admin/quotas', async (req, res) => {
    const { credentials } = await credentialsOf(req, res);
    await requireAdmin(credentials);
    const overrides = await store.list();
    const byKey = new Map(overrides.map(o => [o.team, o]));
    const keys = [
      ...new Set([...Object.keys(config.teams), ...overrides.map(o => o.team)]),
    ]
      .filter(k => k !== DEFAULT_QUOTA_KEY)
      .sort();
    const items = await Promise.all(
      [DEFAULT_QUOTA_KEY, ...keys].map(k => entry(k, byKey.get(k) ?? null)),
    );
    res.json({ items });
  });

  router.get('/admin/quotas/:team', async (req, res) => {
    const { credentials } = await credentialsOf(req, res);
    await requireAdmin(credentials);
    res.json(await entry(keyParam(req)));
  });

  router.put('/admin/quotas/:team', ...jsonLimited, async (req, res) => {
    const key = keyParam(req);
    // Validated first, like every route: a 400 names the fields and is not an attempt.
    const { limits, errors } = parseQuotaLimits(req.body ?? null);
    if (errors.length > 0) throw invalidInput(errors);
    let stored: QuotaOverride | undefined;
    await change(
      req,
      res,
      'quota.update',
      key,
      { request: limits },
      async actor => {
        const { before, after } = await store.put(key, limits, actor);
        stored = after;
        return { before: before?.limits ?? null, after: after.limits };
      },
    );
    res.json(await entry(key, stored));
  });

  router.delete('/admin/quotas/:team', ...limited, async (req, res) => {
    const key = keyParam(req);
    await change(req, res, 'quota.delete', key, {}, async () => {
      const before = await store.delete(key);
      if (!before)
        throw new NotFoundError(
          `There is no database quota for ${
            key === DEFAULT_QUOTA_KEY ? 'the default' : teamLabel(key)
          }; the config applies.`,
        );
      return { before: before.limits, after: null };
    });
    res.status(204).end();
  });

  return router;
}
