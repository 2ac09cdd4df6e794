import { AuditLog } from '../../../src/audit/audit-log';
import { createExecutors } from '../../../src/remediate/executors/create-executors';
import { TradingState } from '../../../src/remediate/trading-state';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executorsConfigSchema } from '../../../src/config/executors-schema';
import { executorsOptionsFromConfig } from '../../../src/remediate/executors/executors-config';
import { executionContext, recordingServer, reply } from './helpers';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

describe('createExecutors', () => {
  test('gives one executor per action; an action whose dependency is not configured fails permanently', async () => {
    const client = redis.client();
    const trading = new TradingState({ redis: client, prefix: 'ce', audit: new AuditLog({ redis: client, prefix: 'ce' }) });
    const executors = createExecutors({ trading });
    expect([...executors.keys()].sort()).toEqual(['archive_logs', 'failover_database', 'halt_trading', 'reap_connections', 'restart']);
    await expect(executors.get('failover_database')!.execute('orders-db', {}, executionContext())).rejects.toMatchObject({ name: 'PermanentError', message: expect.stringMatching(/not configured/) });
    await expect(executors.get('reap_connections')!.execute('postgres', { databases: ['x'] }, executionContext())).rejects.toMatchObject({ name: 'PermanentError', message: expect.stringMatching(/not configured/) });
    await expect(executors.get('halt_trading')!.execute('exchange', {}, executionContext())).rejects.toMatchObject({ name: 'PermanentError', message: expect.stringMatching(/admin_url/) });
    await expect(executors.get('archive_logs')!.execute('disk', {}, executionContext())).rejects.toMatchObject({ name: 'PermanentError', message: expect.stringMatching(/no log directories/) });
    expect(executors.get('halt_trading')!.describe('exchange', {})).toMatch(/would halt trading/);
  });

  test('describe() rejects bad params the same way execute() does', () => {
    const client = redis.client();
    const executors = createExecutors({ trading: new TradingState({ redis: client, prefix: 'ce2', audit: new AuditLog({ redis: client, prefix: 'ce2' }) }), logDirs: [{ path: '/var/log/exchange', archiveDir: '/archive' }] });
    expect(executors.get('archive_logs')!.describe('disk', { max_bytes: '1GiB' })).toBe('would archive *.log files older than 10m in /var/log/exchange for disk until matching files <= 1073741824 B');
    expect(() => executors.get('restart')!.describe('x', { driver: 'telnet' })).toThrow(expect.objectContaining({ name: 'PermanentError' }));
  });
});

describe('executorsOptionsFromConfig', () => {
  test('a kubeconfig file from the config drives the kubernetes restart', async () => {
    const api = await recordingServer((_req, res) => reply(res, 200, { kind: 'Deployment' }));
    const dir = mkdtempSync(join(tmpdir(), 'warden-kc-'));
    const file = join(dir, 'kubeconfig.yaml');
    writeFileSync(file, `apiVersion: v1
kind: Config
clusters: [{name: local, cluster: {server: "${api.url}", insecure-skip-tls-verify: true}}]
users: [{name: warden, user: {token: from-file}}]
contexts: [{name: local, context: {cluster: local, user: warden}}]
current-context: local
`);
    try {
      const cfg = executorsConfigSchema.parse({ restart: { kubeconfig: file }, log_dirs: [{ path: '/var/log/x', archive_dir: '/archive/x' }] });
      const client = redis.client();
      const trading = new TradingState({ redis: client, prefix: 'ce3', audit: new AuditLog({ redis: client, prefix: 'ce3' }) });
      const opts = executorsOptionsFromConfig(cfg, { trading });
      expect(opts.logDirs).toEqual([{ path: '/var/log/x', archiveDir: '/archive/x' }]);
      await createExecutors(opts).get('restart')!.execute('matching', { driver: 'kubernetes', namespace: 'trading' }, executionContext());
      expect(api.requests[0]).toMatchObject({ method: 'PATCH', url: '/apis/apps/v1/namespaces/trading/deployments/matching' });
      expect(api.requests[0]?.headers.authorization).toBe('Bearer from-file');
    } finally {
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('unknown keys and bad URLs are rejected', () => {
    expect(executorsConfigSchema.safeParse({ postgres: { url: 'mysql://x' } }).success).toBe(false);
    expect(executorsConfigSchema.safeParse({ shell: true }).success).toBe(false);
  });
});
