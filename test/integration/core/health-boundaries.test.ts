import { startHarness, type WardenHarness } from '../../support/warden-harness';

/** spec §11.1 thresholds, end to end: HTTP push -> rules/exchange.rules.yaml -> GET /v1/health. */
const CONFIG = `
components:
  - {name: matching-engine, critical: true}
  - {name: settlement, critical: true}
  - {name: database, critical: true}
  - {name: market-data, critical: false}
rules: [rules/exchange.rules.yaml]
`;
const COMPONENTS = ['matching-engine', 'settlement', 'database', 'market-data'];

let h: WardenHarness;
let ts = 0;
// Monotonic per series and close to now (older than `staleness` would be stale data).
const next = () => (ts = Math.max(ts + 1, Date.now()));

async function push(name: string, component: string, value: number) {
  const res = await h.push([{ name, labels: { component }, value, timestamp: next() }]);
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ accepted: 1, skipped: 0 });
}

async function allHealthy() {
  const samples = COMPONENTS.flatMap((component) => [
    { name: 'component_up', labels: { component }, value: 1, timestamp: next() },
    { name: 'replication_lag_seconds', labels: { component }, value: 0, timestamp: next() },
    { name: 'processing_lag_seconds', labels: { component }, value: 0, timestamp: next() },
    { name: 'component_read_only', labels: { component }, value: 0, timestamp: next() },
  ]);
  expect((await h.push(samples)).status).toBe(200);
}

async function status(component?: string): Promise<string> {
  const res = await h.request('GET', component ? `/v1/health/${component}` : '/v1/health');
  expect(res.status).toBe(200);
  return res.body.status;
}

beforeAll(async () => {
  h = await startHarness({ config: CONFIG, withRepoRules: true });
  // Counters are pushed once: pushing 0 again later would be a counter reset, which rate() counts.
  const zero = COMPONENTS.map((component) => ({ name: 'invariant_violations_total', labels: { component }, value: 0, timestamp: next() }));
  expect((await h.push(zero)).status).toBe(200);
});
afterAll(() => h?.stop());
beforeEach(allHealthy);

describe('Green / Yellow / Red at the spec §11.1 boundaries, through HTTP', () => {
  it('is Green when every component reports fresh healthy data', async () => {
    const res = await h.request('GET', '/v1/health');
    expect(res.body.status).toBe('green');
    expect(res.body.components).toHaveLength(4);
    expect(new Date(res.body.evaluatedAt).getTime()).toBeGreaterThan(0);
  });

  for (const metric of ['replication_lag_seconds', 'processing_lag_seconds']) {
    it.each([
      [0.999, 'green'],
      [1, 'yellow'],
      [5, 'yellow'],
      [10, 'yellow'],
      [10.001, 'red'],
    ])(`${metric} of %p s on the database is %s`, async (value, expected) => {
      await push(metric, 'database', value);
      expect(await status('database')).toBe(expected);
      expect(await status()).toBe(expected);
    });
  }

  it('a lag > 10 s on a non-critical component is Red for it but Yellow overall', async () => {
    await push('processing_lag_seconds', 'market-data', 11);
    expect(await status('market-data')).toBe('red');
    expect(await status()).toBe('yellow');
  });

  it('recovers to Green when the lag falls back under 1 s', async () => {
    await push('replication_lag_seconds', 'database', 12);
    expect(await status()).toBe('red');
    await push('replication_lag_seconds', 'database', 0.2);
    expect(await status()).toBe('green');
  });

  it('a critical component down is Red; a non-critical one down is Yellow', async () => {
    await push('component_up', 'settlement', 0);
    expect(await status('settlement')).toBe('red');
    expect(await status()).toBe('red');
    await push('component_up', 'settlement', 1);
    await push('component_up', 'market-data', 0);
    expect(await status('market-data')).toBe('yellow');
    expect(await status()).toBe('yellow');
  });

  it('read-only mode is Yellow', async () => {
    await push('component_read_only', 'database', 1);
    expect(await status('database')).toBe('yellow');
    expect(await status()).toBe('yellow');
  });

  it('writes every transition to the event stream with its reasons', async () => {
    await push('replication_lag_seconds', 'database', 3);
    const res = await h.request('GET', '/v1/health/events?limit=1000');
    const last = res.body.events.filter((e: { component: string | null }) => e.component === 'database').pop();
    expect(last).toMatchObject({ component: 'database', to: 'yellow' });
    expect(last.reasons[0]).toMatchObject({ kind: 'alert', status: 'yellow' });
  });

  it('answers 404 in the error shape for an unknown component', async () => {
    const res = await h.request('GET', '/v1/health/nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: 'no component "nope"' } });
  });

  // Last: once a violation is counted, the exchange stays Red for the rule's window.
  it('an increase of invariant_violations_total is Red and P0, even on a non-critical component', async () => {
    await push('invariant_violations_total', 'market-data', 1);
    const res = await h.request('GET', '/v1/health');
    expect(res.body.status).toBe('red');
    const alerts = await h.request('GET', '/v1/alerts');
    const inv = alerts.body.alerts.find((a: { labels: Record<string, string> }) => a.labels.component === 'market-data' && a.labels.severity === 'P0');
    expect(inv).toMatchObject({ state: 'firing', labels: { health: 'red', severity: 'P0', scope: 'exchange' } });
  });

});
