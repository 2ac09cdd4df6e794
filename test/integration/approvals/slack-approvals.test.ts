import { slackButtonBody, slackSignature } from '../../support/signed-requests';
import type { PostedSlackMessage } from '../../support/fake-slack';
import { OPERATE_TOKEN, SLACK_SECRET, TwoWay, waitFor } from '../integrations/two-way-fixture';
import { RestartRecorder } from './approval-fixture';

/**
 * Issue 13 §2 in Slack: a job awaiting approval is posted to integrations.slack.approval_channel
 * with Approve / Reject (the fake Slack records chat.postMessage and chat.update); presses are
 * signed as Slack signs them, computed here from the signing secret. Only the rule's Slack
 * approvers may decide; a decision made in the API updates the Slack message too.
 */
const CHANNEL = 'C0ALERTS01';
const RULES = `groups:
  - name: twoway
    rules:
      - {alert: SettlementDown, expr: tw_down > 0, labels: {severity: P0, health: red}, annotations: {summary: "settlement down on {{ $labels.component }}"}}
remediations:
  - name: restart-settlement
    on: {alert: SettlementDown}
    action: restart
    target: "{{ $labels.component }}"
    params: {driver: http, url: "/control/restart/{{target}}"}
    cooldown: 0s
    approval: {ttl: 10m, approvers: ["slack_group:S0ONCALL", "principal:alice"]}
`;

let tw: TwoWay;
let recorder: RestartRecorder;

beforeAll(async () => {
  recorder = await RestartRecorder.start();
  tw = await TwoWay.start(`evaluation_interval: 200ms
remediation:
  settle: 0s
  executors:
    restart: {http_base_url: "${recorder.url}"}
`, { 'twoway.rules.yaml': RULES });
  tw.slack.usergroups.set('S0ONCALL', ['U0ONCALL1']);
});
afterAll(async () => {
  await tw?.stop();
  await recorder?.stop();
});

const approvalMessages = () => tw.slack.messages.filter((m) => JSON.stringify(m.blocks ?? []).includes('warden_approve'));
const buttons = (blocks: any[] | undefined) => (blocks ?? []).filter((b) => b.type === 'actions').flatMap((b) => b.elements.map((e: any) => e.text.text));

function press(message: PostedSlackMessage, actionId: 'warden_approve' | 'warden_reject', user: string, o: { secret?: string } = {}) {
  const value = (message.blocks ?? []).find((b) => b.type === 'actions').elements[0].value as string;
  const body = slackButtonBody({ actionId, value, userId: user, userName: user.toLowerCase(), channel: CHANNEL, message: { ts: message.ts, blocks: message.blocks, text: message.text } });
  const ts = Math.floor(Date.now() / 1000);
  return tw.post('/v1/integrations/slack', body, { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(body, o.secret ?? SLACK_SECRET, ts) });
}

const job = async (id: string) => (await tw.h.request('GET', `/v1/remediations/${id}`, { token: OPERATE_TOKEN })).body;

describe('approving from Slack', () => {
  let message: PostedSlackMessage;
  let jobId: string;

  beforeAll(async () => {
    await tw.fire(1);
    message = await waitFor('the approval request in Slack', () => approvalMessages()[0]);
    jobId = (message.blocks ?? []).find((b) => b.type === 'actions').elements[0].value;
  });

  it('posts what it would do, why and until when, with Approve and Reject valued with the job id', async () => {
    expect(message.channel).toBe(CHANNEL);
    expect(buttons(message.blocks)).toEqual(['Approve', 'Reject']);
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('/control/restart/settlement');
    expect(text).toContain('settlement down on settlement');
    expect(text).toContain('restart-settlement');
    expect((await job(jobId)).state).toBe('awaiting_approval');
  });

  it('a forged press (wrong secret) is 401; a user who is not an approver is refused and audited; nothing changes', async () => {
    expect((await press(message, 'warden_approve', 'U0ONCALL1', { secret: 'another-signing-secret-012345' })).status).toBe(401);
    // U0APPROVER is in integrations.slack.approvers, but this rule names its own Slack group.
    expect((await press(message, 'warden_approve', 'U0APPROVER')).status).toBe(200);
    await waitFor('the refusal in the thread', () => tw.slack.thread(message.ts).find((m) => (m.text ?? '').includes('you are not an approver of restart-settlement')));
    const refused = (await tw.audit('integration.slack.refused')).filter((e) => e.details.reason === 'not_an_approver');
    expect(refused).toEqual([expect.objectContaining({ actor: 'slack:U0APPROVER', target: `remediation/${jobId}` })]);
    expect((await job(jobId)).state).toBe('awaiting_approval');
    expect(recorder.of('settlement')).toEqual([]);
    // The refusal is shown on the message, whose buttons stay for the real approvers.
    const update = await waitFor('chat.update', () => tw.slack.updates.find((u) => u.ts === message.ts));
    expect(buttons(update.blocks)).toEqual(['Approve', 'Reject']);
  });

  it('a member of the rule\'s user group approves: it runs once, the message loses its buttons and says who', async () => {
    expect((await press(message, 'warden_approve', 'U0ONCALL1')).status).toBe(200);
    await waitFor('the restart', () => recorder.of('settlement').length === 1);
    const update = await waitFor('chat.update', () => tw.slack.updates.find((u) => u.ts === message.ts && JSON.stringify(u.blocks).includes('Approved by <@U0ONCALL1>')));
    expect(buttons(update.blocks)).toEqual([]);
    const done = await waitFor('completed', async () => ((await job(jobId)).state === 'completed' ? job(jobId) : undefined));
    expect(done.approval).toMatchObject({ status: 'approved', decidedBy: 'u0oncall1 (Slack)' });
    expect((await tw.audit('remediation.approved'))[0]).toMatchObject({ actor: 'slack:U0ONCALL1' });
    // Pressing again (another tab) runs nothing more.
    expect((await press(message, 'warden_approve', 'U0ONCALL1')).status).toBe(200);
    await waitFor('the thread says so', () => tw.slack.thread(message.ts).find((m) => (m.text ?? '').includes('Already approved by u0oncall1 (Slack)')));
    expect(recorder.of('settlement')).toHaveLength(1);
  });
});

describe('deciding in the API', () => {
  it('a rejection by an API approver updates the Slack message; nothing runs', async () => {
    await tw.fire(0);
    await waitFor('the alert to clear', async () => ((await tw.h.request('GET', '/v1/alerts', { token: OPERATE_TOKEN })).body.alerts as any[]).length === 0);
    await tw.fire(1);
    const message = await waitFor('a second approval request', () => approvalMessages()[1]);
    const jobId = (message.blocks ?? []).find((b) => b.type === 'actions').elements[0].value as string;
    const res = await tw.h.request('POST', `/v1/remediations/${jobId}/reject`, { token: OPERATE_TOKEN, body: { reason: 'doing it by hand' } });
    expect(res).toMatchObject({ status: 200, body: { decision: 'rejected', decidedBy: 'alice' } });
    const update = await waitFor('chat.update', () => tw.slack.updates.find((u) => u.ts === message.ts));
    expect(buttons(update.blocks)).toEqual([]);
    expect(JSON.stringify(update.blocks)).toContain('Rejected by alice: doing it by hand');
    await waitFor('completed', async () => (await job(jobId)).state === 'completed');
    expect(recorder.of('settlement')).toHaveLength(1);
  });
});
