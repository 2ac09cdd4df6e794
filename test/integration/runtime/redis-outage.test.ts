import { startRedis, type TestRedis } from '../../support/redis-server';
import { startHarness, type WardenHarness } from '../../support/warden-harness';

/**
 * Issue 9: a real redis-server killed -9 (AOF on) and restarted on the same port, or frozen with
 * SIGSTOP, while a Red condition is pushed. Nothing Warden decided meanwhile is lost, and
 * /readyz says the truth about a Redis that does not answer.
 */
const RULES = `groups:
  - name: test
    rules:
      - alert: LagHigh
        expr: replication_lag_seconds > 10
        labels: {health: red, severity: P1}
        annotations: {summary: replication lag high}
`;
const CONFIG = `
components: [{name: database, critical: true}]
rules: [test.rules.yaml]
`;

let ts = 0;
// Monotonic per series and close to now (older than `staleness` would be stale data).
const next = () => (ts = Math.max(ts + 1, Date.now()));
const lag = (value: number) => [{ name: 'replication_lag_seconds', labels: { component: 'database' }, value, timestamp: next() }];

async function until<T>(what: string, probe: () => Promise<T | undefined>, deadlineMs = 20_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function timedPush(h: WardenHarness, value: number) {
  const started = Date.now();
  const res = await h.push(lag(value));
  return { ...res, ms: Date.now() - started };
}

jest.setTimeout(60_000);

describe('a Red alert pushed while Redis is killed -9 becomes an incident once Redis is back', () => {
  let redis: TestRedis;
  let h: WardenHarness;

  beforeAll(async () => {
    redis = await startRedis({ appendonly: true });
    h = await startHarness({ config: CONFIG, files: { 'test.rules.yaml': RULES }, redis });
    expect((await h.push(lag(0.1))).status).toBe(200);
    expect((await h.request('GET', '/v1/health')).body.status).toBe('green');
  });
  afterAll(async () => {
    await redis?.restart().catch(() => undefined);
    await h?.stop();
    await redis?.stop();
  });

  it('answers the push 503 within 2 s, then writes the incident, the health event (original time), health:current and the audit entry', async () => {
    await redis.kill9();
    const before = Date.now();
    const push = await timedPush(h, 99);
    const after = Date.now();
    expect(push.status).toBe(503);
    expect(push.body.error.code).toBe('unavailable');
    expect(push.ms).toBeLessThan(2_000);
    // Applied in memory: the API already shows it.
    expect((await h.request('GET', '/v1/alerts')).body.alerts).toEqual([expect.objectContaining({ name: 'LagHigh', state: 'firing' })]);
    expect((await h.request('GET', '/v1/health')).body.status).toBe('red');
    const notReady = await until('/readyz 503', async () => {
      const r = await h.request('GET', '/readyz');
      return r.status === 503 ? r : undefined;
    });
    expect(notReady.body.checks.redis).toBe(false);
    expect(typeof notReady.body.reasons.redis).toBe('string');

    // A retry of the same samples changes nothing, yet is not acknowledged while the first push's
    // state change still waits for Redis.
    const retry = await h.request('POST', '/v1/samples', { body: { samples: [{ name: 'replication_lag_seconds', labels: { component: 'database' }, value: 99, timestamp: ts }] } });
    expect(retry.status).toBe(503);
    expect(retry.body.error.code).toBe('unavailable');

    // An outage of a few seconds: ioredis gives up on the commands it held, the outboxes keep them.
    await new Promise((r) => setTimeout(r, 4_000));
    await redis.restart();
    const back = Date.now();

    const incidents = await until('the incident', async () => {
      const r = await h.request('GET', '/v1/incidents');
      return r.body.incidents?.length > 0 ? r.body.incidents : undefined;
    });
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ severity: 'P1', status: 'triggered' });
    // Opened at the time the alert arrived, not when Redis came back.
    expect(Date.parse(incidents[0].startedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(incidents[0].startedAt)).toBeLessThanOrEqual(after);

    const overall = await until('the green->red health event', async () => {
      const events = (await h.request('GET', '/v1/health/events')).body.events as Array<{ component: string | null; from: string; to: string; atMs: number }>;
      const e = events.filter((x) => x.component === null && x.from === 'green' && x.to === 'red');
      return e.length > 0 ? e : undefined;
    });
    expect(overall).toHaveLength(1);
    expect(overall[0]!.atMs).toBeGreaterThanOrEqual(before);
    expect(overall[0]!.atMs).toBeLessThanOrEqual(after);

    const client = redis.client();
    const current = await until('health:current red', async () => {
      const text = await client.get(h.warden.tracker.currentKey);
      const snap = text ? JSON.parse(text) : undefined;
      return snap?.status === 'red' ? snap : undefined;
    });
    expect(current.evaluatedAtMs).toBeLessThanOrEqual(after);
    const active = (await client.hvals(h.warden.tracker.alertsKey)).map((text) => JSON.parse(text));
    expect(active).toEqual([expect.objectContaining({ name: 'LagHigh', state: 'firing' })]);

    const trigger = await until('the incident.trigger audit entry', async () => {
      const entries = (await h.request('GET', '/v1/audit?limit=1000')).body.entries as Array<{ action: string; target: string; time: string }>;
      const t = entries.filter((e) => e.action === 'incident.trigger');
      return t.length > 0 ? t : undefined;
    });
    expect(trigger).toEqual([expect.objectContaining({ target: `incident/${incidents[0].id}` })]);
    expect(Date.parse(trigger[0]!.time)).toBeLessThan(back);
    expect(await h.warden.audit.verify()).toMatchObject({ ok: true });

    await until('/readyz 200', async () => ((await h.request('GET', '/readyz')).status === 200 ? true : undefined));
    // Written once: nothing doubled by retries.
    expect((await h.request('GET', '/v1/incidents')).body.incidents).toHaveLength(1);
    expect(((await h.request('GET', '/v1/audit?limit=1000')).body.entries as Array<{ action: string }>).filter((e) => e.action === 'incident.trigger')).toHaveLength(1);
  });
});

describe('a frozen Redis (SIGSTOP)', () => {
  let h: WardenHarness;

  beforeAll(async () => {
    h = await startHarness({ config: CONFIG, files: { 'test.rules.yaml': RULES } });
    expect((await h.push(lag(0.1))).status).toBe(200);
  });
  afterAll(async () => {
    h?.redis.thaw();
    await h?.stop();
  });

  it('makes /readyz 503 within 2 s with the reason while /healthz stays 200; a push answers 503 within 2 s; SIGCONT makes it ready and the incident appears', async () => {
    expect((await h.request('GET', '/readyz')).status).toBe(200);
    h.redis.freeze();
    const frozenAt = Date.now();
    const notReady = await until('/readyz 503', async () => {
      const r = await h.request('GET', '/readyz');
      return r.status === 503 ? r : undefined;
    }, 5_000);
    expect(Date.now() - frozenAt).toBeLessThan(2_000);
    expect(notReady.body).toMatchObject({ status: 'not_ready', checks: { redis: false, rules: true } });
    expect(notReady.body.reasons.redis).toMatch(/PING/);
    expect((await h.request('GET', '/healthz')).status).toBe(200);

    const push = await timedPush(h, 99);
    expect(push.status).toBe(503);
    expect(push.body.error.code).toBe('unavailable');
    expect(push.ms).toBeLessThan(2_000);

    h.redis.thaw();
    await until('/readyz 200', async () => ((await h.request('GET', '/readyz')).status === 200 ? true : undefined));
    const incidents = await until('the incident', async () => {
      const r = await h.request('GET', '/v1/incidents');
      return r.body.incidents?.length > 0 ? r.body.incidents : undefined;
    });
    expect(incidents).toHaveLength(1);
  });
});
