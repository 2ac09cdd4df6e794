import type { Series } from '../signals/series';
import type { MetricSeries, SignalStore } from '../signals/signal-store';
import type { LabelMatcher, MatrixSelector, VectorSelector } from './promql-ast';
import type { InstantVector, RangeSeries } from './promql-values';
import { matchesLabel } from './label-match';
import { isStaleMarker } from './stale-marker';

/**
 * Equality constraints (label name, value; '' = label absent) an incremental evaluation adds to
 * every selector: only series, and outputs, inside one of the scopes are considered.
 */
export type Scope = ReadonlyArray<readonly [string, string]>;

const NO_SERIES: ReadonlySet<Series> = new Set();

function selects(sel: VectorSelector, s: Series): boolean {
  const ms = sel.matchers;
  for (let i = 0; i < ms.length; i++) {
    const m = ms[i]!;
    const value = m.name === '__name__' ? s.name : (s.labels[m.name] ?? '');
    if (!matchesLabel(m, value)) return false;
  }
  return true;
}

export function inScope(scope: Scope, labels: Readonly<Record<string, string>>): boolean {
  for (let i = 0; i < scope.length; i++) {
    const [n, v] = scope[i]!;
    if ((labels[n] ?? '') !== v) return false;
  }
  return true;
}

/**
 * The smallest posting list the selector's (and scope's) positive matchers name: Prometheus'
 * intersect-smallest-first, where the rest of the intersection is a filter over that list.
 * Negative matchers and matchers an empty value satisfies can only filter.
 */
function smallestCandidates(metric: MetricSeries, matchers: readonly LabelMatcher[], scope: Scope | undefined): ReadonlySet<Series> {
  let best: ReadonlySet<Series> = metric.all;
  if (scope) {
    for (const [n, v] of scope) {
      if (v === '') continue;
      const p = metric.postings.get(n, v);
      if (!p) return NO_SERIES;
      if (p.size < best.size) best = p;
    }
  }
  for (const m of matchers) {
    if (m.name === '__name__') continue;
    if (m.type === '=' && m.value !== '') {
      const p = metric.postings.get(m.name, m.value);
      if (!p) return NO_SERIES;
      if (p.size < best.size) best = p;
    } else if (m.type === '=~' && !(m.regex as RegExp).test('')) {
      const values = metric.postings.values(m.name);
      if (!values) return NO_SERIES;
      // A regex costs one test per distinct value: worth it only when that beats the best list.
      if (values.size >= best.size) continue;
      const union = new Set<Series>();
      for (const p of values.values()) if ((m.regex as RegExp).test(p.value)) for (const s of p.items) union.add(s);
      if (union.size < best.size) best = union;
    }
  }
  return best;
}

/** Calls `visit` for each selected series (each once) until it returns true. */
export function forEachSelected(sel: VectorSelector, store: SignalStore, scopes: readonly Scope[] | undefined, visit: (s: Series) => boolean | void): void {
  if (sel.metricName !== undefined) {
    const metric = store.metric(sel.metricName);
    if (metric) visitMetric(metric, sel, scopes, visit);
    return;
  }
  for (const name of store.names()) {
    const metric = store.metric(name);
    if (metric && visitMetric(metric, sel, scopes, visit)) return;
  }
}

function visitMetric(metric: MetricSeries, sel: VectorSelector, scopes: readonly Scope[] | undefined, visit: (s: Series) => boolean | void): boolean {
  if (!scopes) {
    for (const s of smallestCandidates(metric, sel.matchers, undefined)) if (selects(sel, s) && visit(s) === true) return true;
    return false;
  }
  const seen = scopes.length > 1 ? new Set<Series>() : undefined;
  for (const scope of scopes) {
    for (const s of smallestCandidates(metric, sel.matchers, scope)) {
      if (!inScope(scope, s.labels) || !selects(sel, s)) continue;
      if (seen) {
        if (seen.has(s)) continue;
        seen.add(s);
      }
      if (visit(s) === true) return true;
    }
  }
  return false;
}

const point = { timestampMs: 0, value: 0 };

/**
 * The instant point of a series at `atMs`: newest point at or before it, within the lookback, not a
 * stale marker. Prometheus 3's lookback is left-open too: a point exactly `lookbackMs` old is out.
 * Returns a shared object (read it before the next call).
 */
function instantPoint(s: Series, atMs: number, lookbackMs: number): { timestampMs: number; value: number } | undefined {
  let t = s.lastTimestampMs;
  let v = s.lastValue;
  if (t > atMs) {
    const p = s.valueAt(atMs);
    if (!p) return undefined;
    t = p.timestampMs;
    v = p.value;
  }
  if (atMs - t >= lookbackMs || isStaleMarker(v)) return undefined;
  point.timestampMs = t;
  point.value = v;
  return point;
}

/**
 * Instant selector at `atMs` (the evaluation time with offset and @ already applied): the newest
 * sample at or before it, no older than the lookback and not a staleness marker. With
 * `timestamps`, each element's sample time is pushed to it (timestamp()).
 */
export function selectInstant(sel: VectorSelector, store: SignalStore, atMs: number, scopes?: readonly Scope[], lookbackMs: number = store.options.stalenessMs, timestamps?: number[]): InstantVector {
  const out: InstantVector = [];
  forEachSelected(sel, store, scopes, (s) => {
    const p = instantPoint(s, atMs, lookbackMs);
    if (p === undefined) return;
    out.push({ name: s.name, labels: s.labels, value: p.value });
    timestamps?.push(p.timestampMs);
  });
  return out;
}

/** Whether the instant selector returns anything (absent() stops at the first series). */
export function selectsAnyInstant(sel: VectorSelector, store: SignalStore, atMs: number, lookbackMs: number = store.options.stalenessMs): boolean {
  let found = false;
  forEachSelected(sel, store, undefined, (s) => (found = instantPoint(s, atMs, lookbackMs) !== undefined));
  return found;
}

/** Range selector ending at `atMs`: points with atMs - range < t <= atMs (Prometheus 3 left-open ranges). */
export function selectRange(sel: MatrixSelector, store: SignalStore, atMs: number, scopes?: readonly Scope[]): RangeSeries[] {
  const out: RangeSeries[] = [];
  const startMs = atMs - sel.rangeMs;
  forEachSelected(sel.vector, store, scopes, (s) => {
    const timestampsMs: number[] = [];
    const values: number[] = [];
    s.forEachIn(startMs, atMs, (t, v) => {
      if (isStaleMarker(v)) return;
      timestampsMs.push(t);
      values.push(v);
    });
    if (timestampsMs.length > 0) out.push({ name: s.name, labels: s.labels, timestampsMs, values });
  });
  return out;
}
