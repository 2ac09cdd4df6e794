import { ComponentTrends } from '../../../src/signals/component-trends';
import { SignalStore } from '../../../src/signals/signal-store';

const T0 = 1_700_000_000_000; // a multiple of 5 s

function setup() {
  const store = new SignalStore({ windowMs: 60_000, maxPointsPerSeries: 16, stalenessMs: 60_000 });
  const trends = new ComponentTrends({ store, components: ['db', 'gateway'], windowMs: 60_000, bucketMs: 5000 });
  const put = (name: string, labels: Record<string, string>, value: number, atMs: number) => store.appendRaw(name, labels, value, atMs);
  return { store, trends, put };
}
const points = (t: ComponentTrends, name: string) => t.view().find((c) => c.name === name)!.points;

describe('component trends for the console sparklines', () => {
  it('a bucket keeps the worst of its samples: the highest lag of any lag series, and down over up', () => {
    const { trends, put } = setup();
    put('replication_lag_seconds', { component: 'db', instance: 'a' }, 2, T0);
    put('processing_lag_seconds', { component: 'db' }, 0.5, T0);
    put('component_up', { component: 'db' }, 1, T0);
    trends.sample(T0 + 1000);
    put('replication_lag_seconds', { component: 'db', instance: 'a' }, 1, T0 + 2000);
    put('component_up', { component: 'db' }, 0, T0 + 2000);
    trends.sample(T0 + 2000);
    put('component_up', { component: 'db' }, 1, T0 + 3000);
    trends.sample(T0 + 3000);
    expect(points(trends, 'db')).toEqual([{ atMs: T0, lagSeconds: 2, up: 0 }]);
    trends.sample(T0 + 5000);
    expect(points(trends, 'db')).toEqual([{ atMs: T0, lagSeconds: 2, up: 0 }, { atMs: T0 + 5000, lagSeconds: 1, up: 1 }]);
    expect(trends.sinceMs).toBe(T0 + 1000);
  });

  it('no fresh sample is no data (null), never 0 lag or up: stale series and NaN stale markers are left out', () => {
    const { trends, put } = setup();
    put('processing_lag_seconds', { component: 'gateway' }, 3, T0);
    put('component_up', { component: 'gateway' }, Number.NaN, T0);
    trends.sample(T0 + 61_000);
    expect(points(trends, 'gateway')).toEqual([{ atMs: T0 + 60_000, lagSeconds: null, up: null }]);
  });

  it('is bounded by window / bucket: older buckets are dropped', () => {
    const { trends, put } = setup();
    for (let i = 0; i < 40; i++) {
      put('component_up', { component: 'db' }, 1, T0 + i * 5000);
      trends.sample(T0 + i * 5000);
    }
    const db = points(trends, 'db');
    expect(db).toHaveLength(12);
    expect(db[0]!.atMs).toBe(T0 + 28 * 5000);
  });
});
