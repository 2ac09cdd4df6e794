import type { SignalStore } from './signal-store';

/**
 * The last 15 minutes of each component's lag and up/down, for the console's sparklines (issue 13
 * §4). The store keeps only the latest point of series no rule reads with a range, so the trend is
 * sampled here: the latest values every evaluation, folded into fixed buckets (the worst value of
 * a bucket wins: its highest lag, and down over up), so a one-second outage still shows. Bounded:
 * components x windowMs / bucketMs points. Lost on restart, like any in-memory picture.
 */

/** spec §11.1's lag signals (rules/exchange.rules.yaml reads these two). */
export const LAG_METRICS: readonly string[] = ['replication_lag_seconds', 'processing_lag_seconds'];
export const UP_METRIC = 'component_up';

export interface TrendPoint {
  /** Start of the bucket. */
  readonly atMs: number;
  /** The highest lag of the component's lag series seen in the bucket; null: no fresh lag sample. */
  readonly lagSeconds: number | null;
  /** 0 if component_up was 0 at any sample in the bucket, 1 if only up, null: no fresh sample. */
  readonly up: 0 | 1 | null;
}

export interface ComponentTrendsOptions {
  store: SignalStore;
  components: readonly string[];
  /** @defaultValue 15 minutes */
  windowMs?: number;
  /** @defaultValue 5000 */
  bucketMs?: number;
}

interface Bucket {
  atMs: number;
  lagSeconds: number | null;
  up: 0 | 1 | null;
}

export class ComponentTrends {
  readonly windowMs: number;
  readonly bucketMs: number;
  readonly #store: SignalStore;
  readonly #buckets = new Map<string, Bucket[]>();
  #sinceMs: number | undefined;

  constructor(opts: ComponentTrendsOptions) {
    this.#store = opts.store;
    this.windowMs = opts.windowMs ?? 15 * 60_000;
    this.bucketMs = opts.bucketMs ?? 5000;
    for (const c of opts.components) this.#buckets.set(c, []);
  }

  /** Folds the components' latest values into the bucket of `nowMs`. Cost: the components' lag and up series. */
  /** When sampling began (this process's start): nothing before it is known here. */
  get sinceMs(): number | undefined {
    return this.#sinceMs;
  }

  sample(nowMs: number): void {
    this.#sinceMs ??= nowMs;
    const atMs = nowMs - (nowMs % this.bucketMs);
    for (const [component, buckets] of this.#buckets) {
      const lag = this.#worst(LAG_METRICS, component, nowMs, Math.max);
      const up = this.#worst([UP_METRIC], component, nowMs, Math.min);
      let last = buckets[buckets.length - 1];
      if (!last || last.atMs !== atMs) {
        last = { atMs, lagSeconds: null, up: null };
        buckets.push(last);
      }
      if (lag !== null) last.lagSeconds = last.lagSeconds === null ? lag : Math.max(last.lagSeconds, lag);
      if (up !== null) {
        const u: 0 | 1 = up > 0 ? 1 : 0;
        last.up = last.up === null ? u : (Math.min(last.up, u) as 0 | 1);
      }
      while (buckets.length > 0 && (buckets[0] as Bucket).atMs <= nowMs - this.windowMs) buckets.shift();
    }
  }

  /** Each component's points, oldest first (buckets with no sample at all are absent). */
  view(): Array<{ name: string; points: readonly TrendPoint[] }> {
    return [...this.#buckets].map(([name, buckets]) => ({ name, points: buckets.map((b) => ({ ...b })) }));
  }

  /** The worst fresh value of the metrics' series labelled with the component, or null. */
  #worst(metrics: readonly string[], component: string, nowMs: number, pick: (a: number, b: number) => number): number | null {
    let worst: number | null = null;
    for (const name of metrics) {
      const series = this.#store.metric(name)?.postings.get('component', component);
      if (!series) continue;
      for (const s of series) {
        const v = s.lastValue;
        if (!Number.isFinite(v) || this.#store.isStale(s, nowMs)) continue;
        worst = worst === null ? v : pick(worst, v);
      }
    }
    return worst;
  }
}
