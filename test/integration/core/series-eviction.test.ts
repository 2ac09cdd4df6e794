import { startHarness, type WardenHarness } from '../../support/warden-harness';

/**
 * Idle series are evicted by what runs them in production: the evaluation tick (EvaluationLoop ->
 * SignalStore.evictIdle), after `staleness` plus the longest range a rule reads, with no sample.
 */
const CONFIG = `
components: [{name: database, critical: true}]
staleness: 60s
rules: [test.rules.yaml]
`;
const RULES = `groups:
  - name: test
    rules:
      - alert: LagHigh
        expr: replication_lag_seconds > 10
        labels: {health: red, severity: P1}
`;

let now = Date.now();
let h: WardenHarness;

beforeAll(async () => {
  h = await startHarness({ config: CONFIG, files: { 'test.rules.yaml': RULES }, clock: () => now });
});
afterAll(() => h?.stop());

const metric = async (name: string): Promise<number> => {
  const text = (await h.request('GET', '/metrics')).body as unknown as string;
  const line = String(text).split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? NaN);
};

describe('series eviction from the evaluation tick', () => {
  it('a series with no sample for staleness is dropped by the tick, counted, and a later sample starts it afresh', async () => {
    const pushed = await h.push([
      { name: 'queue_depth', labels: { component: 'database', pod: 'idle' }, value: 1, timestamp: now },
      { name: 'queue_depth', labels: { component: 'database', pod: 'busy' }, value: 1, timestamp: now },
    ]);
    expect(pushed.status).toBe(200);
    const evictedBefore = await metric('warden_series_evicted_total');
    const pods = () => [...h.warden.store.seriesOf('queue_depth')].map((s) => s.labels.pod).sort();
    expect(pods()).toEqual(['busy', 'idle']);

    now += 30_000;
    await h.push([{ name: 'queue_depth', labels: { component: 'database', pod: 'busy' }, value: 2, timestamp: now }]);
    await h.warden.loop.tick();
    expect(pods()).toEqual(['busy', 'idle']); // 30 s idle: not yet

    now += 31_000; // 61 s since the idle pod's last sample, 31 s since the busy one's
    await h.push([{ name: 'queue_depth', labels: { component: 'database', pod: 'busy' }, value: 3, timestamp: now }]);
    await h.warden.loop.tick();
    expect(pods()).toEqual(['busy']);
    expect(await metric('warden_series_evicted_total')).toBeGreaterThanOrEqual(evictedBefore + 1);

    await h.push([{ name: 'queue_depth', labels: { component: 'database', pod: 'idle' }, value: 9, timestamp: now }]);
    expect(pods()).toEqual(['busy', 'idle']);
    expect([...h.warden.store.seriesOf('queue_depth')].find((s) => s.labels.pod === 'idle')?.lastValue).toBe(9);
  });
});
