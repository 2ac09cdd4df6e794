import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRuleFiles, parseRuleFile } from '../../../src/rules/load-rules';
import { RuleFileErrors, ruleErrorsOf } from '../../../src/rules/rule-file-errors';
import { ConfigError } from '../../../src/errors';

function errorsOf(text: string, file = 'r.yaml'): string[] {
  try {
    parseRuleFile(file, text);
  } catch (err) {
    const list = ruleErrorsOf(err);
    if (list.length) return list.map((e) => e.message);
    throw err;
  }
  throw new Error('expected the file to be rejected');
}

const PROMETHEUS_FILE = `
groups:
  - name: node
    interval: 30s
    rules:
      - alert: InstanceDown
        expr: up{job="node"} == 0
        for: 5m
        keep_firing_for: 1m
        labels:
          severity: page
        annotations:
          summary: "Instance {{ $labels.instance }} down"
          description: "{{ $labels.instance }} of job {{ $labels.job }} has been down for more than 5 minutes."
      - alert: InstanceDown
        expr: up{job="db"} == 0
`;

describe('parseRuleFile', () => {
  it('loads a Prometheus alerting-rule file unchanged', () => {
    const rf = parseRuleFile('node.yaml', PROMETHEUS_FILE);
    expect(rf.groups).toHaveLength(1);
    const [g] = rf.groups;
    expect(g).toMatchObject({ name: 'node', file: 'node.yaml', intervalMs: 30_000 });
    expect(g?.rules[0]).toMatchObject({
      name: 'InstanceDown', group: 'node', line: 6, exprText: 'up{job="node"} == 0', forMs: 300_000, keepFiringForMs: 60_000,
      labels: { severity: 'page' }, metricNames: ['up'], selectsAnyMetric: false, timeDriven: true,
    });
    expect(g?.rules[1]).toMatchObject({ forMs: 0, keepFiringForMs: 0, timeDriven: false });
  });

  it('allows duplicate alert names in a group (Prometheus does)', () => {
    expect(parseRuleFile('r.yaml', PROMETHEUS_FILE).groups[0]?.rules).toHaveLength(2);
  });

  it('accepts an empty file and a file with no groups', () => {
    expect(parseRuleFile('r.yaml', '').groups).toEqual([]);
    expect(parseRuleFile('r.yaml', 'groups: []').groups).toEqual([]);
  });

  it('keeps validated remediations with their file and line', () => {
    const rf = parseRuleFile('r.yaml', `groups: []
remediations:
  - name: restart-crashed
    on: { alert: ComponentDown }
    action: restart
    target: "{{ $labels.component }}"
`);
    expect(rf.remediations).toEqual([
      expect.objectContaining({ file: 'r.yaml', line: 3, column: 5, rule: expect.objectContaining({ name: 'restart-crashed', action: 'restart', dry_run: false }) }),
    ]);
  });

  it('rejects a bad remediation entry naming file:line and field', () => {
    expect(errorsOf(`remediations:\n  - name: x\n    on: { alert: A }\n    action: explode\n    target: y\n`)).toEqual([
      expect.stringMatching(/^r\.yaml:4:13: remediations\[0\]\.action: /),
    ]);
  });

  it('loads recording rules, with group labels under their own and the group limit and query_offset', () => {
    const rf = parseRuleFile('r.yaml', 'groups:\n  - name: g\n    limit: 10\n    query_offset: 1m\n    labels: { team: db, tier: "1" }\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n        labels: { tier: "2" }\n      - record: "node.cpu:ratio"\n        expr: 1 - avg(rate(node_cpu_seconds_total{mode="idle"}[5m]))\n');
    expect(rf.groups[0]?.rules).toMatchObject([
      { kind: 'recording', name: 'job:up:sum', labels: { team: 'db', tier: '2' }, limit: 10, queryOffsetMs: 60_000, metricNames: ['up'], timeDriven: true },
      { kind: 'recording', name: 'node.cpu:ratio', line: 10 },
    ]);
  });

  it.each([
    ['annotations', '      - record: r\n        expr: up\n        annotations: { a: b }\n', "r.yaml:6:22: groups[0].rules[0].annotations: invalid field 'annotations' in recording rule"],
    ['for', '      - record: r\n        expr: up\n        for: 5m\n', "r.yaml:6:14: groups[0].rules[0].for: invalid field 'for' in recording rule"],
    ['keep_firing_for', '      - record: r\n        expr: up\n        keep_firing_for: 5m\n', "r.yaml:6:26: groups[0].rules[0].keep_firing_for: invalid field 'keep_firing_for' in recording rule"],
    ['braces in the name', '      - record: up{job="a"}\n        expr: up\n', 'r.yaml:4:17: groups[0].rules[0].record: braces present in the recording rule name; should it be in expr?: up{job="a"}'],
    ['both alert and record', '      - record: r\n        alert: A\n        expr: up\n', "r.yaml:4:9: groups[0].rules[0].record: only one of 'record' and 'alert' must be set"],
    ['neither', '      - expr: up\n', "r.yaml:4:9: groups[0].rules[0]: one of 'record' or 'alert' must be set"],
    ['a __name__ label', '      - record: r\n        expr: up\n        labels: { __name__: x }\n', 'r.yaml:6:29: groups[0].rules[0].labels.__name__: invalid label name'],
  ])('rejects a recording rule with %s as Prometheus does', (_what, rule, message) => {
    expect(errorsOf(`groups:\n  - name: g\n    rules:\n${rule}`)).toEqual([message]);
  });

  it('rejects duplicate group names in one file', () => {
    expect(errorsOf('groups:\n  - name: g\n    rules: []\n  - name: g\n    rules: []\n')).toEqual([
      'r.yaml:4:11: groups[1].name: duplicate group name "g" (first defined in groups[0])',
    ]);
  });

  it('names file, line, column and the unsupported part of an expression', () => {
    expect(errorsOf('groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up + histogram_count(x)\n')).toEqual([
      'r.yaml:5:20: groups[0].rules[0].expr: unsupported function "histogram_count"',
    ]);
  });

  it('points into quoted and block-scalar expressions', () => {
    expect(errorsOf('groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: "x + limitk(2, x)"\n')).toEqual([
      'r.yaml:5:20: groups[0].rules[0].expr: unsupported aggregation "limitk"',
    ]);
    expect(errorsOf('groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: |\n          sum(x)\n            > limitk(3, y)\n')).toEqual([
      'r.yaml:7:15: groups[0].rules[0].expr: unsupported aggregation "limitk"',
    ]);
  });

  it('reports every bad rule of a file, not just the first', () => {
    const errors = errorsOf('groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: rate(x)\n      - alert: B\n        expr: up ==\n      - alert: C\n        expr: up\n        for: soon\n');
    expect(errors).toEqual([
      expect.stringMatching(/^r\.yaml:5:20: .*expected type range vector/),
      expect.stringMatching(/^r\.yaml:7:\d+: .*syntax error/),
      'r.yaml:10:14: groups[0].rules[2].for: invalid duration "soon" (use e.g. 30s, 5m, 1h)',
    ]);
  });

  it.each([
    ['unknown key', 'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        severity: P1\n', /r\.yaml:6:9: groups\[0\]\.rules\[0\]\.severity: unknown key "severity"/],
    ['missing expr', 'groups:\n  - name: g\n    rules:\n      - alert: A\n', /r\.yaml:4:9: groups\[0\]\.rules\[0\]\.expr: /],
    ['bad label name', 'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        labels: { "": x }\n', /r\.yaml:6:\d+: groups\[0\]\.rules\[0\]\.labels\.: invalid label name/],
    ['empty alert name', 'groups:\n  - name: g\n    rules:\n      - alert: ""\n        expr: up\n', /r\.yaml:4:9: groups\[0\]\.rules\[0\]: one of 'record' or 'alert' must be set/],
    ['unknown template function', 'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        annotations: { summary: "{{ humanizex $value }}" }\n', /r\.yaml:6:\d+: groups\[0\]\.rules\[0\]\.annotations\.summary: template: __alert_A:1: function "humanizex" not defined/],
    ['YAML syntax', 'groups: [\n', /^r\.yaml:\d+:\d+: /],
  ])('rejects %s with file:line', (_what, text, re) => {
    expect(errorsOf(text).join('\n')).toMatch(re);
  });
});

describe('loadRuleFiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warden-rules-'));
  mkdirSync(join(dir, 'more'));
  writeFileSync(join(dir, 'a.rules.yaml'), PROMETHEUS_FILE);
  writeFileSync(join(dir, 'more', 'b.rules.yaml'), 'groups:\n  - name: b\n    rules:\n      - alert: B\n        expr: b > 1\n');
  writeFileSync(join(dir, 'more', 'bad.yaml'), 'groups:\n  - name: bad\n    rules:\n      - alert: B\n        expr: limitk(1, b)\n');

  it('loads every file the globs match, relative to the base directory', async () => {
    const set = await loadRuleFiles(['*.rules.yaml', 'more/*.rules.yaml'], dir);
    expect(set.files).toEqual([join(dir, 'a.rules.yaml'), join(dir, 'more', 'b.rules.yaml')]);
    expect(set.groups.map((g) => g.name)).toEqual(['node', 'b']);
  });

  it('accepts a glob that matches nothing', async () => {
    expect((await loadRuleFiles(['nothing/*.yaml'], dir)).groups).toEqual([]);
  });

  it('rejects a named file that does not exist', async () => {
    await expect(loadRuleFiles(['missing.yaml'], dir)).rejects.toThrow(/missing\.yaml: rule file not found/);
  });

  it('is all-or-nothing: one bad file rejects the whole set with its file:line:col', async () => {
    const err = await loadRuleFiles(['*.rules.yaml', 'more/*.yaml'], dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuleFileErrors);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(`${join(dir, 'more', 'bad.yaml')}:5:15: groups[0].rules[0].expr: unsupported aggregation "limitk"`);
  });
});
