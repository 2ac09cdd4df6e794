import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { registerRulesCommands } from '../../../src/cli/rules-command';

const ROOT = join(__dirname, '..', '..', '..');
const run = promisify(execFile);

/** Runs `warden rules ...` through a real commander program, capturing output and exit code. */
async function warden(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  let code = 0;
  const program = new Command('warden').exitOverride();
  registerRulesCommands(program, { output: { out: (l) => out.push(l), err: (l) => err.push(l) }, setExitCode: (c) => (code = c) });
  await program.parseAsync(['node', 'warden', 'rules', ...args]);
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'warden-rules-cli-'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

const GOOD = file('good.rules.yaml', `groups:
  - name: lag
    rules:
      - alert: LagHigh
        expr: lag_seconds > 10
        for: 1m
        labels: { health: red, severity: P1 }
        annotations:
          summary: "lag on {{ $labels.component }} is {{ $value }}s"
remediations:
  - name: restart-on-lag
    on: { alert: LagHigh }
    action: restart
    target: "{{ $labels.component }}"
    params: { driver: command, argv: [systemctl, restart, "{{target}}"] }
`);

const BAD = file('bad.rules.yaml', `groups:
  - name: g
    rules:
      - alert: A
        expr: rate(x[5m]) offset 1m
      - alert: B
        expr: histogram_count(x)
`);

describe('warden rules check', () => {
  it('prints groups, rules and remediations per file and exits 0', async () => {
    const r = await warden('check', GOOD, join(ROOT, 'rules', 'exchange.rules.yaml'));
    expect(r.code).toBe(0);
    expect(r.out).toEqual([`${GOOD}: 1 groups, 1 rules, 1 remediations`, `${join(ROOT, 'rules', 'exchange.rules.yaml')}: 3 groups, 9 rules, 0 remediations`]);
    expect(r.err).toEqual([]);
  });

  it('exits 1 with file:line:col: message for every error', async () => {
    const r = await warden('check', BAD, GOOD);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      `${BAD}:5:15: groups[0].rules[0].expr: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery`,
      `${BAD}:7:15: groups[0].rules[1].expr: unsupported function "histogram_count"`,
    ]);
    expect(r.out).toEqual([`${GOOD}: 1 groups, 1 rules, 1 remediations`]);
  });

  it('reports a missing file', async () => {
    const r = await warden('check', join(dir, 'nope.yaml'));
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(/nope\.yaml: .*ENOENT/);
  });
});

const TEST_OK = file('ok.test.yaml', `rule_files: [good.rules.yaml]
evaluation_interval: 30s
tests:
  - name: lag above 10 s fires after 1m
    interval: 30s
    components: [{ name: db, critical: true }]
    input_series:
      - series: 'lag_seconds{component="db"}'
        values: '5 20x4'
    alert_rule_test:
      - eval_time: 1m
        alertname: LagHigh
        exp_alerts: []
      - eval_time: 90s
        alertname: LagHigh
        exp_alerts:
          - exp_labels: { component: db, health: red, severity: P1 }
            exp_annotations: { summary: "lag on db is 20s" }
    exp_health:
      - { eval_time: 1m, status: green, components: { db: green } }
      - { eval_time: 90s, status: red, components: { db: red } }
`);

describe('warden rules test', () => {
  it('prints SUCCESS and exits 0 when every assertion holds', async () => {
    const r = await warden('test', TEST_OK);
    expect(r).toEqual({ code: 0, out: [`Unit Testing:  ${TEST_OK}`, '  SUCCESS'], err: [] });
  });

  it('prints FAILED with what was expected and what came, and exits 1', async () => {
    const failing = file('fail.test.yaml', `rule_files: [good.rules.yaml]
evaluation_interval: 30s
tests:
  - name: wrong expectations
    interval: 30s
    components: [{ name: db, critical: true }]
    input_series:
      - series: 'lag_seconds{component="db"}'
        values: '20x4'
    alert_rule_test:
      - eval_time: 1m
        alertname: LagHigh
        exp_alerts: []
    exp_health:
      - { eval_time: 1m, status: yellow }
`);
    const r = await warden('test', failing);
    expect(r.code).toBe(1);
    const text = r.out.join('\n');
    expect(text).toContain('  FAILED:');
    expect(text).toContain('    wrong expectations:');
    expect(text).toContain('alertname: LagHigh, time: 1m,\n        exp: []\n        got: \n          0: labels: {"alertname":"LagHigh","component":"db","health":"red","severity":"P1"}');
    expect(text).toContain('health at 1m: expected overall yellow, got red (lag on db is 20s)');
  });

  it('reports a stale component as Yellow through exp_health', async () => {
    const stale = file('stale.test.yaml', `rule_files: [good.rules.yaml]
staleness: 60s
tests:
  - components: [{ name: db, critical: true }]
    input_series:
      - series: 'lag_seconds{component="db"}'
        values: '1 _'
    exp_health:
      - { eval_time: 2m, status: green }
`);
    const r = await warden('test', stale);
    expect(r.code).toBe(1);
    expect(r.out.join('\n')).toContain('health at 2m: expected overall green, got yellow (no data for 120s)');
  });

  it('names file:line:col for a broken test file and for a broken rule file it loads', async () => {
    const badSeries = file('bad-series.test.yaml', `rule_files: [good.rules.yaml]
tests:
  - input_series:
      - series: 'lag_seconds{component=~"db"}'
        values: '1 banana'
`);
    const badRules = file('bad-rules.test.yaml', 'rule_files: [bad.rules.yaml]\ntests:\n  - input_series: []\n');
    const unknownKey = file('unknown.test.yaml', 'rule_files: [good.rules.yaml]\ntests:\n  - input_seriez: []\n');
    const r = await warden('test', badSeries, badRules, unknownKey);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`    ${badSeries}:4:9: tests[0].input_series[0]: series "lag_seconds{component=~\\"db\\"}": only label="value" pairs are allowed, not =~`);
    expect(r.out).toContain(`    ${BAD}:7:15: groups[0].rules[1].expr: unsupported function "histogram_count"`);
    expect(r.out).toContain(`    ${unknownKey}:3:5: tests[0].input_seriez: unknown key "input_seriez"`);
  });
});

describe('warden rules test: promql_expr_test (promtool format)', () => {
  const SERIES = `    interval: 1m
    input_series:
      - series: 'lag_seconds{component="db"}'
        values: '1 2 3 40'
      - series: 'lag_seconds{component="api"}'
        values: '5 5 5 5'
`;

  it('passes when the query returns exactly the expected samples (any order, scalars, empty results)', async () => {
    const ok = file('expr-ok.test.yaml', `rule_files: [good.rules.yaml]
tests:
  - name: queries
${SERIES}    promql_expr_test:
      - expr: lag_seconds
        eval_time: 2m
        exp_samples:
          - { labels: 'lag_seconds{component="api"}', value: 5 }
          - { labels: 'lag_seconds{component="db"}', value: 3 }
      - expr: max(lag_seconds) by (component) > 10
        eval_time: 3m
        exp_samples:
          - { labels: '{component="db"}', value: 40 }
      - expr: lag_seconds > 100
        eval_time: 3m
        exp_samples: []
      - expr: sum(lag_seconds) / 3
        eval_time: 1m
        exp_samples:
          - { labels: '{}', value: 2.3333333333 }
      - expr: 1 + 1
        eval_time: 0m
        exp_samples:
          - { value: 2 }
`);
    const r = await warden('test', ok);
    expect(r).toEqual({ code: 0, out: [`Unit Testing:  ${ok}`, '  SUCCESS'], err: [] });
  });

  it('fails with what was expected and what came, and exits 1', async () => {
    const bad = file('expr-fail.test.yaml', `rule_files: [good.rules.yaml]
tests:
  - name: wrong value
${SERIES}    promql_expr_test:
      - expr: lag_seconds{component="db"}
        eval_time: 3m
        exp_samples:
          - { labels: 'lag_seconds{component="db"}', value: 4 }
      - expr: lag_seconds{component="none"}
        eval_time: 1m
        exp_samples:
          - { labels: 'lag_seconds{component="none"}', value: 1 }
`);
    const r = await warden('test', bad);
    expect(r.code).toBe(1);
    const text = r.out.join('\n');
    expect(text).toContain('    wrong value:');
    expect(text).toContain('expr: "lag_seconds{component=\\"db\\"}", time: 3m,\n        exp: \n          0: lag_seconds{component="db"} 4\n        got: \n          0: lag_seconds{component="db"} 40');
    expect(text).toContain('expr: "lag_seconds{component=\\"none\\"}", time: 1m,\n        exp: \n          0: lag_seconds{component="none"} 1\n        got: []');
  });

  it('rejects a broken expr, a range-vector expr and bad exp_samples with file:line and changes nothing', async () => {
    const broken = file('expr-broken.test.yaml', `rule_files: [good.rules.yaml]
tests:
  - promql_expr_test:
      - expr: 'lag_seconds >'
        eval_time: 1m
`);
    const range = file('expr-range.test.yaml', `rule_files: [good.rules.yaml]
tests:
  - promql_expr_test:
      - expr: 'lag_seconds[5m]'
        eval_time: 1m
`);
    const badValue = file('expr-value.test.yaml', `rule_files: [good.rules.yaml]
tests:
  - promql_expr_test:
      - expr: lag_seconds
        eval_time: 1m
        exp_samples:
          - { labels: 'lag_seconds', value: lots }
`);
    const badLabels = file('expr-labels.test.yaml', `rule_files: [good.rules.yaml]
tests:
  - promql_expr_test:
      - expr: lag_seconds
        eval_time: 1m
        exp_samples:
          - { labels: 'lag_seconds{a=~"x"}', value: 1 }
`);
    const r = await warden('test', broken, range, badValue, badLabels);
    expect(r.code).toBe(1);
    const text = r.out.join('\n');
    expect(text).toMatch(new RegExp(`${broken}:4:9: tests\\[0\\]\\.promql_expr_test\\[0\\]: `));
    expect(text).toContain(`${range}:4:9: tests[0].promql_expr_test[0]: expression must be an instant vector or scalar, got range vector`);
    expect(text).toContain(`${badValue}:7:45: tests[0].promql_expr_test[0].exp_samples[0].value: value "lots" is not a number`);
    expect(text).toContain(`${badLabels}:4:9: tests[0].promql_expr_test[0]: exp_samples labels "lag_seconds{a=~\\"x\\"}": only label="value" pairs are allowed, not =~`);
    expect(text).not.toContain('SUCCESS');
  });
});

describe('the built CLI (bin/warden.js)', () => {
  it('passes the shipped exchange rule tests', async () => {
    const tests = readdirSync(join(ROOT, 'rules', 'tests')).filter((f) => f.endsWith('.yaml')).map((f) => join('rules', 'tests', f));
    const { stdout } = await run('node', ['bin/warden.js', 'rules', 'test', ...tests], { cwd: ROOT });
    expect(stdout).toContain('SUCCESS');
    expect(stdout).not.toContain('FAILED');
  });

  it('exits 1 with file:line:col from `rules check`', async () => {
    const err = await run('node', ['bin/warden.js', 'rules', 'check', BAD], { cwd: ROOT }).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toContain(`${BAD}:7:15: groups[0].rules[1].expr: unsupported function "histogram_count"`);
  });
});
