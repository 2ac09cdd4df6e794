import type { Labels } from '../signals/sample';
import type { InstantVector, VectorElement } from './promql-values';
import { EvaluationError } from './promql-values';
import { compileGoRegexp, goReplacer } from './template/go-regexp';
import { TemplateFunctionError } from './template/errors';

/** Prometheus' instant-vector functions (promql/functions.go), float samples only. */

const MATH: Readonly<Record<string, (v: number) => number>> = {
  abs: Math.abs,
  ceil: Math.ceil,
  floor: Math.floor,
  exp: Math.exp,
  sqrt: Math.sqrt,
  ln: Math.log,
  log2: Math.log2,
  log10: Math.log10,
  sgn: (v) => (v < 0 ? -1 : v > 0 ? 1 : v),
  sin: Math.sin, cos: Math.cos, tan: Math.tan,
  asin: Math.asin, acos: Math.acos, atan: Math.atan,
  sinh: Math.sinh, cosh: Math.cosh, tanh: Math.tanh,
  asinh: Math.asinh, acosh: Math.acosh, atanh: Math.atanh,
  deg: (v) => (v * 180) / Math.PI,
  rad: (v) => (v * Math.PI) / 180,
};

export function isMathFunction(name: string): boolean {
  return Object.hasOwn(MATH, name);
}

function mapValues(v: InstantVector, fn: (x: number) => number): InstantVector {
  return v.map((el) => ({ name: undefined, labels: el.labels, value: fn(el.value) }));
}

export function mathFunction(name: string, v: InstantVector): InstantVector {
  return mapValues(v, MATH[name] as (x: number) => number);
}

/** round(v, to_nearest): Go's math.Floor(v*inverse+0.5)/inverse, so halves round up (-2.5 -> -2). */
export function round(v: InstantVector, toNearest: number): InstantVector {
  const inverse = 1 / toNearest;
  return mapValues(v, (x) => Math.floor(x * inverse + 0.5) / inverse);
}

/** clamp(v, min, max): empty when min > max; NaN passes through (Go's math.Max/Min). */
export function clamp(v: InstantVector, min: number, max: number): InstantVector {
  if (max < min) return [];
  return mapValues(v, (x) => goMax(min, goMin(max, x)));
}

export function goMax(a: number, b: number): number {
  return a !== a || b !== b ? NaN : Math.max(a, b);
}

export function goMin(a: number, b: number): number {
  return a !== a || b !== b ? NaN : Math.min(a, b);
}

const DATE_PARTS: Readonly<Record<string, (d: Date) => number>> = {
  day_of_month: (d) => d.getUTCDate(),
  day_of_week: (d) => d.getUTCDay(),
  day_of_year: (d) => Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1,
  days_in_month: (d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate(),
  hour: (d) => d.getUTCHours(),
  minute: (d) => d.getUTCMinutes(),
  month: (d) => d.getUTCMonth() + 1,
  year: (d) => d.getUTCFullYear(),
};

/** day_of_week() and friends, in UTC, on values that are Unix seconds. */
export function dateFunction(name: string, v: InstantVector): InstantVector {
  const part = DATE_PARTS[name] as (d: Date) => number;
  return mapValues(v, (x) => (Number.isFinite(x) ? part(new Date(Math.floor(x) * 1000)) : NaN));
}

/** Prometheus 3 accepts any non-empty UTF-8 label name (JS strings from YAML are valid UTF-16). */
function checkLabelName(name: string, what: string): void {
  if (name === '') throw new EvaluationError(`invalid ${what} label name ""`);
}

function setLabel(el: VectorElement, dst: string, value: string): VectorElement {
  if (dst === '__name__') return { name: value === '' ? undefined : value, labels: el.labels, value: el.value };
  const labels: Record<string, string> = { ...el.labels };
  if (value === '') delete labels[dst];
  else labels[dst] = value;
  return { name: el.name, labels, value: el.value };
}

function labelValue(el: VectorElement, name: string): string {
  return name === '__name__' ? (el.name ?? '') : (el.labels[name] ?? '');
}

/** label_replace(v, dst, replacement, src, regex): regex anchored, `$1`/`${name}` expanded as Go does. */
export function labelReplace(v: InstantVector, dst: string, replacement: string, src: string, regex: string): InstantVector {
  let re: RegExp;
  try {
    re = compileGoRegexp(`(?s)^(?:${regex})$`);
  } catch (err) {
    if (err instanceof TemplateFunctionError) throw new EvaluationError(`invalid regular expression in label_replace(): ${regex}`);
    throw err;
  }
  checkLabelName(dst, 'destination');
  return v.map((el) => {
    const value = labelValue(el, src);
    re.lastIndex = 0;
    if (!re.test(value)) return el;
    re.lastIndex = 0;
    return setLabel(el, dst, value.replace(re, goReplacer(replacement)));
  });
}

/** label_join(v, dst, separator, src...). */
export function labelJoin(v: InstantVector, dst: string, separator: string, sources: readonly string[]): InstantVector {
  checkLabelName(dst, 'destination');
  return v.map((el) => setLabel(el, dst, sources.map((s) => labelValue(el, s)).join(separator)));
}

/** sort / sort_desc: by value, NaN last either way (Prometheus' vectorByValueHeap order). */
export function sortByValue(v: InstantVector, descending: boolean): InstantVector {
  return v.slice().sort((a, b) => {
    if (a.value !== a.value) return b.value !== b.value ? 0 : 1;
    if (b.value !== b.value) return -1;
    return descending ? b.value - a.value : a.value - b.value;
  });
}

/** Labels without `le` (histogram_quantile's grouping), as a stable key. */
function withoutLe(labels: Labels): { key: string; labels: Labels } {
  const out: Record<string, string> = {};
  let key = '';
  for (const k of Object.keys(labels).sort()) {
    if (k === 'le') continue;
    out[k] = labels[k] as string;
    key += k + '\xff' + labels[k] + '\xff';
  }
  return { key, labels: out };
}

interface Bucket {
  upperBound: number;
  count: number;
}

/** histogram_quantile(φ, classic buckets): promql/quantile.go BucketQuantile, Prometheus 3. */
export function histogramQuantile(q: number, v: InstantVector): InstantVector {
  const groups = new Map<string, { labels: Labels; buckets: Bucket[] }>();
  for (const el of v) {
    const le = el.labels.le;
    if (le === undefined) continue;
    const upperBound = parseLe(le);
    if (upperBound === undefined) continue;
    const { key, labels } = withoutLe(el.labels);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { labels, buckets: [] }));
    g.buckets.push({ upperBound, count: el.value });
  }
  const out: InstantVector = [];
  for (const g of groups.values()) out.push({ name: undefined, labels: g.labels, value: bucketQuantile(q, g.buckets) });
  return out;
}

function parseLe(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (t === '+inf' || t === 'inf') return Infinity;
  if (t === '-inf') return -Infinity;
  if (t === 'nan') return NaN;
  const n = Number(text);
  return text.trim() === '' || Number.isNaN(n) ? undefined : n;
}

function bucketQuantile(q: number, input: Bucket[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = input.slice().sort((a, b) => a.upperBound - b.upperBound);
  if (sorted.length === 0 || sorted[sorted.length - 1]!.upperBound !== Infinity) return NaN;
  const buckets = coalesce(sorted);
  ensureMonotonic(buckets);
  if (buckets.length < 2) return NaN;
  const observations = buckets[buckets.length - 1]!.count;
  if (observations === 0) return NaN;
  let rank = q * observations;
  let b = 0;
  while (b < buckets.length - 1 && !(buckets[b]!.count >= rank)) b++;
  if (b === buckets.length - 1) return buckets[buckets.length - 2]!.upperBound;
  if (b === 0 && buckets[0]!.upperBound <= 0) return buckets[0]!.upperBound;
  let bucketStart = 0;
  const bucketEnd = buckets[b]!.upperBound;
  let count = buckets[b]!.count;
  if (b > 0) {
    bucketStart = buckets[b - 1]!.upperBound;
    count -= buckets[b - 1]!.count;
    rank -= buckets[b - 1]!.count;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

function coalesce(buckets: Bucket[]): Bucket[] {
  const out: Bucket[] = [];
  for (const b of buckets) {
    const last = out[out.length - 1];
    if (last && last.upperBound === b.upperBound) last.count += b.count;
    else out.push({ ...b });
  }
  return out;
}

/** Differences within 1e-12 (relative) are float noise; any other decrease is forced flat. */
function ensureMonotonic(buckets: Bucket[]): void {
  let prev = buckets[0]!.count;
  for (let i = 1; i < buckets.length; i++) {
    const cur = buckets[i]!.count;
    if (cur === prev) continue;
    if (almostEqual(prev, cur, 1e-12) || cur < prev) {
      buckets[i]!.count = prev;
      continue;
    }
    prev = cur;
  }
}

function almostEqual(a: number, b: number, epsilon: number): boolean {
  if (a === b) return true;
  const minNormal = 2.2250738585072014e-308;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < minNormal) return diff < epsilon * minNormal;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}
