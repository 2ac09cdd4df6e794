import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startEmbeddedRedis } from '../../../src/runtime/embedded-redis';
import { silentLogger } from '../../../src/telemetry/logger';
import { startRedis, type TestRedis } from '../../support/redis-server';

const run = promisify(execFile);
const EMBEDDED = join(__dirname, '..', '..', '..', 'dist', 'runtime', 'embedded-redis.js');
const isRoot = process.getuid?.() === 0;

let redis: TestRedis;
let dir: string;
let pid: number;

beforeAll(async () => {
  redis = await startRedis();
  const info = await redis.client().info('server');
  pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
});
afterAll(async () => {
  await redis.stop();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-embedded-'));
  chmodSync(dir, 0o777);
  writeFileSync(join(dir, 'embedded.json'), JSON.stringify({ pid, url: redis.url }));
  chmodSync(join(dir, 'embedded.json'), 0o666);
});
afterEach(() => {
  // A second server started by mistake (the bug this guards against) is stopped, not left behind.
  const state = JSON.parse(readFileSync(join(dir, 'embedded.json'), 'utf8')) as { pid: number };
  if (state.pid !== pid) process.kill(state.pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('embedded redis-server left by a previous run', () => {
  // kill(pid, 0) on another user's process fails with EPERM: the process exists. Run as `nobody`
  // against the test's root-owned redis-server, the server must be adopted, not started twice.
  (isRoot || process.env.CI === 'true' ? it : it.skip)('one owned by another user (EPERM) is adopted, never a second server on the same data dir', async () => {
    if (!isRoot) throw new Error('this test needs root (to run a child as nobody); CI runs as root');
    const script = `require(${JSON.stringify(EMBEDDED)}).startEmbeddedRedis(${JSON.stringify(dir)}, require('pino')({ level: 'silent' })).then((r) => { console.log(r.url); process.exit(0); }, (e) => { console.error(e.message); process.exit(3); })`;
    const { stdout } = await run('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, '-e', script], { cwd: join(__dirname, '..', '..', '..') });
    expect(stdout.trim()).toBe(redis.url);
    expect(JSON.parse(readFileSync(join(dir, 'embedded.json'), 'utf8'))).toEqual({ pid, url: redis.url });
  }, 30_000);

  it('one that runs but does not answer is an error naming it, not a reason to start another', async () => {
    redis.freeze();
    try {
      await expect(startEmbeddedRedis(dir, silentLogger())).rejects.toThrow(`a redis-server (pid ${pid}) from a previous run still holds ${dir} but does not answer at ${redis.url}`);
    } finally {
      redis.thaw();
    }
  }, 30_000);

  it('one that answers is adopted', async () => {
    const adopted = await startEmbeddedRedis(dir, silentLogger());
    expect(adopted.url).toBe(redis.url);
  });
});
