import { SeriesIndex } from '../../../src/signals/series-index';
import { SignalStore } from '../../../src/signals/signal-store';

describe('SeriesIndex', () => {
  it('finds a value by its label set whatever the order the labels come in', () => {
    const idx = new SeriesIndex<string>();
    idx.set({ component: 'db', instance: 'a' }, 'x');
    expect(idx.get({ instance: 'a', component: 'db' })).toBe('x');
    expect(idx.get({ component: 'db', instance: 'b' })).toBeUndefined();
    expect(idx.size).toBe(1);
  });

  it('keeps label sets apart that a naive joined key would confuse', () => {
    const idx = new SeriesIndex<number>();
    const sets: Array<Record<string, string>> = [{}, { a: 'b' }, { a: 'b', c: 'd' }, { a: 'b,c=d' }, { a: 'b\u0000c=d' }, { a: '' }, { b: 'a' }, { a: 'c', c: 'b' }];
    sets.forEach((labels, i) => idx.set(labels, i));
    sets.forEach((labels, i) => expect(idx.get(labels)).toBe(i));
    expect(idx.size).toBe(sets.length);
    expect(idx.get({ c: 'd' })).toBeUndefined();
  });

  it('set on an existing label set replaces the value without growing', () => {
    const idx = new SeriesIndex<string>();
    idx.set({ a: '1' }, 'old');
    idx.set({ a: '1' }, 'new');
    expect(idx.get({ a: '1' })).toBe('new');
    expect(idx.size).toBe(1);
  });

  it('delete removes only that label set, leaves its prefixes and extensions, and reports misses', () => {
    const idx = new SeriesIndex<string>();
    idx.set({ a: '1' }, 'short');
    idx.set({ a: '1', b: '2' }, 'long');
    expect(idx.delete({ a: '1', b: '3' })).toBe(false);
    expect(idx.delete({ a: '1', b: '2' })).toBe(true);
    expect(idx.delete({ a: '1', b: '2' })).toBe(false);
    expect(idx.get({ a: '1' })).toBe('short');
    expect(idx.get({ a: '1', b: '2' })).toBeUndefined();
    expect(idx.delete({ a: '1' })).toBe(true);
    expect(idx.size).toBe(0);
    idx.set({ a: '1', b: '2' }, 'again');
    expect(idx.get({ a: '1', b: '2' })).toBe('again');
  });
});

describe('SignalStore series lookup', () => {
  const store = () => new SignalStore({ windowMs: 60_000, maxPointsPerSeries: 16, stalenessMs: 60_000 });

  it('appends to one series whatever the label order, and keeps label sets of one metric apart', () => {
    const s = store();
    expect(s.appendRaw('lag', { component: 'db', instance: 'a' }, 1, 1000)).toBe('applied');
    expect(s.appendRaw('lag', { instance: 'a', component: 'db' }, 2, 1000)).toBe('out_of_order');
    expect(s.appendRaw('lag', { instance: 'a', component: 'db' }, 2, 2000)).toBe('applied');
    expect(s.appendRaw('lag', { component: 'db' }, 3, 2000)).toBe('applied');
    expect(s.seriesCount).toBe(2);
    const all = [...s.seriesOf('lag')];
    expect(all.map((x) => [x.labels, x.lastValue])).toEqual([[{ component: 'db', instance: 'a' }, 2], [{ component: 'db' }, 3]]);
  });

  it('a full sweep (the tick sweeps in slices, see series-eviction.test) evicts series without samples since the cutoff, and a later sample starts the series afresh', () => {
    const s = store();
    s.appendRaw('lag', { component: 'db' }, 1, 1000);
    s.appendRaw('lag', { component: 'api' }, 1, 5000);
    expect(s.evictIdle(2000, Infinity)).toBe(1);
    expect(s.seriesCount).toBe(1);
    expect([...s.seriesOf('lag')].map((x) => x.labels.component)).toEqual(['api']);
    expect(s.appendRaw('lag', { component: 'db' }, 7, 500)).toBe('applied');
    expect(s.seriesCount).toBe(2);
    expect(s.evictIdle(10_000, Infinity)).toBe(2);
    expect([...s.names()]).toEqual([]);
  });
});
