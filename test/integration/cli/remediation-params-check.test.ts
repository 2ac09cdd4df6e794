import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../support/cli';
import { startHarness } from '../../support/warden-harness';

const BAD = `groups: []
remediations:
  - name: restart-down
    on: {alert: ComponentDown}
    action: restart
    target: "{{ $labels.component }}"
    params: {driver: http, ulr: "http://127.0.0.1:1/restart"}
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-params-'));
  writeFileSync(join(dir, 'bad.rules.yaml'), BAD);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('remediation params are checked against the executor at load', () => {
  it('warden rules check names the file, line and field of bad params', async () => {
    const r = await runCli(['rules', 'check', join(dir, 'bad.rules.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.rules\.yaml:3:\d+: params.*remediation "restart-down" \(restart\)/);
  });

  it('the shipped rule files pass', async () => {
    const r = await runCli(['rules', 'check', 'rules/exchange.rules.yaml', 'rules/remediation.rules.yaml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('Warden refuses to start with them', async () => {
    await expect(startHarness({ config: 'rules: [bad.rules.yaml]\n', files: { 'bad.rules.yaml': BAD } })).rejects.toThrow(/bad\.rules\.yaml:3/);
  });
});
