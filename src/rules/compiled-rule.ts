import type { Labels } from '../signals/sample';
import type { RemediationRule } from './remediation-rule-schema';
import type { Expr } from './promql-ast';
import type { CompiledTemplate } from './annotation-template';

/** What alerting and recording rules share after load: expression parsed, selected metrics known. */
interface CompiledRuleBase {
  readonly name: string;
  readonly group: string;
  readonly file: string;
  readonly line: number;
  readonly exprText: string;
  readonly expr: Expr;
  readonly labels: Labels;
  /** The group's `query_offset`: the expression is evaluated this far in the past. */
  readonly queryOffsetMs: number;
  /** The group's `limit` (alerts, or series of a recording rule; 0: none), as Prometheus. */
  readonly limit: number;
  /** Metric names the expression selects; a sample of any of them re-evaluates the rule. */
  readonly metricNames: readonly string[];
  /** True when a selector has no fixed metric name (e.g. `{__name__=~"x.*"}`): every sample counts. */
  readonly selectsAnyMetric: boolean;
  /**
   * True when the result can change with time alone (for, keep_firing_for, range functions,
   * absent, aggregations, or/unless over series going stale; every recording rule, whose output
   * is sampled at each evaluation like Prometheus'): the timer re-evaluates it.
   */
  readonly timeDriven: boolean;
}

/** An alerting rule after load: templates compiled too. */
export interface CompiledAlertingRule extends CompiledRuleBase {
  readonly kind: 'alerting';
  readonly forMs: number;
  readonly keepFiringForMs: number;
  readonly annotations: Readonly<Record<string, string>>;
  readonly labelTemplates: ReadonlyArray<readonly [string, CompiledTemplate]>;
  readonly annotationTemplates: ReadonlyArray<readonly [string, CompiledTemplate]>;
  /** A template calls `query`, which may read ALERTS: the engine then writes them. */
  readonly templatesQuery: boolean;
}

/** A recording rule (`record:`): its output series, named `name`, are written to the signal store. */
export interface CompiledRecordingRule extends CompiledRuleBase {
  readonly kind: 'recording';
}

export type CompiledRule = CompiledAlertingRule | CompiledRecordingRule;

export interface CompiledGroup {
  readonly name: string;
  readonly file: string;
  readonly intervalMs: number | undefined;
  readonly rules: readonly CompiledRule[];
}

/** A `remediations:` entry of a rule file, validated, with where it was written. */
export interface LoadedRemediation {
  readonly rule: RemediationRule;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface RuleFile {
  readonly file: string;
  readonly groups: readonly CompiledGroup[];
  readonly remediations: readonly LoadedRemediation[];
}

export interface RuleSet {
  readonly files: string[];
  readonly groups: readonly CompiledGroup[];
  readonly remediations: readonly LoadedRemediation[];
}
