import { SignalStore } from '../../../src/signals/signal-store';
import { parseRuleFile, type RuleSet } from '../../../src/rules/load-rules';
import { RuleEngine } from '../../../src/rules/rule-engine';
import type { AlertTransition } from '../../../src/rules/alert';
import { evaluate } from '../../../src/rules/promql-evaluate';
import { parsePromql } from '../../../src/rules/promql-parse';
import { isStaleMarker } from '../../../src/rules/stale-marker';
import type { Series } from '../../../src/signals/series';

const S = 1000;

function ruleSet(yaml: string): RuleSet {
  const rf = parseRuleFile('rules.yaml', yaml);
  return { files: ['rules.yaml'], groups: rf.groups, remediations: rf.remediations };
}

function setup(yaml: string, opts: { maxSeries?: number; externalLabels?: Record<string, string> } = {}) {
  const store = new SignalStore({
    windowMs: 3_600_000, maxPointsPerSeries: 1000, stalenessMs: 60 * S,
    ...(opts.maxSeries ? { limits: { maxSeries: opts.maxSeries, maxSeriesPerMetric: opts.maxSeries } } : {}),
  });
  const engine = new RuleEngine({ store, externalLabels: opts.externalLabels });
  engine.replace(ruleSet(yaml), 0);
  /** Pushes samples as the evaluation loop does: appended, then one incremental batch. */
  const push = (atSeconds: number, ...samples: Array<[string, Record<string, string>, number]>): AlertTransition[] => {
    const touched = new Map<string, Series[]>();
    for (const [name, labels, value] of samples) {
      const s = store.appendSeries(name, labels, value, atSeconds * S);
      if (s) touched.set(name, [...(touched.get(name) ?? []), s]);
    }
    return engine.onSamples(touched.keys(), atSeconds * S, touched);
  };
  const query = (expr: string, atSeconds: number) => {
    const r = evaluate(parsePromql(expr), store, atSeconds * S);
    return r.type === 'scalar' ? [{ labels: {}, value: r.value }] : r.vector.map((el) => ({ ...(el.name ? { __name__: el.name } : {}), ...el.labels, value: el.value }));
  };
  const status = (name: string) => engine.groupsStatus().flatMap((g) => g.rules).find((r) => r.name === name);
  return { store, engine, push, query, status };
}

const moves = (ts: readonly AlertTransition[]) => ts.map((t) => `${t.alert.name}:${t.from}->${t.to}`);

describe('recording rules (Prometheus rules/recording.go)', () => {
  const CHAIN = `
groups:
  - name: lag
    rules:
      - record: component:lag_seconds:max
        expr: max by (component) (lag_seconds)
        labels: { source: recorded }
      - alert: LagHigh
        expr: component:lag_seconds:max > 10
        labels: { severity: P1 }
        annotations: { summary: "{{ $labels.component }} {{ $value }}" }
`;

  it('writes the output as a series named `record` with the rule labels, which the next rule reads in the same batch', () => {
    const { push, query, engine } = setup(CHAIN);
    expect(moves(push(10, ['lag_seconds', { component: 'db', instance: 'a' }, 4], ['lag_seconds', { component: 'db', instance: 'b' }, 12]))).toEqual(['LagHigh:inactive->firing']);
    expect(query('component:lag_seconds:max', 10)).toEqual([{ __name__: 'component:lag_seconds:max', component: 'db', source: 'recorded', value: 12 }]);
    expect(engine.activeAlerts()[0]).toMatchObject({ labels: { alertname: 'LagHigh', component: 'db', source: 'recorded', severity: 'P1' }, annotations: { summary: 'db 12' } });
    expect(moves(push(20, ['lag_seconds', { component: 'db', instance: 'b' }, 3]))).toEqual(['LagHigh:firing->inactive']);
    expect(query('component:lag_seconds:max', 20)).toEqual([{ __name__: 'component:lag_seconds:max', component: 'db', source: 'recorded', value: 4 }]);
  });

  it('evaluates a scoped recording rule incrementally: only the touched outputs are written', () => {
    const { push, store, engine } = setup(`
groups:
  - name: g
    rules:
      - record: lag_ms
        expr: lag_seconds * 1000
      - alert: LagMsHigh
        expr: lag_ms > 10000
`);
    expect(engine.ruleShapes()).toEqual(['scoped', 'scoped']);
    push(1, ['lag_seconds', { component: 'a' }, 1], ['lag_seconds', { component: 'b' }, 2]);
    expect(moves(push(2, ['lag_seconds', { component: 'b' }, 11]))).toEqual(['LagMsHigh:inactive->firing']);
    const last = (c: string) => [...store.seriesOf('lag_ms')].find((s) => s.labels.component === c)?.lastTimestampMs;
    expect([last('a'), last('b')]).toEqual([1 * S, 2 * S]);
  });

  it('marks an output stale once the rule stops returning it, and the timer samples outputs at every evaluation', () => {
    const { push, query, engine, store } = setup(CHAIN);
    push(0, ['lag_seconds', { component: 'db', instance: 'a' }, 20]);
    engine.tick(30 * S);
    const recorded = [...store.seriesOf('component:lag_seconds:max')][0] as Series;
    expect(recorded.lastTimestampMs).toBe(30 * S);
    expect(query('component:lag_seconds:max', 59)).toHaveLength(1);
    // lag_seconds is out of the 60 s lookback at 60 s: the timer's evaluation ends the recorded series
    expect(moves(engine.tick(60 * S))).toEqual(['LagHigh:firing->inactive']);
    expect(isStaleMarker(recorded.lastValue)).toBe(true);
    expect(query('component:lag_seconds:max', 60)).toEqual([]);
  });

  it('a rule reading an output written after it (or its own) sees it at the next tick, as Prometheus one interval later', () => {
    const { push, engine } = setup(`
groups:
  - name: g
    rules:
      - alert: DoubledHigh
        expr: doubled > 10
      - record: doubled
        expr: x * 2
`);
    expect(moves(push(1, ['x', { a: '1' }, 6]))).toEqual([]);
    expect(moves(engine.tick(2 * S))).toEqual(['DoubledHigh:inactive->firing']);
  });

  it('fails the rule, writing nothing, on a duplicate label set, the group limit or the series limit', () => {
    const dup = setup('groups:\n  - name: g\n    rules:\n      - record: r\n        expr: x\n        labels: { instance: same }\n');
    dup.push(1, ['x', { instance: 'a' }, 1], ['x', { instance: 'b' }, 2]);
    expect(dup.status('r')).toMatchObject({ health: 'err', lastError: 'vector contains metrics with the same labelset after applying rule labels' });
    expect([...dup.store.seriesOf('r')]).toEqual([]);

    const limited = setup('groups:\n  - name: g\n    limit: 1\n    rules:\n      - record: r\n        expr: x\n');
    limited.push(1, ['x', { instance: 'a' }, 1], ['x', { instance: 'b' }, 2]);
    expect(limited.status('r')).toMatchObject({ health: 'err', lastError: 'exceeded limit of 1 with 2 series' });

    const bounded = setup('groups:\n  - name: g\n    rules:\n      - record: r\n        expr: x\n', { maxSeries: 3 });
    bounded.push(1, ['x', { instance: 'a' }, 1], ['x', { instance: 'b' }, 2]);
    expect(bounded.status('r')).toMatchObject({ health: 'err', lastError: expect.stringContaining('recorded series not written: a new series of metric "r" would take Warden past 3 series') });
    expect([...bounded.store.seriesOf('r')]).toEqual([]);
    expect(bounded.store.seriesCount).toBe(2);
  });

  it('a second evaluation at the same instant replaces the value it wrote', () => {
    const { push, query } = setup('groups:\n  - name: g\n    rules:\n      - record: r\n        expr: sum(x)\n');
    push(5, ['x', { i: 'a' }, 1]);
    push(5, ['x', { i: 'b' }, 2]);
    expect(query('r', 5)).toEqual([{ __name__: 'r', value: 3 }]);
  });

  it('evaluates a group with query_offset that far in the past and writes at that instant', () => {
    const { push, engine, store } = setup('groups:\n  - name: g\n    query_offset: 10s\n    rules:\n      - record: r\n        expr: x\n');
    push(0, ['x', {}, 1]);
    push(20, ['x', {}, 2]);
    engine.tick(25 * S);
    const s = [...store.seriesOf('r')][0] as Series;
    expect([s.lastTimestampMs, s.lastValue]).toEqual([15 * S, 1]);
  });

  it('marks the series of a rule removed by a reload stale', () => {
    const { push, engine, query } = setup('groups:\n  - name: g\n    rules:\n      - record: r\n        expr: x\n');
    push(1, ['x', {}, 1]);
    engine.replace(ruleSet('groups: []\n'), 2 * S);
    expect(query('r', 3)).toEqual([]);
  });
});

describe('ALERTS and ALERTS_FOR_STATE (Prometheus rules/alerting.go)', () => {
  const META = `
groups:
  - name: g
    rules:
      - alert: LagHigh
        expr: lag > 10
        for: 10s
        labels: { severity: P1, team: "{{ $labels.nope }}" }
      - alert: ManyFiring
        expr: count(ALERTS{alertstate="firing", alertname="LagHigh"}) >= 1
`;

  it('are written for pending and firing alerts and read by rules after them in the same pass', () => {
    const { push, engine, query } = setup(META);
    push(0, ['lag', { c: 'db' }, 20]);
    // a label whose template rendered empty is no alert label; ALERTS keeps the text as written (as Prometheus)
    expect(query('ALERTS', 0)).toEqual([{ __name__: 'ALERTS', alertname: 'LagHigh', alertstate: 'pending', c: 'db', severity: 'P1', team: '{{ $labels.nope }}', value: 1 }]);
    expect(engine.activeAlerts()[0]?.labels).toEqual({ alertname: 'LagHigh', c: 'db', severity: 'P1' });
    expect(moves(engine.tick(10 * S))).toEqual(['LagHigh:pending->firing', 'ManyFiring:inactive->firing']);
    expect(query('ALERTS{alertname="LagHigh"}', 10)).toEqual([{ __name__: 'ALERTS', alertname: 'LagHigh', alertstate: 'firing', c: 'db', severity: 'P1', team: '{{ $labels.nope }}', value: 1 }]);
    expect(query('ALERTS_FOR_STATE', 10)).toEqual([
      { __name__: 'ALERTS_FOR_STATE', alertname: 'LagHigh', c: 'db', severity: 'P1', team: '{{ $labels.nope }}', value: 0 },
      { __name__: 'ALERTS_FOR_STATE', alertname: 'ManyFiring', value: 10 },
    ]);
    expect(moves(push(20, ['lag', { c: 'db' }, 1]))).toEqual(['LagHigh:firing->inactive', 'ManyFiring:firing->inactive']);
    expect(query('ALERTS', 20)).toEqual([]);
  });

  it('are not written when no loaded rule reads them', () => {
    const { push, store } = setup('groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: x > 1\n');
    push(0, ['x', {}, 2]);
    expect([...store.seriesOf('ALERTS')]).toEqual([]);
  });
});

describe('templates over the store', () => {
  it('query reads Warden\'s store at the evaluation instant; $externalLabels come from the options', () => {
    const { push, engine } = setup(`
groups:
  - name: g
    rules:
      - alert: A
        expr: x > 1
        annotations:
          peers: '{{ range query "sum(x)" }}{{ .Value }}{{ end }} in {{ $externalLabels.cluster }}'
          bad: '{{ query "sum(" }}'
`, { externalLabels: { cluster: 'eu-1' } });
    push(0, ['x', { i: 'a' }, 2], ['x', { i: 'b' }, 3]);
    const annotations = engine.activeAlerts().map((a) => a.annotations);
    expect(annotations[0]?.peers).toBe('5 in eu-1');
    expect(annotations[0]?.bad).toMatch(/^<error expanding template: .*invalid query "sum\(": /);
  });
});
