import { seriesLimitViolation, type SeriesCounts } from '../../../src/signals/series-limits';
import { seriesKey, type Labels } from '../../../src/signals/sample';

/** Counts over a set of existing series keys. */
function countsOf(existing: Array<{ name: string; labels: Labels }>): SeriesCounts {
  const keys = new Set(existing.map((s) => seriesKey(s.name, s.labels)));
  const per = new Map<string, number>();
  for (const s of existing) per.set(s.name, (per.get(s.name) ?? 0) + 1);
  return { total: keys.size, perMetric: (n) => per.get(n) ?? 0, exists: (n, l) => keys.has(seriesKey(n, l)) };
}

const series = (name: string, from: number, n: number) => Array.from({ length: n }, (_, i) => ({ name, labels: { pod: `p${from + i}` } }));

describe('seriesLimitViolation', () => {
  it('far below the limits, a batch passes (whether or not its series exist)', () => {
    expect(seriesLimitViolation(series('m', 0, 100), countsOf(series('m', 0, 10)), { maxSeries: 1000, maxSeriesPerMetric: 500 })).toBeUndefined();
  });

  it('at the limit, existing series still update: the exact check runs when the quick bound cannot clear the batch', () => {
    const existing = series('m', 0, 50);
    expect(seriesLimitViolation(series('m', 0, 50), countsOf(existing), { maxSeries: 50, maxSeriesPerMetric: 50 })).toBeUndefined();
    expect(seriesLimitViolation([...series('m', 0, 49), ...series('m', 50, 1)], countsOf(existing), { maxSeries: 1000, maxSeriesPerMetric: 50 })).toMatchObject({ reason: 'max_series_per_metric', metric: 'm' });
    expect(seriesLimitViolation(series('n', 0, 2), countsOf(existing), { maxSeries: 51, maxSeriesPerMetric: 1000 })).toMatchObject({ reason: 'max_series', metric: 'n' });
  });

  it('gives the same answer for an array and for the same samples as an iterable', () => {
    const counts = countsOf(series('m', 0, 90));
    const batch = [...series('m', 80, 20), ...series('k', 0, 5)];
    for (const limits of [{ maxSeries: 200, maxSeriesPerMetric: 100 }, { maxSeries: 200, maxSeriesPerMetric: 99 }, { maxSeries: 104, maxSeriesPerMetric: 1000 }, { maxSeries: 105, maxSeriesPerMetric: 1000 }]) {
      expect(seriesLimitViolation(batch, counts, limits)).toEqual(seriesLimitViolation((function* () { yield* batch; })(), counts, limits));
    }
  });
});
