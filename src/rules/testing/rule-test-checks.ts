import { formatDurationMs } from '../../config/duration';
import type { Alert } from '../alert';
import type { RuleTestCase } from './rule-test-schema';

type AlertTest = RuleTestCase['alert_rule_test'][number];

interface Shown {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

function sortedRecord(r: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(r).sort()) out[k] = r[k] as string;
  return out;
}

function show(list: Shown[]): string {
  if (list.length === 0) return '[]';
  return list.map((a, i) => `\n          ${i}: labels: ${JSON.stringify(a.labels)}\n             annotations: ${JSON.stringify(a.annotations)}`).join('');
}

/** promtool's check: the firing alerts of `alertname` equal exp_alerts exactly (labels and annotations). */
export function checkAlerts(test: AlertTest, alerts: readonly Alert[]): string[] {
  const key = (a: Shown) => JSON.stringify(a.labels) + JSON.stringify(a.annotations);
  const got: Shown[] = alerts
    .filter((a) => a.state === 'firing' && a.name === test.alertname)
    .map((a) => ({ labels: sortedRecord(a.labels), annotations: sortedRecord(a.annotations) }))
    .sort((a, b) => key(a).localeCompare(key(b)));
  const exp: Shown[] = test.exp_alerts
    .map((e) => ({ labels: sortedRecord({ ...e.exp_labels, alertname: test.alertname }), annotations: sortedRecord(e.exp_annotations) }))
    .sort((a, b) => key(a).localeCompare(key(b)));
  if (JSON.stringify(got) === JSON.stringify(exp)) return [];
  return [`alertname: ${test.alertname}, time: ${formatDurationMs(test.eval_time)},\n        exp: ${show(exp)}\n        got: ${show(got)}`];
}
