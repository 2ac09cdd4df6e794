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

/** Calls `visit` for each series the selector can match, without allocating an iterator chain. */
function forEachCandidate(sel: VectorSelector, store: SignalStore, visit: (s: Series) => void): void {
  if (sel.metricName !== undefined) {
    for (const s of store.seriesOf(sel.metricName)) visit(s);
    return;
  }
  for (const name of store.names()) for (const s of store.seriesOf(name)) visit(s);
}

/**
 * Instant selector: the newest sample at or before `atMs`, if it is no older than the store's
 * staleness (Warden's lookback, spec §6.3) and not a staleness marker.
 */
export function selectInstant(sel: VectorSelector, store: SignalStore, atMs: number): InstantVector {
  const out: InstantVector = [];
  const lookbackMs = store.options.stalenessMs;
  forEachCandidate(sel, store, (s) => {
    if (!selects(sel, s)) return;
    let t = s.lastTimestampMs;
    let v = s.lastValue;
    if (t > atMs) {
      const p = s.valueAt(atMs);
      if (!p) return;
      t = p.timestampMs;
      v = p.value;
    }
    if (atMs - t > lookbackMs || isStaleMarker(v)) return;
    out.push({ name: s.name, labels: s.labels, value: v });
  });
  return out;
}

/** Range selector: points with atMs - range < t <= atMs (Prometheus 3 left-open ranges). */
export function selectRange(sel: MatrixSelector, store: SignalStore, atMs: number): RangeSeries[] {
  const out: RangeSeries[] = [];
  const startMs = atMs - sel.rangeMs;
  forEachCandidate(sel.vector, store, (s) => {
    if (!selects(sel.vector, s)) return;
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
