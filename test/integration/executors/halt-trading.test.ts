import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { AuditLog } from '../../../src/audit/audit-log';
import { Authenticator } from '../../../src/http/auth';
import { errorHandler, notFound } from '../../../src/http/error-handler';
import { tradingRoutes } from '../../../src/http/routes/trading';
import { HaltTradingExecutor } from '../../../src/remediate/executors/halt-trading';
import { TradingState } from '../../../src/remediate/trading-state';
import { silentLogger } from '../../../src/telemetry/logger';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { executionContext, recordingServer, reply, type RecordingServer } from './helpers';

/** The exchange admin endpoint as spec §9.1 describes it: a repeated key returns the cached answer. */
function exchangeAdmin(failFirst = 0) {
  const applied = new Map<string, number>();
  let halted = false;
  let failures = failFirst;
  return {
    applied,
    start: () =>
      recordingServer((req, res) => {
        if (failures > 0) {
          failures -= 1;
          return reply(res, 503, { error: 'busy' });
        }
        const key = String(req.headers['idempotency-key'] ?? '');
        if (applied.has(key)) return reply(res, 200, { cached: true });
        if (req.url === '/trading/halt') {
          if (halted) return reply(res, 409, { error: 'already halted' });
          halted = true;
        } else if (req.url === '/trading/resume') halted = false;
        applied.set(key, (applied.get(key) ?? 0) + 1);
        reply(res, 200, { ok: true });
      }),
  };
}

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

let n = 0;
async function setUp(failFirst = 0) {
  const exchange = exchangeAdmin(failFirst);
  const admin = await exchange.start();
  const client = redis.client();
  const prefix = `halt-${++n}`;
  const audit = new AuditLog({ redis: client, prefix });
  const trading = new TradingState({ redis: client, prefix, audit, adminUrl: admin.url });
  const executor = new HaltTradingExecutor({ adminUrl: admin.url, trading });
  return { exchange, admin, audit, trading, executor };
}

describe('halt_trading', () => {
  let admin: RecordingServer | undefined;
  afterEach(async () => admin?.close());

  test('three calls with one idempotency key reach the exchange once and record the halt', async () => {
    const s = await setUp();
    admin = s.admin;
    const ctx = executionContext({ idempotencyKey: 'halt:InvariantViolation:2026-03-01', incident: 'INC-42', reason: 'balances do not add up', fencingToken: 3 });
    for (let attempt = 1; attempt <= 3; attempt++) await s.executor.execute('exchange', {}, { ...ctx, attempt });
    expect(s.admin.requests).toHaveLength(1);
    const [req] = s.admin.requests;
    expect(req?.headers['idempotency-key']).toBe('halt:InvariantViolation:2026-03-01');
    expect(JSON.parse(req?.body ?? '')).toEqual({ reason: 'balances do not add up', incident: 'INC-42', fencingToken: 3 });
    expect(await s.trading.get()).toMatchObject({ state: 'halted', reason: 'balances do not add up', incident: 'INC-42', since: expect.any(String) });
    expect((await s.audit.list({})).map((e) => e.action)).toEqual(['trading.halted']);
  });

  test('a 503 is transient; the retry carries the same key and the exchange applies one halt', async () => {
    const s = await setUp(1);
    admin = s.admin;
    const ctx = executionContext({ idempotencyKey: 'k-503', incident: 'INC-1' });
    await expect(s.executor.execute('exchange', {}, ctx)).rejects.toMatchObject({ name: 'TransientError' });
    expect((await s.trading.get()).state).toBe('running');
    await s.executor.execute('exchange', {}, { ...ctx, attempt: 2 });
    expect(s.admin.requests.map((r) => r.headers['idempotency-key'])).toEqual(['k-503', 'k-503']);
    expect(s.exchange.applied.get('k-503')).toBe(1);
    expect((await s.trading.get()).state).toBe('halted');
  });

  test('409 "already halted" counts as success', async () => {
    const a = await setUp();
    admin = a.admin;
    await a.executor.execute('exchange', {}, executionContext({ idempotencyKey: 'first' }));
    const r = await a.executor.execute('exchange', {}, executionContext({ idempotencyKey: 'second' }));
    expect(r.details).toMatchObject({ status: 409 });
    expect((await a.audit.list({})).map((e) => e.action)).toEqual(['trading.halted', 'trading.halt_repeated']);
  });

  test('a 400 is permanent and nothing is recorded; an unreachable exchange is transient', async () => {
    const bad = await recordingServer((_req, res) => reply(res, 400, { error: 'bad' }));
    const client = redis.client();
    const audit = new AuditLog({ redis: client, prefix: `halt-${++n}` });
    const trading = new TradingState({ redis: client, prefix: `halt-${n}`, audit });
    await expect(new HaltTradingExecutor({ adminUrl: bad.url, trading }).execute('exchange', {}, executionContext())).rejects.toMatchObject({ name: 'PermanentError' });
    await bad.close();
    await expect(new HaltTradingExecutor({ adminUrl: bad.url, trading }).execute('exchange', {}, executionContext())).rejects.toMatchObject({ name: 'TransientError' });
    expect((await trading.get()).state).toBe('running');
    expect(await audit.list({})).toEqual([]);
  });

  test('a request that outlives its timeout is transient; an aborted job is permanent', async () => {
    const slow = await recordingServer((_req, res) => setTimeout(() => reply(res, 200), 1000));
    const client = redis.client();
    const trading = new TradingState({ redis: client, prefix: `halt-${++n}`, audit: new AuditLog({ redis: client, prefix: `halt-${n}` }) });
    await expect(new HaltTradingExecutor({ adminUrl: slow.url, trading, timeoutMs: 100 }).execute('exchange', {}, executionContext())).rejects.toMatchObject({ name: 'TransientError', message: expect.stringMatching(/timed out after 100 ms/) });
    const ac = new AbortController();
    setTimeout(() => ac.abort('lease lost'), 50);
    await expect(new HaltTradingExecutor({ adminUrl: slow.url, trading }).execute('exchange', {}, executionContext({ signal: ac.signal }))).rejects.toMatchObject({ name: 'PermanentError', message: expect.stringMatching(/lease lost/) });
    await slow.close();
  });
});

describe('GET /v1/trading and POST /v1/trading/resume', () => {
  let server: Server;
  let base: string;
  let s: Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => {
    s = await setUp();
    const auth = new Authenticator([
      { name: 'viewer', token: 'r', scopes: ['read'] },
      { name: 'oncall-alice', token: 'o', scopes: ['operate'] },
    ]);
    const app = express().use(tradingRoutes({ auth, trading: s.trading, audit: s.audit })).use(notFound).use(errorHandler(silentLogger()));
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await s.admin.close();
  });
  const resume = (body: string | undefined, token = 'o') =>
    fetch(`${base}/v1/trading/resume`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });

  test('while running: GET says running and resume is a 409', async () => {
    const res = await fetch(`${base}/v1/trading`, { headers: { authorization: 'Bearer r' } });
    expect(await res.json()).toEqual({ state: 'running', since: null, reason: null, incident: null });
    const r = await resume(JSON.stringify({ reason: 'why not' }));
    expect(r.status).toBe(409);
    expect(await r.json()).toMatchObject({ error: { code: 'not_halted' } });
  });

  test('after a halt: a read token cannot resume, a missing reason is a 400 that changes nothing, an operator can', async () => {
    await s.executor.execute('exchange', {}, executionContext({ idempotencyKey: 'route-halt', incident: 'INC-7', reason: 'fees invariant' }));
    expect(await (await fetch(`${base}/v1/trading`, { headers: { authorization: 'Bearer r' } })).json()).toMatchObject({ state: 'halted', incident: 'INC-7', reason: 'fees invariant' });
    expect((await resume(JSON.stringify({ reason: 'x' }), 'r')).status).toBe(403);
    for (const body of [undefined, '{}', JSON.stringify({ reason: '  ' }), JSON.stringify({ reason: 5 }), '{bad json']) {
      const r = await resume(body);
      expect(r.status).toBe(400);
      expect(await r.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    }
    expect((await s.trading.get()).state).toBe('halted');
    const ok = await resume(JSON.stringify({ reason: 'ledger reconciled by hand' }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ state: 'running', reason: 'ledger reconciled by hand', incident: null });
    const resumes = s.admin.requests.filter((r) => r.url === '/trading/resume');
    expect(resumes).toHaveLength(1);
    expect(resumes[0]?.headers['idempotency-key']).toMatch(/^resume-[0-9a-f]{32}$/);
    const entries = await s.audit.list({});
    expect(entries.map((e) => [e.action, e.actor])).toEqual([['trading.halted', 'warden:job:job-1'], ['trading.resumed', 'oncall-alice']]);
    expect(await s.audit.verify()).toMatchObject({ ok: true });
  });
});
