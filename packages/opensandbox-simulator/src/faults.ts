/** Fault injection: rules that delay or fail matching requests. */
import { FaultRule } from './types';

interface ActiveRule {
  rule: FaultRule;
  pattern?: RegExp;
  remaining: number;
}

/** What a matching rule asks for. */
export interface FaultDecision {
  delayMs: number;
  response?: { status: number; body: unknown };
}

/** Default body of an injected error response. */
export const DEFAULT_FAULT_BODY = {
  code: 'SIMULATOR::INJECTED_FAULT',
  message: 'Injected fault.',
};

/** Checks a rule list, throwing on malformed rules (bad regex, bad status). */
export function validateFaultRules(rules: unknown): FaultRule[] {
  if (!Array.isArray(rules))
    throw new Error('faults must be an array of rules');
  return rules.map((r, i) => {
    if (typeof r !== 'object' || r === null)
      throw new Error(`fault rule ${i} must be an object`);
    const rule = r as FaultRule;
    if (
      rule.status !== undefined &&
      (!Number.isInteger(rule.status) || rule.status < 100 || rule.status > 599)
    ) {
      throw new Error(`fault rule ${i}: status must be an HTTP status code`);
    }
    if (rule.status === undefined && rule.delayMs === undefined) {
      throw new Error(`fault rule ${i}: needs status and/or delayMs`);
    }
    if (rule.path !== undefined) RegExp(rule.path); // throws SyntaxError when invalid
    return rule;
  });
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
    return {
      delayMs: hit.rule.delayMs ?? 0,
      response:
        hit.rule.status === undefined
          ? undefined
          : {
              status: hit.rule.status,
              body: hit.rule.body ?? DEFAULT_FAULT_BODY,
            },
    };
  }
}
