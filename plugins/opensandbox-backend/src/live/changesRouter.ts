import express from 'express';
import Router from 'express-promise-router';
import type { HttpAuthService } from '@backstage/backend-plugin-api';
import { invalidInput } from '../errors';
import type { SandboxChanges } from './SandboxChanges';

const VERSION = /^(0|[1-9][0-9]{0,15})$/;

/**
 * `GET /changes[?since=<version>]` (live status; see `SandboxChanges`): users and services. 400
 * for a `since` that is not a whole number >= 0 or for any other query parameter.
 */
export function createChangesRouter(options: {
  changes: SandboxChanges;
  httpAuth: HttpAuthService;
}): express.Router {
  const { changes, httpAuth } = options;
  const router = Router();
  router.get('/changes', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const unknown = Object.keys(req.query).filter(key => key !== 'since');
    if (unknown.length > 0)
      throw invalidInput(
        unknown.map(field => ({
          field,
          message: 'is not a known query parameter',
        })),
      );
    const raw = req.query.since;
    let since: number | undefined;
    if (raw !== undefined) {
      if (
        typeof raw !== 'string' ||
        !VERSION.test(raw) ||
        !Number.isSafeInteger(Number(raw))
      ) {
        throw invalidInput([
          {
            field: 'since',
            message:
              'must be a whole number >= 0 (a version from an earlier answer)',
          },
        ]);
      }
      since = Number(raw);
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json(await changes.since(credentials, since));
  });
  return router;
}
