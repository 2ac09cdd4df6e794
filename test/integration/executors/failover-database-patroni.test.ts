import { AuditLog } from '../../../src/audit/audit-log';
import { DatabaseFailoverState } from '../../../src/remediate/database-failover-state';
import { FailoverDatabaseExecutor } from '../../../src/remediate/executors/failover/failover-database';
import { PatroniDriver } from '../../../src/remediate/executors/failover/patroni-driver';
import { probeEvidence } from '../../../src/remediate/probe-evidence';
import { SignalStore } from '../../../src/signals/signal-store';
import { startFakePatroni, type FakePatroni } from '../../support/fake-patroni';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { executionContext, recordingServer, reply, type RecordingServer } from './helpers';

/** failover_database's patroni driver against local servers speaking Patroni's REST API. */
let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => redis?.stop());

let patroni: FakePatroni;
let exchange: RecordingServer;
afterEach(async () => {
  await patroni?.close();
  await exchange?.close();
});

let n = 0;
async function setUp(auth?: string) {
  patroni = await startFakePatroni(['pg-a', 'pg-b']);
  if (auth) patroni.auth = auth;
  exchange = await recordingServer((_req, res) => reply(res, 200, { ok: true }));
  const client = redis.client();
  const prefix = `patroni-${++n}`;
  const audit = new AuditLog({ redis: client, prefix });
  const state = new DatabaseFailoverState(client, prefix);
  const store = new SignalStore({ windowMs: 60_000, maxPointsPerSeries: 10, stalenessMs: 60_000 });
  const driver = new PatroniDriver({ apis: new Map([['pg-a', patroni.apiUrl('pg-a')], ['pg-b', patroni.apiUrl('pg-b')]]), auth: 'warden:patroni-pass', connectTimeoutMs: 1000, promoteTimeoutMs: 3000 });
  const executor = new FailoverDatabaseExecutor({
    clusters: new Map([['pg', { name: 'pg', nodes: ['pg-a', 'pg-b'], driver, maxReplayLagBytes: 1 << 20 }]]),
    state, audit, probes: probeEvidence(store, Date.now, () => 5000), exchangeAdminUrl: exchange.url,
  });
  await state.adopt('pg', 'pg-a', 1, Date.now());
  const t = Date.now();
  store.appendRaw('probe_success', { component: 'pg-a' }, 0, t);
  store.appendRaw('component_up', { component: 'pg-a' }, 0, t);
  return { executor, audit, state };
}

const failovers = () => patroni.requests.filter((r) => r.method === 'POST' && r.path === '/failover');

describe('failover_database, patroni driver', () => {
  test('leader host gone: POST /failover {"candidate"} with basic auth, verified by GET /primary and /cluster, exchange told with the member host', async () => {
    const s = await setUp('warden:patroni-pass');
    Object.assign(patroni.members.get('pg-a') ?? {}, { down: true, state: 'stopped' });
    const result = await s.executor.execute('pg', {}, executionContext({ idempotencyKey: 'k1' }));
    expect(result.summary).toMatch(/promoted pg-b to primary of pg \(was pg-a, epoch 1\)/);
    expect(failovers()).toHaveLength(1);
    expect(failovers()[0]).toMatchObject({ member: 'pg-b', body: '{"candidate":"pg-b"}', authorization: `Basic ${Buffer.from('warden:patroni-pass').toString('base64')}` });
    expect(patroni.requests.some((r) => r.member === 'pg-b' && r.method === 'GET' && r.path === '/primary')).toBe(true);
    expect(JSON.parse(exchange.requests[0]?.body ?? '{}')).toMatchObject({ primary: { name: 'pg-b', host: '10.0.0.6', port: 5432 }, previous: 'pg-a', epoch: 1 });
    expect((await s.audit.list({})).map((e) => e.action)).toEqual(['database.primary_confirmed_down', 'database.failover_claimed', 'database.promoted', 'database.exchange_repointed']);
    await s.executor.execute('pg', {}, executionContext({ idempotencyKey: 'k1', attempt: 2 }));
    expect(failovers()).toHaveLength(1);
    expect(exchange.requests).toHaveLength(1);
  });

  test('Patroni still shows the old primary as the running leader: nothing is asked of Patroni', async () => {
    const s = await setUp();
    // Warden's probes say down, the old primary's own API is unreachable from Warden, but the cluster sees it running.
    Object.assign(patroni.members.get('pg-a') ?? {}, { down: true });
    await expect(s.executor.execute('pg', {}, executionContext())).rejects.toMatchObject({ name: 'TransientError', message: expect.stringMatching(/still shows pg-a as the running leader/) });
    expect(failovers()).toHaveLength(0);
    expect(exchange.requests).toHaveLength(0);
  });

  test('503 from Patroni is worth a retry (the claim stays for it); 412 is permanent, says why, and releases the claim', async () => {
    const s = await setUp();
    Object.assign(patroni.members.get('pg-a') ?? {}, { down: true, state: 'stopped' });
    patroni.failoverReply = () => ({ status: 503, text: 'Failover failed' });
    await expect(s.executor.execute('pg', {}, executionContext({ idempotencyKey: 'k2' }))).rejects.toMatchObject({ name: 'TransientError', message: expect.stringMatching(/HTTP 503 Failover failed/) });
    expect(await s.state.read('pg')).toMatchObject({ primary: 'pg-a', claim: { key: 'k2', to: 'pg-b', state: 'promoting' } });
    await expect(s.executor.execute('pg', {}, executionContext({ idempotencyKey: 'k-other' }))).rejects.toMatchObject({ name: 'TransientError', message: expect.stringMatching(/another failover \(key k2, to pg-b\) is in flight/) });
    patroni.failoverReply = () => ({ status: 412, text: 'failover is not possible: no good candidates have been found' });
    await expect(s.executor.execute('pg', {}, executionContext({ idempotencyKey: 'k2', attempt: 2 }))).rejects.toMatchObject({ name: 'PermanentError', message: expect.stringMatching(/HTTP 412 failover is not possible/) });
    // A refusal changed nothing: the claim is released for a later failover (and audited).
    expect(await s.state.read('pg')).toMatchObject({ primary: 'pg-a', claim: { key: 'k2', state: 'released' } });
    expect((await s.audit.list({})).map((e) => e.action)).toContain('database.failover_released');
    patroni.failoverReply = undefined;
    await expect(s.executor.execute('pg', {}, executionContext({ idempotencyKey: 'k3' }))).resolves.toMatchObject({ summary: expect.stringMatching(/promoted pg-b .*epoch 2/) });
    expect(exchange.requests).toHaveLength(1);
  });

  test('wrong credentials are a permanent error (401), not retried', async () => {
    const s = await setUp('someone:else');
    Object.assign(patroni.members.get('pg-a') ?? {}, { down: true, state: 'stopped' });
    await expect(s.executor.execute('pg', {}, executionContext())).rejects.toMatchObject({ name: 'PermanentError', message: expect.stringMatching(/HTTP 401/) });
  });
});
