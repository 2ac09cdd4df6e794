import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { firing, rule, ScriptedExecutor, sleep, startPipeline, uniquePrefix, type Pipeline } from './support/pipeline-harness';

const CHILD = join(__dirname, 'fixtures', 'remediation-worker-child.js');
const DIST_ENTRY = join(__dirname, '..', '..', '..', 'dist', 'remediate', 'run-remediation-worker.js');

let redis: TestRedis;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (!existsSync(DIST_ENTRY)) throw new Error('dist/remediate/run-remediation-worker.js is missing: run `npm run build`');
  redis = await startRedis();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-kill-'));
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
afterAll(async () => {
  await redis.stop();
});

/** `lockMs` is BullMQ's job lock: short makes a killed worker's job stall sooner; a live worker needs
 * it well above any pause of a loaded runner, or its own running job is taken for stalled. */
function startWorker(prefix: string, delayMs: number, lockMs = 5_000): Promise<ChildProcess> {
  const env = { ...process.env, REDIS_URL: redis.url, PREFIX: prefix, OUT_FILE: join(dir, 'effects.txt'), STARTED_FILE: join(dir, 'started.txt'), DELAY_MS: String(delayMs), LOCK_MS: String(lockMs) };
  const child = spawn(process.execPath, [CHILD], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

/** The Warden that enqueues (no worker of its own): the alert side of the pipeline. */
async function enqueuer(prefix: string): Promise<Pipeline> {
  return startPipeline(redis, { prefix, runWorker: false, executors: new Map([['restart', new ScriptedExecutor('restart')]]), rules: [rule({ name: 'restart-down' })] });
}

describe('kill -9 of the worker during a job', () => {
  it('the stalled job is recovered by the next worker and the effect happens exactly once', async () => {
    const prefix = uniquePrefix();
    writeFileSync(join(dir, 'started.txt'), '');
    const p = await enqueuer(prefix);
    try {
      // The killed worker's command is orphaned and finishes ORPHAN_MS later: long enough that it
      // cannot have written before the check below, however slow the runner.
      const ORPHAN_MS = 8_000;
      const first = await startWorker(prefix, ORPHAN_MS, 1_000);
      const [o] = await p.service.onAlert(firing('ServiceDown', { component: 'settlement' }, 1));
      await waitFor('the first attempt to start', () => lines(join(dir, 'started.txt')).length === 1);
      const firstStartedAt = Date.now();
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      expect(lines(join(dir, 'effects.txt'))).toEqual([]); // killed mid-job: nothing happened yet

      await startWorker(prefix, 1500);
      const job = await p.waitFinished(o!.jobId, 20_000);
      expect(job.state).toBe('completed');
      const started = lines(join(dir, 'started.txt'));
      expect(started).toHaveLength(2); // run again by the second worker after the stall
      expect(new Set(started.map((l) => l.split(' pid ')[1])).size).toBe(2);
      // The orphaned command of the killed worker also finishes: still one line (idempotency key).
      await sleep(Math.max(0, firstStartedAt + ORPHAN_MS + 1_000 - Date.now()));
      expect(lines(join(dir, 'effects.txt'))).toEqual([o!.jobId]);
      expect(await p.stepsOf(o!.jobId)).toEqual(['remediation.matched', 'remediation.enqueued', 'remediation.attempt', 'remediation.attempt', 'remediation.success']);
    } finally {
      await p.service.stop();
    }
  }, 60_000);
});

describe('SIGTERM', () => {
  it('stops taking jobs but finishes the running one before exiting', async () => {
    const prefix = uniquePrefix();
    writeFileSync(join(dir, 'started.txt'), '');
    const p = await enqueuer(prefix);
    try {
      const worker = await startWorker(prefix, 800);
      const exited = new Promise<number | null>((r) => worker.once('exit', (code) => r(code)));
      const [o] = await p.service.onAlert(firing('ServiceDown', { component: 'settlement' }, 2));
      await waitFor('the attempt to start', () => lines(join(dir, 'started.txt')).length === 1);
      worker.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(lines(join(dir, 'effects.txt'))).toEqual([o!.jobId]);
      expect((await p.service.jobs.get(o!.jobId))?.state).toBe('completed');
    } finally {
      await p.service.stop();
    }
  }, 30_000);
});
