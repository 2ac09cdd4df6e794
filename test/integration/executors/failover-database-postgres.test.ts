import { AuditLog } from '../../../src/audit/audit-log';
import { DatabaseFailoverState } from '../../../src/remediate/database-failover-state';
import { FailoverDatabaseExecutor } from '../../../src/remediate/executors/failover/failover-database';
import { PostgresDriver } from '../../../src/remediate/executors/failover/postgres-driver';
import { probeEvidence } from '../../../src/remediate/probe-evidence';
import { SignalStore } from '../../../src/signals/signal-store';
import { postgresInstalled, startPostgresPair, type PostgresPair } from '../../support/postgres-cluster';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { executionContext, recordingServer, reply, type RecordingServer } from './helpers';

/**
 * failover_database's postgres driver against a real primary and synchronous streaming replica
 * (initdb + pg_basebackup -R), the executor driven directly: what it promotes, proves and refuses.
 * Warden end to end (probes, alert, job) is test/integration/e2e/database-failover.test.ts.
 */
jest.setTimeout(90_000);

const haveTools = postgresInstalled();
if (!haveTools && process.env.CI === 'true') throw new Error('PostgreSQL 15 (initdb, pg_basebackup) is required under CI');
const maybe = haveTools ? describe : describe.skip;

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => redis?.stop());

let n = 0;
async function setUp(pair: PostgresPair, exchange: RecordingServer) {
  const client = redis.client();
  const prefix = `dbfail-${++n}`;
  const audit = new AuditLog({ redis: client, prefix });
  const state = new DatabaseFailoverState(client, prefix);
  const store = new SignalStore({ windowMs: 60_000, maxPointsPerSeries: 10, stalenessMs: 60_000 });
  const driver = new PostgresDriver({
    urls: new Map([['db-primary', pair.primary.url], ['db-replica', pair.replica.url]]),
    connectTimeoutMs: 2000, promoteTimeoutMs: 30_000, queryTimeoutMs: 5000, checkTable: 'warden_failover_check', synchronousModeStrict: false,
  });
  const executor = new FailoverDatabaseExecutor({
    clusters: new Map([['exchange-db', { name: 'exchange-db', nodes: ['db-primary', 'db-replica'], driver, maxReplayLagBytes: 16 << 20 }]]),
    state, audit, probes: probeEvidence(store, Date.now, () => 5000), exchangeAdminUrl: exchange.url,
  });
  const primaryLook = await driver.inspect('db-primary', new AbortController().signal);
  await state.adopt('exchange-db', 'db-primary', primaryLook.timeline ?? 0, Date.now());
  /** What Warden's probes of the primary would have written after three failures. */
  const probesSayDown = () => {
    const t = Date.now();
    store.appendRaw('probe_success', { component: 'db-primary' }, 0, t);
    store.appendRaw('component_up', { component: 'db-primary' }, 0, t);
  };
  return { audit, state, executor, probesSayDown, driver };
}

maybe('failover_database on real PostgreSQL (postgres driver)', () => {
  let pair: PostgresPair;
  let exchange: RecordingServer;
  beforeEach(async () => {
    pair = await startPostgresPair();
    exchange = await recordingServer((_req, res) => reply(res, 200, { ok: true }));
  });
  afterEach(async () => {
    await exchange?.close();
    await pair?.destroy();
  });

  test('primary killed: the replica is promoted, accepts writes, has every committed row, and the exchange is told once', async () => {
    const s = await setUp(pair, exchange);
    await pair.primary.query('CREATE TABLE trades (id int PRIMARY KEY, qty int NOT NULL)');
    await pair.primary.query('INSERT INTO trades SELECT g, g * 10 FROM generate_series(1, 500) g');
    pair.primary.kill9();
    s.probesSayDown();
    const ctx = executionContext({ idempotencyKey: 'rem.failover.exchange-db.1', incident: 'INC-7', fencingToken: 4 });
    const result = await s.executor.execute('exchange-db', {}, ctx);
    expect(result.summary).toMatch(/promoted db-replica to primary of exchange-db \(was db-primary, epoch 1\)/);
    expect(await pair.replica.query('SELECT pg_is_in_recovery() AS r')).toEqual([{ r: false }]);
    expect(await pair.replica.query('SELECT count(*)::int AS n, sum(qty)::int AS q FROM trades')).toEqual([{ n: 500, q: 1_252_500 }]);
    expect(await pair.replica.query('SELECT node, epoch::int, fencing_token::int FROM warden_failover_check')).toEqual([{ node: 'db-replica', epoch: 1, fencing_token: 4 }]);
    await pair.replica.query('INSERT INTO trades VALUES (501, 1)');
    expect(exchange.requests).toHaveLength(1);
    const req = exchange.requests[0];
    expect(req?.url).toBe('/database/primary');
    expect(req?.headers['idempotency-key']).toBe('rem.failover.exchange-db.1');
    expect(JSON.parse(req?.body ?? '')).toEqual({ cluster: 'exchange-db', primary: { name: 'db-replica', host: '127.0.0.1', port: pair.replica.port, database: 'postgres' }, previous: 'db-primary', epoch: 1, fencingToken: 4, incident: 'INC-7', reason: null });
    expect(req?.body).not.toMatch(/postgresql:\/\//);
    const actions = (await s.audit.list({})).map((e) => e.action);
    expect(actions).toEqual(['database.primary_confirmed_down', 'database.failover_claimed', 'database.promoted', 'database.exchange_repointed']);
    expect(await s.state.read('exchange-db')).toMatchObject({ primary: 'db-replica', epoch: 1, claim: { state: 'done', key: 'rem.failover.exchange-db.1' } });

    // The same incident again (a retry, a replayed job): nothing promoted, nothing sent.
    const again = await s.executor.execute('exchange-db', {}, { ...ctx, attempt: 2 });
    expect(again.summary).toMatch(/already carried out/);
    expect(exchange.requests).toHaveLength(1);
    // Another job now (another key) is about Warden's primary, db-replica, which is up: no second failover, and never back to db-primary.
    await expect(s.executor.execute('exchange-db', {}, executionContext({ idempotencyKey: 'other' }))).rejects.toMatchObject({ name: 'TransientError', message: expect.stringMatching(/db-replica answers as a primary: not promoting/) });
    expect((await s.audit.list({})).map((e) => e.action)).toHaveLength(4);
  });

  test('a primary that still accepts connections is never failed over, whatever its probes say', async () => {
    const s = await setUp(pair, exchange);
    s.probesSayDown();
    await expect(s.executor.execute('exchange-db', {}, executionContext())).rejects.toMatchObject({ name: 'TransientError', message: expect.stringMatching(/db-primary answers as a primary: not promoting/) });
    expect(await pair.replica.query('SELECT pg_is_in_recovery() AS r')).toEqual([{ r: true }]);
    expect(exchange.requests).toHaveLength(0);
    expect(await s.audit.list({})).toEqual([]);
  });

  test('a dead primary whose probes have not confirmed it down is not failed over', async () => {
    const s = await setUp(pair, exchange);
    pair.primary.kill9();
    await expect(s.executor.execute('exchange-db', {}, executionContext())).rejects.toMatchObject({ name: 'TransientError', message: expect.stringMatching(/not confirmed down by its probes/) });
    expect(await pair.replica.query('SELECT pg_is_in_recovery() AS r')).toEqual([{ r: true }]);
  });

  test('no healthy replica: nothing promoted, and the error says why', async () => {
    const s = await setUp(pair, exchange);
    await pair.replica.stop();
    pair.primary.kill9();
    s.probesSayDown();
    await expect(s.executor.execute('exchange-db', {}, executionContext())).rejects.toMatchObject({ name: 'TransientError', message: expect.stringMatching(/no healthy replica to promote \(db-replica: .*ECONNREFUSED/) });
    expect(exchange.requests).toHaveLength(0);
    expect((await s.audit.list({})).map((e) => e.action)).toEqual(['database.primary_confirmed_down']);
  });
});
