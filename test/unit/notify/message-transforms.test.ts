import { buildEmail, messageIdFor, subjectOf } from '../../../src/notify/email/email-message';
import type { Notification } from '../../../src/notify/notifier';
import { buildPagerDutyEvent, pagerDutyAction } from '../../../src/notify/pagerduty/pagerduty-event';
import { buildSlackMessage } from '../../../src/notify/slack/slack-blocks';

function n(overrides: Partial<Notification> = {}): Notification {
  return {
    key: 'inc 7:trigger:email', incidentId: 'inc 7', fingerprint: 'abc', transition: 'trigger', severity: 'P2',
    summary: 'Disk 91% full', status: 'triggered', labels: { component: 'logs' }, annotations: {}, alerts: [],
    startedAtMs: 0, receiver: 'ops', ...overrides,
  };
}

describe('PagerDuty event transform', () => {
  it.each([
    ['trigger', 'trigger'], ['escalate', 'trigger'], ['repeat', 'trigger'], ['acknowledge', 'acknowledge'], ['resolve', 'resolve'],
  ] as const)('transition %s is event_action %s', (transition, action) => {
    expect(pagerDutyAction({ transition })).toBe(action);
  });

  it('cuts a summary to the 1024-character Events v2 limit and falls back to source "warden"', () => {
    const event = buildPagerDutyEvent(n({ summary: 'x'.repeat(2000), labels: {} }), 'k');
    expect(event.payload!.summary).toHaveLength(1024);
    expect(event.payload!.source).toBe('warden');
  });

  it('lists at most 20 alerts in custom_details and counts them all', () => {
    const alerts = Array.from({ length: 25 }, (_, i) => ({ name: `A${i}`, labels: {}, state: 'firing', activeAtMs: 0 }));
    const details = buildPagerDutyEvent(n({ alerts }), 'k').payload!.custom_details;
    expect((details['alerts'] as unknown[]).length).toBe(20);
    expect(details['alerts_total']).toBe(25);
  });
});

describe('email transform', () => {
  it('a trigger Message-ID is <incident.trigger@warden>, with unsafe characters replaced', () => {
    expect(messageIdFor(n())).toBe('<inc-7.trigger@warden>');
  });

  it('without a kept threadRef a reply still threads under the trigger Message-ID', () => {
    const email = buildEmail(n({ transition: 'resolve', key: 'inc 7:resolve:email' }));
    expect(email.inReplyTo).toBe('<inc-7.trigger@warden>');
    expect(email.references).toBe('<inc-7.trigger@warden>');
  });

  it('the subject carries severity, state and summary on one line', () => {
    expect(subjectOf(n({ summary: 'two\nlines' }))).toBe('[P2] [TRIGGERED] two lines');
    expect(subjectOf(n({ transition: 'escalate', escalationLevel: 1 }))).toBe('[P2] [ESCALATED (level 1)] Disk 91% full');
  });

  it('the HTML body escapes label values', () => {
    expect(buildEmail(n({ labels: { path: '<b>/var</b>' } })).html).toContain('<code>path=&lt;b&gt;/var&lt;/b&gt;</code>');
  });
});

describe('Slack transform', () => {
  it('a reply without a kept thread ref is posted as a full top-level message', () => {
    const message = buildSlackMessage(n({ transition: 'resolve', status: 'resolved' }), '#ops');
    expect(message.thread_ts).toBeUndefined();
    expect(message.blocks[0]).toMatchObject({ type: 'header' });
  });

  it('shows at most 10 fields (the Block Kit limit)', () => {
    const labels = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`l${i}`, 'v']));
    const fields = buildSlackMessage(n({ labels }), '#ops').blocks[1] as { fields: unknown[] };
    expect(fields.fields).toHaveLength(10);
  });
});
