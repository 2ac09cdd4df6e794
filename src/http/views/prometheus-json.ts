import type { Alert } from '../../rules/alert';
import type { RuleGroupStatus, RuleStatus } from '../../rules/rule-status';
import type { EvalValue } from '../../rules/promql-values';

/**
 * Values as Prometheus' HTTP API writes them (web/api/v1 and util/jsonutil). Sample values are
 * strings: strconv 'f' with the shortest precision, 'e' below 1e-6 or from 1e21 on, and NaN, +Inf,
 * -Inf spelled out. Timestamps are seconds with up to three decimals (ms precision).
 */
export function formatSampleValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const abs = Math.abs(v);
  if (abs < 1e-6 || abs >= 1e21) return goExponent(v.toExponential());
  // JS prints 1e-6 <= |v| < 1e21 without an exponent, shortest round-trip digits, as Go's 'f', -1.
  return String(v);
}

/** strconv.FormatFloat(v, 'e', -1, 64): what Prometheus writes as an alert's `value` in /api/v1/rules and /alerts. */
export function formatAlertValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const text = goExponent(v.toExponential());
  return Object.is(v, -0) ? `-${text}` : text;
}

/** JS `1.5e-7` -> Go `1.5e-07` (Go writes at least two exponent digits). */
function goExponent(js: string): string {
  return js.replace(/e([+-])(\d)$/, 'e$10$2');
}

const seconds = (ms: number): number => ms / 1000;

type Metric = Record<string, string>;
const metricOf = (name: string | undefined, labels: Readonly<Record<string, string>>): Metric => (name === undefined ? { ...labels } : { __name__: name, ...labels });

/** `data` of /api/v1/query: {resultType, result} for an instant query evaluated at `atMs`. */
export function queryData(value: EvalValue, atMs: number): { resultType: string; result: unknown } {
  const t = seconds(atMs);
  switch (value.type) {
    case 'scalar':
      return { resultType: 'scalar', result: [t, formatSampleValue(value.value)] };
    case 'string':
      return { resultType: 'string', result: [t, value.value] };
    case 'vector':
      return { resultType: 'vector', result: value.vector.map((el) => ({ metric: metricOf(el.name, el.labels), value: [t, formatSampleValue(el.value)] })) };
    case 'matrix':
      return {
        resultType: 'matrix',
        result: value.matrix.map((s) => ({ metric: metricOf(s.name, s.labels), values: s.timestampsMs.map((ts, i) => [seconds(ts), formatSampleValue(s.values[i] as number)]) })),
      };
  }
}

/** Go's zero time.Time, which Prometheus writes for a rule never evaluated. */
const NEVER = '0001-01-01T00:00:00Z';

/** An alert as Prometheus' /api/v1/alerts and the rules' `alerts` list it. */
export function prometheusAlert(a: Pick<Alert, 'labels' | 'annotations' | 'state' | 'activeAtMs' | 'value'>) {
  return { labels: a.labels, annotations: a.annotations, state: a.state, activeAt: new Date(a.activeAtMs).toISOString(), value: formatAlertValue(a.value) };
}

/** RuleStatus holds values as Go's %v prints them (shortest digits): Number() reads them back exactly. */
function goValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/** A rule as Prometheus' /api/v1/rules writes it (web/api/v1 AlertingRule / RecordingRule); `withAlerts` false for exclude_alerts. */
export function prometheusRule(r: RuleStatus, withAlerts: boolean) {
  const tail = { health: r.health, ...(r.lastError ? { lastError: r.lastError } : {}), evaluationTime: r.evaluationTime, lastEvaluation: r.lastEvaluation ?? NEVER };
  if (r.type === 'recording') return { name: r.name, query: r.query, labels: r.labels, ...tail, type: 'recording' };
  return {
    state: r.state,
    name: r.name,
    query: r.query,
    duration: r.duration,
    keepFiringFor: r.keepFiringFor,
    labels: r.labels,
    annotations: r.annotations,
    ...(withAlerts ? { alerts: r.alerts.map((a) => ({ labels: a.labels, annotations: a.annotations, state: a.state, activeAt: a.activeAt, value: formatAlertValue(goValue(a.value)) })) } : {}),
    ...tail,
    type: 'alerting',
  };
}

/** A rule group as /api/v1/rules writes it; a group without `interval` runs at Warden's `evaluation_interval`. */
export function prometheusRuleGroup(g: RuleGroupStatus, rules: unknown[], defaultIntervalSeconds: number) {
  return {
    name: g.name,
    file: g.file,
    rules,
    interval: g.interval ?? defaultIntervalSeconds,
    limit: 0,
    evaluationTime: g.evaluationTime,
    lastEvaluation: g.lastEvaluation ?? NEVER,
  };
}
