import type { Labels } from '../signals/sample';
import type { VectorSelector } from './promql-ast';
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

function resets(values: readonly number[]): number {
  let count = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! < values[i - 1]!) count++;
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

function sumOverTime(values: readonly number[]): number {
  const sum = new KahanSum();
  for (const v of values) sum.add(v);
  return sum.value;
}

/** Prometheus' funcAvgOverTime: a plain Kahan mean, switching to an incremental one on overflow. */
function avgOverTime(values: readonly number[]): number {
  const sum = sumOverTime(values);
  if (Number.isFinite(sum) || values.some((v) => !Number.isFinite(v))) return sum / values.length;
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += (values[i]! - mean) / (i + 1);
  return mean;
}

/** funcStdvarOverTime: Welford's algorithm with Kahan-compensated sums. */
function stdvarOverTime(values: readonly number[]): number {
  let count = 0;
  const mean = new KahanSum();
  const aux = new KahanSum();
  for (const v of values) {
    count++;
    const delta = v - mean.value;
    mean.add(delta / count);
    aux.add(delta * (v - mean.value));
  }
  return aux.value / count;
}

/** instantValue in promql/functions.go: the last two points; irate treats a decrease as a reset. */
function instantDelta(s: RangeSeries, isRate: boolean): number | undefined {
  const n = s.values.length;
  if (n < 2) return undefined;
  const last = s.values[n - 1]!;
  const previous = s.values[n - 2]!;
  const result = isRate && last < previous ? last : last - previous;
  const intervalMs = s.timestampsMs[n - 1]! - s.timestampsMs[n - 2]!;
  if (intervalMs === 0) return undefined;
  return isRate ? result / (intervalMs / 1000) : result;
}

/** Least-squares fit of value over time (seconds from `interceptMs`), Kahan-summed as Prometheus does. */
function linearRegression(s: RangeSeries, interceptMs: number): { slope: number; intercept: number } {
  const first = s.values[0]!;
  let constY = true;
  const sumX = new KahanSum();
  const sumY = new KahanSum();
  const sumXY = new KahanSum();
  const sumX2 = new KahanSum();
  const n = s.values.length;
  for (let i = 0; i < n; i++) {
    const y = s.values[i]!;
    if (constY && i > 0 && y !== first) constY = false;
    const x = (s.timestampsMs[i]! - interceptMs) / 1000;
    sumX.add(x);
    sumY.add(y);
    sumXY.add(x * y);
    sumX2.add(x * x);
  }
  if (constY) return Number.isFinite(first) ? { slope: 0, intercept: first } : { slope: NaN, intercept: NaN };
  const sx = sumX.value;
  const sy = sumY.value;
  const covXY = sumXY.value - (sx * sy) / n;
  const varX = sumX2.value - (sx * sx) / n;
  const slope = covXY / varX;
  return { slope, intercept: sy / n - (slope * sx) / n };
}

/** promql/quantile.go quantile(): linear interpolation between the closest ranks. */
export function quantileOf(q: number, values: number[]): number {
  if (values.length === 0 || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = values.slice().sort(goFloatOrder);
  const n = sorted.length;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return sorted[lower]! * (1 - weight) + sorted[upper]! * weight;
}

/** Go's sort.Float64s order: NaN first, then ascending. */
export function goFloatOrder(a: number, b: number): number {
  if (a !== a) return b !== b ? 0 : -1;
  if (b !== b) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * One range function on one series. `param` is quantile_over_time's φ or predict_linear's
 * duration in seconds. Undefined: no output for that series (too few points).
 */
function rangeValue(func: string, s: RangeSeries, rangeMs: number, atMs: number, param: number): number | undefined {
  const v = s.values;
  switch (func) {
    case 'rate': return extrapolatedRate(s, rangeMs, atMs, true, true);
    case 'increase': return extrapolatedRate(s, rangeMs, atMs, true, false);
    case 'delta': return extrapolatedRate(s, rangeMs, atMs, false, false);
    case 'irate': return instantDelta(s, true);
    case 'idelta': return instantDelta(s, false);
    case 'changes': return changes(v);
    case 'resets': return resets(v);
    case 'min_over_time': return minOverTime(v);
    case 'max_over_time': return maxOverTime(v);
    case 'avg_over_time': return avgOverTime(v);
    case 'sum_over_time': return sumOverTime(v);
    case 'count_over_time': return v.length;
    case 'last_over_time': return v[v.length - 1];
    case 'present_over_time': return 1;
    case 'stdvar_over_time': return stdvarOverTime(v);
    case 'stddev_over_time': return Math.sqrt(stdvarOverTime(v));
    case 'quantile_over_time': return quantileOf(param, v);
    case 'deriv': return v.length < 2 ? undefined : linearRegression(s, s.timestampsMs[0]!).slope;
    case 'predict_linear': {
      if (v.length < 2) return undefined;
      const { slope, intercept } = linearRegression(s, atMs);
      return slope * param + intercept;
    }
    default: return undefined;
  }
}

/** Applies a range function to every series; each result drops the metric name (but last_over_time's), like Prometheus. */
export function applyRangeFunction(func: string, matrix: readonly RangeSeries[], rangeMs: number, atMs: number, param = NaN): InstantVector {
  const out: InstantVector = [];
  const keepName = func === 'last_over_time';
  for (const s of matrix) {
    const value = rangeValue(func, s, rangeMs, atMs, param);
    if (value !== undefined) out.push({ name: keepName ? s.name : undefined, labels: s.labels, value });
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
