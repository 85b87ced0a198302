/** Fault injection: rules that delay, fail, decorate or cut matching requests. */
import { FaultRule } from './types';

interface ActiveRule {
  rule: FaultRule;
  pattern?: RegExp;
  remaining: number;
}

/** An injected answer (the request does not reach the API). */
export interface FaultResponse {
  status: number;
  /** Exact bytes to send. */
  body: Buffer;
  contentType: string;
}

/** What a matching rule asks for. */
export interface FaultDecision {
  /** Delay in milliseconds before answering or passing the request on. */
  delayMs: number;
  /** Extra response headers (on the injected answer, or on the API's answer). */
  headers: Record<string, string>;
  /** Cut the connection mid-response (see {@link FaultRule.closeConnection}). */
  closeConnection: boolean;
  /** The injected answer; undefined for a pass-through rule. */
  response?: FaultResponse;
}

/** Default body of an injected error response. */
export const DEFAULT_FAULT_BODY = {
  code: 'SIMULATOR::INJECTED_FAULT',
  message: 'Injected fault.',
};

const RULE_FIELDS = [
  'method',
  'path',
  'status',
  'body',
  'rawBody',
  'contentType',
  'headers',
  'closeConnection',
  'times',
  'delayMs',
];

/** Checks a rule list, throwing on malformed rules (bad regex, bad status, unknown field...). */
export function validateFaultRules(rules: unknown): FaultRule[] {
  if (!Array.isArray(rules))
    throw new Error('faults must be an array of rules');
  return rules.map((r, i) => {
    if (typeof r !== 'object' || r === null || Array.isArray(r))
      throw new Error(`fault rule ${i} must be an object`);
    const rule = r as FaultRule;
    const where = `fault rule ${i}`;
    for (const key of Object.keys(rule)) {
      if (!RULE_FIELDS.includes(key))
        throw new Error(
          `${where}: unknown field '${key}' (known: ${RULE_FIELDS.join(', ')})`,
        );
    }
    if (
      rule.status !== undefined &&
      (!Number.isInteger(rule.status) || rule.status < 100 || rule.status > 599)
    ) {
      throw new Error(`${where}: status must be an HTTP status code`);
    }
    if (
      rule.delayMs !== undefined &&
      (typeof rule.delayMs !== 'number' ||
        !Number.isFinite(rule.delayMs) ||
        rule.delayMs < 0)
    ) {
      throw new Error(`${where}: delayMs must be a non-negative number`);
    }
    if (
      rule.times !== undefined &&
      (!Number.isInteger(rule.times) || rule.times < 0)
    ) {
      throw new Error(`${where}: times must be a non-negative integer`);
    }
    if (rule.rawBody !== undefined && typeof rule.rawBody !== 'string')
      throw new Error(`${where}: rawBody must be a string`);
    if (rule.rawBody !== undefined && rule.body !== undefined)
      throw new Error(`${where}: use either body or rawBody, not both`);
    if (
      (rule.rawBody !== undefined || rule.body !== undefined) &&
      rule.status === undefined
    )
      throw new Error(`${where}: body and rawBody need a status`);
    if (rule.contentType !== undefined && typeof rule.contentType !== 'string')
      throw new Error(`${where}: contentType must be a string`);
    if (rule.headers !== undefined) {
      if (
        typeof rule.headers !== 'object' ||
        rule.headers === null ||
        Array.isArray(rule.headers) ||
        Object.values(rule.headers).some(
          v => typeof v !== 'string' && typeof v !== 'number',
        )
      )
        throw new Error(
          `${where}: headers must be an object of string (or number) values`,
        );
    }
    if (
      rule.closeConnection !== undefined &&
      typeof rule.closeConnection !== 'boolean'
    )
      throw new Error(`${where}: closeConnection must be a boolean`);
    if (
      rule.status === undefined &&
      rule.delayMs === undefined &&
      rule.headers === undefined &&
      !rule.closeConnection
    ) {
      throw new Error(
        `${where}: needs status, delayMs, headers and/or closeConnection`,
      );
    }
    if (rule.path !== undefined) {
      if (typeof rule.path !== 'string')
        throw new Error(`${where}: path must be a string`);
      RegExp(rule.path); // throws SyntaxError when invalid
    }
    return rule;
  });
}

function injectedResponse(rule: FaultRule): FaultResponse | undefined {
  if (rule.status === undefined) return undefined;
  if (rule.rawBody !== undefined) {
    return {
      status: rule.status,
      body: Buffer.from(rule.rawBody, 'utf8'),
      contentType: rule.contentType ?? 'text/plain',
    };
  }
  return {
    status: rule.status,
    body: Buffer.from(JSON.stringify(rule.body ?? DEFAULT_FAULT_BODY), 'utf8'),
    contentType: rule.contentType ?? 'application/json',
  };
}

/** Holds the active rules; the first matching rule with uses left wins. */
export class FaultInjector {
  private rules: ActiveRule[] = [];

  constructor(rules: FaultRule[] = []) {
    this.set(rules);
  }

  /** Replaces all rules (their `times` counters start afresh). */
  set(rules: FaultRule[]): void {
    this.rules = validateFaultRules(rules).map(rule => ({
      rule,
      pattern: rule.path === undefined ? undefined : new RegExp(rule.path),
      remaining: rule.times ?? Number.POSITIVE_INFINITY,
    }));
  }

  /** The current rules, with `times` showing the uses left. */
  list(): FaultRule[] {
    return this.rules.map(r => ({
      ...r.rule,
      ...(Number.isFinite(r.remaining) ? { times: r.remaining } : {}),
    }));
  }

  /** Finds and consumes the first matching rule, if any. */
  match(method: string, path: string): FaultDecision | undefined {
    const hit = this.rules.find(
      r =>
        r.remaining > 0 &&
        (r.rule.method === undefined ||
          r.rule.method.toUpperCase() === method.toUpperCase()) &&
        (r.pattern === undefined || r.pattern.test(path)),
    );
    if (!hit) return undefined;
    hit.remaining -= 1;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(hit.rule.headers ?? {}))
      headers[k] = String(v);
    return {
      delayMs: hit.rule.delayMs ?? 0,
      headers,
      closeConnection: hit.rule.closeConnection === true,
      response: injectedResponse(hit.rule),
    };
  }
}
