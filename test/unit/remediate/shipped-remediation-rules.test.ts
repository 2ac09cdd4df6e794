import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlertTransition } from '../../../src/rules/alert';
import { loadRuleFiles, parseRuleFile } from '../../../src/rules/load-rules';
import { runRuleTestFile } from '../../../src/rules/testing/rule-test-runner';
import '../../../src/remediate/exp-remediations';
import { RuleEngine } from '../../../src/rules/rule-engine';
import { remediationsFor } from '../../../src/remediate/remediation-matcher';
import { SignalStore } from '../../../src/signals/signal-store';

const RULES = join(__dirname, '..', '..', '..', 'rules');
const FILE = join(RULES, 'remediation.rules.yaml');

/** Loads the shipped file into a real rule engine, pushes samples for 3 minutes, returns what fires. */
async function firingFor(samples: Array<{ name: string; component: string; values: (tMs: number) => number }>) {
  const set = await loadRuleFiles(['exchange.rules.yaml', 'remediation.rules.yaml'], RULES);
  const store = new SignalStore({ windowMs: 15 * 60_000, maxPointsPerSeries: 4096, stalenessMs: 60_000 });
  const engine = new RuleEngine({ store });
  const rules = set.remediations.map((r) => r.rule);
  const t0 = 1_700_000_000_000;
  engine.replace(set, t0);
  const fired: AlertTransition[] = [];
  for (let t = t0; t <= t0 + 180_000; t += 5_000) {
    for (const s of samples) store.appendRaw(s.name, { component: s.component }, s.values(t - t0), t);
    fired.push(...engine.onSamples(samples.map((s) => s.name), t), ...engine.tick(t));
  }
  const firing = fired.filter((tr) => tr.to === 'firing');
  return firing.flatMap((tr) => remediationsFor(tr.alert, rules).map((m) => ({ alert: tr.alert.name, name: m.rule.name, action: m.rule.action, target: m.target, verify: m.verifyExpr })));
}

describe('rules/remediation.rules.yaml (spec §11.2, §8.2)', () => {
  it('loads: three alerts of its own and five remediations with cooldowns and budgets', () => {
    const file = parseRuleFile(FILE, readFileSync(FILE, 'utf8'));
    expect(file.groups.flatMap((g) => g.rules.map((r) => r.name))).toEqual(['MemoryLeak', 'DbConnectionLeak', 'DiskFull']);
    expect(file.remediations.map((r) => r.rule.action)).toEqual(['restart', 'restart', 'reap_connections', 'archive_logs', 'halt_trading']);
    for (const { rule } of file.remediations) {
      expect(rule.cooldown).toBeGreaterThan(0);
      expect(rule.max_per_window?.count).toBeGreaterThan(0);
    }
  });

  it('ships automatic: no rule waits for approval (issue 13 §2: reap and archive stay automatic; README says how to opt in)', () => {
    const file = parseRuleFile(FILE, readFileSync(FILE, 'utf8'));
    expect(file.remediations.filter((r) => r.rule.approval !== undefined).map((r) => r.rule.name)).toEqual([]);
  });

  it('a service that is down is restarted', async () => {
    expect(await firingFor([{ name: 'component_up', component: 'settlement', values: () => 0 }])).toEqual([
      { alert: 'ComponentDown', name: 'restart-down-service', action: 'restart', target: 'settlement', verify: 'component_up{component="settlement"} == 1' },
    ]);
  });

  it('memory above 80% for 15 s restarts the service; exactly 80% does not', async () => {
    expect((await firingFor([{ name: 'memory_used_ratio', component: 'market-data', values: () => 0.81 }])).map((m) => [m.action, m.target])).toEqual([['restart', 'market-data']]);
    expect(await firingFor([{ name: 'memory_used_ratio', component: 'market-data', values: () => 0.8 }])).toEqual([]);
  });

  it('database connections at 90% reap connections idle more than 5 minutes', async () => {
    const out = await firingFor([{ name: 'db_connections_used_ratio', component: 'order-gateway', values: () => 0.9 }]);
    expect(out.map((m) => [m.action, m.target])).toEqual([['reap_connections', 'order-gateway']]);
  });

  it('a log disk at 90% archives old logs', async () => {
    expect((await firingFor([{ name: 'disk_used_ratio', component: 'reporting', values: () => 0.95 }])).map((m) => [m.action, m.target])).toEqual([['archive_logs', 'reporting']]);
  });

  it('an invariant violation halts trading at once', async () => {
    const out = await firingFor([{ name: 'invariant_violations_total', component: 'settlement', values: (t) => (t >= 30_000 ? 1 : 0) }]);
    expect(out.map((m) => [m.action, m.target])).toEqual([['halt_trading', 'exchange']]);
  });

  it('healthy signals trigger nothing', async () => {
    expect(
      await firingFor([
        { name: 'component_up', component: 'settlement', values: () => 1 },
        { name: 'memory_used_ratio', component: 'settlement', values: () => 0.4 },
        { name: 'disk_used_ratio', component: 'settlement', values: () => 0.5 },
        { name: 'invariant_violations_total', component: 'settlement', values: () => 0 },
      ]),
    ).toEqual([]);
  });

  it('its rule unit tests pass through `warden rules test` with exp_remediations', async () => {
    const result = await runRuleTestFile(join(RULES, 'tests', 'remediation.rules.test.yaml'));
    expect(result).toMatchObject({ errors: [], failures: [], ok: true });
  });
});
