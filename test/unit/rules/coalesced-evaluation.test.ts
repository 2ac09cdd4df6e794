import { SignalStore } from '../../../src/signals/signal-store';
import { parseRuleFile } from '../../../src/rules/load-rules';
import { RuleEngine } from '../../../src/rules/rule-engine';
import type { AlertTransition } from '../../../src/rules/alert';

const RULES = `groups:
  - name: g
    rules:
      - alert: TooMuchLoad
        expr: sum by (component) (load) > 10
`;

function setup(coalesceMs: number) {
  const store = new SignalStore({ windowMs: 60_000, maxPointsPerSeries: 16, stalenessMs: 60_000 });
  const engine = new RuleEngine({ store, coalesceMs });
  const rf = parseRuleFile('r.yaml', RULES);
  engine.replace({ files: ['r.yaml'], groups: rf.groups, remediations: rf.remediations }, 0);
  const push = (pod: string, value: number, atMs: number): AlertTransition[] => {
    const series = store.appendSeries('load', { component: 'db', pod }, value, atMs);
    return engine.onSamples(['load'], atMs, new Map([['load', [series!]]]));
  };
  return { engine, push };
}

describe('coalesced evaluation (aggregations are not incremental)', () => {
  it('a rule evaluated less than the window ago is put off, then caught up by flushDeferred with the same result', () => {
    const { engine, push } = setup(5);
    expect(push('a', 6, 100)).toEqual([]); // 100 ms after the load: evaluated at once
    expect(push('b', 6, 102)).toEqual([]); // 2 ms later: put off
    expect(engine.hasDeferred).toBe(true);
    expect(engine.activeAlerts()).toEqual([]);
    const flushed = engine.flushDeferred(105);
    expect(flushed.map((t) => `${t.alert.name}:${t.from}->${t.to}`)).toEqual(['TooMuchLoad:inactive->firing']);
    expect(engine.hasDeferred).toBe(false);
  });

  it('the tick also evaluates what coalescing put off', () => {
    const { engine, push } = setup(5);
    push('a', 6, 100);
    push('b', 6, 101);
    expect(engine.tick(1000).map((t) => t.to)).toContain('firing');
  });

  it('with a window of 0 every batch evaluates at once (warden rules test, exactness)', () => {
    const { engine, push } = setup(0);
    push('a', 6, 100);
    expect(push('b', 6, 100).map((t) => t.to)).toEqual(['firing']);
    expect(engine.hasDeferred).toBe(false);
  });
});
