import { needsApproval, principalMayApprove } from '../../../src/rules/approval-rule';
import { remediationRuleSchema } from '../../../src/rules/remediation-rule-schema';

const base = { name: 'restart-critical', on: { alert: 'ComponentDown' }, action: 'restart', target: '{{ $labels.component }}' };

describe('a remediation rule\'s approval', () => {
  it('defaults: required, 15 minutes, no named approvers', () => {
    const r = remediationRuleSchema.parse({ ...base, approval: {} });
    expect(r.approval).toEqual({ required: true, ttl: 900_000, approvers: [] });
    expect(needsApproval(r)).toBe(true);
    expect(needsApproval(remediationRuleSchema.parse({ ...base, approval: { required: false } }))).toBe(false);
    expect(needsApproval(remediationRuleSchema.parse(base))).toBe(false);
  });

  it('halt_trading never waits: a rule asking for approval on it is refused, on the approval field', () => {
    const r = remediationRuleSchema.safeParse({ ...base, action: 'halt_trading', target: 'exchange', approval: { ttl: '5m' } });
    expect(r.success).toBe(false);
    expect(r.error?.issues).toEqual([expect.objectContaining({ path: ['approval'], message: expect.stringContaining('halt_trading never waits for approval') })]);
  });

  it.each([['slack:u123'], ['scope:read'], ['alice'], ['slack_group:U0123'], ['principal:'], ['principal:a b']])('refuses approver %s', (a) => {
    const r = remediationRuleSchema.safeParse({ ...base, approval: { approvers: [a] } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['approval', 'approvers', 0]);
  });

  it.each([['0s'], ['2d'], ['soon']])('refuses ttl %s', (ttl) => {
    expect(remediationRuleSchema.safeParse({ ...base, approval: { ttl } }).success).toBe(false);
  });
});

describe('who may approve through the API', () => {
  const alice = { name: 'alice', scopes: ['operate'] };
  const root = { name: 'root', scopes: ['admin'] };
  it('with no API approvers named: any operate or admin token', () => {
    expect(principalMayApprove([], alice)).toBe(true);
    expect(principalMayApprove(['slack:U0DBA'], alice)).toBe(true);
    expect(principalMayApprove([], { name: 'viewer', scopes: ['read'] })).toBe(false);
  });
  it('named principals and scopes only', () => {
    expect(principalMayApprove(['principal:bob'], alice)).toBe(false);
    expect(principalMayApprove(['principal:alice'], alice)).toBe(true);
    expect(principalMayApprove(['scope:admin'], alice)).toBe(false);
    expect(principalMayApprove(['scope:admin'], root)).toBe(true);
    expect(principalMayApprove(['scope:operate'], root)).toBe(true);
  });
});
