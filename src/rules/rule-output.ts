import type { Labels } from '../signals/sample';
import type { Series } from '../signals/series';
import type { SignalStore } from '../signals/signal-store';
import { isStaleMarker, STALE_NAN } from './stale-marker';

/** One point a rule writes: a recording rule's output, or an ALERTS / ALERTS_FOR_STATE sample. */
export interface OutputPoint {
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
}

/** The series a pass's rules wrote, by metric name: what the rules reading them start from. */
export type WrittenSeries = Map<string, Series[]>;

/**
 * Where rules write: the signal store, within its series limits (limits.max_series and
 * max_series_per_metric apply to rule output as to pushes: all of one evaluation's points or none),
 * remembering what was written so later rules of the same pass see it (RuleEngine).
 */
export class RuleOutput {
  readonly #store: SignalStore;
  #written: WrittenSeries | undefined;
  #seen: Set<Series> | undefined;

  constructor(store: SignalStore) {
    this.#store = store;
  }

  /**
   * Writes every point at `atMs`; `fresh` are the points that may create a series (the others
   * were written by the rule's previous evaluation). Returns the limit's message, writing
   * nothing, when the new series would pass a series limit.
   */
  write(points: readonly OutputPoint[], atMs: number, fresh: readonly OutputPoint[] = points): string | undefined {
    if (fresh.length > 0) {
      const violation = this.#store.seriesLimitViolation(fresh);
      if (violation) return violation.message;
    }
    for (let i = 0; i < points.length; i++) {
      const p = points[i] as OutputPoint;
      const s = this.#store.appendDerived(p.name, p.labels, p.value, atMs);
      if (s) this.#record(s);
    }
    return undefined;
  }

  /** Marks a series the rule no longer returns stale (Prometheus' staleness marker), if it still exists. */
  stale(name: string, labels: Labels, atMs: number): void {
    const s = this.#store.metric(name)?.index.get(labels);
    if (!s || (s.lastTimestampMs <= atMs && isStaleMarker(s.lastValue))) return;
    if (s.upsert(atMs, STALE_NAN)) this.#record(s);
  }

  #record(s: Series): void {
    const seen = (this.#seen ??= new Set());
    if (seen.has(s)) return;
    seen.add(s);
    const written = (this.#written ??= new Map());
    const list = written.get(s.name);
    if (list) list.push(s);
    else written.set(s.name, [s]);
  }

  /** The series written since the last call (undefined: none). */
  take(): WrittenSeries | undefined {
    const w = this.#written;
    this.#written = undefined;
    this.#seen = undefined;
    return w;
  }
}
