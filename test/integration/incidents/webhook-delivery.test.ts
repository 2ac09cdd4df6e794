import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fingerprint } from '../../../src/rules/fingerprint';
import { eventually, requireTool, run } from '../../support/estate-tools';
import { FakeWebhook } from '../../support/fake-webhook';
import { startHarness, type WardenHarness } from '../../support/warden-harness';

/**
 * Issue 15 §4 as a user sees it: alerts posted to /api/v2/alerts (as Prometheus does), routed to a
 * receiver with webhook_configs in warden.yaml, delivered through the durable delivery jobs to a
 * local HTTP server that records exactly what arrived.
 */

const INGEST = 'ingest-token-0123456789';
const OPERATE = 'operate-token-0123456789';
const READ = 'read-token-0123456789abc';
const TOKENS = `
auth:
  tokens:
    - {name: prometheus, token: ${INGEST}, scopes: [ingest]}
    - {name: oncall, token: ${OPERATE}, scopes: [operate]}
    - {name: grafana, token: ${READ}, scopes: [read]}
`;

const amtool = requireTool('amtool', 'prometheus-alertmanager');

describe('webhook_configs: Alertmanager webhook payloads through Warden', () => {
  let hook: FakeWebhook;
  let h: WardenHarness;

  beforeAll(async () => {
    hook = await FakeWebhook.start();
    h = await startHarness({
      config: `${TOKENS}
notify:
  receivers:
    - name: tickets.bridge
      webhook_configs:
        - {url: "${hook.url('/full')}", max_alerts: 2, http_config: {authorization: {credentials_file: bridge-token}}}
        - {url: "${hook.url('/quiet')}", send_resolved: false, timeout: 3s, http_config: {basic_auth: {username: warden, password: "pa:ss"}}}
  route: {receiver: tickets.bridge, group_by: [alertname], group_wait: 1s}
`,
      files: { 'bridge-token': 'bridge-s3cret\n' },
    });
  });
  afterAll(async () => {
    await h?.stop();
    await hook?.stop();
  });

  const post = (alerts: unknown) => h.request('POST', '/api/v2/alerts', { body: alerts, token: INGEST });
  const startsAt = new Date(Date.now() - 60_000);
  startsAt.setUTCMilliseconds(0);
  const labels = (i: number) => ({ alertname: 'TicketBridgeErrors', component: 'order-gateway', severity: 'P1', instance: `og-${i}:9100` });
  const alerts = (endsAt?: string) => [1, 2, 3].map((i) => ({
    labels: labels(i),
    annotations: { summary: 'order gateway errors', runbook: 'https://runbooks.example/og' },
    startsAt: startsAt.toISOString(),
    ...(endsAt ? { endsAt } : {}),
    generatorURL: `http://prometheus:9090/graph?g0.expr=og_errors%7Binstance%3D%22og-${i}%22%7D&g0.tab=1`,
  }));

  test('trigger: the exact version 4 payload, max_alerts truncation, each config its own auth', async () => {
    expect((await post(alerts())).status).toBe(200);
    const [full] = await eventually(() => (hook.at('/full').length > 0 ? hook.at('/full') : undefined), 10_000, 'the trigger at /full');
    const [quiet] = await eventually(() => (hook.at('/quiet').length > 0 ? hook.at('/quiet') : undefined), 10_000, 'the trigger at /quiet');
    expect(full!.method).toBe('POST');
    expect(full!.headers['content-type']).toBe('application/json');
    expect(full!.headers['user-agent']).toMatch(/^Warden\/\d+\.\d+\.\d+/);
    expect(full!.headers.authorization).toBe('Bearer bridge-s3cret');
    expect(quiet!.headers.authorization).toBe(`Basic ${Buffer.from('warden:pa:ss').toString('base64')}`);
    expect(full!.raw.endsWith('}\n')).toBe(true);
    const shown = (full!.body.alerts as Array<{ labels: { instance: string } }>).map((a) => a.labels.instance);
    expect(shown).toHaveLength(2);
    const alert = (instance: string) => {
      const i = Number(instance.slice(3, 4));
      return {
        status: 'firing',
        labels: labels(i),
        annotations: { runbook: 'https://runbooks.example/og', summary: 'order gateway errors' },
        startsAt: startsAt.toISOString().replace('.000Z', 'Z'),
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: `http://prometheus:9090/graph?g0.expr=og_errors%7Binstance%3D%22og-${i}%22%7D&g0.tab=1`,
        fingerprint: fingerprint(labels(i)),
      };
    };
    expect(full!.body).toEqual({
      receiver: 'tickets\\.bridge',
      status: 'firing',
      alerts: shown.map(alert),
      groupLabels: { alertname: 'TicketBridgeErrors' },
      commonLabels: { alertname: 'TicketBridgeErrors', component: 'order-gateway', severity: 'P1' },
      commonAnnotations: { runbook: 'https://runbooks.example/og', summary: 'order gateway errors' },
      externalURL: h.url,
      version: '4',
      groupKey: '0{alertname="TicketBridgeErrors"}',
      truncatedAlerts: 1,
    });
    expect(Object.keys(full!.body)).toEqual(['receiver', 'status', 'alerts', 'groupLabels', 'commonLabels', 'commonAnnotations', 'externalURL', 'version', 'groupKey', 'truncatedAlerts']);
    expect(quiet!.body.alerts).toHaveLength(3); // max_alerts 0: every listed alert
    expect(quiet!.body.truncatedAlerts).toBe(0);
  });

  test('an acknowledgement sends no webhook (the payload has none); the resolution goes only where send_resolved is on', async () => {
    const [inc] = (await h.request('GET', '/v1/incidents?status=triggered', { token: READ })).body.incidents;
    expect((await h.request('POST', `/v1/incidents/${inc.id}/ack`, { body: { reason: 'looking' }, token: OPERATE })).status).toBe(200);
    const ended = new Date(Date.now() - 1000).toISOString();
    expect((await post(alerts(ended))).status).toBe(200);
    const resolved = await eventually(() => hook.at('/full').find((r) => r.body?.status === 'resolved'), 10_000, 'the resolution at /full');
    for (const a of resolved.body.alerts) {
      expect(a.status).toBe('resolved');
      expect(a.endsAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    }
    expect(resolved.body.alerts).toHaveLength(2);
    expect(resolved.body.truncatedAlerts).toBe(1);
    await new Promise((r) => setTimeout(r, 1500));
    expect(hook.at('/full')).toHaveLength(2); // trigger + resolve, no acknowledgement
    expect(hook.at('/quiet')).toHaveLength(1); // trigger only
    const detail = (await h.request('GET', `/v1/incidents/${inc.id}`, { token: READ })).body;
    const notified = detail.timeline.filter((t: { kind: string }) => t.kind === 'notified').map((t: { message: string }) => t.message);
    expect(notified).toEqual(expect.arrayContaining(['trigger sent to tickets.bridge via webhook', 'resolve sent to tickets.bridge via webhook']));
    expect(notified.filter((m: string) => m.includes('webhook'))).toHaveLength(3); // two triggers, one resolve
  });

  (amtool ? test : test.skip)('amtool config show lists the webhook receiver, URL and credentials as <secret>', async () => {
    const httpConfig = join(h.dir, 'amtool-http.yml');
    writeFileSync(httpConfig, `authorization:\n  type: Bearer\n  credentials: ${READ}\n`);
    const r = await run(amtool as string, ['config', 'show', `--alertmanager.url=${h.url}`, `--http.config.file=${httpConfig}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/- name: tickets\.bridge\n\s+webhook_configs:\n/);
    expect(r.stdout).toContain('url: <secret>');
    expect(r.stdout).toContain('credentials_file: bridge-token');
    expect(r.stdout).toContain('password: <secret>');
    expect(r.stdout).toContain('max_alerts: 2');
    expect(r.stdout).toContain('send_resolved: false');
    expect(r.stdout).not.toContain('bridge-s3cret');
    expect(r.stdout).not.toContain(hook.url('/full'));
  });
});
