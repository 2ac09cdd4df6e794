import { SignalStore } from '../../../src/signals/signal-store';
import { parsePromql } from '../../../src/rules/promql-parse';
import { evaluate } from '../../../src/rules/promql-evaluate';
import { EvaluationError, type VectorElement } from '../../../src/rules/promql-values';
import { STALE_NAN } from '../../../src/rules/stale-marker';

const S = 1000;

function newStore(stalenessMs = 60 * S): SignalStore {
  return new SignalStore({ windowMs: 60 * 60 * S, maxPointsPerSeries: 1000, stalenessMs });
}

function put(store: SignalStore, name: string, labels: Record<string, string>, points: Array<[number, number]>): void {
  for (const [tSeconds, v] of points) store.appendRaw(name, labels, v, tSeconds * S);
}

function vector(store: SignalStore, expr: string, atSeconds: number): VectorElement[] {
  const r = evaluate(parsePromql(expr), store, atSeconds * S);
  if (r.type !== 'vector') throw new Error('expected a vector');
  return [...r.vector].sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));
}

function only(store: SignalStore, expr: string, atSeconds: number): number {
  const v = vector(store, expr, atSeconds);
  expect(v).toHaveLength(1);
  return (v[0] as VectorElement).value;
}

describe('instant selectors and staleness', () => {
  const store = newStore();
  put(store, 'up', { job: 'api', env: 'prod' }, [[0, 1], [30, 0]]);
  put(store, 'up', { job: 'db', env: 'dev' }, [[0, 1]]);

  it('returns the newest sample at or before the evaluation time', () => {
    expect(vector(store, 'up{job="api"}', 10)).toEqual([{ name: 'up', labels: { job: 'api', env: 'prod' }, value: 1 }]);
    expect(only(store, 'up{job="api"}', 40)).toBe(0);
  });

  it('applies =, !=, =~ and !~ (regexes fully anchored)', () => {
    expect(vector(store, 'up{env!="prod"}', 10).map((e) => e.labels.job)).toEqual(['db']);
    expect(vector(store, 'up{job=~"a.*"}', 10).map((e) => e.labels.job)).toEqual(['api']);
    expect(vector(store, 'up{job=~"p"}', 10)).toEqual([]);
    expect(vector(store, 'up{job!~"a.*"}', 10).map((e) => e.labels.job)).toEqual(['db']);
    expect(vector(store, 'up{missing=""}', 10)).toHaveLength(2);
  });

  it('keeps a series until it is `staleness` old: the lookback is left-open (Prometheus 3)', () => {
    const r = evaluate(parsePromql('up{job="db"}'), store, 60 * S - 1);
    expect(r.type === 'vector' && r.vector).toHaveLength(1);
    expect(vector(store, 'up{job="db"}', 60)).toEqual([]);
  });

  it('drops a series at once after a staleness marker', () => {
    const s = newStore();
    put(s, 'x', {}, [[0, 5]]);
    // appended directly: a JS array of doubles would canonicalise the marker's NaN payload
    s.appendRaw('x', {}, STALE_NAN, 10 * S);
    expect(vector(s, 'x', 5)).toHaveLength(1);
    expect(vector(s, 'x', 11)).toEqual([]);
  });

  it('selects by a __name__ regex across metric names', () => {
    const s = newStore();
    put(s, 'a_total', {}, [[0, 1]]);
    put(s, 'b_total', {}, [[0, 2]]);
    put(s, 'c', {}, [[0, 3]]);
    expect(vector(s, '{__name__=~".*_total"}', 1).map((e) => e.value).sort()).toEqual([1, 2]);
  });
});

describe('rate, increase and delta extrapolate like Prometheus', () => {
  it('a counter rising 1/s sampled every 15 s: increase over 1m is 60, rate is 1', () => {
    const s = newStore();
    put(s, 'c', {}, [[0, 0], [15, 15], [30, 30], [45, 45], [60, 60]]);
    // window (0s, 60s] holds 15..60: delta 45 over 45 s, extrapolated 15 s to the start -> 60
    expect(only(s, 'increase(c[1m])', 60)).toBeCloseTo(60, 10);
    expect(only(s, 'rate(c[1m])', 60)).toBeCloseTo(1, 10);
  });

  it('adds the value before a counter reset', () => {
    const s = newStore();
    put(s, 'c', {}, [[15, 10], [30, 20], [45, 5], [60, 15]]);
    // 15 - 10 + 20 (reset) = 25, extrapolated by 60/45
    expect(only(s, 'increase(c[1m])', 60)).toBeCloseTo((25 * 60) / 45, 10);
  });

  it('extrapolates only half an interval when the first sample is far from the window start', () => {
    const s = newStore();
    put(s, 'c', {}, [[40, 4], [50, 5], [60, 6]]);
    // delta 2 over 20 s; start gap 40 s >= 1.1 * 10 s -> extrapolate 5 s: 2 * 25 / 20
    expect(only(s, 'increase(c[1m])', 60)).toBeCloseTo(2.5, 10);
    expect(only(s, 'rate(c[1m])', 60)).toBeCloseTo(2.5 / 60, 10);
  });

  it('never extrapolates a counter below zero', () => {
    const s = newStore();
    put(s, 'c', {}, [[30, 1], [45, 31], [60, 61]]);
    // start gap 30 s -> 7.5 s, but the zero point is 30 * 1/60 = 0.5 s away: 60 * 30.5 / 30
    expect(only(s, 'increase(c[1m])', 60)).toBeCloseTo(61, 10);
  });

  it('delta treats the series as a gauge (no reset handling)', () => {
    const s = newStore();
    put(s, 'g', {}, [[15, 10], [60, 4]]);
    expect(only(s, 'delta(g[1m])', 60)).toBeCloseTo((-6 * 60) / 45, 10);
  });

  it('needs two samples in the window', () => {
    const s = newStore();
    put(s, 'c', {}, [[0, 1], [60, 2]]);
    expect(vector(s, 'rate(c[1m])', 60)).toEqual([]); // the window (0, 60] excludes t=0
  });

  it('drops the metric name', () => {
    const s = newStore();
    put(s, 'c', { job: 'a' }, [[30, 1], [60, 2]]);
    expect(vector(s, 'rate(c[1m])', 60)[0]).toMatchObject({ name: undefined, labels: { job: 'a' } });
  });
});

describe('changes and *_over_time', () => {
  const s = newStore();
  put(s, 'g', {}, [[10, 1], [20, 1], [30, 2], [40, 2], [50, 1]]);
  it('changes counts value changes in the window', () => expect(only(s, 'changes(g[1m])', 50)).toBe(2));
  it('min_over_time', () => expect(only(s, 'min_over_time(g[1m])', 50)).toBe(1));
  it('max_over_time', () => expect(only(s, 'max_over_time(g[1m])', 50)).toBe(2));
  it('avg_over_time', () => expect(only(s, 'avg_over_time(g[1m])', 50)).toBeCloseTo(7 / 5, 12));
  it('uses only points inside (t - range, t]', () => {
    expect(only(s, 'max_over_time(g[15s])', 50)).toBe(2);
    expect(only(s, 'max_over_time(g[10s])', 50)).toBe(1);
  });
});

describe('binary operators', () => {
  const s = newStore();
  put(s, 'lag', { component: 'db' }, [[0, 5]]);
  put(s, 'lag', { component: 'mq' }, [[0, 0.5]]);
  put(s, 'crit', { component: 'db' }, [[0, 1]]);
  put(s, 'crit', { component: 'mq' }, [[0, 0]]);

  it('a comparison filters and keeps the metric name; bool returns 0/1 and drops it', () => {
    expect(vector(s, 'lag > 1', 1)).toEqual([{ name: 'lag', labels: { component: 'db' }, value: 5 }]);
    expect(vector(s, 'lag > bool 1', 1)).toEqual([
      { name: undefined, labels: { component: 'db' }, value: 1 },
      { name: undefined, labels: { component: 'mq' }, value: 0 },
    ]);
  });

  it('a comparison with the scalar on the left keeps the vector value', () => {
    expect(vector(s, '1 < lag', 1)).toEqual([{ name: 'lag', labels: { component: 'db' }, value: 5 }]);
  });

  it('arithmetic drops the metric name', () => {
    expect(vector(s, 'lag * 2', 1).map((e) => [e.name, e.value])).toEqual([[undefined, 10], [undefined, 1]]);
    expect(vector(s, '-lag', 1).map((e) => e.value)).toEqual([-5, -0.5]);
    expect(vector(s, '2 ^ lag', 1)[0]?.value).toBe(32);
    expect(vector(s, 'lag % 2', 1)[0]?.value).toBe(1);
  });

  it('scalar arithmetic and bool comparisons', () => {
    expect(evaluate(parsePromql('2 * (3 + 4) - 1'), s, 0)).toEqual({ type: 'scalar', value: 13 });
    expect(evaluate(parsePromql('2 > bool 1'), s, 0)).toEqual({ type: 'scalar', value: 1 });
  });

  it('vector == on(label) vector matches one-to-one and keeps only the on labels', () => {
    const t = newStore();
    put(t, 'up', { component: 'db', instance: 'i1' }, [[0, 0]]);
    put(t, 'crit', { component: 'db' }, [[0, 0]]);
    // on(...) keeps only the matching labels, so the name goes too (resultMetric's lb.Keep)
    expect(vector(t, 'up == on(component) crit', 1)).toEqual([{ name: undefined, labels: { component: 'db' }, value: 0 }]);
    expect(vector(t, 'up - ignoring(instance) crit', 1)).toEqual([{ name: undefined, labels: { component: 'db' }, value: 0 }]);
  });

  it('and / unless / or keep elements unchanged', () => {
    expect(vector(s, 'lag and on(component) crit == 1', 1)).toEqual([{ name: 'lag', labels: { component: 'db' }, value: 5 }]);
    expect(vector(s, 'lag unless on(component) crit == 1', 1)).toEqual([{ name: 'lag', labels: { component: 'mq' }, value: 0.5 }]);
    expect(vector(s, 'lag > 1 or crit', 1).map((e) => [e.name, e.labels.component])).toEqual([['lag', 'db'], ['crit', 'mq']]);
  });

  it('without on(), signatures ignore only the metric name', () => {
    expect(vector(s, 'lag and crit', 1)).toHaveLength(2);
  });

  it('many-to-many matching is an evaluation error', () => {
    const t = newStore();
    put(t, 'a', { c: 'x' }, [[0, 1]]);
    put(t, 'b', { c: 'x', i: '1' }, [[0, 1]]);
    put(t, 'b', { c: 'x', i: '2' }, [[0, 1]]);
    expect(() => evaluate(parsePromql('a + on(c) b'), t, S)).toThrow(EvaluationError);
    expect(() => evaluate(parsePromql('a + on(c) b'), t, S)).toThrow(/many-to-many matching not allowed/);
    expect(() => evaluate(parsePromql('b + on(c) a'), t, S)).toThrow(/many-to-one matching must be explicit/);
  });
});

describe('aggregations', () => {
  const s = newStore();
  put(s, 'x', { c: 'a', i: '1' }, [[0, 1]]);
  put(s, 'x', { c: 'a', i: '2' }, [[0, 3]]);
  put(s, 'x', { c: 'b', i: '1' }, [[0, 10]]);
  const by = (op: string) => vector(s, `${op} by (c) (x)`, 1).map((e) => [e.labels, e.value]);

  it('sum by', () => expect(by('sum')).toEqual([[{ c: 'a' }, 4], [{ c: 'b' }, 10]]));
  it('min by', () => expect(by('min')).toEqual([[{ c: 'a' }, 1], [{ c: 'b' }, 10]]));
  it('max by', () => expect(by('max')).toEqual([[{ c: 'a' }, 3], [{ c: 'b' }, 10]]));
  it('avg by', () => expect(by('avg')).toEqual([[{ c: 'a' }, 2], [{ c: 'b' }, 10]]));
  it('count by', () => expect(by('count')).toEqual([[{ c: 'a' }, 2], [{ c: 'b' }, 1]]));
  it('without drops the listed labels', () => {
    expect(vector(s, 'sum without (i) (x)', 1).map((e) => [e.name, e.labels, e.value])).toEqual([[undefined, { c: 'a' }, 4], [undefined, { c: 'b' }, 10]]);
  });
  it('no grouping sums everything into one label-less element', () => {
    expect(vector(s, 'sum(x)', 1)).toEqual([{ name: undefined, labels: {}, value: 14 }]);
  });
  it('an empty input gives an empty result', () => expect(vector(s, 'sum(nothing)', 1)).toEqual([]));
});

describe('absent', () => {
  const s = newStore();
  put(s, 'up', { job: 'a' }, [[0, 1]]);
  it('is empty when the selector has series', () => expect(vector(s, 'absent(up)', 1)).toEqual([]));
  it('returns 1 with the equality-matcher labels when nothing matches', () => {
    expect(vector(s, 'absent(up{job="b", env=~"x"})', 1)).toEqual([{ name: undefined, labels: { job: 'b' }, value: 1 }]);
  });
  it('fires once a series has gone stale', () => expect(vector(s, 'absent(up{job="a"})', 61)).toEqual([{ name: undefined, labels: { job: 'a' }, value: 1 }]));
  it('has no labels over a non-selector', () => expect(vector(s, 'absent(sum(nothing))', 1)).toEqual([{ name: undefined, labels: {}, value: 1 }]));
});
