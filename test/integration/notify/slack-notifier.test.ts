import { PermanentError, TransientError } from '../../../src/errors';
import { SlackNotifier } from '../../../src/notify/slack/slack-notifier';
import { FakeSlack } from '../../support/fake-slack';
import { notification } from './notification-fixture';

describe('SlackNotifier through @slack/web-api to a local Web API', () => {
  let slack: FakeSlack;
  const signal = new AbortController().signal;
  const notifier = () => new SlackNotifier({ receiver: 'team', token: 'xoxb-test-token', channel: '#alerts', apiUrl: slack.apiUrl, timeoutMs: 2000 });
  const p1 = (overrides = {}) => notification({ severity: 'P1', summary: 'Replication lag 12 s', labels: { alertname: 'ReplicationLag', component: 'postgres-primary', severity: 'P1', region: 'eu-1' }, ...overrides });

  beforeAll(async () => {
    slack = await FakeSlack.start();
  });
  afterAll(async () => {
    await slack.stop();
  });
  beforeEach(() => {
    slack.messages.length = 0;
    slack.requests = 0;
    slack.mode = 'ok';
  });

  it('a trigger posts one Block Kit message (header, fields, context) and returns its ts as the thread ref', async () => {
    const result = await notifier().send(p1(), signal);
    expect(slack.messages).toHaveLength(1);
    const posted = slack.messages[0]!;
    expect(result).toEqual({ channel: 'slack', ref: posted.ts, detail: { ts: posted.ts, channel: 'C0ALERTS01', thread_ts: undefined } });
    expect(posted.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(posted.thread_ts).toBeUndefined();
    expect(posted.text).toBe('[P1] TRIGGERED: Replication lag 12 s');
    const [header, fields, alerts, context] = posted.blocks!;
    expect(header).toEqual({ type: 'header', text: { type: 'plain_text', text: 'P1 TRIGGERED: Replication lag 12 s', emoji: true } });
    expect(fields.fields.map((f: { text: string }) => f.text)).toEqual([
      '*Severity*\n:large_orange_circle: P1',
      '*Status*\ntriggered',
      '*Component*\npostgres-primary',
      '*alertname*\nReplicationLag',
      '*region*\neu-1',
    ]);
    expect(alerts.text.text).toMatch(/^\*1 alert\*\n• `MatchingEngineDown` firing since <!date\^1700000000\^/);
    expect(context).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Incident `inc-1` · fingerprint `fp-4f2a9c0d1e` · receiver oncall' }] });
  });

  it('acknowledgement and resolution are posted in the incident thread (thread_ts = the trigger ts)', async () => {
    const trigger = await notifier().send(p1(), signal);
    const ack = await notifier().send(p1({ transition: 'acknowledge', status: 'acknowledged', acknowledgedBy: 'alice', threadRef: trigger.ref }), signal);
    await notifier().send(p1({ transition: 'resolve', status: 'resolved', threadRef: trigger.ref }), signal);
    expect(slack.messages).toHaveLength(3);
    const replies = slack.thread(trigger.ref!);
    expect(replies.map((m) => m.text)).toEqual(['[P1] ACKNOWLEDGED: Replication lag 12 s', '[P1] RESOLVED: Replication lag 12 s']);
    expect(replies[0]!.blocks![0].text.text).toBe(':large_orange_circle: *ACKNOWLEDGED* by *alice*: Replication lag 12 s');
    expect(replies.every((m) => m.args.reply_broadcast === undefined)).toBe(true);
    expect(ack.ref).toBe(trigger.ref);
  });

  it('an escalation in the thread is also broadcast to the channel', async () => {
    const trigger = await notifier().send(p1(), signal);
    await notifier().send(p1({ transition: 'escalate', escalationLevel: 2, threadRef: trigger.ref }), signal);
    expect(slack.messages[1]).toMatchObject({ thread_ts: trigger.ref, text: '[P1] ESCALATED (level 2): Replication lag 12 s' });
    expect(slack.messages[1]!.args.reply_broadcast).toBe('true');
  });

  it('a P0 fallback carries the "PagerDuty unreachable" note in text and blocks', async () => {
    await notifier().send(notification({ note: 'PagerDuty unreachable' }), signal);
    const posted = slack.messages[0]!;
    expect(posted.text).toBe('PagerDuty unreachable: [P0] TRIGGERED: Matching engine down');
    expect(posted.blocks![1]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: ':warning: *PagerDuty unreachable*' } });
  });

  it('user text is escaped for mrkdwn and a long summary is cut to the 150-character header limit', async () => {
    await notifier().send(p1({ summary: `<script> & ${'x'.repeat(200)}` }), signal);
    const header = slack.messages[0]!.blocks![0].text.text as string;
    expect(header).toHaveLength(150);
    expect(slack.messages[0]!.blocks![3].elements[0].text).not.toMatch(/<script>/);
  });

  it.each([
    ['invalid token', { token: 'xoxb-wrong' }, PermanentError, /invalid_auth/],
    ['unknown channel', { channel: '#nowhere' }, PermanentError, /channel_not_found/],
  ] as const)('%s is a PermanentError', async (_what, change, errorType, message) => {
    const n = new SlackNotifier({ receiver: 'team', token: 'xoxb-test-token', channel: '#alerts', apiUrl: slack.apiUrl, ...change });
    const err = await n.send(p1(), signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(errorType);
    expect((err as Error).message).toMatch(message);
    expect(slack.messages).toHaveLength(0);
  });

  it('rate_limited (429 + Retry-After) is a TransientError after one request: the client does not retry', async () => {
    slack.mode = 'rate-limited';
    const err = await notifier().send(p1(), signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toBe('Slack rate_limited; Retry-After 7 s');
    expect(slack.requests).toBe(1);
  });

  it.each([
    ['HTTP 503', 'http-503', /HTTP 503/],
    ['fatal_error', 'fatal_error', /fatal_error/],
  ] as const)('%s is a TransientError after one request', async (_what, mode, message) => {
    slack.mode = mode;
    const err = await notifier().send(p1(), signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(message);
    expect(slack.requests).toBe(1);
  });

  it('a server that never answers becomes a TransientError at the receiver timeout', async () => {
    slack.mode = 'hang';
    const quick = new SlackNotifier({ receiver: 'team', token: 'xoxb-test-token', channel: '#alerts', apiUrl: slack.apiUrl, timeoutMs: 200 });
    const err = await quick.send(p1(), signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toBe('Slack request timed out after 200 ms');
  });

  it('the caller aborting (queue shutdown) ends the attempt as a TransientError', async () => {
    slack.mode = 'hang';
    const controller = new AbortController();
    const pending = notifier().send(p1(), controller.signal);
    setTimeout(() => controller.abort(), 50);
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toBe('Slack request aborted by caller');
  });

  it('a refused connection is a TransientError', async () => {
    const nowhere = new SlackNotifier({ receiver: 'team', token: 'xoxb-test-token', channel: '#alerts', apiUrl: 'http://127.0.0.1:1/api/' });
    await expect(nowhere.send(p1(), signal)).rejects.toThrow(/Slack unreachable/);
  });
});
