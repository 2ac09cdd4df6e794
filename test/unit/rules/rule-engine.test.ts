import { SignalStore } from '../../../src/signals/signal-store';
import { parseRuleFile, type RuleSet } from '../../../src/rules/load-rules';
import { RuleEngine } from '../../../src/rules/rule-engine';
import type { AlertTransition } from '../../../src/rules/alert';

const S = 1000;

function ruleSet(yaml: string, file = 'rules.yaml'): RuleSet {
  const rf = parseRuleFile(file, yaml);
  return { files: [file], groups: rf.groups, remediations: rf.remediations };
}

function setup(yaml: string) {
  const store = new SignalStore({ windowMs: 3_600_000, maxPointsPerSeries: 1000, stalenessMs: 60 * S });
  const engine = new RuleEngine({ store });
  const initial = engine.replace(ruleSet(yaml), 0);
  const sample = (name: string, labels: Record<string, string>, value: number, atSeconds: number): AlertTransition[] => {
    store.appendRaw(name, labels, value, atSeconds * S);
    return engine.onSamples([name], atSeconds * S);
  };
  return { store, engine, initial, sample };
}

const moves = (ts: readonly AlertTransition[]) => ts.map((t) => `${t.alert.name}:${t.from}->${t.to}`);

const LAG = `
groups:
  - name: lag
    rules:
      - alert: LagHigh
        expr: lag_seconds > 10
        for: 30s
        labels: { severity: P1, health: red }
        annotations:
          summary: "lag on {{ $labels.component }} is {{ $value }}s"
`;

describe('alert state machine (Prometheus rules/alerting.go)', () => {
  it('goes inactive -> pending -> firing after `for`, then resolves once', () => {
    const { engine, sample } = setup(LAG);
    expect(moves(sample('lag_seconds', { component: 'db' }, 20, 10))).toEqual(['LagHigh:inactive->pending']);
    expect(engine.activeAlerts()).toMatchObject([{ state: 'pending', activeAtMs: 10 * S }]);
    expect(moves(sample('lag_seconds', { component: 'db' }, 21, 20))).toEqual([]);
    expect(moves(engine.tick(39 * S))).toEqual([]);
    const fired = engine.tick(40 * S);
    expect(moves(fired)).toEqual(['LagHigh:pending->firing']);
    expect(fired[0]?.alert).toMatchObject({ state: 'firing', firedAtMs: 40 * S, value: 21 });
    const resolved = sample('lag_seconds', { component: 'db' }, 1, 50);
    expect(moves(resolved)).toEqual(['LagHigh:firing->inactive']);
    expect(resolved[0]?.alert).toMatchObject({ state: 'inactive', resolvedAtMs: 50 * S });
    expect(engine.activeAlerts()).toEqual([]);
    expect(moves(sample('lag_seconds', { component: 'db' }, 1, 60))).toEqual([]);
  });

  it('a pending alert whose condition stops goes back to inactive without firing', () => {
    const { sample } = setup(LAG);
    sample('lag_seconds', { component: 'db' }, 20, 0);
    expect(moves(sample('lag_seconds', { component: 'db' }, 5, 10))).toEqual(['LagHigh:pending->inactive']);
  });

  it('without `for` an alert fires on the sample that meets the condition', () => {
    const { sample } = setup(LAG.replace('for: 30s', ''));
    const t = sample('lag_seconds', { component: 'db' }, 20, 0);
    expect(moves(t)).toEqual(['LagHigh:inactive->firing']);
  });

  it('builds labels from the series (without __name__), the rule and alertname, and templates annotations', () => {
    const { engine, sample } = setup(LAG.replace('for: 30s', ''));
    sample('lag_seconds', { component: 'db', severity: 'ignored' }, 12.5, 0);
    const [a] = engine.activeAlerts();
    expect(a?.labels).toEqual({ component: 'db', severity: 'P1', health: 'red', alertname: 'LagHigh' });
    expect(a?.annotations).toEqual({ summary: 'lag on db is 12.5s' });
    expect(a?.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('keep_firing_for keeps a firing alert until the time has passed', () => {
    const { engine, sample } = setup(LAG.replace('for: 30s', 'keep_firing_for: 1m'));
    sample('lag_seconds', { component: 'db' }, 20, 0);
    expect(moves(sample('lag_seconds', { component: 'db' }, 1, 10))).toEqual([]);
    expect(engine.activeAlerts()).toMatchObject([{ state: 'firing' }]);
    expect(moves(engine.tick(69 * S))).toEqual([]);
    expect(moves(engine.tick(70 * S))).toEqual(['LagHigh:firing->inactive']);
  });

  it('keep_firing_for restarts when the condition holds again', () => {
    const { engine, sample } = setup(LAG.replace('for: 30s', 'keep_firing_for: 1m'));
    sample('lag_seconds', { component: 'db' }, 20, 0);
    sample('lag_seconds', { component: 'db' }, 1, 10);
    sample('lag_seconds', { component: 'db' }, 20, 50);
    sample('lag_seconds', { component: 'db' }, 1, 60);
    expect(moves(engine.tick(100 * S))).toEqual([]);
    expect(moves(engine.tick(120 * S))).toEqual(['LagHigh:firing->inactive']);
  });

  it('an alert resolves by tick when its series goes stale', () => {
    const { engine, sample } = setup(LAG.replace('for: 30s', ''));
    sample('lag_seconds', { component: 'db' }, 20, 0);
    expect(moves(engine.tick(60 * S - 1))).toEqual([]);
    // a sample exactly the lookback old is out (Prometheus 3's left-open lookback)
    expect(moves(engine.tick(60 * S))).toEqual(['LagHigh:firing->inactive']);
  });

  it('absent() fires by tick once a series has been silent longer than the staleness', () => {
    const { engine, sample } = setup(`
groups:
  - name: g
    rules:
      - alert: HeartbeatMissing
        expr: absent(heartbeat{component="db"})
`);
    sample('heartbeat', { component: 'db' }, 1, 0);
    expect(engine.activeAlerts()).toEqual([]);
    expect(moves(engine.tick(61 * S))).toEqual(['HeartbeatMissing:inactive->firing']);
    expect(engine.activeAlerts()[0]?.labels).toEqual({ component: 'db', alertname: 'HeartbeatMissing' });
  });

  it('a range-function rule resolves by tick once its window has passed', () => {
    const { engine, sample } = setup(`
groups:
  - name: g
    rules:
      - alert: Violation
        expr: increase(violations_total[5m]) > 0
`);
    sample('violations_total', {}, 0, 0);
    expect(moves(sample('violations_total', {}, 1, 60))).toEqual(['Violation:inactive->firing']);
    expect(moves(engine.tick(299 * S))).toEqual([]);
    // the window (0s, 300s] no longer holds the sample at 0s: one sample is not enough for increase()
    expect(moves(engine.tick(300 * S))).toEqual(['Violation:firing->inactive']);
  });

  it("the timer honours a group's interval for time-driven rules", () => {
    const { engine, store } = setup(`
groups:
  - name: slow
    interval: 1m
    rules:
      - alert: Missing
        expr: absent(x)
`);
    engine.tick(0);
    store.appendRaw('y', {}, 1, 0);
    expect(engine.activeAlerts()).toHaveLength(1);
    store.appendRaw('x', {}, 1, 10 * S);
    expect(moves(engine.tick(30 * S))).toEqual([]); // not due: the group runs every minute
    expect(moves(engine.tick(60 * S))).toEqual(['Missing:firing->inactive']);
  });

  it('an evaluation error is recorded on the rule, not thrown, and keeps the alerts as they were', () => {
    const { engine, sample } = setup(`
groups:
  - name: g
    rules:
      - alert: Ratio
        expr: a / on(c) b > 1
`);
    sample('b', { c: 'x', i: '1' }, 1, 0);
    expect(moves(sample('a', { c: 'x' }, 5, 1))).toEqual(['Ratio:inactive->firing']);
    expect(() => sample('b', { c: 'x', i: '2' }, 1, 2)).not.toThrow();
    const [group] = engine.groupsStatus();
    expect(group?.rules[0]).toMatchObject({ health: 'err', state: 'firing' });
    expect(group?.rules[0]?.lastError).toMatch(/many-to-many matching not allowed/);
    expect(engine.activeAlerts()).toHaveLength(1);
  });
});

describe('the rule index: a sample re-evaluates only the rules that select its metric', () => {
  const many = (n: number) =>
    `groups:\n  - name: g\n    rules:\n${Array.from({ length: n }, (_, i) => `      - alert: R${i}\n        expr: other_${i} > 1\n`).join('')}      - alert: Mine\n        expr: mine > 1\n`;

  it('counts the rules selecting a metric', () => {
    const { engine } = setup(many(100));
    expect(engine.rulesSelecting('mine')).toBe(1);
    expect(engine.rulesSelecting('other_7')).toBe(1);
    expect(engine.rulesSelecting('nobody')).toBe(0);
  });

  it('a sample for X does not evaluate rules on Y', () => {
    const { engine, sample } = setup(many(100));
    const before = engine.groupsStatus()[0]?.rules.map((r) => r.lastEvaluation);
    sample('mine', {}, 5, 10);
    const after = engine.groupsStatus()[0]?.rules ?? [];
    expect(after.find((r) => r.name === 'Mine')?.lastEvaluation).toBe(new Date(10 * S).toISOString());
    expect(after.filter((r) => r.name !== 'Mine').map((r) => r.lastEvaluation)).toEqual(before?.slice(0, 100));
  });

  it('a rule selecting two touched metrics is evaluated once per batch', () => {
    const { engine, store } = setup(`
groups:
  - name: g
    rules:
      - alert: Both
        expr: a > 1 and b > 1
`);
    store.appendRaw('a', {}, 2, 0);
    store.appendRaw('b', {}, 2, 0);
    const before = engine.evaluationCounts()[0]!.evaluations;
    expect(moves(engine.onSamples(['a', 'b', 'a'], 1))).toEqual(['Both:inactive->firing']);
    expect(engine.evaluationCounts()).toEqual([{ group: 'g', evaluations: before + 1 }]);
    engine.onSamples(['b'], 2);
    expect(engine.evaluationCounts()).toEqual([{ group: 'g', evaluations: before + 2 }]);
  });

  it('a selector without a metric name is evaluated for every metric', () => {
    const { engine, sample } = setup(`
groups:
  - name: g
    rules:
      - alert: AnyDown
        expr: '{job="api"} == 0'
`);
    expect(engine.rulesSelecting('whatever')).toBe(1);
    expect(moves(sample('whatever', { job: 'api' }, 0, 1))).toEqual(['AnyDown:inactive->firing']);
  });
});

describe('replace (hot reload)', () => {
  it('keeps the state of unchanged rules and resolves the alerts of removed ones', () => {
    const both = `${LAG}
      - alert: Other
        expr: other > 0
`;
    const { engine, store, sample } = setup(both);
    sample('lag_seconds', { component: 'db' }, 20, 0);
    engine.tick(30 * S);
    sample('other', {}, 1, 31);
    expect(engine.activeAlerts().map((a) => `${a.name}:${a.state}`).sort()).toEqual(['LagHigh:firing', 'Other:firing']);
    const firedAt = engine.activeAlerts().find((a) => a.name === 'LagHigh')?.firedAtMs;

    const transitions = engine.replace(ruleSet(LAG), 40 * S);
    expect(moves(transitions)).toEqual(['Other:firing->inactive']);
    expect(engine.activeAlerts()).toMatchObject([{ name: 'LagHigh', state: 'firing', firedAtMs: firedAt, activeAtMs: 0 }]);
    store.appendRaw('other', {}, 1, 41 * S);
    expect(engine.onSamples(['other'], 41 * S)).toEqual([]);
  });

  it('a new rule is evaluated at once against the data already there', () => {
    const { engine, store } = setup(LAG);
    store.appendRaw('other', {}, 1, 0);
    const t = engine.replace(ruleSet(`${LAG}\n      - alert: Other\n        expr: other > 0\n`), S);
    expect(moves(t)).toEqual(['Other:inactive->firing']);
  });
});

describe('groupsStatus', () => {
  it('reports groups and rules like /api/v1/rules', () => {
    const { engine, sample } = setup(LAG);
    sample('lag_seconds', { component: 'db' }, 20, 5);
    const [g] = engine.groupsStatus();
    expect(g).toMatchObject({ name: 'lag', file: 'rules.yaml', interval: null, lastEvaluation: new Date(5 * S).toISOString() });
    expect(g?.rules[0]).toMatchObject({
      type: 'alerting', name: 'LagHigh', query: 'lag_seconds > 10', duration: 30, keepFiringFor: 0, state: 'pending', health: 'ok', lastError: '',
      labels: { severity: 'P1', health: 'red' },
      alerts: [{ state: 'pending', value: '20', labels: { alertname: 'LagHigh', component: 'db' } }],
    });
    expect(typeof g?.rules[0]?.evaluationTime).toBe('number');
  });
});
