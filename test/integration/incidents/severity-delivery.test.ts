import { Channels, alert, drained } from './incident-fixture';
import type { IncidentService } from '../../../src/incidents/incident-service';

describe('each severity reaches exactly the spec §11.3 channels, exactly once', () => {
  let ch: Channels;
  let service: IncidentService;

  beforeEach(async () => {
    ch = await Channels.start();
    service = ch.service();
    await service.start();
  });
  afterEach(async () => {
    await service.stop();
    await ch.stop();
  });

  it('pages a P0 on PagerDuty at once, and nowhere else', async () => {
    await service.onAlert(alert('MatchingEngineDown', { severity: 'P0', component: 'matching' }, 'firing', ch.clock.now));
    await drained(service);
    expect(ch.pd.accepted).toHaveLength(1);
    const [event] = ch.pd.accepted;
    expect(event!.body).toMatchObject({ event_action: 'trigger', routing_key: 'R'.repeat(32) });
    const [inc] = service.openIncidents();
    expect(event!.body.dedup_key).toBe(inc!.fingerprint);
    expect(ch.slack.messages).toHaveLength(0);
    expect(ch.smtp.messages).toHaveLength(0);
  });

  it('sends a P1 to email and Slack after group_wait, once, and threads the resolution', async () => {
    await service.onAlert(alert('SettlementSlow', { severity: 'P1', component: 'settlement' }, 'firing', ch.clock.now));
    await service.tick();
    await drained(service);
    expect(ch.slack.messages.length + ch.smtp.messages.length).toBe(0); // still in group_wait (30 s)
    ch.clock.now += 30_000;
    await service.tick();
    await service.tick();
    await drained(service);
    expect(ch.slack.messages).toHaveLength(1);
    expect(ch.smtp.messages).toHaveLength(1);
    expect(ch.pd.events).toHaveLength(0);

    ch.clock.now += 5_000;
    await service.onAlert(alert('SettlementSlow', { severity: 'P1', component: 'settlement' }, 'inactive', ch.clock.now));
    await drained(service);
    expect(ch.slack.messages).toHaveLength(2);
    expect(ch.slack.messages[1]!.thread_ts).toBe(ch.slack.messages[0]!.ts);
    expect(ch.smtp.messages).toHaveLength(2);
    expect(ch.smtp.messages[1]!.parsed.inReplyTo).toBe(ch.smtp.messages[0]!.parsed.messageId);
  });

  it('sends a P2 by email only', async () => {
    await service.onAlert(alert('DiskFilling', { severity: 'P2', component: 'db' }, 'firing', ch.clock.now));
    ch.clock.now += 30_000;
    await service.tick();
    await drained(service);
    expect(ch.smtp.messages).toHaveLength(1);
    expect(ch.slack.messages).toHaveLength(0);
    expect(ch.pd.events).toHaveLength(0);
  });

  it('notifies nobody for a P3, yet shows it in the API', async () => {
    await service.onAlert(alert('CacheColdish', { severity: 'P3', component: 'cache' }, 'firing', ch.clock.now));
    ch.clock.now += 60_000;
    await service.tick();
    await drained(service);
    expect(ch.pd.events.length + ch.slack.messages.length + ch.smtp.messages.length).toBe(0);
    const list = await service.list({ severity: 'P3' });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ status: 'triggered', severity: 'P3' });
  });

  it('acknowledging a P0 sends PagerDuty acknowledge; resolving sends resolve; the timeline records every step', async () => {
    await service.onAlert(alert('MatchingEngineDown', { severity: 'P0', component: 'matching' }, 'firing', ch.clock.now));
    await drained(service);
    const [inc] = service.openIncidents();
    await service.acknowledge(inc!.id, { by: 'alice', reason: 'looking at it' });
    await drained(service);
    await service.onAlert(alert('MatchingEngineDown', { severity: 'P0', component: 'matching' }, 'inactive', ch.clock.now + 1000));
    await drained(service);
    expect(ch.pd.accepted.map((e) => e.body.event_action)).toEqual(['trigger', 'acknowledge', 'resolve']);
    expect(new Set(ch.pd.accepted.map((e) => e.body.dedup_key)).size).toBe(1);
    const stored = await service.get(inc!.id);
    expect(stored).toMatchObject({ status: 'resolved', acknowledgedBy: 'alice', ackReason: 'looking at it' });
    const kinds = stored!.timeline.map((t) => t.kind);
    expect(kinds).toEqual(expect.arrayContaining(['triggered', 'queued', 'notified', 'acknowledged', 'resolved']));
    expect(stored!.timeline.filter((t) => t.kind === 'notified')).toHaveLength(3);
  });

  it('acknowledging a P1 replies in its Slack thread and sends a threaded email', async () => {
    await service.onAlert(alert('SettlementSlow', { severity: 'P1', component: 'settlement' }, 'firing', ch.clock.now));
    ch.clock.now += 30_000;
    await service.tick();
    await drained(service);
    const [inc] = service.openIncidents();
    await service.acknowledge(inc!.id, { by: 'alice', reason: 'investigating' });
    await service.acknowledge(inc!.id, { by: 'bob', reason: 'me too' }); // twice changes nothing
    await drained(service);
    expect(ch.slack.messages).toHaveLength(2);
    expect(ch.slack.messages[1]!.thread_ts).toBe(ch.slack.messages[0]!.ts);
    expect(JSON.stringify(ch.slack.messages[1]!.blocks)).toMatch(/ACKNOWLEDGED/);
    expect(ch.smtp.messages).toHaveLength(2);
    expect(ch.smtp.messages[1]!.parsed.inReplyTo).toBe(ch.smtp.messages[0]!.parsed.messageId);
    expect((await service.get(inc!.id))!.acknowledgedBy).toBe('alice');
  });

  it('a firing alert seen again, extra ticks and a restarted service send nothing more', async () => {
    const t = alert('MatchingEngineDown', { severity: 'P0', component: 'matching' }, 'firing', ch.clock.now);
    await service.onAlert(t);
    await service.onAlert(t);
    await drained(service);
    await service.stop();
    service = ch.service();
    await service.start();
    expect(service.openIncidents()).toHaveLength(1);
    await service.onAlert(t);
    ch.clock.now += 59_000;
    await service.tick();
    await drained(service);
    expect(ch.pd.events).toHaveLength(1);
  });

  it('after a restart, incidents whose alerts stopped while Warden was down are resolved by reconcile()', async () => {
    const down = alert('MatchingEngineDown', { severity: 'P0', component: 'matching' }, 'firing', ch.clock.now);
    const lag = alert('SettlementDown', { severity: 'P0', component: 'settlement' }, 'firing', ch.clock.now);
    await service.onAlert(down);
    await service.onAlert(lag);
    await drained(service);
    await service.stop();
    service = ch.service();
    await service.start();
    await service.reconcile([lag.alert.fingerprint]);
    await drained(service);
    expect(service.openIncidents().map((i) => i.labels.alertname)).toEqual(['SettlementDown']);
    expect(ch.pd.accepted.map((e) => e.body.event_action).sort()).toEqual(['resolve', 'trigger', 'trigger']);
  });

  it('a re-fire after resolution is a new incident', async () => {
    const labels = { severity: 'P0', component: 'matching' };
    await service.onAlert(alert('MatchingEngineDown', labels, 'firing', ch.clock.now));
    ch.clock.now += 1000;
    await service.onAlert(alert('MatchingEngineDown', labels, 'inactive', ch.clock.now));
    ch.clock.now += 1000;
    await service.onAlert(alert('MatchingEngineDown', labels, 'firing', ch.clock.now));
    await drained(service);
    const all = await service.list({});
    expect(all).toHaveLength(2);
    expect(all.map((i) => i.status).sort()).toEqual(['resolved', 'triggered']);
    const byKey = (k: string) => ch.pd.accepted.filter((e) => e.body.dedup_key === k).map((e) => e.body.event_action);
    const [first, second] = [...all].sort((a, b) => a.startedAtMs - b.startedAtMs);
    expect(first!.fingerprint).not.toBe(second!.fingerprint);
    expect(byKey(first!.fingerprint)).toEqual(['trigger', 'resolve']);
    expect(byKey(second!.fingerprint)).toEqual(['trigger']);
  });
});
