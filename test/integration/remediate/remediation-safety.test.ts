import type { RemediationAction } from '../../../src/remediate/executor';
import { RemediationKeys } from '../../../src/remediate/remediation-keys';
import { promqlVerifyCheck } from '../../../src/remediate/promql-verify-check';
import { SignalStore } from '../../../src/signals/signal-store';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { firing, rule, ScriptedExecutor, sleep, startPipeline, uniquePrefix, type Pipeline } from './support/pipeline-harness';

let redis: TestRedis;
const pipelines: Pipeline[] = [];
const SETTLE_MS = 3_000;
beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await Promise.all(pipelines.splice(0).map((p) => p.service.stop()));
});
afterAll(async () => {
  await redis.stop();
});

async function pipeline(opts: Parameters<typeof startPipeline>[1]) {
  const p = await startPipeline(redis, opts);
  pipelines.push(p);
  return p;
}

async function metric(p: Pipeline, name: string): Promise<Array<{ labels: Record<string, unknown>; value: number }>> {
  const m = await p.registry.getSingleMetric(name)?.get();
  return (m?.values ?? []) as Array<{ labels: Record<string, unknown>; value: number }>;
}

const promqlCheck = (store: SignalStore) => promqlVerifyCheck(store, Date.now);

describe('remediation safety', () => {
  it('after a success, the next firing for the same rule and target is skipped for the cooldown', async () => {
    const restart = new ScriptedExecutor('restart');
    const p = await pipeline({ executors: new Map([['restart', restart]]), rules: [rule({ name: 'restart-down', cooldown: '10m' })] });
    const [a] = await p.service.onAlert(firing('ServiceDown', { component: 'settlement' }, 10_000));
    await p.waitFinished(a!.jobId);
    const [b] = await p.service.onAlert(firing('ServiceDown', { component: 'settlement' }, 20_000));
    const [other] = await p.service.onAlert(firing('ServiceDown', { component: 'market-data' }, 20_000));
    expect((await p.waitFinished(b!.jobId)).result).toMatchObject({ outcome: 'skipped', reason: 'cooldown' });
    expect((await p.waitFinished(other!.jobId)).result).toMatchObject({ outcome: 'succeeded' });
    expect(restart.calls.map((c) => c.target)).toEqual(['settlement', 'market-data']);
    const skipped = (await p.auditEntries()).find((e) => e.details.job_id === b!.jobId && e.action === 'remediation.skipped');
    expect(skipped?.details).toMatchObject({ reason: 'cooldown' });
    expect(await metric(p, 'warden_remediation_jobs_total')).toEqual(expect.arrayContaining([expect.objectContaining({ labels: { action: 'restart', outcome: 'skipped_cooldown' }, value: 1 })]));
  });

  it('a job that waited behind another on its target skips once its alert stopped firing; a halt is never skipped', async () => {
    const firingNow = new Set<string>();
    const restart = new ScriptedExecutor('restart', async () => {
      await sleep(300);
      return { summary: 'restarted', details: {} };
    });
    const halt = new ScriptedExecutor('halt_trading');
    const p = await pipeline({
      executors: new Map<RemediationAction, ScriptedExecutor>([['restart', restart], ['halt_trading', halt]]),
      rules: [
        rule({ name: 'restart-leaking', on: { alert: 'MemoryLeak' } }),
        rule({ name: 'restart-down', on: { alert: 'ServiceDown' }, max_per_window: { count: 1, window: '1h' } }),
        rule({ name: 'halt', on: { alert: 'InvariantViolation' }, action: 'halt_trading', target: 'exchange' }),
      ],
      stillFiring: (a) => firingNow.has(a.fingerprint),
    });
    const leak = firing('MemoryLeak', { component: 'order-gateway' }, 40_000);
    firingNow.add(leak.alert.fingerprint);
    const [a] = await p.service.onAlert(leak);
    await until(() => restart.calls.length === 1);
    // The restart itself makes the service look down; the probe recovers before the lease frees.
    const down = firing('ServiceDown', { component: 'order-gateway' }, 40_100);
    const [b] = await p.service.onAlert(down);
    expect((await p.waitFinished(a!.jobId)).result).toMatchObject({ outcome: 'succeeded' });
    expect((await p.waitFinished(b!.jobId)).result).toMatchObject({ outcome: 'skipped', reason: 'alert_resolved' });
    expect(restart.calls).toHaveLength(1);
    expect(await p.stepsOf(b!.jobId)).toEqual(['remediation.matched', 'remediation.enqueued', 'remediation.skipped']);
    expect((await p.auditEntries()).find((e) => e.details.job_id === b!.jobId && e.action === 'remediation.skipped')?.details).toMatchObject({ reason: 'alert_resolved' });
    expect(await metric(p, 'warden_remediation_jobs_total')).toEqual(expect.arrayContaining([expect.objectContaining({ labels: { action: 'restart', outcome: 'skipped_resolved' }, value: 1 })]));
    // The skipped job spent none of restart-down's budget (1 per hour): a real outage still gets its restart.
    const realDown = firing('ServiceDown', { component: 'order-gateway' }, 45_000);
    firingNow.add(realDown.alert.fingerprint);
    const [c] = await p.service.onAlert(realDown);
    expect((await p.waitFinished(c!.jobId)).result).toMatchObject({ outcome: 'succeeded' });
    expect(restart.calls).toHaveLength(2);

    const [h] = await p.service.onAlert(firing('InvariantViolation', { component: 'settlement' }, 50_000));
    expect((await p.waitFinished(h!.jobId)).result).toMatchObject({ outcome: 'succeeded' });
    expect(halt.calls).toHaveLength(1);
  });

  it('after a success, other jobs on the target wait out the settle period, then act only if their alert still fires; a halt does not wait', async () => {
    const firingNow = new Set<string>();
    const restart = new ScriptedExecutor('restart');
    const halt = new ScriptedExecutor('halt_trading');
    const p = await pipeline({
      executors: new Map<RemediationAction, ScriptedExecutor>([['restart', restart], ['halt_trading', halt]]),
      rules: [
        rule({ name: 'restart-leaking', on: { alert: 'MemoryLeak' } }),
        rule({ name: 'restart-down', on: { alert: 'ServiceDown' } }),
        rule({ name: 'restart-slow', on: { alert: 'Slow' } }),
        rule({ name: 'halt', on: { alert: 'InvariantViolation' }, action: 'halt_trading', target: 'exchange' }),
      ],
      stillFiring: (a) => firingNow.has(a.fingerprint),
      // Long enough that a descheduled CI runner cannot let a waiting job slip past it unseen.
      settleMs: SETTLE_MS,
    });
    const fire = async (name: string, component: string, atMs: number) => {
      const t = firing(name, { component }, atMs);
      firingNow.add(t.alert.fingerprint);
      const [j] = await p.service.onAlert(t);
      return { jobId: j!.jobId, fingerprint: t.alert.fingerprint };
    };
    const leak = await fire('MemoryLeak', 'order-gateway', 60_000);
    await p.waitFinished(leak.jobId);

    // Still firing after the settle period: a real second fault, so it acts (after waiting).
    const down = await fire('ServiceDown', 'order-gateway', 60_100);
    const halted = await fire('InvariantViolation', 'exchange', 60_100);
    expect((await p.waitFinished(halted.jobId)).result).toMatchObject({ outcome: 'succeeded' });
    expect((await p.waitFinished(down.jobId)).result).toMatchObject({ outcome: 'succeeded' });
    expect(restart.calls).toHaveLength(2);
    // The settle period starts after the first restart succeeded, so it lies between the two calls.
    expect(restart.calls[1]!.atMs - restart.calls[0]!.atMs).toBeGreaterThanOrEqual(SETTLE_MS);
    expect(halt.calls[0]!.atMs).toBeLessThan(restart.calls[1]!.atMs);

    // Cleared while settling: the restart's own disturbance, so it skips.
    const slow = await fire('Slow', 'order-gateway', 60_200);
    await until(async () => (await p.service.jobs.get(slow.jobId))?.state === 'delayed');
    firingNow.delete(slow.fingerprint);
    expect((await p.waitFinished(slow.jobId)).result).toMatchObject({ outcome: 'skipped', reason: 'alert_resolved' });
    expect(restart.calls).toHaveLength(2);
  });

  it('a job recovered after its worker died between acting and recording it does not act again', async () => {
    const restart = new ScriptedExecutor('restart');
    const prefix = uniquePrefix();
    const rules = [rule({ name: 'restart-down', cooldown: '10m' })];
    const alertSide = await pipeline({ prefix, runWorker: false, executors: new Map([['restart', restart]]), rules });
    const [o] = await alertSide.service.onAlert(firing('ServiceDown', { component: 'settlement' }, 30_000));
    // What the dead worker left behind: the cooldown its success started, keyed by its job id.
    await redis.client().set(new RemediationKeys(prefix).cooldown('restart-down', 'settlement'), o!.jobId, 'PX', 600_000);
    const worker = await pipeline({ prefix, executors: new Map([['restart', restart]]), rules });
    expect((await worker.waitFinished(o!.jobId)).result).toMatchObject({ outcome: 'skipped', reason: 'already_done' });
    expect(restart.calls).toEqual([]);
  });

  it('once the budget is spent Warden stops acting and pages P0 "remediation budget exhausted"', async () => {
    const restart = new ScriptedExecutor('restart');
    const p = await pipeline({ executors: new Map([['restart', restart]]), rules: [rule({ name: 'restart-down', max_per_window: { count: 2, window: '1h' } })] });
    const results = [];
    for (const t of [1, 2, 3]) {
      const [o] = await p.service.onAlert(firing('ServiceDown', { component: 'settlement' }, t * 1000));
      results.push((await p.waitFinished(o!.jobId)).result);
    }
    expect(results.map((r) => r?.outcome)).toEqual(['succeeded', 'succeeded', 'skipped']);
    expect(results[2]).toMatchObject({ reason: 'budget' });
    expect(restart.calls).toHaveLength(2);
    expect(p.escalator.requests).toHaveLength(1);
    expect(p.escalator.requests[0]!.summary).toMatch(/^remediation budget exhausted/);
    expect(p.escalator.requests[0]!.labels).toMatchObject({ severity: 'P0', reason: 'budget_exhausted', rule: 'restart-down', target: 'settlement' });
    expect(await metric(p, 'warden_remediation_budget_remaining')).toEqual([{ labels: { rule: 'restart-down', target: 'settlement' }, value: 0 }]);
  });

  it('retries of one job consume its budget once', async () => {
    let n = 0;
    const restart = new ScriptedExecutor('restart', () => {
      if (++n === 1) throw new Error('flaky');
      return { summary: 'ok', details: {} };
    });
    const p = await pipeline({ executors: new Map([['restart', restart]]), rules: [rule({ name: 'r', max_per_window: { count: 2, window: '1h' } })] });
    const [o] = await p.service.onAlert(firing('ServiceDown', { component: 'x' }, 1));
    await p.waitFinished(o!.jobId);
    expect(restart.calls).toHaveLength(2);
    expect(await metric(p, 'warden_remediation_budget_remaining')).toEqual([{ labels: { rule: 'r', target: 'x' }, value: 1 }]);
  });

  it('global dry run records what would be done and runs nothing', async () => {
    const restart = new ScriptedExecutor('restart');
    const p = await pipeline({ dryRun: true, executors: new Map([['restart', restart]]), rules: [rule({ name: 'restart-down' })] });
    const [o] = await p.service.onAlert(firing('ServiceDown', { component: 'settlement' }, 1));
    const job = await p.waitFinished(o!.jobId);
    expect(job).toMatchObject({ dry_run: true, result: { outcome: 'dry_run', wouldDo: 'would restart settlement' } });
    expect(restart.calls).toEqual([]);
    expect(await p.stepsOf(o!.jobId)).toEqual(['remediation.matched', 'remediation.enqueued', 'remediation.dry_run']);
    expect(await metric(p, 'warden_remediation_dry_runs_total')).toEqual([{ labels: { action: 'restart' }, value: 1 }]);
  });

  it('a rule in dry run records only, while other rules act', async () => {
    const restart = new ScriptedExecutor('restart');
    const p = await pipeline({ executors: new Map([['restart', restart]]), rules: [rule({ name: 'dry', dry_run: true }), rule({ name: 'real', target: 'real-{{ $labels.component }}' })] });
    const outs = await p.service.onAlert(firing('ServiceDown', { component: 'c' }, 1));
    const jobs = await Promise.all(outs.map((o) => p.waitFinished(o.jobId)));
    expect(jobs.map((j) => [j.rule, j.result?.outcome])).toEqual([['dry', 'dry_run'], ['real', 'succeeded']]);
    expect(restart.calls.map((c) => c.target)).toEqual(['real-c']);
  });

  it('a fix that holds within verify.within is verified (checked with PromQL over a real signal store)', async () => {
    const store = new SignalStore({ windowMs: 60_000, maxPointsPerSeries: 100, stalenessMs: 60_000 });
    store.appendRaw('component_up', { component: 'settlement' }, 0, Date.now());
    const restart = new ScriptedExecutor('restart', () => {
      setTimeout(() => store.appendRaw('component_up', { component: 'settlement' }, 1, Date.now()), 200);
      return { summary: 'restarted', details: {} };
    });
    const verify = { expr: 'component_up{component="{{ $labels.component }}"} == 1', within: '3s' };
    const p = await pipeline({ verify: promqlCheck(store), executors: new Map([['restart', restart]]), rules: [rule({ name: 'restart-down', verify })] });
    const [o] = await p.service.onAlert(firing('ServiceDown', { component: 'settlement' }, 1));
    const job = await p.waitFinished(o!.jobId);
    expect(job.result).toMatchObject({ outcome: 'verified', verify: { held: true } });
    expect((await p.stepsOf(o!.jobId)).slice(-2)).toEqual(['remediation.success', 'remediation.verified']);
    expect(p.escalator.requests).toEqual([]);
  });

  it('a fix that does not hold escalates (on_failure: escalate) or is only recorded (ignore)', async () => {
    const store = new SignalStore({ windowMs: 60_000, maxPointsPerSeries: 100, stalenessMs: 60_000 });
    store.appendRaw('component_up', { component: 'settlement' }, 0, Date.now());
    const restart = new ScriptedExecutor('restart');
    const verify = { expr: 'component_up{component="{{ $labels.component }}"} == 1', within: '300ms' };
    const p = await pipeline({
      verify: promqlCheck(store),
      executors: new Map([['restart', restart]]),
      rules: [rule({ name: 'escalating', verify }), rule({ name: 'ignoring', verify, on_failure: 'ignore', target: 'other-{{ $labels.component }}' })],
    });
    const outs = await p.service.onAlert(firing('ServiceDown', { component: 'settlement' }, 1));
    const jobs = await Promise.all(outs.map((o) => p.waitFinished(o.jobId)));
    expect(jobs.map((j) => j.result?.outcome)).toEqual(['verify_failed', 'verify_failed']);
    expect(p.escalator.requests.map((r) => [r.labels.rule, r.labels.reason, r.labels.severity])).toEqual([['escalating', 'verify_failed', 'P0']]);
    expect((await p.stepsOf(outs[0]!.jobId)).slice(-3)).toEqual(['remediation.success', 'remediation.verify_failed', 'remediation.escalated']);
    expect((await p.stepsOf(outs[1]!.jobId)).slice(-2)).toEqual(['remediation.success', 'remediation.verify_failed']);
  });

  it('cancelling a running job fires its AbortSignal; it stops and is not retried', async () => {
    const restart = new ScriptedExecutor('restart', (call) => new Promise((_, reject) => call.signal.addEventListener('abort', () => reject(new Error('aborted by signal')))));
    const p = await pipeline({ executors: new Map([['restart', restart]]), rules: [rule({ name: 'restart-down' })] });
    const [o] = await p.service.onAlert(firing('ServiceDown', { component: 'settlement' }, 1));
    while (restart.calls.length === 0) await sleep(10);
    expect(await p.service.jobs.cancel(o!.jobId, 'alice')).toEqual({ status: 'aborting', state: 'active' });
    const job = await p.waitFinished(o!.jobId);
    expect(job.state).toBe('failed');
    expect(restart.calls).toHaveLength(1);
    expect(restart.calls[0]!.signal.aborted).toBe(true);
    const cancelled = (await p.auditEntries()).find((e) => e.action === 'remediation.cancelled');
    expect(cancelled).toMatchObject({ actor: 'alice', details: { job_id: o!.jobId, was: 'active' } });
    expect(p.escalator.requests).toEqual([]);
    expect(await p.service.jobs.cancel(o!.jobId, 'alice')).toEqual({ status: 'finished', state: 'failed' });
  });

  it('cancelling a waiting job removes it before it runs', async () => {
    const restart = new ScriptedExecutor('restart');
    const p = await pipeline({ runWorker: false, executors: new Map([['restart', restart]]), rules: [rule({ name: 'restart-down' })] });
    const [o] = await p.service.onAlert(firing('ServiceDown', { component: 'settlement' }, 1));
    expect(await p.service.jobs.cancel(o!.jobId, 'bob')).toEqual({ status: 'removed', state: 'waiting' });
    expect(await p.service.jobs.get(o!.jobId)).toBeUndefined();
    expect(await p.service.jobs.cancel('no-such-job', 'bob')).toEqual({ status: 'not_found' });
  });
});

async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}
