import { Queue } from 'bullmq';
import type { RemediationJobData } from '../../../src/remediate/remediation-job';
import { REMEDIATION_QUEUE_NAME } from '../../../src/remediate/remediation-keys';
import { promqlVerifyCheck } from '../../../src/remediate/promql-verify-check';
import { SignalStore } from '../../../src/signals/signal-store';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { rule, ScriptedExecutor, startPipeline, uniquePrefix, type Pipeline } from './support/pipeline-harness';

/**
 * Issue 9, defence in depth: the worker does not trust job data either. A job queued by an older
 * Warden (which pasted label values into verify text) or written into Redis by hand is held to
 * the same target policy, and its verify query is rebuilt from the rule's template.
 */
let redis: TestRedis;
const pipelines: Pipeline[] = [];
const queues: Queue[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await Promise.all(pipelines.splice(0).map((p) => p.service.stop()));
  await Promise.all(queues.splice(0).map((q) => q.close()));
});
afterAll(async () => {
  await redis.stop();
});

async function plant(prefix: string, jobId: string, data: RemediationJobData): Promise<void> {
  const q = new Queue(REMEDIATION_QUEUE_NAME, { connection: redis.client(), prefix });
  queues.push(q);
  await q.add('remediate', data, { jobId, attempts: 1 });
}

function jobData(target: string, over: Partial<RemediationJobData> = {}): RemediationJobData {
  const r = rule({ name: 'restart-down', targets: undefined });
  return {
    rule: JSON.parse(JSON.stringify(r)),
    action: 'restart',
    target,
    params: {},
    alert: { name: 'ServiceDown', fingerprint: `fp-${target}`, labels: { alertname: 'ServiceDown', component: target }, firedAtMs: 1, value: 0 },
    idempotencyKey: `planted-${target}`,
    dryRun: false,
    enqueuedAtMs: Date.now(),
    reason: 'planted',
    ...over,
  };
}

describe('jobs already in Redis are untrusted too', () => {
  it('a queued job for a target that is not allowed is refused by the worker: not run, audited, paged', async () => {
    const prefix = uniquePrefix();
    const restart = new ScriptedExecutor('restart');
    const p = await startPipeline(redis, { prefix, components: ['settlement'], executors: new Map([['restart', restart]]) });
    pipelines.push(p);
    await plant(prefix, 'planted.sshd', jobData('sshd'));
    await plant(prefix, 'planted.rf', jobData('-rf'));
    await plant(prefix, 'planted.settlement', jobData('settlement'));
    const [sshd, rf, ok] = await Promise.all(['planted.sshd', 'planted.rf', 'planted.settlement'].map((id) => p.waitFinished(id)));
    expect(restart.calls.map((c) => c.target)).toEqual(['settlement']);
    expect(ok!.state).toBe('completed');
    expect([sshd!.state, sshd!.failed_reason]).toEqual(['failed', expect.stringContaining('remediation refused: unknown target "sshd"')]);
    expect([rf!.state, rf!.failed_reason]).toEqual(['failed', expect.stringContaining('remediation refused: unsafe target "-rf"')]);
    expect(await p.stepsOf('planted.sshd')).toEqual(['remediation.refused', 'remediation.escalated']);
    expect(p.escalator.requests.map((r) => [r.labels.reason, r.labels.refusal, r.labels.target])).toEqual(expect.arrayContaining([
      ['target_refused', 'unknown_target', 'sshd'],
      ['target_refused', 'unsafe_target', '-rf'],
    ]));
    const refused = (await p.registry.getSingleMetric('warden_remediations_refused_total')?.get())?.values ?? [];
    expect(refused).toEqual(expect.arrayContaining([expect.objectContaining({ labels: { reason: 'unknown_target' }, value: 1 }), expect.objectContaining({ labels: { reason: 'unsafe_target' }, value: 1 })]));
  });

  it('verify text with label values pasted in (as an older Warden queued it) is ignored: the query is rebuilt from the template', async () => {
    const store = new SignalStore({ windowMs: 60_000, maxPointsPerSeries: 100, stalenessMs: 60_000 });
    store.appendRaw('component_up', { component: 'settlement' }, 1, Date.now());
    const prefix = uniquePrefix();
    const restart = new ScriptedExecutor('restart');
    const p = await startPipeline(redis, { prefix, components: ['market-data'], verify: promqlVerifyCheck(store), executors: new Map([['restart', restart]]) });
    pipelines.push(p);
    const injection = 'zz"} == 1 or component_up{component=~".+';
    const r = rule({ name: 'restart-down', targets: undefined, verify: { expr: 'component_up{component="{{ $labels.component }}", instance="{{ $labels.instance }}"} == 1', within: '600ms' } });
    await plant(prefix, 'planted.verify', jobData('market-data', {
      rule: JSON.parse(JSON.stringify(r)),
      alert: { name: 'ServiceDown', fingerprint: 'fp', labels: { alertname: 'ServiceDown', component: 'market-data', instance: injection }, firedAtMs: 1, value: 0 },
      verifyExpr: `component_up{component="market-data", instance="${injection}"} == 1`,
    }));
    const job = await p.waitFinished('planted.verify');
    expect(restart.calls).toHaveLength(1);
    expect(job.result).toMatchObject({ outcome: 'verify_failed', verify: { held: false } });
    expect(p.escalator.requests.map((e) => e.labels.reason)).toEqual(['verify_failed']);
  });
});
