import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakePagerDuty } from '../../support/fake-pagerduty';
import { FakeSlack } from '../../support/fake-slack';
import { FakeSmtp } from '../../support/fake-smtp';
import { specMatrixNotifyYaml } from '../../support/spec-matrix-notify';
import { startHarness, type WardenHarness } from '../../support/warden-harness';

/**
 * Issue 5, at the level a user sees it: warden.yaml receivers, a pushed sample, and what the
 * official clients deliver to local servers that speak PagerDuty's, Slack's and SMTP's wire formats.
 */
const RULES = `groups:
  - name: e2e
    rules:
      - {alert: SevP0, expr: e2e_p0 > 0, labels: {severity: P0, health: red}, annotations: {summary: "P0 on {{ $labels.component }}"}}
      - {alert: SevP1, expr: e2e_p1 > 0, labels: {severity: P1, health: red}, annotations: {summary: "P1 on {{ $labels.component }}"}}
      - {alert: SevP2, expr: e2e_p2 > 0, labels: {severity: P2, health: yellow}, annotations: {summary: "P2 on {{ $labels.component }}"}}
      - {alert: SevP3, expr: e2e_p3 > 0, labels: {severity: P3, health: yellow}, annotations: {summary: "P3 on {{ $labels.component }}"}}
`;

let pd: FakePagerDuty;
let slack: FakeSlack;
let smtp: FakeSmtp;
let h: WardenHarness;
let caDir: string;
let ts = 0;
const next = () => (ts = Math.max(ts + 1, Date.now()));

async function poll<T>(what: string, get: () => Promise<T | undefined>, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function waitFor<T>(what: string, get: () => T | undefined, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  [pd, slack, smtp] = await Promise.all([FakePagerDuty.start(), FakeSlack.start(), FakeSmtp.start()]);
  caDir = mkdtempSync(join(tmpdir(), 'warden-e2e-ca-'));
  writeFileSync(join(caDir, 'pd.pem'), pd.cert.certPem);
  writeFileSync(join(caDir, 'smtp.pem'), smtp.cert?.certPem ?? '');
  h = await startHarness({
    config: `
components: [{name: settlement, critical: true}]
rules: [e2e.rules.yaml]
# The spec §11.3 matrix written out as a route (the built-in default has P1/P2 wait 30 s to group).
${specMatrixNotifyYaml({ pagerdutyUrl: pd.url, pagerdutyCaFile: join(caDir, 'pd.pem'), slackApiUrl: slack.apiUrl, smtpHost: smtp.smarthost, smtpCaFile: join(caDir, 'smtp.pem') })}`,
    files: { 'e2e.rules.yaml': RULES },
  });
});
afterAll(async () => {
  await h?.stop();
  await Promise.all([pd?.stop(), slack?.stop(), smtp?.stop()]);
  rmSync(caDir, { recursive: true, force: true });
});

async function fire(metric: string, value: number) {
  const res = await h.push([{ name: metric, labels: { component: 'settlement' }, value, timestamp: next() }]);
  expect(res.status).toBe(200);
}

describe('each severity reaches exactly the spec §11.3 channels, exactly once', () => {
  it('P0 pages PagerDuty with the incident fingerprint as dedup_key, and resolves it on recovery', async () => {
    await fire('e2e_p0', 1);
    const trigger = await waitFor('PagerDuty trigger', () => pd.accepted.find((e) => e.body.event_action === 'trigger'));
    expect(trigger.body.payload).toMatchObject({ severity: 'critical', summary: expect.stringContaining('P0 on settlement') });
    await fire('e2e_p0', 0);
    await waitFor('PagerDuty resolve', () => pd.accepted.find((e) => e.body.event_action === 'resolve' && e.body.dedup_key === trigger.body.dedup_key));
    expect(pd.accepted.filter((e) => e.body.event_action === 'trigger')).toHaveLength(1);
    expect(slack.messages).toHaveLength(0);
    expect(smtp.messages).toHaveLength(0);
  });

  it('P1 sends one Slack message and one email', async () => {
    await fire('e2e_p1', 1);
    await waitFor('Slack message', () => slack.messages.length === 1);
    await waitFor('email', () => smtp.messages.length === 1);
    expect(pd.accepted.filter((e) => e.body.event_action === 'trigger')).toHaveLength(1);
  });

  it('P2 sends one email only', async () => {
    const slackBefore = slack.messages.length;
    const mailBefore = smtp.messages.length;
    await fire('e2e_p2', 1);
    await waitFor('email', () => smtp.messages.length === mailBefore + 1);
    expect(smtp.messages[smtp.messages.length - 1]?.parsed.subject).toMatch(/P2/);
    expect(slack.messages.length).toBe(slackBefore);
  });

  it('P3 notifies nobody but is visible as an incident: the route decided so, in its timeline', async () => {
    const before = { pd: pd.events.length, slack: slack.messages.length, mail: smtp.messages.length };
    await fire('e2e_p3', 1);
    const id = await poll('the P3 incident', async () => (await h.request('GET', '/v1/incidents?severity=P3')).body.incidents?.[0]?.id as string | undefined);
    // Wait for the dispatcher's decision itself (group_wait 0 s), not for a time in which nothing arrived.
    const timeline = await poll('the routing decision', async () => {
      const t = (await h.request('GET', `/v1/incidents/${id}`)).body.timeline as Array<{ kind: string; receiver?: string; message: string }>;
      return t.some((e) => e.kind === 'routed') ? t : undefined;
    });
    expect(timeline.find((e) => e.kind === 'routed')).toMatchObject({ receiver: 'dashboard-only', message: expect.stringContaining('shown on the dashboard only') });
    expect(timeline.filter((e) => e.kind === 'queued' || e.kind === 'notified')).toEqual([]);
    expect({ pd: pd.events.length, slack: slack.messages.length, mail: smtp.messages.length }).toEqual(before);
  });
});
