import { startHarness, type WardenHarness } from '../../support/warden-harness';
import { reply, startTarget, type TestTarget } from '../ingest/scrape-probe-server';

const RULES = `groups:
  - name: test
    rules:
      - alert: PodHot
        expr: pod_temperature > 50
        labels: {health: yellow, severity: P2}
      - alert: TargetDown
        expr: up == 0
        labels: {health: yellow, severity: P3}
`;

// Four series of one metric: over max_series_per_metric (3), so every scrape of it fails whole.
const TOO_MANY = ['orders_total{side="a"} 1', 'orders_total{side="b"} 1', 'orders_total{side="c"} 1', 'orders_total{side="d"} 1', ''].join('\n');

let h: WardenHarness;
let target: TestTarget;
let ts = 0;
const next = () => (ts = Math.max(ts + 1, Date.now()));

beforeAll(async () => {
  target = await startTarget(reply(200, TOO_MANY));
  h = await startHarness({
    config: `
components: [{name: db, critical: false}]
rules: [test.rules.yaml]
evaluation_interval: 200ms
scrape: [{job: shop, url: "${target.url}/metrics", interval: 300ms, timeout: 300ms}]
limits: {max_series: 40, max_series_per_metric: 3}
`,
    files: { 'test.rules.yaml': RULES },
  });
});
afterAll(async () => {
  await h?.stop();
  await target?.close();
});

async function waitFor<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const metricValue = async (re: RegExp) => {
  const m = await h.request('GET', '/metrics');
  const hit = re.exec(m.body as string);
  return hit ? Number(hit[1]) : undefined;
};

const pods = (n: number, value: number, from = 0) => Array.from({ length: n }, (_, i) => ({ name: 'pod_temperature', labels: { pod: `p${from + i}` }, value, timestamp: next() }));

describe('series limits (limits.max_series, limits.max_series_per_metric)', () => {
  it('a push that would create series past max_series_per_metric is rejected whole with 422 too_many_series naming the metric', async () => {
    expect((await h.push(pods(3, 20))).status).toBe(200);
    const before = h.warden.store.seriesCount;
    // A hot sample for an existing pod first: all-or-nothing means it must not apply either.
    const res = await h.push([{ name: 'pod_temperature', labels: { pod: 'p0' }, value: 99, timestamp: next() }, ...pods(1, 20, 3)]);
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'too_many_series', field: 'pod_temperature' });
    expect(res.body.error.message).toContain('"pod_temperature"');
    expect(h.warden.store.seriesCount).toBe(before);
    expect((await h.request('GET', '/v1/alerts')).body.alerts.filter((a: { labels: { alertname: string } }) => a.labels.alertname === 'PodHot')).toEqual([]);
    expect(await metricValue(/warden_series_limit_rejections_total\{reason="max_series_per_metric",source="push"\} (\d+)/)).toBe(1);
  });

  it('existing series keep updating at the limit', async () => {
    const res = await h.push([{ name: 'pod_temperature', labels: { pod: 'p1' }, value: 70, timestamp: next() }]);
    expect(res.status).toBe(200);
    const alerts = (await h.request('GET', '/v1/alerts')).body.alerts as Array<{ labels: Record<string, string> }>;
    expect(alerts.filter((a) => a.labels.alertname === 'PodHot').map((a) => a.labels.pod)).toEqual(['p1']);
  });

  it('a push that would take Warden past max_series is rejected whole, naming a metric', async () => {
    const before = h.warden.store.seriesCount;
    const many = Array.from({ length: 45 }, (_, i) => ({ name: `m_${i}`, value: 1, timestamp: next() }));
    const res = await h.push(many);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('too_many_series');
    expect(res.body.error.message).toMatch(/metric "m_\d+"/);
    expect(h.warden.store.seriesCount).toBe(before);
    expect(await metricValue(/warden_series_limit_rejections_total\{reason="max_series",source="push"\} (\d+)/)).toBe(1);
  });

  it('a scrape that would pass a limit fails like sample_limit: up 0, none of its samples applied', async () => {
    const down = await waitFor('TargetDown', async () => {
      const alerts = (await h.request('GET', '/v1/alerts')).body.alerts as Array<{ labels: Record<string, string> }>;
      return alerts.find((a) => a.labels.alertname === 'TargetDown');
    });
    expect(down.labels.job).toBe('shop');
    expect([...h.warden.store.seriesOf('orders_total')]).toEqual([]);
    expect(await metricValue(/warden_scrapes_total\{job="shop",outcome="series_limit"\} (\d+)/)).toBeGreaterThan(0);
    expect(await metricValue(/warden_series_limit_rejections_total\{reason="max_series_per_metric",source="pull"\} (\d+)/)).toBeGreaterThan(0);
    expect(await metricValue(/^warden_series (\d+)$/m)).toBe(h.warden.store.seriesCount);
  });
});

describe('a large push (parsed off-thread, applied in slices) is checked whole against the series limits', () => {
  let big: WardenHarness;
  beforeAll(async () => {
    big = await startHarness({
      config: `
components: [{name: db, critical: false}]
rules: [test.rules.yaml]
limits: {max_series_per_metric: 2500}
`,
      files: { 'test.rules.yaml': RULES },
    });
  });
  afterAll(async () => big?.stop());

  it('a 422 applies none of it, not even the slices before the one that passes the limit', async () => {
    const pad = 'x'.repeat(60);
    // ~470 KB: above the 256 KB at which a body goes to the parse worker and is applied in slices of 1000+.
    const samples = Array.from({ length: 4000 }, (_, i) => ({ name: 'wide_metric', labels: { pod: `pod-${i}-${pad}` }, value: 1, timestamp: Date.now() }));
    expect(Buffer.byteLength(JSON.stringify(samples))).toBeGreaterThan(256 * 1024);
    const before = big.warden.store.seriesCount;
    const res = await big.push(samples);
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'too_many_series', field: 'wide_metric' });
    expect(big.warden.store.seriesCount).toBe(before);
    expect([...big.warden.store.seriesOf('wide_metric')]).toEqual([]);
    // Within the limit, the same large shape applies whole.
    const ok = await big.push(samples.slice(0, 2400));
    expect(ok.status).toBe(200);
    expect([...big.warden.store.seriesOf('wide_metric')]).toHaveLength(2400);
  });
});
