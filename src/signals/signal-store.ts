import { type Labels, type Sample, seriesKey } from './sample';
import { Series } from './series';

export interface SignalStoreOptions {
  /** History kept per series for range functions. */
  windowMs: number;
  maxPointsPerSeries: number;
  /** A series with no sample for this long is stale (spec §6.3: 60 s by default). */
  stalenessMs: number;
}

export type AppendResult = 'applied' | 'out_of_order';

/** In-memory signal store, indexed by metric name so rules look up only what they select. */
export class SignalStore {
  readonly options: SignalStoreOptions;
  readonly #byName = new Map<string, Map<string, Series>>();
  /** Newest sample time per `component` label, kept on append so freshness is a lookup. */
  readonly #componentSeenMs = new Map<string, number>();
  #seriesCount = 0;

  constructor(options: SignalStoreOptions) {
    this.options = options;
  }

  get seriesCount(): number {
    return this.#seriesCount;
  }

  append(sample: Sample): AppendResult {
    return this.appendRaw(sample.name, sample.labels, sample.value, sample.timestampMs);
  }

  /**
   * `isData` false is for series Warden publishes about its own configuration (e.g. component
   * criticality): they must not make a component look fresh.
   */
  appendRaw(name: string, labels: Labels, value: number, timestampMs: number, isData = true): AppendResult {
    let byKey = this.#byName.get(name);
    if (!byKey) {
      byKey = new Map();
      this.#byName.set(name, byKey);
    }
    const key = seriesKey(name, labels);
    let series = byKey.get(key);
    if (!series) {
      series = new Series(key, name, Object.freeze({ ...labels }), this.options.maxPointsPerSeries);
      byKey.set(key, series);
      this.#seriesCount++;
    }
    if (!series.push(timestampMs, value, this.options.windowMs)) return 'out_of_order';
    const component = labels.component;
    if (isData && component !== undefined && timestampMs > (this.#componentSeenMs.get(component) ?? -Infinity)) {
      this.#componentSeenMs.set(component, timestampMs);
    }
    return 'applied';
  }

  /** All series of a metric name (empty when none). */
  seriesOf(name: string): Iterable<Series> {
    return this.#byName.get(name)?.values() ?? [];
  }

  names(): Iterable<string> {
    return this.#byName.keys();
  }

  isStale(series: Series, nowMs: number): boolean {
    return nowMs - series.lastTimestampMs > this.options.stalenessMs;
  }

  /** Newest sample time of any series labelled `component=<name>`, or -Infinity. */
  lastSeenForComponent(component: string): number {
    return this.#componentSeenMs.get(component) ?? -Infinity;
  }

  /** Drops series with no sample for `olderThanMs` (keeps memory bounded as series churn). */
  evictOlderThan(cutoffMs: number): number {
    let evicted = 0;
    for (const [name, byKey] of this.#byName) {
      for (const [key, s] of byKey) {
        if (s.lastTimestampMs < cutoffMs) {
          byKey.delete(key);
          evicted++;
        }
      }
      if (byKey.size === 0) this.#byName.delete(name);
    }
    this.#seriesCount -= evicted;
    return evicted;
  }
}
