import { slackButtonBody, slackSignature } from '../../support/signed-requests';
import type { PostedSlackMessage } from '../../support/fake-slack';
import { OPERATE_TOKEN, SLACK_SECRET, TwoWay, waitFor } from './two-way-fixture';

/**
 * Issue 13 §1: the buttons on Warden's Slack messages, pressed through a request signed as Slack
 * signs it (computed here from the signing secret). The fake Slack records chat.update and thread
 * replies; forged, unsigned and stale requests are refused with 401 and change nothing.
 */
let tw: TwoWay;
let incidentId: string;
let root: PostedSlackMessage;
const CHANNEL = 'C0ALERTS01';

beforeAll(async () => {
  tw = await TwoWay.start();
  await tw.fire(1);
  root = await waitFor('the Slack trigger', () => tw.slack.messages.find((m) => !m.thread_ts));
  const trigger = await waitFor('PagerDuty trigger', () => tw.pd.accepted.find((e) => e.body.event_action === 'trigger'));
  incidentId = trigger.body.payload.custom_details.incident_id;
});
afterAll(() => tw?.stop());

function press(actionId: string, o: { user?: string; name?: string; tsSec?: number; secret?: string; value?: string; message?: PostedSlackMessage } = {}) {
  const message = o.message ?? root;
  const body = slackButtonBody({ actionId, value: o.value ?? incidentId, userId: o.user ?? 'U0JSMITH', userName: o.name ?? 'jsmith', channel: CHANNEL, message: { ts: message.ts, thread_ts: message.thread_ts, blocks: message.blocks, text: message.text } });
  const ts = o.tsSec ?? Math.floor(Date.now() / 1000);
  return tw.post('/v1/integrations/slack', body, { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(body, o.secret ?? SLACK_SECRET, ts) });
}

const buttons = (blocks: any[] | undefined) => (blocks ?? []).filter((b) => b.type === 'actions').flatMap((b) => b.elements.map((e: any) => e.text.text));

it('the trigger message carries Acknowledge, Silence 1h and Resolve, valued with the incident id', () => {
  expect(buttons(root.blocks)).toEqual(['Acknowledge', 'Silence 1h', 'Resolve']);
  const actions = root.blocks!.find((b) => b.type === 'actions');
  expect(actions.elements.map((e: any) => e.value)).toEqual([incidentId, incidentId, incidentId]);
});

describe('refused requests change nothing', () => {
  it('unsigned, signed with another secret, or too old / too far ahead: 401 and audited', async () => {
    const body = slackButtonBody({ actionId: 'warden_acknowledge', value: incidentId, userId: 'U0MALLORY', userName: 'mallory', channel: CHANNEL, message: { ts: root.ts } });
    const unsigned = await tw.post('/v1/integrations/slack', body, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(unsigned.status).toBe(401);
    expect((await press('warden_acknowledge', { secret: 'another-signing-secret-012345' })).status).toBe(401);
    const sixMinutes = 6 * 60;
    const stale = await press('warden_acknowledge', { tsSec: Math.floor(Date.now() / 1000) - sixMinutes });
    expect(stale.status).toBe(401);
    expect(stale.body.error.message).toBe('Slack signature refused: stale_timestamp');
    expect((await press('warden_acknowledge', { tsSec: Math.floor(Date.now() / 1000) + sixMinutes })).status).toBe(401);
    expect((await tw.incident(incidentId)).status).toBe('triggered');
    expect(tw.slack.updates).toHaveLength(0);
    const reasons = (await tw.audit('integration.slack.refused')).map((e) => e.details.reason);
    expect(reasons).toEqual(['unsigned', 'bad_signature', 'stale_timestamp', 'stale_timestamp']);
  });
});

describe('pressing the buttons', () => {
  it('Acknowledge: acknowledged by the Slack user, the message updated, the thread told, PagerDuty acknowledged', async () => {
    const res = await press('warden_acknowledge');
    expect(res).toEqual({ status: 200, body: { status: 'applied', action: 'warden_acknowledge' } });
    const inc = await tw.incident(incidentId);
    expect(inc).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'jsmith (Slack)', ackReason: 'acknowledged from Slack' });
    expect((await tw.audit('incident.acknowledge')).at(-1)).toMatchObject({ actor: 'slack:U0JSMITH' });
    const update = await waitFor('chat.update', () => tw.slack.updates.find((u) => u.ts === root.ts));
    expect(update.channel).toBe(CHANNEL);
    expect(buttons(update.blocks)).toEqual(['Silence 1h', 'Resolve']);
    expect(JSON.stringify(update.blocks)).toContain('Acknowledged by <@U0JSMITH>');
    const reply = await waitFor('thread reply', () => tw.slack.thread(root.ts).find((m) => /ACKNOWLEDGED/.test(m.text ?? '')));
    expect(JSON.stringify(reply.blocks)).toContain('jsmith (Slack)');
    await waitFor('PagerDuty acknowledge', () => tw.pd.accepted.find((e) => e.body.event_action === 'acknowledge'));
  });

  it('Acknowledge again is idempotent: nothing changes, the thread says who already has it', async () => {
    const before = (await tw.audit('incident.acknowledge')).length;
    expect((await press('warden_acknowledge', { user: 'U0OTHER', name: 'other' })).status).toBe(200);
    await waitFor('thread line', () => tw.slack.thread(root.ts).find((m) => (m.text ?? '').includes('Already acknowledged by jsmith (Slack)')));
    expect((await tw.audit('incident.acknowledge')).length).toBe(before);
    expect((await tw.incident(incidentId)).acknowledgedBy).toBe('jsmith (Slack)');
  });

  it('Silence 1h: a silence on the incident labels for one hour, by the Slack user; the thread says so', async () => {
    expect((await press('warden_silence_1h')).status).toBe(200);
    const silences = (await tw.h.request('GET', '/v1/silences', { token: OPERATE_TOKEN })).body as any[];
    expect(silences).toHaveLength(1);
    const s = silences[0];
    expect(s.matchers).toEqual(expect.arrayContaining([{ name: 'alertname', value: 'SettlementDown', isRegex: false, isEqual: true }, { name: 'component', value: 'settlement', isRegex: false, isEqual: true }]));
    // The store starts a silence no earlier than when it is written (a millisecond may pass).
    expect(Date.parse(s.endsAt) - Date.parse(s.startsAt)).toBeGreaterThan(3_599_000);
    expect(Date.parse(s.endsAt) - Date.parse(s.startsAt)).toBeLessThanOrEqual(3_600_000);
    expect(s.createdBy).toBe('jsmith (Slack)');
    expect((await tw.audit('silence.create')).at(-1)).toMatchObject({ actor: 'slack:U0JSMITH' });
    await waitFor('thread line', () => tw.slack.thread(root.ts).find((m) => (m.text ?? '').includes('Silenced for 1 h by <@U0JSMITH>')));
  });

  it('Resolve: resolved (even while silenced, the resolution is notified), the buttons are gone', async () => {
    const updatesBefore = tw.slack.updates.length;
    expect((await press('warden_resolve')).status).toBe(200);
    expect((await tw.incident(incidentId)).status).toBe('resolved');
    const update = await waitFor('chat.update', () => tw.slack.updates.slice(updatesBefore).find((u) => u.ts === root.ts));
    expect(buttons(update.blocks)).toEqual([]);
    expect(JSON.stringify(update.blocks)).toContain('Resolved by <@U0JSMITH>');
    await waitFor('PagerDuty resolve', () => tw.pd.accepted.find((e) => e.body.event_action === 'resolve'));
    await waitFor('RESOLVED in the thread', () => tw.slack.thread(root.ts).find((m) => /RESOLVED/.test(m.text ?? '')));
  });

  it('a button on a resolved incident changes nothing and says why', async () => {
    expect((await press('warden_acknowledge')).status).toBe(200);
    await waitFor('thread line', () => tw.slack.thread(root.ts).find((m) => (m.text ?? '').includes('is already resolved')));
    expect((await tw.incident(incidentId)).status).toBe('resolved');
  });
});
