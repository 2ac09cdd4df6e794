import { startHarness, type WardenHarness } from '../../support/warden-harness';

const RULES = `groups:
  - name: test
    rules:
      - alert: LagHigh
        expr: replication_lag_seconds > 10
        labels: {health: red, severity: P1}
`;
const CONFIG = `
components: [{name: database, critical: true}]
rules: [test.rules.yaml]
limits: {max_labels: 4, max_body: 4KiB}
evaluation_interval: 100ms
`;

let h: WardenHarness;
let ts = 0;
// Monotonic per series and close to now (older than `staleness` would be stale data).
const next = () => (ts = Math.max(ts + 1, Date.now()));

beforeAll(async () => {
  h = await startHarness({ config: CONFIG, files: { 'test.rules.yaml': RULES } });
  expect((await h.push([{ name: 'replication_lag_seconds', labels: { component: 'database' }, value: 0.1, timestamp: next() }])).status).toBe(200);
});
afterAll(() => h?.stop());

async function snapshot() {
  const [health, alerts, metrics] = await Promise.all([h.request('GET', '/v1/health'), h.request('GET', '/v1/alerts'), h.request('GET', '/metrics')]);
  const accepted = /warden_samples_accepted_total\{source="push"\} (\d+)/.exec(metrics.body)?.[1];
  return { health: health.body.status, components: health.body.components, alerts: alerts.body.alerts, accepted };
}

/** A red-making sample first in the batch, then the bad one: all-or-nothing means neither applies. */
function batchWith(bad: Record<string, unknown>) {
  return { samples: [{ name: 'replication_lag_seconds', labels: { component: 'database' }, value: 99, timestamp: next() }, bad] };
}

describe('POST /v1/samples rejects bad input with a clear error and changes nothing', () => {
  const cases: Array<[string, Record<string, unknown>, string, string]> = [
    ['a string value', { name: 'm', value: '1' }, 'invalid_value', 'value'],
    ['a bad metric name', { name: 'bad-name', value: 1 }, 'invalid_name', 'name'],
    ['a bad label name', { name: 'm', value: 1, labels: { '0x': 'a' } }, 'invalid_label_name', 'labels.0x'],
    ['too many labels', { name: 'm', value: 1, labels: { a: '1', b: '1', c: '1', d: '1', e: '1' } }, 'too_many_labels', 'labels'],
    ['a label value over 1 KiB', { name: 'm', value: 1, labels: { a: 'x'.repeat(1025) } }, 'label_value_too_long', 'labels.a'],
    ['a timestamp 6 minutes ahead', { name: 'm', value: 1, timestamp: Date.now() + 360_000 }, 'timestamp_in_future', 'timestamp'],
  ];
  it.each(cases)('400 for %s, naming the sample index and field', async (_what, bad, code, field) => {
    const before = await snapshot();
    const res = await h.request('POST', '/v1/samples', { body: batchWith(bad) });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code, index: 1, field });
    expect(typeof res.body.error.message).toBe('string');
    expect(await snapshot()).toEqual(before);
  });

  it('400 for malformed JSON', async () => {
    const before = await snapshot();
    const res = await h.request('POST', '/v1/samples', { rawBody: '{"samples":[{"name":"m",' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('malformed_json');
    expect(await snapshot()).toEqual(before);
  });

  it('413 for a body over limits.max_body', async () => {
    const before = await snapshot();
    const big = { samples: Array.from({ length: 200 }, (_, i) => ({ name: 'replication_lag_seconds', labels: { component: 'database' }, value: 99, timestamp: next() + i })) };
    const res = await h.request('POST', '/v1/samples', { body: big });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    expect(await snapshot()).toEqual(before);
  });

  it('415 for a content type other than JSON', async () => {
    const before = await snapshot();
    const res = await h.request('POST', '/v1/samples', { rawBody: 'replication_lag_seconds 99', contentType: 'text/plain' });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
    expect(await snapshot()).toEqual(before);
  });

  it('counts rejections by reason in /metrics', async () => {
    const res = await h.request('GET', '/metrics');
    expect(res.body).toMatch(/warden_samples_rejected_total\{reason="invalid_value"\} 1/);
    expect(res.body).toMatch(/warden_samples_rejected_total\{reason="unsupported_media_type"\} 1/);
  });
});

describe('POST /v1/samples applies good input', () => {
  it('skips and counts out-of-order samples instead of applying them', async () => {
    const t = next();
    const res = await h.push([
      { name: 'replication_lag_seconds', labels: { component: 'database' }, value: 0.5, timestamp: t },
      { name: 'replication_lag_seconds', labels: { component: 'database' }, value: 99, timestamp: t - 5 },
    ]);
    expect(res.body).toEqual({ accepted: 1, skipped: 1 });
    expect((await h.request('GET', '/v1/health')).body.status).toBe('green');
  });

  it('fires a rule and turns the component Red at once, then Green again', async () => {
    await h.push([{ name: 'replication_lag_seconds', labels: { component: 'database' }, value: 11, timestamp: next() }]);
    const alerts = await h.request('GET', '/v1/alerts');
    expect(alerts.body.alerts).toEqual([expect.objectContaining({ name: 'LagHigh', state: 'firing', labels: expect.objectContaining({ component: 'database', alertname: 'LagHigh' }) })]);
    expect((await h.request('GET', '/v1/health')).body.status).toBe('red');
    await h.push([{ name: 'replication_lag_seconds', labels: { component: 'database' }, value: 1, timestamp: next() }]);
    expect((await h.request('GET', '/v1/health')).body.status).toBe('green');
  });

  it('evaluates a sample slightly ahead of Warden’s clock at once, and one far ahead when the clock reaches it', async () => {
    await h.push([{ name: 'replication_lag_seconds', labels: { component: 'database' }, value: 11, timestamp: (ts = Date.now() + 500) }]);
    expect((await h.request('GET', '/v1/health')).body.status).toBe('red');
    await new Promise((r) => setTimeout(r, 600)); // let our clock pass the first sample
    // Far beyond the 1 s clock-skew tolerance, so even a slow runner still sees it ahead when it lands.
    const ahead = (ts = Date.now() + 6000);
    await h.push([{ name: 'replication_lag_seconds', labels: { component: 'database' }, value: 0.1, timestamp: ahead }]);
    expect((await h.request('GET', '/v1/health')).body.status).toBe('red');
    const deadline = ahead + 5000;
    while ((await h.request('GET', '/v1/health')).body.status !== 'green') {
      if (Date.now() > deadline) throw new Error('future sample never evaluated');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(Date.now()).toBeGreaterThanOrEqual(ahead);
  });

  it('keeps an alert a slightly-ahead sample fired while ticks run before that sample’s time', async () => {
    await new Promise((r) => setTimeout(r, 100)); // the previous test's sample is behind our clock now
    const ahead = (ts = Date.now() + 800);
    await h.push([{ name: 'replication_lag_seconds', labels: { component: 'database' }, value: 11, timestamp: ahead }]);
    expect((await h.request('GET', '/v1/health')).body.status).toBe('red');
    // Several 100 ms ticks run before our clock reaches the sample: none may evaluate at an earlier
    // instant, where the sample is "in the future" and the alert it fired would resolve.
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 100));
      expect((await h.request('GET', '/v1/health')).body.status).toBe('red');
    }
    await h.push([{ name: 'replication_lag_seconds', labels: { component: 'database' }, value: 1, timestamp: next() }]);
    expect((await h.request('GET', '/v1/health')).body.status).toBe('green');
  });

  it('exposes health as 0/1/2 gauges and the evaluation histogram in /metrics', async () => {
    const res = await h.request('GET', '/metrics');
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    expect(res.body).toMatch(/warden_overall_health 0/);
    expect(res.body).toMatch(/warden_component_health\{component="database",critical="true"\} 0/);
    expect(res.body).toMatch(/warden_evaluation_duration_seconds_bucket/);
    expect(res.body).toMatch(/warden_rules_loaded 1/);
    expect(res.body).toMatch(/warden_rules_last_reload_successful 1/);
  });

  it('answers /healthz and /readyz', async () => {
    expect((await h.request('GET', '/healthz')).status).toBe(200);
    const ready = await h.request('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { redis: true, rules: true, cluster: true } });
  });

  it('answers unknown routes with 404 in the error shape', async () => {
    const res = await h.request('GET', '/v1/nope');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});
