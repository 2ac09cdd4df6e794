import { Channels, alert, drained, notifyConfig } from './incident-fixture';
import type { IncidentService } from '../../../src/incidents/incident-service';

/** Issue 13: an acknowledged P0 still open after ack_reminder reminds Slack and email, never PagerDuty. */
describe('ack_reminder', () => {
  let ch: Channels;
  let service: IncidentService | undefined;
  beforeAll(async () => {
    ch = await Channels.start();
  });
  afterAll(async () => {
    await service?.stop();
    await ch.stop();
  });

  it('reminds after ack_reminder and every ack_reminder after that, until resolved', async () => {
    const notify = notifyConfig(`
notify:
  receivers: [{name: oncall}]
  route: {receiver: oncall, group_wait: 0s}
  escalation: {ack_timeout: 5m, ack_reminder: 20m}
`);
    service = ch.service({ notify });
    await service.start();
    await service.onAlert(alert('SettlementDown', { severity: 'P0', component: 'settlement' }, 'firing', ch.clock.now));
    await drained(service);
    const [inc] = service.openIncidents();
    await service.acknowledge(inc!.id, { by: 'alice', reason: 'on it' });
    await drained(service);
    const root = ch.slack.messages.find((m) => !m.thread_ts)!;
    const before = { pd: ch.pd.accepted.length, mail: ch.smtp.messages.length, slack: ch.slack.thread(root.ts).length };

    ch.clock.now += 19 * 60_000;
    await service.tick();
    await drained(service);
    expect(ch.slack.thread(root.ts)).toHaveLength(before.slack); // not yet

    ch.clock.now += 60_000;
    await service.tick();
    await drained(service);
    const reminder = ch.slack.thread(root.ts).at(-1)!;
    expect(reminder.text).toMatch(/ACKNOWLEDGED, STILL OPEN/);
    expect(ch.smtp.messages.at(-1)!.parsed.subject).toMatch(/ACKNOWLEDGED, STILL OPEN/);
    expect(ch.pd.accepted).toHaveLength(before.pd); // PagerDuty's acknowledged incident is left alone
    const timeline = (await service.get(inc!.id))!.timeline;
    expect(timeline.some((t) => t.message === 'acknowledged by alice 20 min ago and still open: reminder 1')).toBe(true);

    ch.clock.now += 20 * 60_000;
    await service.tick();
    await drained(service);
    expect(ch.slack.thread(root.ts).filter((m) => /STILL OPEN/.test(m.text ?? ''))).toHaveLength(2);

    await service.resolve(inc!.id, { by: 'alice', reason: 'fixed' });
    ch.clock.now += 60 * 60_000;
    await service.tick();
    await drained(service);
    expect(ch.slack.thread(root.ts).filter((m) => /STILL OPEN/.test(m.text ?? ''))).toHaveLength(2);
    expect(ch.smtp.messages.filter((m) => /STILL OPEN/.test(m.parsed.subject ?? ''))).toHaveLength(2);
  });
});
