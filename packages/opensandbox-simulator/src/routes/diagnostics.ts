/**
 * The deprecated plain-text diagnostics, `GET /sandboxes/{id}/diagnostics/{logs,events,inspect,summary}`
 * (upstream `api/devops.py`), mounted at both `/` and `/v1`:
 * - logs and events answer `text/plain` with `Deprecation: true`; with `?scope=` (the structured
 *   Diagnostics API of `diagnostic-api.yml`) they answer 501 `DIAGNOSTICS_NOT_IMPLEMENTED`, as the
 *   real server does, before looking the sandbox up;
 * - inspect and summary answer `text/plain` (deprecated in upstream's OpenAPI, no header);
 * - query parameters are validated like FastAPI (422), an unknown sandbox is 404
 *   `DOCKER::SANDBOX_NOT_FOUND`.
 */
import { Request, Response, Router } from 'express';
import { SimulatorState } from '../context';
import { eventsText, inspectText, logsText, summaryText } from '../diagnostics';
import { errors } from '../errors';
import { methodNotAllowed, queryOf } from '../middleware';
import { DiagnosticsKind, validateDiagnosticsQuery } from '../validation';

function plainText(res: Response, text: string, deprecated: boolean): void {
  if (deprecated) res.setHeader('Deprecation', 'true');
  res.status(200).type('text/plain; charset=utf-8').send(text);
}

/** Builds the diagnostics router over the given state. */
export function diagnosticsRoutes(state: SimulatorState): Router {
  const router = Router();
  const { store } = state;
  const route = (kind: DiagnosticsKind) => (req: Request, res: Response) => {
    const query = validateDiagnosticsQuery(kind, queryOf(req.originalUrl));
    if (query.scope !== undefined) throw errors.diagnosticsNotImplemented();
    const sandbox = store.get(req.params.sandboxId);
    const now = state.clock.now();
    switch (kind) {
      case 'logs':
        plainText(res, logsText(sandbox, now, query), true);
        return;
      case 'events':
        plainText(res, eventsText(sandbox), true);
        return;
      case 'inspect':
        plainText(res, inspectText(sandbox), false);
        return;
      default:
        plainText(res, summaryText(sandbox, now, query), false);
    }
  };
  for (const kind of ['logs', 'events', 'inspect', 'summary'] as const) {
    router
      .route(`/sandboxes/:sandboxId/diagnostics/${kind}`)
      .head(methodNotAllowed('GET'))
      .get(route(kind))
      .all(methodNotAllowed('GET'));
  }
  return router;
}
