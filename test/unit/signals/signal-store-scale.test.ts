import { SignalStore } from '../../../src/signals/signal-store';
import { parsePromql } from '../../../src/rules/promql-parse';
import { evaluate } from '../../../src/rules/promql-evaluate';
import { parseRuleFile } from '../../../src/rules/load-rules';
import { RuleEngine } from '../../../src/rules/rule-engine';

const S = 1000;
const store = (over: Partial<ConstructorParameters<typeof SignalStore>[0]> = {}) => new SignalStore({ windowMs: 10 * 60 * S, maxPointsPerSeries: 64, stalenessMs: 60 * S, ...over });

function query(s: SignalStore, expr: string, atMs: number): string[] {
  const v = evaluate(parsePromql(expr), s, atMs);
  if (v.type !== 'vector') throw new Error('expected a vector');
  return v.vector.map((el) => JSON.stringify(el.labels)).sort();
}

describe('selectors through the postings index', () => {
  const s = store();
  s.appendRaw('m', { component: 'db', instance: 'a' }, 1, 1000);
  s.appendRaw('m', { component: 'db', instance: 'b' }, 2, 1000);
  s.appendRaw('m', { component: 'api', instance: 'c' }, 3, 1000);
  s.appendRaw('m', { instance: 'd' }, 4, 1000);
  s.appendRaw('m', { component: '', instance: 'e' }, 5, 1000);
  s.appendRaw('other', { component: 'db' }, 6, 1000);

  it.each([
    ['m{component="db"}', ['{"component":"db","instance":"a"}', '{"component":"db","instance":"b"}']],
    ['m{component="db", instance="b"}', ['{"component":"db","instance":"b"}']],
    ['m{component="nope"}', []],
    ['m{component=~"d.|ap."}', ['{"component":"api","instance":"c"}', '{"component":"db","instance":"a"}', '{"component":"db","instance":"b"}']],
    ['m{component!="db"}', ['{"component":"","instance":"e"}', '{"component":"api","instance":"c"}', '{"instance":"d"}']],
    ['m{component!~"db|api"}', ['{"component":"","instance":"e"}', '{"instance":"d"}']],
    // an empty value is "no label": it matches series without the label, like Prometheus
    ['m{component=""}', ['{"component":"","instance":"e"}', '{"instance":"d"}']],
    ['m{component=~"|api"}', ['{"component":"","instance":"e"}', '{"component":"api","instance":"c"}', '{"instance":"d"}']],
    ['{__name__=~"m|other", component="db"}', ['{"component":"db","instance":"a"}', '{"component":"db","instance":"b"}', '{"component":"db"}']],
  ])('%s selects exactly the matching series', (expr, want) => {
    expect(query(s, expr, 2000)).toEqual(want);
  });

  it('an evicted series leaves the postings: it is selected by nothing', () => {
    const t = store();
    t.appendRaw('m', { component: 'db', instance: 'a' }, 1, 1000);
    t.appendRaw('m', { component: 'db', instance: 'b' }, 1, 5000);
    expect(t.evictIdle(2000, Infinity)).toBe(1);
    expect(query(t, 'm{instance="a"}', 6000)).toEqual([]);
    expect(query(t, 'm{component="db"}', 6000)).toEqual(['{"component":"db","instance":"b"}']);
  });
});

describe('eviction from the tick: bounded slices', () => {
  it('visits at most the budget per call and, over several calls, evicts every idle series and only those', () => {
    const s = store();
    for (let i = 0; i < 250; i++) s.appendRaw(`m${i % 3}`, { pod: `p${i}` }, 1, i % 2 === 0 ? 1000 : 90_000);
    let evicted = 0;
    const perCall: number[] = [];
    for (let call = 0; call < 10; call++) {
      const n = s.evictIdle(50_000, 40);
      perCall.push(n);
      evicted += n;
    }
    expect(Math.max(...perCall)).toBeLessThanOrEqual(40);
    expect(evicted).toBe(125);
    expect(s.seriesCount).toBe(125);
    expect(s.evictedTotal).toBe(125);
    // a series that was evicted comes back as new when it reports again
    s.appendRaw('m0', { pod: 'p0' }, 1, 100_000);
    expect(s.seriesCount).toBe(126);
  });
});

describe('eviction in turns of bounded time (issue 9: a large churn must not hold the event loop)', () => {
  it('stops soon after its deadline, resumes where it stopped, and says when a pass has ended', () => {
    const s = store();
    for (let i = 0; i < 5_000; i++) s.appendRaw('m', { pod: `p${i}` }, 1, 1000);
    // A deadline already past: the sweep stops at its first time check (every 256 series).
    const first = s.evictIdleUntil(50_000, 10_000, performance.now() - 1);
    expect(first).toEqual({ visited: 255, evicted: 255, passEnded: false });
    let left = s.seriesCount;
    let turns = 0;
    for (let r = first; !r.passEnded; turns++) {
      r = s.evictIdleUntil(50_000, 10_000, performance.now() - 1);
      left -= r.evicted;
    }
    expect(s.seriesCount).toBe(0);
    expect(left).toBe(0);
    expect(turns).toBeGreaterThanOrEqual(Math.floor(4_745 / 256));
  });
});

describe('history only for metrics a rule reads with a range', () => {
  const rules = `groups:
  - name: g
    rules:
      - alert: Rising
        expr: increase(errors_total[2m]) > 0
      - alert: Hot
        expr: temperature > 50
`;
  function loaded(): SignalStore {
    const s = store();
    const rf = parseRuleFile('r.yaml', rules);
    new RuleEngine({ store: s, history: { marginMs: 15 * S } }).replace({ files: ['r.yaml'], groups: rf.groups, remediations: rf.remediations }, 0);
    return s;
  }

  it('a metric read by a range keeps the range plus the margin; others keep their latest point only', () => {
    const s = loaded();
    for (let t = 1; t <= 30; t++) {
      s.appendRaw('errors_total', { pod: 'a' }, t, t * 10 * S);
      s.appendRaw('temperature', { pod: 'a' }, t, t * 10 * S);
    }
    const [errors] = [...s.seriesOf('errors_total')];
    const [temperature] = [...s.seriesOf('temperature')];
    // 2 m + 15 s of 10 s points: the points newer than 300 s - 135 s
    expect(errors!.size).toBe(14);
    expect(temperature!.size).toBe(2); // the latest point and the one before it
    expect(query(s, 'temperature', 300 * S)).toEqual(['{"pod":"a"}']);
  });

  it('a reload that starts reading a metric with a range gives its series history from then on', () => {
    const s = loaded();
    s.appendRaw('temperature', { pod: 'a' }, 1, 10 * S);
    const rf = parseRuleFile('r.yaml', rules.replace('temperature > 50', 'max_over_time(temperature[1m]) > 50'));
    new RuleEngine({ store: s, history: { marginMs: 0 } }).replace({ files: ['r.yaml'], groups: rf.groups, remediations: rf.remediations }, 0);
    s.appendRaw('temperature', { pod: 'a' }, 2, 20 * S);
    s.appendRaw('temperature', { pod: 'a' }, 3, 30 * S);
    expect([...s.seriesOf('temperature')][0]!.size).toBe(3);
  });
});
