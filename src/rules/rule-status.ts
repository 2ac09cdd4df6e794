import type { Alert, AlertState } from './alert';
import type { AlertingRule, RuleHealth } from './alerting-rule';
import type { CompiledGroup } from './compiled-rule';
import { formatGoFloat } from './go-float-format';

/** One rule as Prometheus' /api/v1/rules reports it (times ISO 8601, durations in seconds). */
export interface RuleStatus {
  readonly type: 'alerting';
  readonly name: string;
  readonly query: string;
  readonly duration: number;
  readonly keepFiringFor: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly state: AlertState;
  readonly alerts: ReadonlyArray<{ labels: Alert['labels']; annotations: Alert['annotations']; state: AlertState; activeAt: string; value: string }>;
  readonly health: RuleHealth;
  readonly lastError: string;
  readonly lastEvaluation: string | null;
  readonly evaluationTime: number;
}

export interface RuleGroupStatus {
  readonly name: string;
  readonly file: string;
  readonly interval: number | null;
  readonly rules: readonly RuleStatus[];
  readonly lastEvaluation: string | null;
  readonly evaluationTime: number;
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

export function ruleStatus(r: AlertingRule): RuleStatus {
  const c = r.rule;
  return {
    type: 'alerting',
    name: c.name,
    query: c.exprText,
    duration: c.forMs / 1000,
    keepFiringFor: c.keepFiringForMs / 1000,
    labels: c.labels,
    annotations: c.annotations,
    state: r.state,
    alerts: r.alerts().map((a) => ({ labels: a.labels, annotations: a.annotations, state: a.state, activeAt: new Date(a.activeAtMs).toISOString(), value: formatGoFloat(a.value) })),
    health: r.health,
    lastError: r.lastError ?? '',
    lastEvaluation: iso(r.lastEvaluationMs),
    evaluationTime: r.evaluationTimeMs / 1000,
  };
}

export function ruleGroupStatus(group: CompiledGroup, rules: readonly AlertingRule[]): RuleGroupStatus {
  const statuses = rules.map(ruleStatus);
  let last: number | undefined;
  for (const r of rules) if (r.lastEvaluationMs !== undefined && (last === undefined || r.lastEvaluationMs > last)) last = r.lastEvaluationMs;
  return {
    name: group.name,
    file: group.file,
    interval: group.intervalMs === undefined ? null : group.intervalMs / 1000,
    rules: statuses,
    lastEvaluation: iso(last),
    evaluationTime: rules.reduce((s, r) => s + r.evaluationTimeMs, 0) / 1000,
  };
}
