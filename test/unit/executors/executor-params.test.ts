import { REMEDIATION_ACTIONS } from '../../../src/remediate/executor';
import { executorParamsSchemas } from '../../../src/remediate/executors/params-schemas';
import { globToRegExp } from '../../../src/remediate/executors/archive-logs/archive-logs-params';
import { streamNamer } from '../../../src/remediate/executors/archive-logs/select-candidates';
import { BoundedOutput } from '../../../src/remediate/executors/restart/bounded-output';

describe('executor params schemas (validated when rules load)', () => {
  test('there is one schema per action', () => {
    expect(Object.keys(executorParamsSchemas).sort()).toEqual([...REMEDIATION_ACTIONS].sort());
  });

  test('restart needs a known driver and that driver\'s fields', () => {
    const s = executorParamsSchemas.restart;
    expect(s.safeParse({ driver: 'command', argv: ['systemctl', 'restart', '{{target}}'] }).success).toBe(true);
    expect(s.safeParse({ driver: 'command', argv: 'systemctl restart x' }).success).toBe(false);
    expect(s.safeParse({ driver: 'http', url: 'ftp://x' }).success).toBe(false);
    expect(s.safeParse({ driver: 'kubernetes', kind: 'statefulset' }).success).toBe(false);
    expect(s.safeParse({ driver: 'kubernetes' }).data).toMatchObject({ kind: 'deployment', namespace: 'default', timeout: '10s' });
    expect(s.safeParse({ driver: 'command', argv: ['x'], shell: true }).success).toBe(false);
  });

  test('reap_connections defaults to idle for more than 5 min (spec §11.2) and must be scoped', () => {
    const s = executorParamsSchemas.reap_connections;
    expect(s.safeParse({ databases: ['exchange'] }).data).toMatchObject({ idle_for: '5m', states: ['idle'] });
    expect(s.safeParse({}).success).toBe(false);
    expect(s.safeParse({ users: ['app'], states: ['active'] }).success).toBe(false);
  });

  test('archive_logs checks ratios, byte sizes, durations and regexes', () => {
    const s = executorParamsSchemas.archive_logs;
    expect(s.safeParse({}).data).toMatchObject({ pattern: '*.log', min_age: '10m' });
    expect(s.safeParse({ max_bytes: '10MiB' }).success).toBe(true);
    expect(s.safeParse({ max_bytes: 'lots' }).success).toBe(false);
    expect(s.safeParse({ target_used_ratio: 1 }).success).toBe(false);
    expect(s.safeParse({ stream_regex: '^[a-z]+\\.' }).success).toBe(false);
    expect(s.safeParse({ min_age: '10 minutes' }).success).toBe(false);
  });

  test('halt_trading takes an optional reason and nothing else', () => {
    expect(executorParamsSchemas.halt_trading.safeParse({}).success).toBe(true);
    expect(executorParamsSchemas.halt_trading.safeParse({ url: 'http://elsewhere' }).success).toBe(false);
  });
});

describe('archive file selection helpers', () => {
  test('a glob matches names with * and ? only, dots are literal', () => {
    const re = globToRegExp('*.log');
    expect(re.test('matching.1.log')).toBe(true);
    expect(re.test('matching.1.log.gz')).toBe(false);
    expect(re.test('matchingxlog')).toBe(false);
    expect(globToRegExp('app-?.txt').test('app-1.txt')).toBe(true);
  });

  test('a file\'s stream is the name up to its first dot, or the regex group', () => {
    expect(streamNamer(undefined)('matching.12.log')).toBe('matching');
    expect(streamNamer('^(.*)-\\d+\\.log$')('order-gateway-3.log')).toBe('order-gateway');
    expect(streamNamer('^(.*)-\\d+\\.log$')('odd.log')).toBe('odd.log');
  });
});

describe('BoundedOutput', () => {
  test('keeps the first bytes up to the limit and counts the rest', () => {
    const out = new BoundedOutput(5);
    out.push(Buffer.from('abc'));
    out.push(Buffer.from('defgh'));
    out.push(Buffer.from('ij'));
    expect(out.toJSON()).toEqual({ text: 'abcde', bytes: 10, truncated: true });
  });
});
