import type { Labels } from '../signals/sample';
import type { AlertTransition } from './alert';
import type { OutputPoint, RuleOutput } from './rule-output';

/** Prometheus' synthetic series of alerting rules (rules/alerting.go). */
export const ALERTS_METRIC = 'ALERTS';
export const ALERTS_FOR_STATE_METRIC = 'ALERTS_FOR_STATE';

/** What the writer needs of an active alert; `series` caches its label sets while its state holds. */
export interface AlertSeriesSource {
  readonly labels: Labels;
  readonly state: 'pending' | 'firing';
  readonly activeAtMs: number;
  series?: { readonly state: string; readonly alerts: Labels; readonly forState: Labels };
}

/**
 * Prometheus builds the sample from the rule's labels as written, then the alert's labels over
 * them (so a label whose template rendered empty keeps its template text here), then alertstate.
 */
function labelsOf(ruleLabels: Labels, alertLabels: Labels, state: string | undefined): Labels {
  const out: Record<string, string> = {};
  for (const k in ruleLabels) if (ruleLabels[k] !== '') out[k] = ruleLabels[k] as string;
  for (const k in alertLabels) out[k] = alertLabels[k] as string;
  if (state !== undefined) out.alertstate = state;
  return Object.freeze(out);
}

function seriesOf(ruleLabels: Labels, a: AlertSeriesSource): NonNullable<AlertSeriesSource['series']> {
  if (a.series?.state === a.state) return a.series;
  return (a.series = { state: a.state, alerts: labelsOf(ruleLabels, a.labels, a.state), forState: labelsOf(ruleLabels, a.labels, undefined) });
}

function pointsOf(ruleLabels: Labels, labels: Labels, state: string, activeAtMs: number, series?: NonNullable<AlertSeriesSource['series']>): [OutputPoint, OutputPoint] {
  return [
    { name: ALERTS_METRIC, labels: series?.alerts ?? labelsOf(ruleLabels, labels, state), value: 1 },
    // Go's time.Unix(): whole seconds
    { name: ALERTS_FOR_STATE_METRIC, labels: series?.forState ?? labelsOf(ruleLabels, labels, undefined), value: Math.floor(activeAtMs / 1000) },
  ];
}

/**
 * Writes ALERTS{alertname, alertstate, ...} 1 and ALERTS_FOR_STATE (the alert's activeAt in
 * seconds) for each active alert, and staleness markers for the series this evaluation ended (a
 * pending alert that fired or went away, a firing one that resolved). Returns the series limit's
 * message when writing them would pass it (then nothing is written).
 */
export function writeAlertSeries(output: RuleOutput, ruleLabels: Labels, alerts: Iterable<AlertSeriesSource>, transitions: readonly AlertTransition[], atMs: number): string | undefined {
  const points: OutputPoint[] = [];
  for (const a of alerts) points.push(...pointsOf(ruleLabels, a.labels, a.state, a.activeAtMs, seriesOf(ruleLabels, a)));
  const fresh: OutputPoint[] = [];
  for (const t of transitions) if (t.to !== 'inactive') fresh.push(...pointsOf(ruleLabels, t.alert.labels, t.to, t.alert.activeAtMs));
  const refused = output.write(points, atMs, fresh);
  if (refused !== undefined) return refused;
  for (const t of transitions) {
    if (t.from === 'inactive' || t.from === t.to) continue;
    output.stale(ALERTS_METRIC, labelsOf(ruleLabels, t.alert.labels, t.from), atMs);
    if (t.to === 'inactive') output.stale(ALERTS_FOR_STATE_METRIC, labelsOf(ruleLabels, t.alert.labels, undefined), atMs);
  }
  return undefined;
}
