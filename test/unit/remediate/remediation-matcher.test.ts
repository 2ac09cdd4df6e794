import type { Alert } from '../../../src/rules/alert';
import { remediationsFor, matchRemediations } from '../../../src/remediate/remediation-matcher';
import { remediationRuleSchema, remediationRulesSchema, type RemediationRuleInput } from '../../../src/rules/remediation-rule-schema';

const rule = (r: Partial<RemediationRuleInput> & { name: string }) =>
  remediationRuleSchema.parse({ on: { alert: 'ServiceDown' }, action: 'restart', target: '{{ $labels.component }}', ...r });

function alert(name: string, labels: Record<string, string>): Pick<Alert, 'name' | 'labels'> {
  return { name, labels: { alertname: name, ...labels } };
}

describe('remediation rule schema', () => {
  it('turns Prometheus durations into milliseconds and fills defaults', () => {
    const r = rule({ name: 'r', cooldown: '2m', max_per_window: { count: 3, window: '1h' }, verify: { expr: 'up == 1', within: '30s' } });
    expect(r).toMatchObject({ cooldown: 120_000, max_per_window: { count: 3, window: 3_600_000 }, verify: { within: 30_000 }, dry_run: false, on_failure: 'escalate', params: {} });
  });

  it.each([
    ['an empty on:', { on: {} }, 'needs an alert name'],
    ['a bad duration', { cooldown: '5 minutes' }, 'must be a duration'],
    ['an unknown action', { action: 'reboot_datacenter' }, 'expected one of "restart"'],
    ['a template other than $labels', { target: '{{ $value }}' }, 'use {{ $labels.<name> }}'],
    ['an unbalanced template', { target: '{{ $labels.component' }, 'unbalanced'],
    ['a bad matcher', { on: { matchers: ['component ~ db'] } }, 'is not a matcher like severity="P0"'],
    ['a bad regex', { on: { matchers: ['component=~"("'] } }, 'invalid regular expression'],
    ['a name with ":"', { name: 'a:b' }, 'job ids'],
    ['an unknown key', { retries: 3 }, 'retries'],
    ['a verify expression that is not PromQL', { verify: { expr: 'up{component="{{ $labels.component }}" == 1', within: '1m' } }, 'verify.expr is not valid PromQL'],
  ])('rejects %s with a clear message', (_what, patch, message) => {
    const r = remediationRuleSchema.safeParse({ name: 'r', on: { alert: 'X' }, action: 'restart', target: 't', ...patch });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message).join('; ')).toContain(message);
  });

  it('rejects two remediations with the same name', () => {
    const r = remediationRulesSchema.safeParse([
      { name: 'same', on: { alert: 'A' }, action: 'restart', target: 'x' },
      { name: 'same', on: { alert: 'B' }, action: 'restart', target: 'y' },
    ]);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: [1, 'name'], message: 'duplicate remediation name "same"' });
  });
});

describe('remediationsFor: which actions an alert triggers', () => {
  const rules = [
    rule({ name: 'restart-down' }),
    rule({ name: 'halt', on: { labels: { severity: 'critical' }, matchers: ['alertname=~"Invariant.*"'] }, action: 'halt_trading', target: 'exchange' }),
    rule({ name: 'reap-db', on: { alert: 'DbConnectionLeak', matchers: ['component!="reporting"'] }, action: 'reap_connections', target: 'db/{{ $labels.component }}' }),
  ];

  it('matches by alert name and renders the target from the labels', () => {
    expect(remediationsFor(alert('ServiceDown', { component: 'settlement' }), rules).map((m) => [m.rule.name, m.rule.action, m.target])).toEqual([['restart-down', 'restart', 'settlement']]);
  });

  it('matches by labels and regex matchers', () => {
    expect(remediationsFor(alert('InvariantViolation', { severity: 'critical', component: 'settlement' }), rules).map((m) => m.target)).toEqual(['exchange']);
    expect(remediationsFor(alert('InvariantViolation', { severity: 'warning' }), rules)).toEqual([]);
  });

  it('honours negative matchers', () => {
    expect(remediationsFor(alert('DbConnectionLeak', { component: 'order-gateway' }), rules).map((m) => m.target)).toEqual(['db/order-gateway']);
    expect(remediationsFor(alert('DbConnectionLeak', { component: 'reporting' }), rules)).toEqual([]);
  });

  it('never acts when the target would need a label the alert lacks', () => {
    const out = matchRemediations(alert('ServiceDown', {}), rules);
    expect(out.matched).toEqual([]);
    expect(out.unrendered.map((r) => r.name)).toEqual(['restart-down']);
  });

  it('renders the verify expression with the same labels', () => {
    const r = rule({ name: 'v', verify: { expr: 'component_up{component="{{ $labels.component }}"} == 1', within: '1m' } });
    expect(remediationsFor(alert('ServiceDown', { component: 'market-data' }), [r])[0]?.verifyExpr).toBe('component_up{component="market-data"} == 1');
  });

  it('treats an alert without an alertname label by its name', () => {
    expect(remediationsFor({ name: 'ServiceDown', labels: { component: 'x' } }, rules)).toHaveLength(1);
  });
});
