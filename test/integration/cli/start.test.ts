import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, exited, runCli, spawnCli } from '../../support/cli';
import { startRedis, type TestRedis } from '../../support/redis-server';

let dir: string;
let redis: TestRedis;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'warden-cli-'));
  writeFileSync(join(dir, 'warden.yaml'), 'components: [{name: database, critical: true}]\nrules: []\n');
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('warden start', () => {
  it('refuses to start on an invalid config, exit 2, naming file, line and field', async () => {
    writeFileSync(join(dir, 'bad.yaml'), 'server:\n  port: "http"\n');
    const r = await runCli(['start', '--config', join(dir, 'bad.yaml')], { env: { REDIS_URL: redis.url } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:2:\d+: server\.port: /);
  });

  it('exits 2 with one line when there is neither REDIS_URL nor redis-server', async () => {
    const r = await runCli(['start', '--config', join(dir, 'warden.yaml')], { env: { REDIS_URL: '', PATH: '/nonexistent' } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/install redis-server .*REDIS_URL/);
  });

  it('serves with REDIS_URL, honours --port over WARDEN_PORT, and stops cleanly on SIGTERM', async () => {
    const { child, match } = await spawnCli(['start', '--config', join(dir, 'warden.yaml'), '--port', '0'], /listening on (http:\/\/[^\s"]+)/, { env: { REDIS_URL: redis.url, WARDEN_PORT: '1' } });
    const url = match[1] as string;
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(((await (await fetch(`${url}/v1/health`)).json()) as { status: string }).status).toBe('yellow');
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  });

  it('starts an embedded redis-server with appendonly data under --data-dir and stops it on exit', async () => {
    const dataDir = join(dir, 'data');
    const { child, match } = await spawnCli(['start', '--config', join(dir, 'warden.yaml'), '--port', '0', '--data-dir', dataDir], /listening on (http:\/\/[^\s"]+)/, { env: { REDIS_URL: '' } });
    const state = JSON.parse(readFileSync(join(dataDir, 'embedded.json'), 'utf8')) as { pid: number };
    expect((await fetch(`${match[1]}/readyz`)).status).toBe(200);
    expect(existsSync(join(dataDir, 'appendonlydir')) || existsSync(join(dataDir, 'appendonly.aof'))).toBe(true);
    child.kill('SIGINT');
    expect(await exited(child)).toBe(0);
    expect(() => process.kill(state.pid, 0)).toThrow();
  });

  it('says where its embedded Redis listens, writes it to .warden/redis/url, and `warden audit verify` with no flags finds it', async () => {
    const { child, match, output } = await spawnCli(['start', '--port', '0'], /listening on (http:\/\/[^\s"]+)/, { cwd: dir, env: { REDIS_URL: '' } });
    try {
      const urlFile = join(dir, '.warden', 'redis', 'url');
      const redisUrl = readFileSync(urlFile, 'utf8').trim();
      expect(redisUrl).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
      expect(output()).toContain(`embedded Redis listening on ${redisUrl}`);
      expect((await fetch(`${match[1]}/readyz`)).status).toBe(200);
      const r = await runCli(['audit', 'verify'], { cwd: dir, env: { REDIS_URL: '' } });
      expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 0, stdout: expect.stringMatching(/^audit chain ok: \d+ entries/) });
      expect(r.stderr).toContain(`reading ${redisUrl} (prefix warden) from ${join('.warden', 'redis', 'url')}`);
    } finally {
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
    }
    expect(existsSync(join(dir, '.warden', 'redis', 'url'))).toBe(false);
  });
});

describe('warden audit: Redis named as warden start names it', () => {
  it('--config reads redis.url and redis.prefix', async () => {
    writeFileSync(join(dir, 'redis.yaml'), `redis: {url: "${redis.url}", prefix: cfgprefix}\nauth: {tokens: [{name: x, token_env: UNSET_TOKEN_FOR_THIS_TEST, scopes: [read]}]}\n`);
    const r = await runCli(['audit', 'verify', '--config', join(dir, 'redis.yaml')], { env: { REDIS_URL: '' } });
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 0, stdout: 'audit chain ok: 0 entries\n' });
    expect(r.stderr).toContain(`reading ${redis.url} (prefix cfgprefix) from ${join(dir, 'redis.yaml')} redis.url`);
  });

  it('with nothing to find, exit 2 saying how to name Redis', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'warden-cli-none-'));
    try {
      const r = await runCli(['audit', 'verify'], { cwd: empty, env: { REDIS_URL: '' } });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/no Redis to read: pass --redis-url, set REDIS_URL or redis.url, or run `warden start`/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('a bad redis section is exit 2 naming file, line and field', async () => {
    writeFileSync(join(dir, 'badredis.yaml'), 'redis:\n  url: "http://nope"\n');
    const r = await runCli(['audit', 'verify', '--config', join(dir, 'badredis.yaml')], { env: { REDIS_URL: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/badredis\.yaml:2:\d+: redis\.url: must be a redis:\/\/, rediss:\/\/ or redis\+sentinel:\/\/ URL/);
  });
});

describe('warden schema', () => {
  it('prints the JSON Schema, identical to the checked-in copy for editors', async () => {
    const r = await runCli(['schema']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(readFileSync(join(REPO, 'schema', 'warden.schema.json'), 'utf8')));
  });

  it('has --help on every command', async () => {
    for (const cmd of [[], ['start'], ['schema'], ['rules', 'check'], ['rules', 'test']]) {
      const r = await runCli([...cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: warden/);
    }
  });
});
