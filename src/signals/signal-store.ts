import { type Labels, type Sample, seriesKey } from './sample';
import { Series } from './series';
import { SeriesIndex } from './series-index';

export interface SignalStoreOptions {
  /** History kept per series for range functions. */
  windowMs: number;
  maxPointsPerSeries: number;
  /** A series with no sample for this long is stale (spec §6.3: 60 s by default). */
  stalenessMs: number;
}

export type AppendResult = 'applied' | 'out_of_order';

/** A metric's series: found by labels through the index, iterated (rules, eviction) through the set. */
interface MetricSeries {
  readonly index: SeriesIndex<Series>;
  readonly all: Set<Series>;
}

/** In-memory signal store, indexed by metric name so rules look up only what they select. */
export class SignalStore {
  readonly options: SignalStoreOptions;
  readonly #byName = new Map<string, MetricSeries>();
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
    let metric = this.#byName.get(name);
    if (!metric) {
      metric = { index: new SeriesIndex(), all: new Set() };
      this.#byName.set(name, metric);
    }
    let series = metric.index.get(labels);
    if (!series) {
      const frozen = Object.freeze({ ...labels });
      series = new Series(seriesKey(name, frozen), name, frozen, this.options.maxPointsPerSeries);
      metric.index.set(frozen, series);
      metric.all.add(series);
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
    return this.#byName.get(name)?.all ?? [];
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
    for (const [name, metric] of this.#byName) {
      for (const s of metric.all) {
        if (s.lastTimestampMs < cutoffMs) {
          metric.all.delete(s);
          metric.index.delete(s.labels);
          evicted++;
        }
      }
      if (metric.all.size === 0) this.#byName.delete(name);
    }
    this.#seriesCount -= evicted;
    return evicted;
  }
}
