import { startHarness, type WardenHarness } from '../../support/warden-harness';

/**
 * The Prometheus HTTP API of a real Warden over real HTTP: the response format Prometheus' own API
 * has (web/api/v1), what Grafana's data source sends (its `1+1` health check, POST forms, match[]),
 * and bounded, clear errors for untrusted query text. prometheus-compare.test.ts puts the same
 * queries to a real Prometheus.
 */
jest.setTimeout(60_000);

const READ = 'api-read-token-0123456789';
const INGEST = 'api-ingest-token-0123456789';
const RULES = `
groups:
  - name: exchange
    rules:
      - alert: LagHigh
        expr: api_lag_seconds > 10
        labels: {health: red, severity: P1}
        annotations: {summary: "lag is {{ $value }}"}
  - name: other
    interval: 5s
    rules:
      - alert: NeverFires
        expr: api_lag_seconds > 1e9
        labels: {health: yellow, severity: P3}
`;

let h: WardenHarness;
let now: number;

beforeAll(async () => {
  h = await startHarness({
    config: `
auth:
  tokens:
    - {name: grafana, token: ${READ}, scopes: [read]}
    - {name: pusher, token: ${INGEST}, scopes: [ingest]}
components:
  - {name: matching, critical: true}
rules: [rules.yaml]
`,
    files: { 'rules.yaml': RULES },
  });
  now = Date.now() - 1000;
  const push = await h.push([
    { name: 'api_lag_seconds', labels: { component: 'matching', instance: 'a', job: 'exchange' }, value: 12.5, timestamp: now - 2000 },
    { name: 'api_lag_seconds', labels: { component: 'matching', instance: 'a', job: 'exchange' }, value: 12.5, timestamp: now },
    { name: 'api_lag_seconds', labels: { component: 'settlement', instance: 'b', job: 'exchange' }, value: 0.25, timestamp: now },
    { name: 'api_tiny', labels: {}, value: 1.5e-7, timestamp: now },
    { name: 'api_big', labels: {}, value: 1e21, timestamp: now },
    { name: 'api_nan', labels: {}, value: 1e6, timestamp: now },
  ], INGEST);
  expect(push.status).toBe(200);
});
afterAll(async () => {
  await h?.stop();
});

const get = (path: string, token = READ) => h.request('GET', path, { token });
const form = (path: string, body: Record<string, string | string[]>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(body)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return h.request('POST', path, { token: READ, rawBody: p.toString(), contentType: 'application/x-www-form-urlencoded' });
};
const q = (query: string, extra = '') => get(`/api/v1/query?query=${encodeURIComponent(query)}${extra}`);
const t = () => now / 1000;

describe('/api/v1/query', () => {
  test("Grafana's health check 1+1, by GET and by POST form, is a scalar [time, \"2\"]", async () => {
    const atS = 1_700_000_000.123;
    const byGet = await q('1+1', `&time=${atS}`);
    expect(byGet.status).toBe(200);
    expect(byGet.body).toEqual({ status: 'success', data: { resultType: 'scalar', result: [atS, '2'] } });
    const byPost = await form('/api/v1/query', { query: '1+1', time: String(atS) });
    expect(byPost.body).toEqual(byGet.body);
  });

  test('a selector is a vector sorted by labels, each value [evaluation time, "string"]', async () => {
    const r = await q('api_lag_seconds', `&time=${t()}`);
    expect(r.body).toEqual({
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          { metric: { __name__: 'api_lag_seconds', component: 'matching', instance: 'a', job: 'exchange' }, value: [t(), '12.5'] },
          { metric: { __name__: 'api_lag_seconds', component: 'settlement', instance: 'b', job: 'exchange' }, value: [t(), '0.25'] },
        ],
      },
    });
  });

  test("values are written as Prometheus writes them: 'e' below 1e-6 and from 1e21, plain decimals between", async () => {
    const values = async (query: string) => (await q(query, `&time=${t()}`)).body.data.result[0].value[1];
    expect(await values('api_tiny')).toBe('1.5e-07');
    expect(await values('api_big')).toBe('1e+21');
    expect(await values('api_nan')).toBe('1000000');
    expect((await q('0/0', `&time=${t()}`)).body.data.result[1]).toBe('NaN');
    expect((await q('-1/0', `&time=${t()}`)).body.data.result[1]).toBe('-Inf');
  });

  test('an aggregation drops the metric name; a range selector answers a matrix', async () => {
    expect((await q('sum by (job) (api_lag_seconds)', `&time=${t()}`)).body.data).toEqual({ resultType: 'vector', result: [{ metric: { job: 'exchange' }, value: [t(), '12.75'] }] });
    const m = await q('api_lag_seconds{instance="a"}[1m]', `&time=${t()}`);
    expect(m.body.data).toEqual({ resultType: 'matrix', result: [{ metric: { __name__: 'api_lag_seconds', component: 'matching', instance: 'a', job: 'exchange' }, values: [[(now - 2000) / 1000, '12.5'], [t(), '12.5']] }] });
  });

  test('time as RFC 3339 is the same instant as unix seconds; without time, now', async () => {
    const iso = await q('api_lag_seconds', `&time=${new Date(now).toISOString()}`);
    expect(iso.body.data.result[0].value[0]).toBe(t());
    const current = await q('vector(1)');
    expect(Math.abs(current.body.data.result[0].value[0] - Date.now() / 1000)).toBeLessThan(5);
  });

  test('limit= cuts the result and says so in warnings', async () => {
    const r = await q('api_lag_seconds', `&time=${t()}&limit=1`);
    expect(r.body.data.result).toHaveLength(1);
    expect(r.body.warnings).toEqual(['results truncated due to limit']);
  });

  test('bad query text is 400 bad_data with the parse error and its position', async () => {
    const r = await q('sum(api_lag_seconds');
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ status: 'error', errorType: 'bad_data', error: expect.stringMatching(/^1:\d+: parse error: /) });
    expect((await q('')).body).toEqual({ status: 'error', errorType: 'bad_data', error: '1:1: parse error: no expression found in input' });
    expect((await get('/api/v1/query?query=1&time=yesterday')).body).toEqual({ status: 'error', errorType: 'bad_data', error: 'invalid parameter "time": cannot parse "yesterday" to a valid timestamp' });
    expect((await get('/api/v1/query?query=1&limit=-1')).status).toBe(400);
  });

  test('untrusted text is bounded: over 64 KiB is 400, deep nesting a 4xx, a query loading over the sample budget 422 execution', async () => {
    expect((await form('/api/v1/query', { query: `1${'+1'.repeat(40_000)}` })).body.errorType).toBe('bad_data');
    const deep = await form('/api/v1/query', { query: `${'('.repeat(20_000)}1${')'.repeat(20_000)}` });
    expect([200, 400]).toContain(deep.status);
    const costly = await q('max_over_time(api_lag_seconds[1h:1ms])');
    expect(costly.status).toBe(422);
    expect(costly.body).toEqual({ status: 'error', errorType: 'execution', error: expect.stringContaining('query processing would load too many samples') });
  });

  test('a result over 10,000 series without limit= is 422; with limit= it is cut', async () => {
    const samples = Array.from({ length: 10_001 }, (_, i) => ({ name: 'api_wide', labels: { instance: `i${i}` }, value: i, timestamp: now }));
    expect((await h.push(samples, INGEST)).status).toBe(200);
    const r = await q('api_wide', `&time=${t()}`);
    expect(r.status).toBe(422);
    expect(r.body.errorType).toBe('execution');
    expect((await q('api_wide', `&time=${t()}&limit=3`)).body.data.result).toHaveLength(3);
  });

  test('/api/v1/query_range answers a Prometheus-format error that says why', async () => {
    const r = await get('/api/v1/query_range?query=up&start=1&end=2&step=1');
    expect(r.status).toBe(501);
    expect(r.body).toEqual({ status: 'error', errorType: 'execution', error: expect.stringContaining('range queries are not served by Warden') });
  });

  test('the read scope is asked for, in the Prometheus error shape', async () => {
    const anon = await h.request('GET', '/api/v1/query?query=1');
    expect(anon.status).toBe(401);
    expect(anon.body).toEqual({ status: 'error', errorType: 'unauthorized', error: 'missing or invalid bearer token' });
    expect((await get('/api/v1/query?query=1', INGEST)).status).toBe(403);
  });
});

describe('/api/v1/labels, /label/{name}/values, /series', () => {
  test('labels are every label name held, sorted, __name__ included; match[] narrows them', async () => {
    const all = await get('/api/v1/labels');
    expect(all.body.status).toBe('success');
    expect(all.body.data).toEqual(expect.arrayContaining(['__name__', 'component', 'instance', 'job']));
    expect([...all.body.data].sort()).toEqual(all.body.data);
    const narrowed = await form('/api/v1/labels', { 'match[]': 'api_tiny' });
    expect(narrowed.body).toEqual({ status: 'success', data: ['__name__'] });
  });

  test('label values: metric names for __name__, values of a label, narrowed by match[]; a bad name is 400', async () => {
    expect((await get('/api/v1/label/__name__/values')).body.data).toEqual(expect.arrayContaining(['api_big', 'api_lag_seconds', 'api_tiny']));
    expect((await get(`/api/v1/label/component/values?match[]=${encodeURIComponent('api_lag_seconds{job="exchange"}')}`)).body).toEqual({ status: 'success', data: ['matching', 'settlement'] });
    expect((await get('/api/v1/label/job/values?limit=1')).body.warnings).toBeUndefined();
    expect((await get('/api/v1/label/bad-name/values')).body).toEqual({ status: 'error', errorType: 'bad_data', error: 'invalid label name: "bad-name"' });
  });

  test('series: label sets with __name__ for each match[] (deduplicated); none, or only empty matchers, is 400', async () => {
    const r = await get(`/api/v1/series?match[]=api_lag_seconds&match[]=${encodeURIComponent('{__name__="api_lag_seconds",instance="a"}')}`);
    expect(r.body).toEqual({ status: 'success', data: [
      { __name__: 'api_lag_seconds', component: 'matching', instance: 'a', job: 'exchange' },
      { __name__: 'api_lag_seconds', component: 'settlement', instance: 'b', job: 'exchange' },
    ] });
    expect((await get('/api/v1/series')).body).toEqual({ status: 'error', errorType: 'bad_data', error: 'no match[] parameter provided' });
    expect((await get(`/api/v1/series?match[]=${encodeURIComponent('{job=""}')}`)).body.error).toContain('at least one non-empty matcher');
    expect((await get(`/api/v1/series?match[]=${encodeURIComponent('sum(x)')}`)).status).toBe(400);
  });

  test('start= keeps series with a sample since then', async () => {
    const later = (now + 60_000) / 1000;
    expect((await get(`/api/v1/series?match[]=api_tiny&start=${later}`)).body.data).toEqual([]);
    expect((await get(`/api/v1/series?match[]=api_tiny&start=${t() - 10}`)).body.data).toEqual([{ __name__: 'api_tiny' }]);
  });
});

describe('/api/v1/rules, /api/v1/alerts, /api/v1/status/buildinfo', () => {
  test('rules: groups with their alerting rules in Prometheus fields, the firing alert with its value in e-notation', async () => {
    const r = await get('/api/v1/rules');
    expect(r.body.status).toBe('success');
    const [exchange, other] = r.body.data.groups;
    expect(Object.keys(exchange).sort()).toEqual(['evaluationTime', 'file', 'interval', 'lastEvaluation', 'limit', 'name', 'rules']);
    expect(exchange).toMatchObject({ name: 'exchange', interval: 1, limit: 0 });
    expect(other.interval).toBe(5);
    const rule = exchange.rules[0];
    expect(rule).toMatchObject({ type: 'alerting', name: 'LagHigh', query: 'api_lag_seconds > 10', duration: 0, keepFiringFor: 0, state: 'firing', health: 'ok', labels: { health: 'red', severity: 'P1' } });
    expect(rule.lastError).toBeUndefined();
    expect(rule.alerts).toEqual([{
      labels: { alertname: 'LagHigh', component: 'matching', health: 'red', instance: 'a', job: 'exchange', severity: 'P1' },
      annotations: { summary: 'lag is 12.5' }, state: 'firing', activeAt: expect.stringMatching(/Z$/), value: '1.25e+01',
    }]);
  });

  test('rules filters: type=record lists none, rule_group[] and exclude_alerts', async () => {
    expect((await get('/api/v1/rules?type=record')).body.data).toEqual({ groups: [] });
    const one = await get('/api/v1/rules?rule_group[]=other&exclude_alerts=true');
    expect(one.body.data.groups.map((g: { name: string }) => g.name)).toEqual(['other']);
    expect(one.body.data.groups[0].rules[0].alerts).toBeUndefined();
    expect((await get('/api/v1/rules?type=bogus')).body.errorType).toBe('bad_data');
  });

  test('alerts: pending and firing alerts of the rules', async () => {
    const r = await get('/api/v1/alerts');
    expect(r.body).toEqual({ status: 'success', data: { alerts: [expect.objectContaining({ state: 'firing', value: '1.25e+01', labels: expect.objectContaining({ alertname: 'LagHigh' }) })] } });
  });

  test('buildinfo has every field Prometheus sends', async () => {
    const r = await get('/api/v1/status/buildinfo');
    expect(Object.keys(r.body.data).sort()).toEqual(['branch', 'buildDate', 'buildUser', 'goVersion', 'revision', 'version']);
    expect(r.body.data.version).toMatch(/^2\.\d+\.\d+$/);
  });
});
