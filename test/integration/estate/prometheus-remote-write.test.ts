import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHarness, type WardenHarness } from '../../support/warden-harness';
import { eventually, requireTool } from '../../support/estate-tools';
import { startPrometheusProcess, type PrometheusProcess } from '../../support/prometheus-process';

/**
 * A real Debian `prometheus` scrapes a local exporter whose value the test flips and sends what it
 * scrapes to Warden with `remote_write:` (nothing else configured but the URL and a token): Warden's
 * health follows the value, Red then Green, and its stale markers end Warden's series when the
 * target goes down. The same rule file runs in both, so the Prometheus HTTP API answers of the two
 * are compared field by field.
 */
const prometheus = requireTool('prometheus', 'prometheus');
const d = prometheus ? describe : describe.skip;
jest.setTimeout(120_000);

const INGEST = 'prom-rw-ingest-token-0123456789';
const READ = 'prom-rw-read-token-0123456789';
const RULES = `
groups:
  - name: exchange
    interval: 1s
    rules:
      - alert: MatchingLagHigh
        expr: exporter_lag_seconds{component="matching"} > 10
        labels: {health: red, severity: P1}
        annotations: {summary: "lag {{ $value }}s"}
      # Reads the metric with a range, so Warden keeps its history (others keep their latest points).
      - alert: SettlementLagSpike
        expr: max_over_time(exporter_lag_seconds{component="settlement"}[30s]) > 100
        labels: {health: yellow, severity: P3}
`;

/** The exporter's answer; the test flips `lag` and `up`. */
const exporter = { lag: 0.5, up: true, scrapes: 0 };
let server: Server;
let h: WardenHarness;
let prom: PrometheusProcess;

d('a real Prometheus remote-writing to Warden', () => {
  beforeAll(async () => {
    server = createServer((req, res) => {
      exporter.scrapes++;
      if (!exporter.up) return void res.writeHead(503).end('down');
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(`# HELP exporter_lag_seconds Replication lag.\n# TYPE exporter_lag_seconds gauge\nexporter_lag_seconds{component="matching"} ${exporter.lag}\nexporter_lag_seconds{component="settlement"} 0.1\n`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    h = await startHarness({
      config: `
auth:
  tokens:
    - {name: prometheus, token: ${INGEST}, scopes: [ingest]}
    - {name: grafana, token: ${READ}, scopes: [read]}
components:
  - {name: matching, critical: true}
rules: [rules.yaml]
`,
      files: { 'rules.yaml': RULES },
    });
    prom = await startPrometheusProcess(`
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: [$DIR/rules.yaml]
scrape_configs:
  - job_name: exchange
    static_configs: [{targets: ['${target}']}]
remote_write:
  - url: ${h.url}/api/v1/write
    authorization: {credentials: ${INGEST}}
    queue_config: {batch_send_deadline: 1s, min_backoff: 100ms, max_backoff: 1s}
    metadata_config: {send_interval: 2s}
`, { 'rules.yaml': RULES });
  }, 60_000);
  afterAll(async () => {
    await prom?.stop();
    await h?.stop();
    await new Promise((r) => server?.close(r));
  });

  const health = async () => (await h.request('GET', '/v1/health', { token: READ })).body as { status: string; components: Array<{ name: string; status: string }> };
  const healthIs = (status: string) => eventually(async () => ((await health()).status === status ? status : undefined), 30_000, `health ${status} (prometheus said: ${prom.stderr().slice(-800)})`);

  test('the value the exporter reports turns Warden Red, then Green again', async () => {
    await healthIs('green');
    exporter.lag = 12;
    await healthIs('red');
    const alerts = await h.request('GET', '/v1/alerts', { token: READ });
    expect(alerts.body.alerts).toEqual([expect.objectContaining({ name: 'MatchingLagHigh', state: 'firing', labels: expect.objectContaining({ component: 'matching', job: 'exchange', instance: expect.any(String) }) })]);
    exporter.lag = 0.5;
    await healthIs('green');
    // Prometheus' remote-write queue saw only 2xx: nothing was dropped or retried for a 4xx.
    const metrics = await fetch(`${prom.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^prometheus_remote_storage_samples_failed_total\{[^}]*\} 0$/m);
    expect(metrics).toMatch(/^prometheus_remote_storage_metadata_total\{[^}]*\} [1-9]/m);
  });

  test('the same instant query answers the same on Prometheus and on Warden', async () => {
    // The exporter's values are constant here, so both answer the same at the same instant; the range
    // is read 3 s back, so every point in it has been remote-written (batch_send_deadline 1 s).
    const atS = Math.floor(Date.now() / 1000);
    const both = async (query: string, at = atS) => {
      const path = `/api/v1/query?query=${encodeURIComponent(query)}&time=${at}`;
      const p = (await fetch(prom.url + path).then((r) => r.json())) as any;
      const w = (await h.request('GET', path, { token: READ })).body;
      return { p, w };
    };
    for (const query of ['1+1', 'exporter_lag_seconds', 'sum by (job) (exporter_lag_seconds)', '-1/0', 'exporter_lag_seconds > 100']) {
      const { p, w } = await both(query);
      expect({ q: query, w }).toEqual({ q: query, w: p });
    }
    const range = await eventually(async () => {
      const r = await both('exporter_lag_seconds{component="settlement"}[10s]', Math.floor(Date.now() / 1000) - 3);
      return r.p.data.result[0]?.values.length >= 2 ? r : undefined;
    }, 30_000, 'two scrapes in Prometheus');
    expect(range.w).toEqual(range.p);
    const bad = await both('sum(exporter_lag_seconds');
    expect(Object.keys(bad.w).sort()).toEqual(Object.keys(bad.p).sort());
    expect(bad.w.errorType).toBe(bad.p.errorType);
  });

  test('series, labels and label values of what was remote-written match Prometheus', async () => {
    const path = `/api/v1/series?match[]=${encodeURIComponent('exporter_lag_seconds')}`;
    const p = (await fetch(prom.url + path).then((r) => r.json())) as unknown;
    const w = (await h.request('GET', path, { token: READ })).body;
    expect(w).toEqual(p);
    const values = '/api/v1/label/component/values?match[]=exporter_lag_seconds';
    expect((await h.request('GET', values, { token: READ })).body).toEqual(await fetch(prom.url + values).then((r) => r.json()));
    const labels = await fetch(`${prom.url}/api/v1/labels?match[]=exporter_lag_seconds`).then((r) => r.json());
    expect((await h.request('GET', '/api/v1/labels?match[]=exporter_lag_seconds', { token: READ })).body).toEqual(labels);
  });

  test('/api/v1/rules and /api/v1/alerts have the fields Prometheus has, values written alike', async () => {
    exporter.lag = 15;
    // Both have evaluated the new value (Prometheus updates a firing alert's value every evaluation).
    const firing = async (url: string, token?: string) => {
      const r = (await fetch(`${url}/api/v1/rules`, { headers: token ? { authorization: `Bearer ${token}` } : {} }).then((x) => x.json())) as any;
      const rule = r.data.groups[0]?.rules[0];
      return rule?.state === 'firing' && rule.alerts[0]?.value === '1.5e+01' ? r : undefined;
    };
    const p = await eventually(() => firing(prom.url), 20_000, 'Prometheus firing');
    const w = await eventually(() => firing(h.url, READ), 20_000, 'Warden firing');
    expect(shape(w)).toEqual(shape(p));
    const [pr, wr] = [p.data.groups[0].rules[0], w.data.groups[0].rules[0]];
    for (const k of ['name', 'query', 'duration', 'labels', 'annotations', 'health', 'type', 'state']) expect({ k, v: wr[k] }).toEqual({ k, v: pr[k] });
    expect(wr.alerts[0].labels).toEqual(pr.alerts[0].labels);
    expect(wr.alerts[0].value).toBe(pr.alerts[0].value);
    expect(wr.alerts[0].annotations).toEqual(pr.alerts[0].annotations);
    const pa = await fetch(`${prom.url}/api/v1/alerts`).then((x) => x.json());
    const wa = (await h.request('GET', '/api/v1/alerts', { token: READ })).body;
    expect(shape(wa)).toEqual(shape(pa));
    exporter.lag = 0.5;
  });

  test("a target going down: Prometheus' stale markers end Warden's series at once, not after staleness", async () => {
    const current = async () => (await h.request('GET', '/api/v1/query?query=exporter_lag_seconds', { token: READ })).body.data.result as unknown[];
    expect((await current()).length).toBe(2);
    exporter.up = false;
    const startedMs = Date.now();
    await eventually(async () => ((await current()).length === 0 ? true : undefined), 20_000, 'series ended by stale markers');
    // Warden's lookback is staleness (60 s): ending within seconds is the markers' doing.
    expect(Date.now() - startedMs).toBeLessThan(20_000);
    const up = await h.request('GET', '/api/v1/query?query=up', { token: READ });
    expect(up.body.data.result).toEqual([expect.objectContaining({ metric: expect.objectContaining({ job: 'exchange' }), value: [expect.any(Number), '0'] })]);
    exporter.up = true;
  });
});

/** The JSON's structure: keys and value types, arrays by their first element. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? [] : [shape(v[0])];
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, shape((v as Record<string, unknown>)[k])]));
  return typeof v;
}
