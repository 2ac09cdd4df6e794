import { type Labels, seriesKey } from './sample';

/** limits.max_series / limits.max_series_per_metric (config/schema.ts). */
export interface SeriesLimits {
  readonly maxSeries: number;
  readonly maxSeriesPerMetric: number;
}

export type SeriesLimitReason = 'max_series' | 'max_series_per_metric';

/** Why a batch would create series past a limit; nothing of the batch is applied. */
export interface SeriesLimitViolation {
  readonly reason: SeriesLimitReason;
  readonly metric: string;
  readonly message: string;
}

export interface SeriesCounts {
  readonly total: number;
  /** Series a metric has now; `exists` says whether this label set is one of them. */
  perMetric(name: string): number;
  exists(name: string, labels: Labels): boolean;
}

/**
 * Counts the series a batch would create (a label set repeated in the batch counts once) and
 * names the first metric that would pass a limit. Like Prometheus' head PreCreation hook, but
 * checked before anything is applied, so a rejected push changes nothing (all-or-nothing, as
 * remote-write v1). Existing series never count: they keep updating at any series count.
 */
export function seriesLimitViolation(
  samples: Iterable<{ readonly name: string; readonly labels: Labels }>,
  counts: SeriesCounts,
  limits: SeriesLimits,
): SeriesLimitViolation | undefined {
  if (Array.isArray(samples) && cannotPassLimits(samplesPerName(samples), samples.length, counts, limits)) return undefined;
  let created = 0;
  let seen: Set<string> | undefined;
  let perMetric: Map<string, number> | undefined;
  for (const s of samples) {
    if (counts.exists(s.name, s.labels)) continue;
    const key = seriesKey(s.name, s.labels);
    if ((seen ??= new Set()).has(key)) continue;
    seen.add(key);
    created++;
    perMetric ??= new Map();
    const n = (perMetric.get(s.name) ?? 0) + 1;
    perMetric.set(s.name, n);
    if (counts.perMetric(s.name) + n > limits.maxSeriesPerMetric) {
      return { reason: 'max_series_per_metric', metric: s.name, message: `metric "${s.name}" would have more than ${limits.maxSeriesPerMetric} series (limits.max_series_per_metric)` };
    }
    if (counts.total + created > limits.maxSeries) {
      return { reason: 'max_series', metric: s.name, message: `a new series of metric "${s.name}" would take Warden past ${limits.maxSeries} series (limits.max_series)` };
    }
  }
  return undefined;
}

/**
 * True when even if every sample made a new series no limit would be passed: then no label set
 * needs hashing (the exact check costs a series lookup per sample, ~6% of remote-write's time).
 * `perName`: how many of the batch's `total` samples each metric name has.
 */
export function cannotPassLimits(perName: ReadonlyMap<string, number>, total: number, counts: SeriesCounts, limits: SeriesLimits): boolean {
  if (counts.total + total > limits.maxSeries) return false;
  for (const [name, n] of perName) if (counts.perMetric(name) + n > limits.maxSeriesPerMetric) return false;
  return true;
}

function samplesPerName(samples: ReadonlyArray<{ readonly name: string }>): Map<string, number> {
  const perName = new Map<string, number>();
  for (const s of samples) perName.set(s.name, (perName.get(s.name) ?? 0) + 1);
  return perName;
}
