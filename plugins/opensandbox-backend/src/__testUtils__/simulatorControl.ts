/**
 * The simulator's control API (`/_simulator/...`, see packages/opensandbox-simulator/README.md)
 * for the reliability suites: fault rules, the request log, create options.
 */

/** One entry of the simulator's request log (logged on arrival, before faults). */
export interface SimulatorLoggedRequest {
  method: string;
  path: string;
  requestId?: string;
  status?: number;
  fault?: 'answered' | 'closed' | 'delayed';
  aborted?: boolean;
  headers?: Record<string, string>;
}

/** Control client of one simulator at `url`. */
export function simulatorControl(url: string) {
  async function post(path: string, payload: unknown): Promise<void> {
    const res = await fetch(`${url}/_simulator${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    if (!res.ok)
      throw new Error(
        `simulator ${path} answered ${res.status}: ${await res.text()}`,
      );
  }
  return {
    /** Replaces every fault rule (`[]` clears them). */
    faults: (rules: unknown[]) => post('/faults', rules),
    /** Sets create options (`createDelayMs`, `blockWhileCreating`, ...). */
    createOptions: (options: Record<string, unknown>) =>
      post('/create-options', options),
    /** The API requests received since the last {@link clearRequests}, oldest first. */
    async requests(): Promise<SimulatorLoggedRequest[]> {
      const res = await fetch(`${url}/_simulator/requests`);
      const log = await res.json();
      return Array.isArray(log) ? log : log.requests;
    },
    async clearRequests(): Promise<void> {
      await fetch(`${url}/_simulator/requests`, { method: 'DELETE' });
    },
    /** Resolves once no create is in its delay (polls the control API; an event, not a sleep). */
    async createsSettled(timeoutMs = 20_000): Promise<void> {
      for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
        const res = await fetch(`${url}/_simulator/create-options`);
        if ((await res.json()).inFlightCreates === 0) return;
        await new Promise(r => setTimeout(r, 20));
      }
      throw new Error('simulator creates did not settle');
    },
    /** Resolves once a create is in its delay. */
    async createInFlight(timeoutMs = 10_000): Promise<void> {
      for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
        const res = await fetch(`${url}/_simulator/create-options`);
        if ((await res.json()).inFlightCreates > 0) return;
        await new Promise(r => setTimeout(r, 10));
      }
      throw new Error('no simulator create started');
    },
  };
}
