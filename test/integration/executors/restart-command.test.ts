import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RestartExecutor } from '../../../src/remediate/executors/restart/restart-executor';
import { freePort } from '../../support/redis-server';
import { executionContext } from './helpers';

const starter = join(__dirname, '..', '..', 'fixtures', 'restart', 'start-crashy-service.js');
const node = process.execPath;
const executor = new RestartExecutor();
const startedPids: number[] = [];

afterAll(() => {
  for (const pid of startedPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
});

async function answers(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/`)).ok;
  } catch {
    return false; // connection refused: the service is down, which is what we are asking
  }
}

async function until(cond: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('restart with the command driver', () => {
  test('a crashed service is brought back by the restart command and answers again', async () => {
    const port = await freePort();
    const { stdout } = await promisify(execFile)(node, [starter, String(port)]);
    startedPids.push(Number(/started pid (\d+)/.exec(stdout)?.[1]));
    expect(await answers(port)).toBe(true);

    await fetch(`http://127.0.0.1:${port}/crash`, { method: 'POST' });
    await until(async () => !(await answers(port)));

    const result = await executor.execute('crashy', { driver: 'command', argv: [node, starter, String(port)], timeout: '10s' }, executionContext());
    const out = (result.details.stdout as { text: string }).text;
    startedPids.push(Number(/started pid (\d+)/.exec(out)?.[1]));
    expect(result.details).toMatchObject({ exitCode: 0, stdout: { truncated: false } });
    expect(out).toMatch(/^started pid \d+\n$/);
    expect(await answers(port)).toBe(true);
  });

  test('argv runs without a shell and {{target}} is substituted', async () => {
    const r = await executor.execute('matching', { driver: 'command', argv: [node, '-e', 'process.stdout.write(process.argv.slice(1).join("|"))', '$HOME;echo hi', 'svc-{{target}}'] }, executionContext());
    expect((r.details.stdout as { text: string }).text).toBe('$HOME;echo hi|svc-matching');
  });

  test('only allow-listed environment variables and params.env reach the command', async () => {
    process.env.WARDEN_TEST_SECRET = 'hunter2';
    try {
      const r = await executor.execute('x', { driver: 'command', argv: [node, '-e', 'process.stdout.write(JSON.stringify(process.env))'], env: { SERVICE_MODE: 'safe' } }, executionContext());
      const env = JSON.parse((r.details.stdout as { text: string }).text) as Record<string, string>;
      expect(env.WARDEN_TEST_SECRET).toBeUndefined();
      expect(env.SERVICE_MODE).toBe('safe');
      expect(env.PATH).toBe(process.env.PATH);
    } finally {
      delete process.env.WARDEN_TEST_SECRET;
    }
  });

  test('stdout and stderr are capped at 64 KiB each and the truncation is reported', async () => {
    const r = await executor.execute('x', { driver: 'command', argv: [node, '-e', 'process.stdout.write("a".repeat(300000)); process.stderr.write("b".repeat(10))'] }, executionContext());
    expect(r.details.stdout).toMatchObject({ bytes: 300000, truncated: true });
    expect((r.details.stdout as { text: string }).text).toHaveLength(64 * 1024);
    expect(r.details.stderr).toEqual({ text: 'bbbbbbbbbb', bytes: 10, truncated: false });
  });

  test('a non-zero exit is transient, unless the params mark that code permanent', async () => {
    const fail = [node, '-e', 'process.stderr.write("port busy"); process.exit(3)'];
    await expect(executor.execute('x', { driver: 'command', argv: fail }, executionContext())).rejects.toMatchObject({ name: 'TransientError', message: expect.stringMatching(/exit 3: port busy/) });
    await expect(executor.execute('x', { driver: 'command', argv: fail, permanent_exit_codes: [3] }, executionContext())).rejects.toMatchObject({ name: 'PermanentError' });
  });

  test('a command that does not exist is permanent; bad params are permanent', async () => {
    await expect(executor.execute('x', { driver: 'command', argv: ['/nonexistent/restart-me'] }, executionContext())).rejects.toMatchObject({ name: 'PermanentError', message: expect.stringMatching(/ENOENT/) });
    await expect(executor.execute('x', { driver: 'command', argv: [] }, executionContext())).rejects.toMatchObject({ name: 'PermanentError', message: expect.stringMatching(/invalid params: argv/) });
    await expect(executor.execute('x', { driver: 'ssh' }, executionContext())).rejects.toMatchObject({ name: 'PermanentError' });
  });

  test('a command over its timeout is killed and the attempt is transient; an abort is permanent', async () => {
    const sleeper = [node, '-e', 'setTimeout(() => {}, 60000)'];
    const t0 = Date.now();
    await expect(executor.execute('x', { driver: 'command', argv: sleeper, timeout: '300ms' }, executionContext())).rejects.toMatchObject({ name: 'TransientError', message: expect.stringMatching(/timed out after 300 ms/) });
    expect(Date.now() - t0).toBeLessThan(10_000);
    const ac = new AbortController();
    setTimeout(() => ac.abort('shutting down'), 100);
    await expect(executor.execute('x', { driver: 'command', argv: sleeper }, executionContext({ signal: ac.signal }))).rejects.toMatchObject({ name: 'PermanentError', message: expect.stringMatching(/shutting down/) });
  });

  test('describe says what a dry run would have run', () => {
    expect(executor.describe('matching', { driver: 'command', argv: ['systemctl', 'restart', '{{target}}'] })).toBe('would restart matching by running ["systemctl","restart","matching"]');
  });
});
