import { startHarness, type WardenHarness } from '../../support/warden-harness';
import { eventually, requireTool } from '../../support/estate-tools';
import { startPrometheusProcess, type PrometheusProcess } from '../../support/prometheus-process';

const prometheus = requireTool('prometheus', 'prometheus');
const d = prometheus ? describe : describe.skip;

const INGEST = 'prom-ingest-token-0123456789';
const READ = 'grafana-read-token-0123456789';
const WARDEN = `
auth:
  tokens:
    - {name: prometheus, token: ${INGEST}, scopes: [ingest]}
    - {name: grafana, token: ${READ}, scopes: [read]}
components:
  - {name: matching, critical: true}
rules: [remediation.yaml]
remediation:
  dry_run: true
  executors:
    restart: {http_base_url: "http://127.0.0.1:1"}
notify:
  route: {group_wait: 0s, group_by: [alertname]}
`;
const REMEDIATION = `
remediations:
  - name: restart-matching
    on: { matchers: ['alertname="MatchingEngineDown"'] }
    action: restart
    target: "{{ $labels.component }}"
    params: {driver: http, url: "/control/restart/{{target}}"}
`;
const firingRules = `
groups:
  - name: exchange
    interval: 1s
    rules:
      - alert: MatchingEngineDown
        expr: vector(1)
        labels: {component: matching, health: red, severity: P1}
        annotations: {summary: "matching engine is down"}
`;

d('a real Prometheus with alerting.alertmanagers pointed at Warden', () => {
  let h: WardenHarness;
  let prom: PrometheusProcess;

  beforeAll(async () => {
    h = await startHarness({ config: WARDEN, files: { 'remediation.yaml': REMEDIATION } });
    const target = new URL(h.url).host;
    prom = await startPrometheusProcess(`
global: {evaluation_interval: 1s}
rule_files: [$DIR/alerts.yml]
alerting:
  alertmanagers:
    - api_version: v2
      authorization: {credentials: ${INGEST}}
      static_configs: [{targets: ['${target}']}]
`, { 'alerts.yml': firingRules }, ['--rules.alert.resend-delay=1s']);
  }, 60_000);
  afterAll(async () => {
    await prom?.stop();
    await h?.stop();
  });

  test('its firing rule becomes a Warden incident, Red health and a remediation; its resolution resolves them', async () => {
    const incident = await eventually(async () => {
      const r = await h.request('GET', '/v1/incidents', { token: READ });
      return (r.body.incidents as Array<Record<string, any>>).find((i) => i.status === 'triggered');
    }, 20_000, `an incident (prometheus said: ${prom.stderr().slice(-500)})`);
    expect(incident.labels).toEqual({ alertname: 'MatchingEngineDown' });
    const health = await h.request('GET', '/v1/health', { token: READ });
    const alerts0 = () => expect.stringMatching(/^[0-9a-f]{16}$/);
    expect(health.body.status).toBe('red');
    expect(health.body.components).toEqual([expect.objectContaining({ name: 'matching', status: 'red', reasons: [
      { kind: 'alert', status: 'red', alert: 'MatchingEngineDown', component: 'matching', fingerprint: alerts0(), summary: 'matching engine is down' },
      // No sample about matching reached Warden (only the alert did): stale too, never Green.
      { kind: 'stale', status: 'yellow', component: 'matching', summary: 'no data received yet' },
    ] })]);
    const alerts = await h.request('GET', '/api/v2/alerts', { token: READ });
    expect(alerts.body).toHaveLength(1);
    expect(alerts.body[0].labels).toEqual({ alertname: 'MatchingEngineDown', component: 'matching', health: 'red', severity: 'P1' });
    expect(alerts.body[0].generatorURL).toContain('/graph?g0.expr=vector');
    const v1 = await h.request('GET', '/v1/alerts', { token: READ });
    expect(v1.body.alerts.map((a: { name: string }) => a.name)).toEqual(['MatchingEngineDown']);
    const job = await eventually(async () => {
      const r = await h.request('GET', '/v1/remediations', { token: READ });
      return (r.body.remediations as Array<Record<string, any>>)[0];
    }, 10_000, 'a remediation job');
    expect(job).toMatchObject({ rule: 'restart-matching', target: 'matching' });
    // Prometheus re-sends every second here: still one incident, one alert.
    await new Promise((r) => setTimeout(r, 2500));
    const again = await h.request('GET', '/v1/incidents', { token: READ });
    expect(again.body.incidents).toHaveLength(1);
    expect((await h.request('GET', '/api/v2/alerts', { token: READ })).body).toHaveLength(1);

    prom.rewrite('alerts.yml', firingRules.replace('vector(1)', 'vector(1) == 2'));
    const resolved = await eventually(async () => {
      const r = await h.request('GET', `/v1/incidents/${incident.id}`, { token: READ });
      return r.body.status === 'resolved' ? r.body : undefined;
    }, 20_000, 'the incident to resolve');
    expect(resolved.status).toBe('resolved');
    expect((await h.request('GET', '/api/v2/alerts', { token: READ })).body).toEqual([]);
  }, 60_000);
});
