import { PermanentError } from '../../../src/errors';
import { RestartExecutor } from '../../../src/remediate/executors/restart/restart-executor';
import { ArchiveLogsExecutor } from '../../../src/remediate/executors/archive-logs';
import { remediationRuleSchema, type RemediationRuleInput } from '../../../src/rules/remediation-rule-schema';
import { TargetPolicy } from '../../../src/remediate/target-policy';
import { assertSafeTarget, unsafeTargetReason } from '../../../src/remediate/target-safety';
import { silentLogger } from '../../../src/telemetry/logger';

const rule = (r: Partial<RemediationRuleInput> = {}) => remediationRuleSchema.parse({ name: 'restart-down', on: { alert: 'ComponentDown' }, action: 'restart', target: '{{ $labels.component }}', ...r });
const policy = new TargetPolicy(['settlement', 'market-data']);

describe('unsafe targets are refused whatever the allow-list says', () => {
  it.each([
    ['-rf', 'starts with "-"'],
    ['--help', 'starts with "-"'],
    ['/etc/passwd', 'starts with "/"'],
    ['../../etc', '".." path segment'],
    ['a/../b', '".." path segment'],
    ['..', '".." path segment'],
    ['a\\..\\b', '".." path segment'],
    ['zz"} == 1 or component_up{component=~".+', 'whitespace'],
    ['a b', 'whitespace'],
    ['a\tb', 'whitespace'],
    ['a\nb', 'whitespace'],
    ['a\u0000b', 'control character (U+0000)'],
    ['a\u007fb', 'control character (U+007F)'],
    ['a\u202eb', 'control character (U+202E)'],
    ['a\u200bb', 'control character (U+200B)'],
    ['a\u00a0b', 'whitespace'],
    ['', 'is empty'],
  ])('%j is unsafe (%s)', (target, why) => {
    expect(unsafeTargetReason(target)).toContain(why);
    // Even a rule that allows every target does not act on it.
    expect(policy.check(rule({ targets: '.*' }), target)).toMatchObject({ reason: 'unsafe_target', message: expect.stringContaining('remediation refused: unsafe target') });
    expect(() => assertSafeTarget('restart', target)).toThrow(PermanentError);
  });

  it.each(['settlement', 'db/order-gateway', 'market-data.v2', 'a..b', 'x-', 'exchange'])('%j is safe', (target) => {
    expect(unsafeTargetReason(target)).toBeUndefined();
  });
});

describe('TargetPolicy: configured components, the rule allow-list, nothing else', () => {
  it('allows a configured component with no allow-list, and refuses anything else as unknown', () => {
    expect(policy.check(rule(), 'settlement')).toBeUndefined();
    expect(policy.check(rule(), 'sshd')).toEqual({ reason: 'unknown_target', message: expect.stringContaining('remediation refused: unknown target "sshd"') });
  });

  it('allows what the rule targets: patterns match, anchored at both ends like Prometheus matchers', () => {
    const r = rule({ targets: ['db/[a-z-]+', 'cache'] });
    expect(policy.check(r, 'db/orders')).toBeUndefined();
    expect(policy.check(r, 'cache')).toBeUndefined();
    expect(policy.check(r, 'settlement')).toBeUndefined();
    expect(policy.check(r, 'xdb/orders')).toMatchObject({ reason: 'unknown_target' });
    expect(policy.check(r, 'db/orders2')).toMatchObject({ reason: 'unknown_target' });
    expect(policy.check(r, 'cache-2')).toMatchObject({ reason: 'unknown_target' });
  });

  it('a single pattern is a list of one', () => {
    expect(rule({ targets: 'db/.+' }).targets).toEqual(['db/.+']);
  });

  it("a literal target (no placeholder) is the rule author's own: allowed as written", () => {
    const halt = rule({ action: 'halt_trading', target: 'exchange' });
    expect(policy.check(halt, 'exchange')).toBeUndefined();
    expect(policy.check(halt, 'other')).toMatchObject({ reason: 'unknown_target' });
  });

  it('with no components configured, a templated target needs an allow-list', () => {
    expect(new TargetPolicy([]).check(rule(), 'settlement')).toMatchObject({ reason: 'unknown_target' });
  });

  it.each([
    [{ targets: '(' }, 'invalid regular expression'],
    [{ targets: [] }, ''],
    [{ targets: [''] }, ''],
  ])('rejects targets %j at load', (patch, message) => {
    const r = remediationRuleSchema.safeParse({ name: 'r', on: { alert: 'X' }, action: 'restart', target: '{{ $labels.component }}', ...patch });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message).join('; ')).toContain(message);
  });
});

describe('executors refuse unsafe targets again (defence in depth)', () => {
  const ctx = { jobId: 'j', idempotencyKey: 'j', fencingToken: 1, attempt: 1, signal: new AbortController().signal, log: silentLogger() };

  it.each(['-rf', '../../etc', '/etc', 'a b'])('restart refuses %j before running a command or sending a request', async (target) => {
    const restart = new RestartExecutor({ httpBaseUrl: 'http://127.0.0.1:9' });
    // `true` would succeed if it ran; the refusal is permanent (no retry can help).
    await expect(restart.execute(target, { driver: 'command', argv: ['true', '{{target}}'] }, ctx)).rejects.toThrow(/refusing unsafe target/);
    await expect(restart.execute(target, { driver: 'http', url: '/control/restart/{{target}}' }, ctx)).rejects.toBeInstanceOf(PermanentError);
    expect(() => restart.describe(target, { driver: 'command', argv: ['systemctl', 'restart', '{{target}}'] })).toThrow(/refusing unsafe target/);
  });

  it('archive_logs refuses an unsafe target', async () => {
    const archive = new ArchiveLogsExecutor({ logDirs: [{ path: '/tmp', archiveDir: '/tmp/a' }] });
    await expect(archive.execute('../../etc', {}, ctx)).rejects.toBeInstanceOf(PermanentError);
  });
});
