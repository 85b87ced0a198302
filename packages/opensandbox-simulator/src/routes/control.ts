/**
 * The control API under `/_simulator/` (no API key): reset, restart, fault
 * rules, create options, simulated clock and the request log. Not part of
 * OpenSandbox. Control requests are never logged, delayed, faulted or blocked.
 */
import express, { Router } from 'express';
import { SimulatorState } from '../context';
import { validateFaultRules } from '../faults';
import { toSandbox } from '../serialize';
import type { FailInput } from '../store';
import { formatTimestamp } from '../time';

/**
 * Checks the body of `POST /_simulator/sandboxes/{id}/fail`.
 * @throws Error naming the bad field
 */
export function validateFailInput(body: unknown): FailInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new Error('the body must be an object');
  const b = body as Record<string, unknown>;
  const known = ['exitCode', 'oomKilled', 'state', 'reason', 'message', 'logs'];
  for (const key of Object.keys(b)) {
    if (!known.includes(key))
      throw new Error(`unknown field '${key}' (known: ${known.join(', ')})`);
  }
  if (
    b.exitCode !== undefined &&
    (!Number.isInteger(b.exitCode) ||
      (b.exitCode as number) < 0 ||
      (b.exitCode as number) > 255)
  ) {
    throw new Error('exitCode must be an integer from 0 to 255');
  }
  if (b.oomKilled !== undefined && typeof b.oomKilled !== 'boolean')
    throw new Error('oomKilled must be a boolean');
  for (const key of ['state', 'reason', 'message']) {
    if (b[key] !== undefined && (typeof b[key] !== 'string' || b[key] === ''))
      throw new Error(`${key} must be a non-empty string`);
  }
  if (
    b.logs !== undefined &&
    (!Array.isArray(b.logs) || b.logs.some(line => typeof line !== 'string'))
  ) {
    throw new Error('logs must be a list of strings');
  }
  return b as FailInput;
}

function badRequest(message: string) {
  return { code: 'SIMULATOR::BAD_REQUEST', message };
}

/** Builds the control router (mount it at `/_simulator`). */
export function controlRoutes(state: SimulatorState): Router {
  const router = Router();
  router.use(express.json({ strict: false, type: () => true }));

  router.post('/reset', (_req, res) => {
    state.reset();
    res.status(200).json({ sandboxes: state.store.size });
  });

  router.post('/restart', (_req, res) => {
    res.status(200).json(state.restart());
  });

  router.get('/create-options', (_req, res) => {
    res.status(200).json({
      ...state.getCreateOptions(),
      inFlightCreates: state.inFlightCreates,
    });
  });

  router.post('/create-options', (req, res) => {
    let options;
    try {
      options = state.setCreateOptions(req.body ?? {});
    } catch (e) {
      res.status(400).json(badRequest((e as Error).message));
      return;
    }
    res.status(200).json({
      ...options,
      inFlightCreates: state.inFlightCreates,
    });
  });

  router.get('/faults', (_req, res) => {
    res.status(200).json({ faults: state.faults.list() });
  });

  router.post('/faults', (req, res) => {
    const body = req.body;
    const rules = Array.isArray(body) ? body : body?.faults;
    try {
      state.faults.set(validateFaultRules(rules ?? []));
    } catch (e) {
      res.status(400).json(badRequest((e as Error).message));
      return;
    }
    res.status(200).json({ faults: state.faults.list() });
  });

  router.get('/clock', (_req, res) => {
    res.status(200).json({ now: formatTimestamp(state.clock.now()) });
  });

  router.post('/clock', (req, res) => {
    const seconds = req.body?.advanceSeconds;
    if (
      typeof seconds !== 'number' ||
      !Number.isFinite(seconds) ||
      seconds < 0
    ) {
      res
        .status(400)
        .json(
          badRequest(
            'advanceSeconds must be a non-negative number of seconds.',
          ),
        );
      return;
    }
    state.clock.advance(seconds);
    const expired = state.sweep();
    res.status(200).json({ now: formatTimestamp(state.clock.now()), expired });
  });

  router.post('/latency', (req, res) => {
    const ms = req.body?.latencyMs;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      res
        .status(400)
        .json(
          badRequest(
            'latencyMs must be a non-negative number of milliseconds.',
          ),
        );
      return;
    }
    state.latencyMs = ms;
    res.status(200).json({ latencyMs: ms });
  });

  router.get('/requests', (_req, res) => {
    res.status(200).json({ requests: state.requests.list() });
  });

  router.delete('/requests', (_req, res) => {
    state.requests.clear();
    res.status(204).end();
  });

  router.get('/sandboxes', (_req, res) => {
    state.sweep();
    res.status(200).json({ items: state.store.list().map(toSandbox) });
  });

  // Puts a sandbox in Failed (or another exited state) with a reason, message and exit code, so
  // consoles and tests can show failure explanations; see README "Control API".
  router.post('/sandboxes/:sandboxId/fail', (req, res) => {
    let input;
    try {
      input = validateFailInput(req.body ?? {});
    } catch (e) {
      res.status(400).json(badRequest((e as Error).message));
      return;
    }
    state.sweep();
    if (!state.store.has(req.params.sandboxId)) {
      res.status(404).json({
        code: 'SIMULATOR::NOT_FOUND',
        message: `Sandbox ${req.params.sandboxId} not found.`,
      });
      return;
    }
    res
      .status(200)
      .json(toSandbox(state.store.fail(req.params.sandboxId, input)));
  });

  router.use((_req, res) => {
    res.status(404).json({
      code: 'SIMULATOR::NOT_FOUND',
      message: 'Unknown control route.',
    });
  });
  router.use(((err, _req, res, _next) => {
    res
      .status(400)
      .json(badRequest(err instanceof Error ? err.message : 'Bad request.'));
  }) as express.ErrorRequestHandler);
  return router;
}
