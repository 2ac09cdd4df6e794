import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { startHarness, type WardenHarness } from '../../support/warden-harness';

const rule = (threshold: number) => `groups:
  - name: test
    rules:
      - alert: LagHigh
        expr: replication_lag_seconds > ${threshold}
        labels: {health: red, severity: P1}
`;
const CONFIG = `
components: [{name: database, critical: true}]
rules: [test.rules.yaml]
`;

let ts = 0;
// Monotonic per series and close to now (older than `staleness` would be stale data).
const next = () => (ts = Math.max(ts + 1, Date.now()));
const lag = (value: number) => [{ name: 'replication_lag_seconds', labels: { component: 'database' }, value, timestamp: next() }];

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('rule reload', () => {
  let h: WardenHarness;
  beforeAll(async () => {
    h = await startHarness({ config: CONFIG, files: { 'test.rules.yaml': rule(10) } });
    await h.push(lag(5));
  });
  afterAll(() => h?.stop());

  it('POST /v1/rules/reload applies a changed file', async () => {
    expect((await h.request('GET', '/v1/health')).body.status).toBe('green');
    writeFileSync(join(h.dir, 'test.rules.yaml'), rule(4));
    const res = await h.request('POST', '/v1/rules/reload');
    expect(res.status).toBe(200);
    expect((await h.request('GET', '/v1/health')).body.status).toBe('red');
  });

  it('rejects a bad file with its file:line error and keeps the previous rules running', async () => {
    writeFileSync(join(h.dir, 'test.rules.yaml'), 'groups:\n  - name: test\n    rules:\n      - alert: Bad\n        expr: replication_lag_seconds >\n');
    const res = await h.request('POST', '/v1/rules/reload');
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('invalid_rules');
    expect(res.body.error.message).toMatch(/test\.rules\.yaml:\d+/);
    expect((await h.request('GET', '/v1/health')).body.status).toBe('red');
    const rules = await h.request('GET', '/v1/rules');
    expect(rules.body.lastReload).toMatchObject({ ok: false });
    expect(JSON.stringify(rules.body.groups)).toContain('LagHigh');
  });

  it('reloads by itself when a rule file changes on disk', async () => {
    writeFileSync(join(h.dir, 'test.rules.yaml'), rule(10));
    await waitFor(async () => (await h.request('GET', '/v1/health')).body.status === 'green');
  });
});

describe('restart', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());

  it('keeps current health and its transition history in Redis across a restart', async () => {
    const first = await startHarness({ config: CONFIG, files: { 'test.rules.yaml': rule(10) }, redis });
    await first.push(lag(20));
    expect((await first.request('GET', '/v1/health')).body.status).toBe('red');
    await first.stop();

    const stored = JSON.parse((await redis.client().get('warden:health:current')) as string);
    expect(stored.status).toBe('red');

    const second = await startHarness({ config: CONFIG, files: { 'test.rules.yaml': rule(10) }, redis });
    try {
      const events = await second.request('GET', '/v1/health/events?limit=1000');
      expect(events.body.events.some((e: { component: string | null; to: string }) => e.component === null && e.to === 'red')).toBe(true);
    } finally {
      await second.stop();
    }
  });

  it('resumes an alert that still holds with its original firedAt, and resolves one that never returns', async () => {
    // Long enough that the restarted Warden re-sees the database alert before it lapses on a slow
    // runner; the test then moves the second Warden's clock past it instead of waiting.
    const config = CONFIG + 'staleness: 10s\n';
    const files = { 'test.rules.yaml': rule(10) };
    const first = await startHarness({ config, files, redis });
    await first.push([...lag(20), { name: 'replication_lag_seconds', labels: { component: 'replica' }, value: 30, timestamp: next() }]);
    const before = (await first.request('GET', '/v1/alerts')).body.alerts as Array<{ labels: { component: string }; firedAt: string }>;
    expect(before).toHaveLength(2);
    await first.stop();

    let offsetMs = 0;
    const second = await startHarness({ config, files, redis, clock: () => Date.now() + offsetMs });
    try {
      const seen: Array<{ to: string; component: string; firedAtMs?: number }> = [];
      second.warden.events.on('alert', (t) => seen.push({ to: t.to, component: t.alert.labels.component as string, firedAtMs: t.alert.firedAtMs }));
      await second.push(lag(20));
      const after = (await second.request('GET', '/v1/alerts')).body.alerts as Array<{ labels: { component: string }; firedAt: string }>;
      const db = (list: typeof before) => list.find((a) => a.labels.component === 'database')?.firedAt;
      expect(db(after)).toBe(db(before));
      expect(seen.some((t) => t.component === 'replica')).toBe(false);
      offsetMs += 11_000;
      await waitFor(async () => seen.some((t) => t.component === 'replica' && t.to === 'inactive'), 10_000);
    } finally {
      await second.stop();
    }
  });
});

describe('time-driven evaluation', () => {
  it('a rule with `for:` turns health Yellow once it has held that long, without another sample', async () => {
    const rules = 'groups:\n  - name: t\n    rules:\n      - {alert: DiskFull, expr: disk_used_ratio >= 0.9, for: 1m, labels: {health: yellow, severity: P2}}\n';
    // Warden's clock is moved past `for:` rather than waited out, so the pending checks cannot race it.
    let offsetMs = 0;
    const h = await startHarness({ config: 'components: [{name: reporting, critical: false}]\nrules: [t.rules.yaml]\nevaluation_interval: 200ms\nstaleness: 10m\n', files: { 't.rules.yaml': rules }, clock: () => Date.now() + offsetMs });
    try {
      await h.push([{ name: 'disk_used_ratio', labels: { component: 'reporting' }, value: 0.95, timestamp: next() }]);
      const first = await h.request('GET', '/v1/health/reporting');
      expect(first.body.status).toBe('green');
      expect((await h.request('GET', '/v1/alerts')).body.alerts[0]).toMatchObject({ name: 'DiskFull', state: 'pending' });
      offsetMs += 61_000;
      await waitFor(async () => (await h.request('GET', '/v1/health/reporting')).body.status === 'yellow', 5000);
      expect((await h.request('GET', '/v1/alerts')).body.alerts[0]).toMatchObject({ name: 'DiskFull', state: 'firing' });
    } finally {
      await h.stop();
    }
  });
});
