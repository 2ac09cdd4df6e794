import type { Labels } from '../../signals/sample';
import { parsePromql } from '../promql-parse';
import { expandSeriesValues, type SeriesValue } from './series-notation';

export interface InputSeries {
  readonly name: string;
  readonly labels: Labels;
  /** Value i is at i * intervalMs. */
  readonly values: readonly SeriesValue[];
}

/** `metric{a="b"}` with only `=` matchers, as promtool accepts. Throws Error with a readable message. */
export function parseInputSeries(series: string, values: string): InputSeries {
  const sel = parsePromql(series);
  if (sel.kind !== 'vector' || sel.metricName === undefined) throw new Error(`series ${JSON.stringify(series)} must be a metric name with optional {label="value"} pairs`);
  const labels: Record<string, string> = {};
  for (const m of sel.matchers) {
    if (m.type !== '=') throw new Error(`series ${JSON.stringify(series)}: only label="value" pairs are allowed, not ${m.type}`);
    labels[m.name] = m.value;
  }
  return { name: sel.metricName, labels, values: expandSeriesValues(values) };
}
