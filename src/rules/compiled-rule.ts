import type { Labels } from '../signals/sample';
import type { RemediationRule } from './remediation-rule-schema';
import type { Expr } from './promql-ast';
import type { CompiledTemplate } from './annotation-template';

/** An alerting rule after load: expression parsed, templates compiled, selected metrics known. */
export interface CompiledRule {
  readonly name: string;
  readonly group: string;
  readonly file: string;
  readonly line: number;
  readonly exprText: string;
  readonly expr: Expr;
  readonly forMs: number;
  readonly keepFiringForMs: number;
  readonly labels: Labels;
  readonly annotations: Readonly<Record<string, string>>;
  readonly labelTemplates: ReadonlyArray<readonly [string, CompiledTemplate]>;
  readonly annotationTemplates: ReadonlyArray<readonly [string, CompiledTemplate]>;
  /** Metric names the expression selects; a sample of any of them re-evaluates the rule. */
  readonly metricNames: readonly string[];
  /** True when a selector has no fixed metric name (e.g. `{__name__=~"x.*"}`): every sample counts. */
  readonly selectsAnyMetric: boolean;
  /**
   * True when the result can change with time alone (for, keep_firing_for, range functions,
   * absent, aggregations, or/unless over series going stale): the timer re-evaluates it.
   */
  readonly timeDriven: boolean;
}

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
