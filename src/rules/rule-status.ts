import type { Alert, AlertState } from './alert';
import { AlertingRule, type RuleHealth } from './alerting-rule';
import type { CompiledGroup } from './compiled-rule';
import { formatGoFloat } from './go-float-format';
import type { RecordingRule } from './recording-rule';

interface RuleStatusBase {
  readonly name: string;
  readonly query: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly health: RuleHealth;
  readonly lastError: string;
  readonly lastEvaluation: string | null;
  readonly evaluationTime: number;
}

/** One rule as Prometheus' /api/v1/rules reports it (times ISO 8601, durations in seconds). */
export type RuleStatus =
  | (RuleStatusBase & {
      readonly type: 'alerting';
      readonly duration: number;
      readonly keepFiringFor: number;
      readonly annotations: Readonly<Record<string, string>>;
      readonly state: AlertState;
      readonly alerts: ReadonlyArray<{ labels: Alert['labels']; annotations: Alert['annotations']; state: AlertState; activeAt: string; value: string }>;
    })
  | (RuleStatusBase & { readonly type: 'recording' });

export interface RuleGroupStatus {
  readonly name: string;
  readonly file: string;
  readonly interval: number | null;
  readonly rules: readonly RuleStatus[];
  readonly lastEvaluation: string | null;
  readonly evaluationTime: number;
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

export function ruleStatus(r: AlertingRule | RecordingRule): RuleStatus {
  const c = r.rule;
  const base: RuleStatusBase = {
    name: c.name,
    query: c.exprText,
    labels: c.labels,
    health: r.health,
    lastError: r.lastError ?? '',
    lastEvaluation: iso(r.lastEvaluationMs),
    evaluationTime: r.evaluationTimeMs / 1000,
  };
  if (!(r instanceof AlertingRule)) return { ...base, type: 'recording' };
  const a = r.rule;
  return {
    ...base,
    type: 'alerting',
    duration: a.forMs / 1000,
    keepFiringFor: a.keepFiringForMs / 1000,
    annotations: a.annotations,
    state: r.state,
    alerts: r.alerts().map((x) => ({ labels: x.labels, annotations: x.annotations, state: x.state, activeAt: new Date(x.activeAtMs).toISOString(), value: formatGoFloat(x.value) })),
  };
}

export function ruleGroupStatus(group: CompiledGroup, rules: ReadonlyArray<AlertingRule | RecordingRule>): RuleGroupStatus {
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
