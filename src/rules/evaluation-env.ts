import type { Labels } from '../signals/sample';
import type { SignalStore } from '../signals/signal-store';
import type { TemplateContext } from './annotation-template';
import { evaluate } from './promql-evaluate';
import type { Expr } from './promql-ast';
import type { InstantValue } from './promql-values';
import type { RuleOutput } from './rule-output';
import { storeQueryFunction } from './template-query';

/** What every rule of one engine evaluates against. */
export interface EvaluationEnv {
  readonly store: SignalStore;
  readonly output: RuleOutput;
  /** Write ALERTS and ALERTS_FOR_STATE (something loaded reads them; `warden rules test` always). */
  readonly alertSeries: boolean;
  /** `$externalLabels` and `$externalURL` of templates (warden.yaml `external_labels`, a test's own). */
  readonly externalLabels: Labels;
  readonly externalURL: string;
  /** A subquery without a step steps by this (Prometheus: the global evaluation interval). */
  readonly subqueryStepMs: number;
}

/** The rule's expression at `atMs` (its evaluation time less the group's query_offset). */
export function evaluateRuleExpr(env: EvaluationEnv, expr: Expr, atMs: number, scopes?: Parameters<typeof evaluate>[3]): InstantValue {
  return evaluate(expr, env.store, atMs, scopes, { defaultStepMs: env.subqueryStepMs });
}

/** Templates of an alert evaluated at `nowMs`: `query` reads the store at that instant. */
export function templateContext(env: EvaluationEnv, nowMs: number): TemplateContext {
  return { externalLabels: env.externalLabels, externalURL: env.externalURL, query: storeQueryFunction(env.store, nowMs) };
}
