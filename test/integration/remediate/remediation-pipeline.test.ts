import { AuditLog } from '../../../src/audit/audit-log';
import { PermanentError, TransientError } from '../../../src/errors';
import { WardenEvents } from '../../../src/warden-events';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { firing, rule, ScriptedExecutor, sleep, startPipeline, uniquePrefix, type Pipeline } from './support/pipeline-harness';

let redis: TestRedis;
const pipelines: Pipeline[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await Promise.all(pipelines.splice(0).map((p) => p.service.stop()));
});
afterAll(async () => {
  await redis.stop();
});

async function pipeline(...args: Parameters<typeof startPipeline> extends [unknown, infer O] ? [O] : never) {
  const p = await startPipeline(redis, args[0]);
  pipelines.push(p);
  return p;
}

describe('remediation job pipeline', () => {
  it('a firing alert that matches enqueues one job, runs it once and audits every step', async () => {
    const restart = new ScriptedExecutor('restart');
    const p = await pipeline({ executors: new Map([['restart', restart]]), rules: [rule({ name: 'restart-down' })] });
    const [out] = await p.service.onAlert(firing('ServiceDown', { component: 'settlement' }, 1_000));
    expect(out).toMatchObject({ enqueued: true, rule: 'restart-down', target: 'settlement' });
    const job = await p.waitFinished(out!.jobId);
    expect(job).toMatchObject({ state: 'completed', action: 'restart', target: 'settlement', rule: 'restart-down', dry_run: false, result: { outcome: 'succeeded', attempt: 1 } });
    expect(restart.calls).toHaveLength(1);
    expect(restart.calls[0]!.ctx).toMatchObject({ jobId: out!.jobId, idempotencyKey: out!.jobId, attempt: 1 });
    expect(restart.calls[0]!.ctx.fencingToken).toBeGreaterThan(0);
    expect(await p.stepsOf(out!.jobId)).toEqual(['remediation.matched', 'remediation.enqueued', 'remediation.attempt', 'remediation.success']);
    expect((await p.audit.verify()).ok).toBe(true);
  });

  it('no worker acts on a job before its enqueue is in the audit log, however slow that write is', async () => {
    const prefix = uniquePrefix();
    const log = new AuditLog({ redis: redis.client(), prefix });
    let enqueuedAuditedAt = 0;
    const slowEnqueueAudit = {
      async append(e: Parameters<AuditLog['append']>[0]) {
        if (e.action !== 'remediation.enqueued') return log.append(e);
        await sleep(300); // the worker is idle and would take a released job at once
        const written = await log.append(e);
        enqueuedAuditedAt = Date.now();
        return written;
      },
    };
    const restart = new ScriptedExecutor('restart');
    const p = await pipeline({ prefix, audit: slowEnqueueAudit, executors: new Map([['restart', restart]]), rules: [rule({ name: 'restart-down' })] });
    const [out] = await p.service.onAlert(firing('ServiceDown', { component: 'settlement' }, 1_500));
    await p.waitFinished(out!.jobId);
    expect(restart.calls[0]!.atMs).toBeGreaterThanOrEqual(enqueuedAuditedAt);
    expect(await p.stepsOf(out!.jobId)).toEqual(['remediation.matched', 'remediation.enqueued', 'remediation.attempt', 'remediation.success']);
  });

  it('listens on the WardenEvents bus, and replaced rules take effect for the next firing', async () => {
    const restart = new ScriptedExecutor('restart');
    const p = await pipeline({ executors: new Map([['restart', restart]]), rules: [rule({ name: 'restart-down' })] });
    const events = new WardenEvents();
    const unlisten = p.service.listen(events);
    events.emit('alert', firing('ServiceDown', { component: 'a' }, 11));
    while (restart.calls.length === 0) await sleep(10);
    p.service.replaceRules([rule({ name: 'restart-renamed', target: 'renamed-{{ $labels.component }}' })]);
    events.emit('alert', firing('ServiceDown', { component: 'b' }, 12));
    while (restart.calls.length < 2) await sleep(10);
    expect(restart.calls.map((c) => c.target)).toEqual(['a', 'renamed-b']);
    unlisten();
    expect(events.listenerCount('alert')).toBe(0);
  });

  it('only a transition to firing acts: pending, resolution and non-matching alerts do nothing', async () => {
    const restart = new ScriptedExecutor('restart');
    const p = await pipeline({ executors: new Map([['restart', restart]]), rules: [rule({ name: 'restart-down' })] });
    const t = firing('ServiceDown', { component: 'x' }, 5);
    expect(await p.service.onAlert({ ...t, from: 'inactive', to: 'pending' })).toEqual([]);
    expect(await p.service.onAlert({ ...t, from: 'firing', to: 'inactive' })).toEqual([]);
    expect(await p.service.onAlert(firing('DiskFull', { component: 'x' }, 5))).toEqual([]);
    expect(await p.auditEntries()).toEqual([]);
  });

  it('a duplicate of the same firing, from this Warden or a second replica, is a no-op', async () => {
    const restart = new ScriptedExecutor('restart');
    const prefix = uniquePrefix();
    const rules = [rule({ name: 'restart-down' })];
    const a = await pipeline({ prefix, executors: new Map([['restart', restart]]), rules });
    const b = await pipeline({ prefix, executors: new Map([['restart', restart]]), rules });
    const t = firing('ServiceDown', { component: 'settlement' }, 2_000);
    const [first] = await a.service.onAlert(t);
    const [again] = await a.service.onAlert(t);
    const [replica] = await b.service.onAlert(t);
    expect([first!.enqueued, again!.enqueued, replica!.enqueued]).toEqual([true, false, false]);
    expect(again!.jobId).toBe(first!.jobId);
    await a.waitFinished(first!.jobId);
    // Even after it finished, the same firing replayed (e.g. after a restart) does not run again.
    expect((await a.service.onAlert(t))[0]!.enqueued).toBe(false);
    await sleep(200);
    expect(restart.calls).toHaveLength(1);
    const steps = await a.stepsOf(first!.jobId);
    expect(steps.filter((s) => s === 'remediation.enqueued')).toHaveLength(1);
    expect(steps.filter((s) => s === 'remediation.skipped')).toHaveLength(3);
  });

  it('retries a transient failure at the spec §3.1 intervals: 100, 200, 400, 800 ms plus 0-50 ms jitter', async () => {
    const restart = new ScriptedExecutor('restart', (call) => {
      if (call.ctx.attempt < 5) throw new TransientError('connection refused');
      return { summary: 'restarted', details: {} };
    });
    const p = await pipeline({ executors: new Map([['restart', restart]]), rules: [rule({ name: 'restart-down' })] });
    const [out] = await p.service.onAlert(firing('ServiceDown', { component: 'settlement' }, 3_000));
    const job = await p.waitFinished(out!.jobId);
    expect(job.result).toMatchObject({ outcome: 'succeeded', attempt: 5 });
    expect(restart.calls.map((c) => c.ctx.attempt)).toEqual([1, 2, 3, 4, 5]);
    const gaps = restart.calls.slice(1).map((c, i) => c.atMs - restart.calls[i]!.atMs);
    // Lower bound exact. The upper bound only shows the delay is not far off: a loaded CI runner adds
    // scheduling time to every gap (the exact delays, jitter included, are unit-tested in backoff.test.ts).
    const SLACK_MS = 1_000;
    gaps.forEach((gap, i) => {
      const base = 100 * 2 ** i;
      expect(gap).toBeGreaterThanOrEqual(base);
      expect(gap).toBeLessThan(base + 50 + SLACK_MS);
    });
    expect(p.escalator.requests).toEqual([]);
  });

  it('gives up after 6 attempts and pages', async () => {
    const restart = new ScriptedExecutor('restart', () => {
      throw new TransientError('503 from admin endpoint');
    });
    const p = await pipeline({ executors: new Map([['restart', restart]]), rules: [rule({ name: 'restart-down' })], jitter: () => 0 });
    const [out] = await p.service.onAlert(firing('ServiceDown', { component: 'settlement' }, 4_000));
    const job = await p.waitFinished(out!.jobId);
    expect(job).toMatchObject({ state: 'failed', attempts: 6 });
    expect(restart.calls).toHaveLength(6);
    expect(p.escalator.requests).toHaveLength(1);
    expect(p.escalator.requests[0]).toMatchObject({ labels: { severity: 'P0', reason: 'retries_exhausted', target: 'settlement' } });
    const steps = await p.stepsOf(out!.jobId);
    expect(steps.filter((s) => s === 'remediation.attempt')).toHaveLength(6);
    expect(steps.slice(-2)).toEqual(['remediation.failure', 'remediation.escalated']);
  }, 20_000);

  it('a permanent error stops at once after one attempt and pages', async () => {
    const restart = new ScriptedExecutor('restart', () => {
      throw new PermanentError('unknown deployment');
    });
    const p = await pipeline({ executors: new Map([['restart', restart]]), rules: [rule({ name: 'restart-down' })] });
    const [out] = await p.service.onAlert(firing('ServiceDown', { component: 'ghost' }, 5_000));
    const job = await p.waitFinished(out!.jobId);
    expect(job).toMatchObject({ state: 'failed', attempts: 1 });
    expect(job.failed_reason).toContain('unknown deployment');
    expect(restart.calls).toHaveLength(1);
    expect(p.escalator.requests.map((r) => r.labels.reason)).toEqual(['permanent_failure']);
    expect(await p.stepsOf(out!.jobId)).toEqual(['remediation.matched', 'remediation.enqueued', 'remediation.attempt', 'remediation.failure', 'remediation.escalated']);
  });

  it('an attempt that outlives its timeout is aborted and retried', async () => {
    const restart = new ScriptedExecutor('restart', async (call) => {
      if (call.ctx.attempt === 1) await new Promise((_, reject) => call.signal.addEventListener('abort', () => reject(new PermanentError('aborted'))));
      return { summary: 'restarted', details: {} };
    });
    const p = await pipeline({ executors: new Map([['restart', restart]]), rules: [rule({ name: 'restart-down', timeout: '150ms' })] });
    const [out] = await p.service.onAlert(firing('ServiceDown', { component: 'slow' }, 6_000));
    const job = await p.waitFinished(out!.jobId);
    expect(job.result).toMatchObject({ outcome: 'succeeded', attempt: 2 });
    expect(restart.calls[0]!.signal.aborted).toBe(true);
    const failure = (await p.auditEntries()).find((e) => e.action === 'remediation.failure');
    expect(failure?.details).toMatchObject({ kind: 'timed_out', retrying: true });
  });

  it('one action at a time per target: two rules on the same target never overlap, fencing tokens rise', async () => {
    const slow = async () => {
      await sleep(150);
      return { summary: 'ok', details: {} };
    };
    const restart = new ScriptedExecutor('restart', slow);
    const archive = new ScriptedExecutor('archive_logs', slow);
    let running = 0;
    let overlap = false;
    for (const ex of [restart, archive]) {
      const behave = ex.behave;
      (ex as { behave: typeof behave }).behave = async (c) => {
        if (++running > 1) overlap = true;
        try {
          return await behave(c);
        } finally {
          running--;
        }
      };
    }
    const p = await pipeline({
      executors: new Map<never, never>([['restart', restart], ['archive_logs', archive]] as never),
      rules: [rule({ name: 'restart-it' }), rule({ name: 'archive-it', action: 'archive_logs' })],
    });
    const outs = await p.service.onAlert(firing('ServiceDown', { component: 'settlement' }, 7_000));
    expect(outs).toHaveLength(2);
    await Promise.all(outs.map((o) => p.waitFinished(o.jobId)));
    expect(overlap).toBe(false);
    const tokens = [...restart.calls, ...archive.calls].sort((x, y) => x.atMs - y.atMs).map((c) => c.ctx.fencingToken);
    expect(tokens[1]).toBeGreaterThan(tokens[0]!);
  });
});
