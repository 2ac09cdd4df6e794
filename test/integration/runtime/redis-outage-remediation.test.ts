import { restartDownRules, restartRemediationConfig } from '../../support/remediation-rules';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { startHarness, type WardenHarness } from '../../support/warden-harness';
import { auditEntries, finishedJob, waitFor } from '../e2e/remediation-e2e-support';
import { startRestartRecorder, type RestartRecorder } from '../../support/restart-recorder';

/**
 * Issue 9: an alert that fires while Redis is unavailable (killed -9 and restarted on the same
 * port with AOF on, or frozen with SIGSTOP) still gets its remediation once Redis answers: the job
 * is enqueued, audited once with the time the alert fired, and the restart reaches the service
 * (a local HTTP server recording every restart request, Warden's real http driver).
 */
jest.setTimeout(90_000);

const RULES = restartDownRules({ url: '/control/restart/{{target}}', alertLabels: 'severity: P1, health: red' });

let recorder: RestartRecorder;
let recorderUrl: string;
let restarts: string[];

beforeAll(async () => {
  recorder = await startRestartRecorder();
  ({ url: recorderUrl, restarts } = recorder);
});
afterAll(async () => {
  await recorder.close();
});

const config = () => `
components: [{name: settlement, critical: true}]
${restartRemediationConfig(recorderUrl)}`;

let ts = 0;
const componentUp = (value: number) => [{ name: 'component_up', labels: { component: 'settlement' }, value, timestamp: (ts = Math.max(ts + 1, Date.now())) }];

async function timedPush(h: WardenHarness, value: number): Promise<{ status: number; code?: string; ms: number }> {
  const started = Date.now();
  const res = await h.push(componentUp(value));
  return { status: res.status, code: res.body?.error?.code, ms: Date.now() - started };
}

/** Everything the outage must not lose, each exactly once, the decisions at the time they were made. */
async function expectRemediatedOnce(h: WardenHarness, firedBetween: readonly [number, number]): Promise<void> {
  await waitFor('the restart request', () => restarts.length > 0, 20_000);
  const job = await finishedJob(h, 'restart-down-service', 'settlement');
  expect(job.state).toBe('completed');
  const entries = await auditEntries(h);
  const of = (action: string) => entries.filter((e) => e.action === action);
  expect(of('remediation.matched')).toHaveLength(1);
  expect(of('remediation.enqueued')).toHaveLength(1);
  expect(of('remediation.success')).toHaveLength(1);
  expect(of('incident.trigger')).toHaveLength(1);
  // Decided while Redis was away: recorded with that time, not the time Redis came back.
  for (const e of [...of('remediation.matched'), ...of('incident.trigger')]) {
    expect(Date.parse(e.time)).toBeGreaterThanOrEqual(firedBetween[0]);
    expect(Date.parse(e.time)).toBeLessThanOrEqual(firedBetween[1]);
  }
  const events = (await h.request('GET', '/v1/health/events')).body.events as Array<{ component: string | null; from: string; to: string; atMs: number }>;
  const down = events.filter((e) => e.component === 'settlement' && e.to === 'red');
  expect(down).toHaveLength(1);
  expect(down[0]!.atMs).toBeGreaterThanOrEqual(firedBetween[0]);
  expect(down[0]!.atMs).toBeLessThanOrEqual(firedBetween[1]);
  expect((await h.request('GET', '/v1/incidents')).body.incidents).toHaveLength(1);
  expect(await h.warden.audit.verify()).toMatchObject({ ok: true });
  // Settled: nothing more arrives later (no second job, no second restart).
  await new Promise((r) => setTimeout(r, 1_500));
  expect(restarts).toEqual(['/control/restart/settlement']);
  expect((await auditEntries(h)).filter((e) => e.action === 'remediation.enqueued')).toHaveLength(1);
}

describe('a remediation for an alert that fired while Redis was killed -9', () => {
  let redis: TestRedis;
  let h: WardenHarness;

  beforeAll(async () => {
    restarts.length = 0;
    redis = await startRedis({ appendonly: true });
    h = await startHarness({ config: config(), files: { 'down.rules.yaml': RULES }, redis });
    expect((await h.push(componentUp(1))).status).toBe(200);
  });
  afterAll(async () => {
    await redis?.restart().catch(() => undefined);
    await h?.stop();
    await redis?.stop();
  });

  it('is enqueued, audited once at the firing time and run once Redis is back on the same port', async () => {
    await redis.kill9();
    const before = Date.now();
    const push = await timedPush(h, 0);
    const after = Date.now();
    expect(push).toMatchObject({ status: 503, code: 'unavailable' });
    expect(push.ms).toBeLessThan(2_000);
    // Longer than ioredis holds a command for (3 reconnect attempts): the enqueue must outlive that.
    await new Promise((r) => setTimeout(r, 4_000));
    expect(restarts).toEqual([]);
    await redis.restart();
    const back = Date.now();
    await expectRemediatedOnce(h, [before, after]);
    expect(Date.now() - back).toBeLessThan(30_000);
  });
});

describe('a remediation for an alert that fired while Redis was frozen (SIGSTOP)', () => {
  let h: WardenHarness;

  beforeAll(async () => {
    restarts.length = 0;
    h = await startHarness({ config: config(), files: { 'down.rules.yaml': RULES } });
    expect((await h.push(componentUp(1))).status).toBe(200);
  });
  afterAll(async () => {
    h?.redis.thaw();
    await h?.stop();
  });

  it('is enqueued and run once Redis is thawed, audited once at the firing time', async () => {
    h.redis.freeze();
    await waitFor('/readyz 503', async () => (await h.request('GET', '/readyz')).status === 503, 5_000);
    const before = Date.now();
    const push = await timedPush(h, 0);
    const after = Date.now();
    expect(push).toMatchObject({ status: 503, code: 'unavailable' });
    expect(push.ms).toBeLessThan(2_000);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(restarts).toEqual([]);
    h.redis.thaw();
    await expectRemediatedOnce(h, [before, after]);
  });
});
