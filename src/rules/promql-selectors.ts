import type { Series } from '../signals/series';
import type { SignalStore } from '../signals/signal-store';
import type { MatrixSelector, VectorSelector } from './promql-ast';
import type { InstantVector, RangeSeries } from './promql-values';
import { matchesLabel } from './label-match';
import { isStaleMarker } from './stale-marker';

function selects(sel: VectorSelector, s: Series): boolean {
  const ms = sel.matchers;
  for (let i = 0; i < ms.length; i++) {
    const m = ms[i]!;
    const value = m.name === '__name__' ? s.name : (s.labels[m.name] ?? '');
    if (!matchesLabel(m, value)) return false;
  }
  return true;
}

function* candidates(sel: VectorSelector, store: SignalStore): Iterable<Series> {
  if (sel.metricName !== undefined) {
    yield* store.seriesOf(sel.metricName);
    return;
  }
  for (const name of store.names()) yield* store.seriesOf(name);
}

/**
 * Instant selector: the newest sample at or before `atMs`, if it is no older than the store's
 * staleness (Warden's lookback, spec §6.3) and not a staleness marker.
 */
export function selectInstant(sel: VectorSelector, store: SignalStore, atMs: number): InstantVector {
  const out: InstantVector = [];
  const lookbackMs = store.options.stalenessMs;
  for (const s of candidates(sel, store)) {
    if (!selects(sel, s)) continue;
    let t = s.lastTimestampMs;
    let v = s.lastValue;
    if (t > atMs) {
      const p = s.valueAt(atMs);
      if (!p) continue;
      t = p.timestampMs;
      v = p.value;
    }
    if (atMs - t > lookbackMs || isStaleMarker(v)) continue;
    out.push({ name: s.name, labels: s.labels, value: v });
  }
  return out;
}

/** Range selector: points with atMs - range < t <= atMs (Prometheus 3 left-open ranges). */
export function selectRange(sel: MatrixSelector, store: SignalStore, atMs: number): RangeSeries[] {
  const out: RangeSeries[] = [];
  const startMs = atMs - sel.rangeMs;
  for (const s of candidates(sel.vector, store)) {
    if (!selects(sel.vector, s)) continue;
    const timestampsMs: number[] = [];
    const values: number[] = [];
    s.forEachIn(startMs, atMs, (t, v) => {
      if (isStaleMarker(v)) return;
      timestampsMs.push(t);
      values.push(v);
    });
    if (timestampsMs.length > 0) out.push({ name: s.name, labels: s.labels, timestampsMs, values });
  }
  return out;
}
