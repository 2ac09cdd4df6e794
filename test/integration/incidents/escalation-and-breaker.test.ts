import { Channels, alert, drained, notifyConfig, until } from './incident-fixture';
import type { IncidentService } from '../../../src/incidents/incident-service';

describe('escalation and the PagerDuty breaker', () => {
  let ch: Channels;
  let service: IncidentService | undefined;

  beforeEach(async () => {
    ch = await Channels.start();
  });
  afterEach(async () => {
    await service?.stop();
    service = undefined;
    await ch.stop();
  });

  it('a P0 not acknowledged within ack_timeout re-pages and notifies the next level, until acknowledged', async () => {
    const notify = notifyConfig(`
notify:
  receivers: [{name: oncall}, {name: manager}]
  escalation:
    ack_timeout: 1m
    chains:
      - name: exchange
        levels:
          - receivers: [manager]
`);
    service = ch.service({ notify, notifiers: ch.notifiers([{ name: 'oncall', channels: ['pagerduty', 'slack', 'email'] }, { name: 'manager', channels: ['email'] }]) });
    await service.start();
    await service.onAlert(alert('SettlementDown', { severity: 'P0', component: 'settlement' }, 'firing', ch.clock.now));
    await drained(service);
    expect(ch.pd.accepted).toHaveLength(1);

    ch.clock.now += 59_000;
    await service.tick();
    await drained(service);
    expect(ch.pd.accepted).toHaveLength(1); // not yet

    ch.clock.now += 1_000;
    await service.tick();
    await drained(service);
    expect(ch.pd.accepted).toHaveLength(2); // re-paged (same dedup_key)
    expect(ch.smtp.messages.map((m) => m.envelopeTo)).toEqual([['manager@example.com']]);
    expect(ch.smtp.messages[0]!.parsed.subject).toMatch(/ESCALATED \(level 1\)/);

    ch.clock.now += 60_000;
    await service.tick();
    await drained(service);
    expect(ch.pd.accepted).toHaveLength(3);
    expect(ch.smtp.messages).toHaveLength(2);

    const [inc] = service.openIncidents();
    await service.acknowledge(inc!.id, { by: 'alice', reason: 'on it' });
    ch.clock.now += 600_000;
    await service.tick();
    await drained(service);
    expect(ch.pd.accepted.map((e) => e.body.event_action)).toEqual(['trigger', 'trigger', 'trigger', 'acknowledge']);
    expect(new Set(ch.pd.accepted.map((e) => e.body.dedup_key)).size).toBe(1);
    expect(ch.smtp.messages).toHaveLength(3); // manager hears of the acknowledgement
    expect((await service.get(inc!.id))!.timeline.filter((t) => t.kind === 'escalated')).toHaveLength(2);
  });

  it('while PagerDuty is down its breaker opens, the page falls back to Slack + email, and the queued page is delivered once it recovers', async () => {
    ch.pd.mode = 'error-500';
    service = ch.service({ breakerRecheckMaxMs: 200 });
    await service.start();
    await service.onAlert(alert('MatchingEngineDown', { severity: 'P0', component: 'matching' }, 'firing', ch.clock.now));
    await until(() => ch.slack.messages.length === 1 && ch.smtp.messages.length === 1, 'the Slack and email fallback');
    expect(ch.breakers.get('pagerduty')!.state).toBe('open');
    expect(ch.pd.requests).toBe(5); // spec §3.2: open after 5 failures; then no more requests
    expect(JSON.stringify(ch.slack.messages[0]!.blocks)).toMatch(/PagerDuty unreachable/);
    expect(ch.smtp.messages[0]!.parsed.text).toMatch(/PagerDuty unreachable/);

    ch.pd.mode = 'ok';
    ch.clock.now += 30_000; // spec §3.2: half-open after 30 s
    await until(() => ch.pd.accepted.length === 1, 'the queued page to reach PagerDuty');
    await drained(service);
    expect(ch.pd.accepted[0]!.body.event_action).toBe('trigger');
    expect(ch.slack.messages).toHaveLength(1);

    // The fallback channels hear of the resolution too, in their threads.
    await service.onAlert(alert('MatchingEngineDown', { severity: 'P0', component: 'matching' }, 'inactive', ch.clock.now));
    await drained(service);
    expect(ch.pd.accepted.map((e) => e.body.event_action)).toEqual(['trigger', 'resolve']);
    expect(ch.slack.messages[1]!.thread_ts).toBe(ch.slack.messages[0]!.ts);
  }, 30_000);

  it('opens one P0 incident per remediation escalation key', async () => {
    service = ch.service();
    await service.start();
    const req = { key: 'restart:matching:1700000000000', summary: 'restart of matching did not help', labels: { component: 'matching' }, details: { attempts: 3 } };
    await service.escalate(req);
    await service.escalate(req);
    await drained(service);
    expect(ch.pd.accepted).toHaveLength(1);
    expect(ch.pd.accepted[0]!.body.payload.summary).toMatch(/restart of matching did not help/);
    const [inc] = service.openIncidents();
    expect(inc).toMatchObject({ severity: 'P0', source: 'escalation', details: { attempts: 3 } });
    await service.resolve(inc!.id, { by: 'alice', reason: 'fixed by hand' });
    await service.escalate(req);
    await drained(service);
    expect(ch.pd.accepted.map((e) => e.body.event_action)).toEqual(['trigger', 'resolve']);
  });
});
