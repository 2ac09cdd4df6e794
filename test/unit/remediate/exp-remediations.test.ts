import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRuleTestFile } from '../../../src/rules/testing/rule-test-runner';
import '../../../src/remediate/exp-remediations';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-exp-rem-'));
  writeFileSync(
    join(dir, 'r.rules.yaml'),
    `groups:
  - name: g
    rules:
      - alert: Down
        expr: up == 0
remediations:
  - name: restart-it
    on: { alert: Down }
    action: restart
    target: "svc-{{ $labels.job }}"
`,
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function testFile(exp: string): string {
  const file = join(dir, 't.test.yaml');
  writeFileSync(file, `rule_files: [r.rules.yaml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n      - series: 'up{job="api"}'\n        values: '1 0'\n    exp_remediations:\n${exp}`);
  return file;
}

describe('warden rules test: exp_remediations', () => {
  it('passes when the firing alerts trigger exactly the expected actions and targets', async () => {
    const r = await runRuleTestFile(testFile(`      - eval_time: 0m\n        exp: []\n      - eval_time: 1m\n        exp: [{ name: restart-it, action: restart, target: svc-api }]\n`));
    expect(r).toMatchObject({ ok: true, failures: [], errors: [] });
  });

  it('fails with what was expected and what was got', async () => {
    const r = await runRuleTestFile(testFile(`      - eval_time: 1m\n        exp: [{ name: restart-it, action: restart, target: svc-web }]\n`));
    expect(r.ok).toBe(false);
    expect(r.failures.join('\n')).toContain('remediations at 1m');
    expect(r.failures.join('\n')).toMatch(/exp: \s+restart-it: restart svc-web\s+got: \s+restart-it: restart svc-api/);
  });

  it('rejects an unknown action in the test file with file:line', async () => {
    const r = await runRuleTestFile(testFile(`      - eval_time: 1m\n        exp: [{ name: restart-it, action: reboot, target: svc-api }]\n`));
    expect(r.ok).toBe(false);
    expect(r.errors.join('\n')).toMatch(/t\.test\.yaml:\d+/);
  });
});
