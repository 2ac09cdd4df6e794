import { Counter, Gauge, type Registry } from 'prom-client';
import { RequestError } from '../errors';
import type { Sample } from '../signals/sample';
import type { SeriesLimitViolation } from '../signals/series-limits';
import type { SignalStore } from '../signals/signal-store';

/** What SeriesGuard reads of a decoded batch (ingest's BatchReader). */
export interface DecodedBatch {
  readonly count: number;
  countsByName(): ReadonlyMap<string, number>;
  all(): Iterable<Pick<Sample, 'name' | 'labels'>>;
}

/**
 * The series limits as a guard for every source, with its metrics: warden_series,
 * warden_series_evicted_total and warden_series_limit_rejections_total{reason,source}.
 */
export class SeriesGuard {
  readonly #store: SignalStore;
  readonly #rejections: Counter<'reason' | 'source'>;

  constructor(store: SignalStore, registry: Registry) {
    this.#store = store;
    const registers = [registry];
    new Gauge({ name: 'warden_series', help: 'Series in the signal store.', registers, collect() {
      this.set(store.seriesCount);
    } });
    let reported = 0;
    new Counter({ name: 'warden_series_evicted_total', help: 'Series dropped after no sample for staleness plus the longest range a rule reads.', registers, collect() {
      const total = store.evictedTotal;
      if (total > reported) this.inc(total - reported);
      reported = total;
    } });
    this.#rejections = new Counter({ name: 'warden_series_limit_rejections_total', help: 'Batches (pushes, scrapes) rejected whole because they would create series past a limit.', labelNames: ['reason', 'source'], registers });
  }

  /** The limit this batch would pass (counted), or undefined. Checked before anything is applied. */
  check(samples: Iterable<Pick<Sample, 'name' | 'labels'>>, source: string): SeriesLimitViolation | undefined {
    const v = this.#store.seriesLimitViolation(samples);
    if (v) this.#rejections.inc({ reason: v.reason, source });
    return v;
  }

  /**
   * A large decoded batch (BatchReader), checked whole before its first slice is applied: from its
   * name column alone when no limit can be reached (the usual case: no label set is decoded on the
   * main thread, which a 64k-sample push would block for ~100 ms), else exactly.
   */
  checkBatch(batch: DecodedBatch, source: string): SeriesLimitViolation | undefined {
    if (this.#store.cannotPassSeriesLimits(batch.countsByName(), batch.count)) return undefined;
    return this.check(batch.all(), source);
  }

  /** checkBatch, as a 422 too_many_series naming the metric; nothing was applied. */
  enforceBatch(batch: DecodedBatch, source: string): void {
    const v = this.checkBatch(batch, source);
    if (v) throw new RequestError(422, 'too_many_series', v.message, { field: v.metric });
  }

  /** For a push: the client hears 422 too_many_series naming the metric; nothing was applied. */
  enforce(samples: Iterable<Pick<Sample, 'name' | 'labels'>>, source: string): void {
    const v = this.check(samples, source);
    if (v) throw new RequestError(422, 'too_many_series', v.message, { field: v.metric });
  }
}
