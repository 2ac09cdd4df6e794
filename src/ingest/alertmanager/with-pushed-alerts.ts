import type { RuleEvaluator } from '../../evaluate/evaluation-loop';
import type { Alert, AlertTransition } from '../../rules/alert';
import type { Series } from '../../signals/series';
import type { PushedAlerts } from './pushed-alerts';

/**
 * The rule engine as the evaluation loop sees it, plus the alerts Prometheus posted: their expiry
 * runs on the loop's timer, and health, incidents and remediation read one list of active alerts.
 */
export class WithPushedAlerts implements RuleEvaluator {
  readonly #rules: RuleEvaluator;
  readonly #pushed: PushedAlerts;

  constructor(rules: RuleEvaluator, pushed: PushedAlerts) {
    this.#rules = rules;
    this.#pushed = pushed;
  }

  onSamples(metricNames: Iterable<string>, nowMs: number, touched?: ReadonlyMap<string, readonly Series[]>): AlertTransition[] {
    return this.#rules.onSamples(metricNames, nowMs, touched);
  }

  tick(nowMs: number): AlertTransition[] {
    const expired = this.#pushed.tick(nowMs);
    const own = this.#rules.tick(nowMs);
    // The engine may hand back a shared frozen empty array: concatenate, never push.
    return expired.length === 0 ? own : own.concat(expired);
  }

  activeAlerts(): Alert[] {
    const own = this.#rules.activeAlerts();
    if (this.#pushed.size === 0) return own;
    return own.concat([...this.#pushed.activeAlerts()]);
  }

  get hasDeferred(): boolean | undefined {
    return this.#rules.hasDeferred;
  }

  get coalesceMs(): number | undefined {
    return this.#rules.coalesceMs;
  }

  get longestRangeMs(): number | undefined {
    return this.#rules.longestRangeMs;
  }

  flushDeferred(nowMs: number): AlertTransition[] {
    return this.#rules.flushDeferred?.(nowMs) ?? [];
  }
}
