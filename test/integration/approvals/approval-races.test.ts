import { RequestError } from '../../../src/errors';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { firing, rule, ScriptedExecutor, startPipeline, type Pipeline } from '../remediate/support/pipeline-harness';

/**
 * The races of issue 13 §2 against real Redis and BullMQ: an approval that arrives while the job
 * is still being parked is not lost (it runs at once, not at the ttl), concurrent approvals run it
 * once, and a decision recorded by a Warden that died before waking the job is picked up.
 */
let redis: TestRedis;
let p: Pipeline;
const executor = new ScriptedExecutor('restart');
const TTL = '10m';

beforeAll(async () => {
  redis = await startRedis();
  p = await startPipeline(redis, { executors: new Map([['restart', executor]]), rules: [rule({ name: 'needs-approval', approval: { ttl: TTL } as never })] });
});
afterAll(async () => {
  await p?.service.stop();
  await redis?.stop();
});

const who = { by: 'alice', actor: 'alice' };
const callsFor = (target: string) => executor.calls.filter((c) => c.target === target);

/** Approves as soon as the job will take a decision: hammering from before the job parks. */
async function approveAsap(jobId: string): Promise<{ triesRefused: number }> {
  let triesRefused = 0;
  for (;;) {
    try {
      await p.service.approvals.decide(jobId, 'approved', who);
      return { triesRefused };
    } catch (err) {
      if (!(err instanceof RequestError) || err.code !== 'not_awaiting_approval') throw err;
      triesRefused++;
      await new Promise((r) => setImmediate(r));
    }
  }
}

describe('an approval racing the park', () => {
  it('is never lost: every job runs within seconds, not at the 10 min ttl', async () => {
    for (let i = 0; i < 8; i++) {
      const target = `race-${i}`;
      const [o] = await p.service.onAlert(firing('ServiceDown', { component: target }, 1000 + i));
      const started = Date.now();
      await approveAsap(o!.jobId);
      const job = await p.waitFinished(o!.jobId, 8_000);
      expect(job.result).toMatchObject({ outcome: 'succeeded' });
      expect(callsFor(target)).toHaveLength(1);
      expect(Date.now() - started).toBeLessThan(8_000);
    }
  }, 120_000);
});

describe('approved twice (or by two people at once)', () => {
  it('runs once; exactly one call made the decision', async () => {
    const [o] = await p.service.onAlert(firing('ServiceDown', { component: 'twice' }, 2000));
    await approveAsap(o!.jobId);
    const more = await Promise.all(Array.from({ length: 5 }, (_, i) => p.service.approvals.decide(o!.jobId, 'approved', { by: `op${i}`, actor: `op${i}` })));
    expect(more.every((m) => !m.changed && m.by === 'alice')).toBe(true);
    await p.waitFinished(o!.jobId);
    expect(callsFor('twice')).toHaveLength(1);
    expect((await p.stepsOf(o!.jobId)).filter((s) => s === 'remediation.approved')).toHaveLength(1);
  });

  it('approve and reject at the same instant: one wins, and the job does what it says', async () => {
    const [o] = await p.service.onAlert(firing('ServiceDown', { component: 'tug' }, 3000));
    await approveAsapOr(o!.jobId);
    const job = await p.waitFinished(o!.jobId);
    const decided = (await p.stepsOf(o!.jobId)).filter((s) => s === 'remediation.approved' || s === 'remediation.rejected');
    expect(decided).toHaveLength(1);
    expect(callsFor('tug')).toHaveLength(decided[0] === 'remediation.approved' ? 1 : 0);
    expect(job.result?.outcome).toBe(decided[0] === 'remediation.approved' ? 'succeeded' : 'skipped');
  });
});

/** Waits until the job asks, then sends approve and reject together. */
async function approveAsapOr(jobId: string): Promise<void> {
  while (!(await p.service.approvals.pending(jobId))) await new Promise((r) => setTimeout(r, 5));
  const outcomes = await Promise.allSettled([p.service.approvals.decide(jobId, 'approved', who), p.service.approvals.decide(jobId, 'rejected', { by: 'bob', actor: 'bob' })]);
  expect(outcomes.filter((o) => o.status === 'fulfilled' && o.value.changed)).toHaveLength(1);
  expect(outcomes.filter((o) => o.status === 'rejected').map((o) => ((o as PromiseRejectedResult).reason as RequestError).code)).toEqual(['already_decided']);
}

describe('a decision recorded by a Warden that died before waking the job', () => {
  it('is picked up by the sweep: the job runs once, long before its ttl', async () => {
    const [o] = await p.service.onAlert(firing('ServiceDown', { component: 'orphaned' }, 4000));
    while ((await p.service.jobs.get(o!.jobId))?.state !== 'awaiting_approval') await new Promise((r) => setTimeout(r, 10));
    // What the dead Warden managed: the decision in Redis, nothing else (no audit, no wake-up).
    const out = await p.service.approvals.store.decide(o!.jobId, 'approved', who, Date.now());
    expect(out.changed).toBe(true);
    const job = await p.waitFinished(o!.jobId, 10_000);
    expect(job.result).toMatchObject({ outcome: 'succeeded' });
    expect(callsFor('orphaned')).toHaveLength(1);
  });
});
