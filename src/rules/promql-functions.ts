import type { Labels } from '../signals/sample';
import type { RangeFunction, VectorSelector } from './promql-ast';
import type { InstantVector, RangeSeries } from './promql-values';
import { KahanSum } from './kahan-sum';

/**
 * Prometheus' extrapolatedRate (promql/functions.go) for rate, increase and delta: the difference
 * over the window (counter resets added back), extrapolated to the window's edges when the first
 * and last samples are close to them, and never below a counter's zero point.
 */
export function extrapolatedRate(s: RangeSeries, rangeMs: number, atMs: number, isCounter: boolean, isRate: boolean): number | undefined {
  const n = s.values.length;
  if (n < 2) return undefined;
  const vals = s.values;
  const first = vals[0]!;
  let result = vals[n - 1]! - first;
  if (isCounter) {
    let last = 0;
    for (let i = 0; i < n; i++) {
      const v = vals[i]!;
      if (v < last) result += last;
      last = v;
    }
  }
  const firstT = s.timestampsMs[0]!;
  const lastT = s.timestampsMs[n - 1]!;
  let durationToStart = (firstT - (atMs - rangeMs)) / 1000;
  let durationToEnd = (atMs - lastT) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const averageBetweenSamples = sampledInterval / (n - 1);
  const threshold = averageBetweenSamples * 1.1;
  if (durationToStart >= threshold) durationToStart = averageBetweenSamples / 2;
  if (isCounter && result > 0 && first >= 0) {
    const durationToZero = sampledInterval * (first / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  if (durationToEnd >= threshold) durationToEnd = averageBetweenSamples / 2;
  let factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
  if (isRate) factor /= rangeMs / 1000;
  return result * factor;
}

function changes(values: readonly number[]): number {
  let count = 0;
  for (let i = 1; i < values.length; i++) {
    const prev = values[i - 1]!;
    const cur = values[i]!;
    if (!(cur === prev || (cur !== cur && prev !== prev))) count++;
  }
  return count;
}

function minOverTime(values: readonly number[]): number {
  let m = values[0]!;
  for (const v of values) if (v < m || m !== m) m = v;
  return m;
}

function maxOverTime(values: readonly number[]): number {
  let m = values[0]!;
  for (const v of values) if (v > m || m !== m) m = v;
  return m;
}

function avgOverTime(values: readonly number[]): number {
  const sum = new KahanSum();
  for (const v of values) sum.add(v);
  return sum.value / values.length;
}

/** Applies a range function to every series; each result drops the metric name, like Prometheus. */
export function applyRangeFunction(func: RangeFunction, matrix: readonly RangeSeries[], rangeMs: number, atMs: number): InstantVector {
  const out: InstantVector = [];
  for (const s of matrix) {
    let value: number | undefined;
    switch (func) {
      case 'rate':
        value = extrapolatedRate(s, rangeMs, atMs, true, true);
        break;
      case 'increase':
        value = extrapolatedRate(s, rangeMs, atMs, true, false);
        break;
      case 'delta':
        value = extrapolatedRate(s, rangeMs, atMs, false, false);
        break;
      case 'changes':
        value = changes(s.values);
        break;
      case 'min_over_time':
        value = minOverTime(s.values);
        break;
      case 'max_over_time':
        value = maxOverTime(s.values);
        break;
      case 'avg_over_time':
        value = avgOverTime(s.values);
        break;
    }
    if (value !== undefined) out.push({ name: undefined, labels: s.labels, value });
  }
  return out;
}

/**
 * absent(): empty when the argument has elements; otherwise one element of value 1 whose labels
 * come from the selector's equality matchers (only names with exactly one `=` matcher), as in Prometheus.
 */
export function absent(arg: InstantVector, selector: VectorSelector | undefined): InstantVector {
  if (arg.length > 0) return [];
  const labels: Record<string, string> = {};
  if (selector) {
    const seen = new Map<string, number>();
    for (const m of selector.matchers) seen.set(m.name, (seen.get(m.name) ?? 0) + 1);
    for (const m of selector.matchers) {
      if (m.type === '=' && m.name !== '__name__' && seen.get(m.name) === 1) labels[m.name] = m.value;
    }
  }
  return [{ name: undefined, labels: labels as Labels, value: 1 }];
}
