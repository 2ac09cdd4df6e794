import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, WARDEN_BIN, exited, runCli } from '../../support/cli';
import { startRedis, type TestRedis } from '../../support/redis-server';

let dir: string;
let redis: TestRedis;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'warden-cli-log-'));
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function until<T>(what: string, probe: () => T | undefined, deadlineMs = 20_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('warden start > warden.log, then warden audit verify --anchors warden.log', () => {
  it('every stdout line is JSON, and the captured log verifies the chain (exit 0)', async () => {
    writeFileSync(join(dir, 'warden.yaml'), 'redis: {prefix: startlog}\naudit: {anchor_interval: 100ms}\ncomponents: [{name: database, critical: true}]\n');
    const logFile = join(dir, 'warden.log');
    const out = openSync(logFile, 'w');
    const child = spawn(process.execPath, [WARDEN_BIN, 'start', '--config', join(dir, 'warden.yaml'), '--port', '0'], { cwd: REPO, env: { ...process.env, REDIS_URL: redis.url }, stdio: ['ignore', out, 'pipe'] });
    closeSync(out);
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    try {
      const log = () => readFileSync(logFile, 'utf8');
      const url = await until('the listening line', () => /listening on (http:\/\/[^\s"]+)/.exec(log())?.[1]);
      const now = Date.now();
      const silence = await fetch(`${url}/v1/silences`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ matchers: [{ name: 'component', value: 'database', isRegex: false, isEqual: true }], startsAt: new Date(now).toISOString(), endsAt: new Date(now + 3_600_000).toISOString(), comment: 'maintenance' }),
      });
      expect(silence.status).toBe(200);
      await until('an audit anchor in the log', () => (log().includes('"auditAnchor"') ? true : undefined));
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited(child)).toBe(0);
    const lines = readFileSync(logFile, 'utf8').split('\n').filter((l) => l !== '');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(lines.some((l) => (JSON.parse(l) as { msg?: string }).msg?.startsWith('warden listening on http://'))).toBe(true);
    const verify = await runCli(['audit', 'verify', '--anchors', logFile, '--redis-url', redis.url, '--prefix', 'startlog']);
    expect({ code: verify.code, stderr: verify.stderr }).toEqual({ code: 0, stderr: '' });
    expect(verify.stdout).toMatch(/^audit chain ok: \d+ entries, \d+ anchors match\n$/);
    expect(stderr).toBe('');
  });
});

describe('warden start with token sources that cannot be read', () => {
  it.each([
    ['an unset token_env', '    - {name: pusher, token_env: WARDEN_TEST_UNSET_TOKEN, scopes: [ingest]}\n', /warden\.yaml:5:\d+: auth\.tokens\[0\]\.token_env: environment variable WARDEN_TEST_UNSET_TOKEN is not set/],
    ['a missing token_file', '    - {name: pusher, token_file: secrets/none.token, scopes: [ingest]}\n', /warden\.yaml:5:\d+: auth\.tokens\[0\]\.token_file: cannot read token file .*none\.token: .*ENOENT/],
    ['two sources in one entry', '    - {name: pusher, token: inline-token-0123456789, token_sha256: aa, scopes: [ingest]}\n', /warden\.yaml:5:\d+: auth\.tokens\[0\]\.token_sha256: /],
  ])('%s: exit 2 naming file, line and field, before listening', async (_what, entry, message) => {
    const file = join(dir, `tokens-${Math.random().toString(36).slice(2)}.warden.yaml`);
    writeFileSync(file, `components: []\nserver: {port: 0}\nauth:\n  tokens:\n${entry}`);
    const r = await runCli(['start', '--config', file], { env: { REDIS_URL: redis.url, WARDEN_TEST_UNSET_TOKEN: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});
