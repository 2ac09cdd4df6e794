import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakePagerDuty } from '../../support/fake-pagerduty';
import { FakeSlack } from '../../support/fake-slack';
import { FakeSmtp } from '../../support/fake-smtp';
import { startHarness, type WardenHarness } from '../../support/warden-harness';

export const PD_SECRET = 'pd-webhook-secret-0123456789abcdef';
export const SLACK_SECRET = 'slack-signing-secret-0123456789ab';
export const OPERATE_TOKEN = 'operate-token-0123456789abcdef';
export const INGEST_TOKEN = 'ingest-token-0123456789abcdef';

const RULES = `groups:
  - name: twoway
    rules:
      - {alert: SettlementDown, expr: tw_down > 0, labels: {severity: P0, health: red}, annotations: {summary: "settlement down on {{ $labels.component }}"}}
`;

/** A real Warden whose P0 route pages PagerDuty, Slack and email (local servers), with both integrations on. */
export class TwoWay {
  private constructor(readonly h: WardenHarness, readonly pd: FakePagerDuty, readonly slack: FakeSlack, readonly smtp: FakeSmtp, readonly caDir: string) {}
  #ts = 0;

  static async start(extraYaml = '', extraFiles: Record<string, string> = {}): Promise<TwoWay> {
    const [pd, slack, smtp] = await Promise.all([FakePagerDuty.start(), FakeSlack.start(), FakeSmtp.start()]);
    const caDir = mkdtempSync(join(tmpdir(), 'warden-twoway-ca-'));
    writeFileSync(join(caDir, 'pd.pem'), pd.cert.certPem);
    writeFileSync(join(caDir, 'smtp.pem'), smtp.cert?.certPem ?? '');
    const h = await startHarness({
      config: `
components: [{name: settlement, critical: true}]
rules: [twoway.rules.yaml]
auth:
  tokens:
    - {name: alice, token: ${OPERATE_TOKEN}, scopes: [operate]}
    - {name: pusher, token: ${INGEST_TOKEN}, scopes: [ingest]}
notify:
  receivers:
    - name: oncall
      pagerduty_configs: [{routing_key: "${'k'.repeat(32)}", url: "${pd.url}", tls_ca_file: "${join(caDir, 'pd.pem')}"}]
      slack_configs: [{token: xoxb-test-token, channel: "#alerts", api_url: "${slack.apiUrl}"}]
      email_configs: [{to: oncall@example.com, from: warden@example.com, smarthost: "${smtp.smarthost}", tls_ca_file: "${join(caDir, 'smtp.pem')}"}]
  route: {receiver: oncall, group_by: [alertname, component], group_wait: 0s}
  escalation: {ack_timeout: 1s}
integrations:
  pagerduty:
    webhook_secrets: [{secret: ${PD_SECRET}}]
  slack:
    signing_secret: {secret: ${SLACK_SECRET}}
    api_url: "${slack.apiUrl}"
    approvers: {users: [U0APPROVER], usergroups: [S0ONCALL]}
    approval_channel: "#alerts"
${extraYaml}`,
      files: { 'twoway.rules.yaml': RULES, ...extraFiles },
    });
    return new TwoWay(h, pd, slack, smtp, caDir);
  }

  async fire(value: number): Promise<void> {
    this.#ts = Math.max(this.#ts + 1, Date.now());
    const res = await this.h.push([{ name: 'tw_down', labels: { component: 'settlement' }, value, timestamp: this.#ts }], INGEST_TOKEN);
    if (res.status !== 200) throw new Error(`push answered ${res.status}: ${JSON.stringify(res.body)}`);
  }

  async incident(id: string): Promise<any> {
    return (await this.h.request('GET', `/v1/incidents/${id}`, { token: OPERATE_TOKEN })).body;
  }

  async audit(action: string): Promise<any[]> {
    const res = await this.h.request('GET', '/v1/audit?limit=1000', { token: OPERATE_TOKEN });
    return (res.body.entries as any[]).filter((e) => e.action === action);
  }

  async post(path: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: any }> {
    const res = await fetch(this.h.url + path, { method: 'POST', headers, body });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  async stop(): Promise<void> {
    await this.h?.stop();
    await Promise.all([this.pd.stop(), this.slack.stop(), this.smtp.stop()]);
    rmSync(this.caDir, { recursive: true, force: true });
  }
}

export async function waitFor<T>(what: string, get: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
