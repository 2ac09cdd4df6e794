import { Postings, internName } from './postings';
import type { Labels, Sample } from './sample';
import { type HistoryPolicy, Series } from './series';
import { SeriesIndex } from './series-index';
import { type SeriesLimits, type SeriesLimitViolation, cannotPassLimits, seriesLimitViolation } from './series-limits';

export interface SignalStoreOptions {
  /** History kept per series for range functions while no history plan is set (see planHistory). */
  windowMs: number;
  maxPointsPerSeries: number;
  /** A series with no sample for this long is stale (spec §6.3: 60 s by default). */
  stalenessMs: number;
  /** limits.max_series and limits.max_series_per_metric; unlimited when omitted. */
  limits?: SeriesLimits;
}

export type AppendResult = 'applied' | 'out_of_order';

/** A metric's series: by exact labels (ingest), by label pair (selectors), and all (sweeps). */
export interface MetricSeries {
  readonly index: SeriesIndex<Series>;
  readonly all: Set<Series>;
  readonly postings: Postings<Series>;
  readonly history: HistoryPolicy;
}

const UNLIMITED: SeriesLimits = { maxSeries: Infinity, maxSeriesPerMetric: Infinity };

/** In-memory signal store, indexed by metric name, then by label pair (postings). */
export class SignalStore {
  readonly options: SignalStoreOptions;
  readonly #byName = new Map<string, MetricSeries>();
  /** Newest sample time per `component` label, kept on append so freshness is a lookup. */
  readonly #componentSeenMs = new Map<string, number>();
  #seriesCount = 0;
  #evictedTotal = 0;
  /** metric -> history window; undefined keeps `options.windowMs` for every metric. */
  #plan: ReadonlyMap<string, number> | undefined;
  #sweepMetrics: Iterator<[string, MetricSeries]> | undefined;
  #sweepSeries: { name: string; metric: MetricSeries; it: Iterator<Series> } | undefined;
  readonly #counts = {
    total: 0,
    perMetric: (name: string) => this.#byName.get(name)?.all.size ?? 0,
    exists: (name: string, labels: Labels) => this.#byName.get(name)?.index.get(labels) !== undefined,
  };

  constructor(options: SignalStoreOptions) {
    this.options = options;
  }

  get seriesCount(): number {
    return this.#seriesCount;
  }

  /** Series dropped by eviction since start (warden_series_evicted_total). */
  get evictedTotal(): number {
    return this.#evictedTotal;
  }

  append(sample: Sample): AppendResult {
    return this.appendSeries(sample.name, sample.labels, sample.value, sample.timestampMs) ? 'applied' : 'out_of_order';
  }

  appendRaw(name: string, labels: Labels, value: number, timestampMs: number, isData = true): AppendResult {
    return this.appendSeries(name, labels, value, timestampMs, isData) ? 'applied' : 'out_of_order';
  }

  /**
   * Appends and returns the series (undefined when the point is out of order). `isData` false is
   * for series Warden publishes about its own configuration (e.g. component criticality): they
   * must not make a component look fresh.
   */
  appendSeries(name: string, labels: Labels, value: number, timestampMs: number, isData = true): Series | undefined {
    const series = this.#seriesFor(name, labels);
    if (!series.push(timestampMs, value)) return undefined;
    const component = labels.component;
    if (isData && component !== undefined && timestampMs > (this.#componentSeenMs.get(component) ?? -Infinity)) {
      this.#componentSeenMs.set(component, timestampMs);
    }
    return series;
  }

  /**
   * Writes a point a rule derived (a recording rule's output, ALERTS): never data for component
   * freshness, and a second write at the same instant replaces the value (Series.upsert).
   */
  appendDerived(name: string, labels: Labels, value: number, timestampMs: number): Series | undefined {
    const series = this.#seriesFor(name, labels);
    return series.upsert(timestampMs, value) ? series : undefined;
  }

  #seriesFor(name: string, labels: Labels): Series {
    let metric = this.#byName.get(name);
    if (!metric) {
      metric = { index: new SeriesIndex(), all: new Set(), postings: new Postings(), history: this.#policyFor(name) };
      this.#byName.set(name, metric);
    }
    let series = metric.index.get(labels);
    if (!series) {
      const interned = internLabels(labels, metric.postings);
      series = new Series(name, interned, metric.history);
      metric.index.set(interned, series);
      metric.all.add(series);
      metric.postings.add(series, interned);
      this.#seriesCount++;
    }
    return series;
  }

  /** The first limit this batch would pass by creating series, or undefined (checked before applying). */
  seriesLimitViolation(samples: Iterable<{ readonly name: string; readonly labels: Labels }>): SeriesLimitViolation | undefined {
    const limits = this.options.limits ?? UNLIMITED;
    if (limits === UNLIMITED) return undefined;
    this.#counts.total = this.#seriesCount;
    return seriesLimitViolation(samples, this.#counts, limits);
  }

  /** True when a batch of `total` samples (`perName` per metric) cannot pass a limit even if all were new series. */
  cannotPassSeriesLimits(perName: ReadonlyMap<string, number>, total: number): boolean {
    const limits = this.options.limits ?? UNLIMITED;
    if (limits === UNLIMITED) return true;
    this.#counts.total = this.#seriesCount;
    return cannotPassLimits(perName, total, this.#counts, limits);
  }

  /** All series of a metric name (empty when none). */
  seriesOf(name: string): Iterable<Series> {
    return this.#byName.get(name)?.all ?? [];
  }

  /** A metric's series and postings, for selectors (undefined when the metric has no series). */
  metric(name: string): MetricSeries | undefined {
    return this.#byName.get(name);
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

  /**
   * Keeps history only for metrics read with a range (metric -> window, already including any
   * margin); others keep their latest point. Applies to existing series from their next sample.
   */
  planHistory(plan: ReadonlyMap<string, number>): void {
    this.#plan = plan;
    for (const [name, metric] of this.#byName) Object.assign(metric.history, this.#policyFor(name));
  }

  #policyFor(name: string): HistoryPolicy {
    const { windowMs, maxPointsPerSeries } = this.options;
    if (this.#plan === undefined) return { windowMs, maxPoints: maxPointsPerSeries };
    const planned = this.#plan.get(name);
    return planned === undefined ? { windowMs: 0, maxPoints: 1 } : { windowMs: planned, maxPoints: maxPointsPerSeries };
  }

  /**
   * Drops series with no sample since `cutoffMs`, visiting at most `budget` series: a sweep
   * resumes where the last one stopped, so a tick never scans a million series at once.
   */
  evictIdle(cutoffMs: number, budget: number): number {
    return this.evictIdleUntil(cutoffMs, budget, Infinity).evicted;
  }

  /**
   * evictIdle, stopping early once `performance.now()` passes `deadline` (checked every few
   * hundred series): removing a series costs microseconds (its index and postings), so 10,000 at
   * once held the event loop for tens of ms (issue 9: /healthz p99 while large batches churn series).
   */
  evictIdleUntil(cutoffMs: number, budget: number, deadline: number): { visited: number; evicted: number; passEnded: boolean } {
    let visited = 0;
    let evicted = 0;
    let passEnded = false;
    while (visited < budget) {
      if ((visited & 255) === 255 && performance.now() > deadline) break;
      const cursor = this.#sweepSeries ?? this.#nextSweepMetric();
      if (!cursor) {
        passEnded = true;
        break;
      }
      const step = cursor.it.next();
      if (step.done) {
        if (cursor.metric.all.size === 0 && this.#byName.get(cursor.name) === cursor.metric) this.#byName.delete(cursor.name);
        this.#sweepSeries = undefined;
        continue;
      }
      visited++;
      if (step.value.lastTimestampMs < cutoffMs) {
        this.#remove(cursor.metric, step.value);
        evicted++;
      }
    }
    return { visited, evicted, passEnded };
  }

  #nextSweepMetric(): { name: string; metric: MetricSeries; it: Iterator<Series> } | undefined {
    const step = (this.#sweepMetrics ??= this.#byName.entries()).next();
    if (step.done) {
      this.#sweepMetrics = undefined; // one full pass done; the next call starts another
      return undefined;
    }
    const [name, metric] = step.value;
    return (this.#sweepSeries = { name, metric, it: metric.all.values() });
  }

  #remove(metric: MetricSeries, s: Series): void {
    metric.all.delete(s);
    metric.index.delete(s.labels);
    metric.postings.remove(s, s.labels);
    this.#seriesCount--;
    this.#evictedTotal++;
  }
}

/** A frozen copy with names from the global pool and values shared with the metric's postings. */
function internLabels(labels: Labels, postings: Postings<Series>): Labels {
  const out: Record<string, string> = {};
  for (const name of Object.keys(labels).sort()) {
    const n = internName(name);
    out[n] = postings.intern(n, labels[name] as string);
  }
  return Object.freeze(out);
}
