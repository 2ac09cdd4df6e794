import { Channels, alert, drained, notifyConfig } from './incident-fixture';
import type { IncidentService } from '../../../src/incidents/incident-service';

describe('grouping, silences and inhibition', () => {
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

  async function start(yaml?: string): Promise<IncidentService> {
    service = ch.service(yaml ? { notify: notifyConfig(yaml) } : {});
    await service.start();
    return service;
  }

  it('a storm of 1,000 P1 alerts in a minute yields one notification per group per channel', async () => {
    const s = await start();
    for (let i = 0; i < 1000; i++) {
      const name = i % 2 === 0 ? 'ReplicationLag' : 'OrderLatency';
      await s.onAlert(alert(name, { severity: 'P1', component: i % 4 < 2 ? 'db' : 'api', instance: `i${i}` }, 'firing', ch.clock.now));
      ch.clock.now += 60;
      if (i % 20 === 0) await s.tick();
    }
    await s.tick();
    await drained(s);
    // 2 alert names x 2 components = 4 groups; each pages once on Slack and once by email.
    expect(ch.slack.messages).toHaveLength(4);
    expect(ch.smtp.messages).toHaveLength(4);
    expect(s.openIncidents()).toHaveLength(4);
    expect(s.openIncidents().map((i) => Object.keys(i.alerts).length).reduce((a, b) => a + b, 0)).toBe(1000);
  }, 60_000);

  it('a storm of P0 alerts pages once per group, at once', async () => {
    const s = await start();
    for (let i = 0; i < 200; i++) {
      await s.onAlert(alert('ComponentDown', { severity: 'P0', component: i % 2 ? 'db' : 'matching', instance: `i${i}` }, 'firing', ch.clock.now));
      ch.clock.now += 250;
    }
    await drained(s);
    expect(ch.pd.accepted).toHaveLength(2);
  }, 30_000);

  it('a silenced incident is recorded but not notified, and notifies when the silence ends', async () => {
    const s = await start();
    const silence = await s.createSilence({ matchers: [{ name: 'component', value: 'matching', isRegex: false, isEqual: true }], startsAt: new Date(ch.clock.now).toISOString(), endsAt: new Date(ch.clock.now + 600_000).toISOString(), comment: 'maintenance window' }, 'bob');
    await s.onAlert(alert('MatchingEngineDown', { severity: 'P0', component: 'matching' }, 'firing', ch.clock.now));
    await s.tick();
    await drained(s);
    expect(ch.pd.events).toHaveLength(0);
    const [inc] = s.openIncidents();
    const timeline = (await s.get(inc!.id))!.timeline;
    expect(timeline.find((t) => t.kind === 'muted')?.message).toMatch(new RegExp(`silenced by bob \\(silence ${silence.id}`));

    ch.clock.now += 600_000; // the silence ends
    await s.tick();
    await drained(s);
    expect(ch.pd.accepted).toHaveLength(1);
    expect((await s.get(inc!.id))!.timeline.map((t) => t.kind)).toContain('unmuted');
  });

  it('silences and muted incidents survive a restart', async () => {
    let s = await start();
    await s.createSilence({ matchers: [{ name: 'component', value: 'matching', isRegex: false, isEqual: true }], startsAt: new Date(ch.clock.now).toISOString(), endsAt: new Date(ch.clock.now + 600_000).toISOString(), comment: 'failover drill' }, 'bob');
    await s.onAlert(alert('MatchingEngineDown', { severity: 'P0', component: 'matching' }, 'firing', ch.clock.now));
    await s.stop();
    s = await start();
    expect(s.silences.list()).toHaveLength(1);
    ch.clock.now += 60_000;
    await s.tick();
    await drained(s);
    expect(ch.pd.events).toHaveLength(0);
    ch.clock.now += 540_000;
    await s.tick();
    await drained(s);
    expect(ch.pd.accepted).toHaveLength(1);
  });

  it('expiring a silence early (DELETE) restores notification at once', async () => {
    const s = await start();
    const silence = await s.createSilence({ matchers: [{ name: 'alertname', value: 'Matching.*', isRegex: true, isEqual: true }], startsAt: new Date(ch.clock.now).toISOString(), endsAt: new Date(ch.clock.now + 3_600_000).toISOString(), comment: 'deploy' }, 'bob');
    await s.onAlert(alert('MatchingEngineDown', { severity: 'P0', component: 'matching' }, 'firing', ch.clock.now));
    await drained(s);
    expect(ch.pd.events).toHaveLength(0);
    ch.clock.now += 1;
    await s.expireSilence(silence.id, 'bob');
    await drained(s);
    expect(ch.pd.accepted).toHaveLength(1);
  });

  it('trading halted inhibits lag alerts; a component down inhibits only its own lag alerts', async () => {
    const s = await start(`
notify:
  inhibit_rules:
    - source_matchers: ['alertname="TradingHalted"']
      target_matchers: ['alertname=~".*Lag"']
    - source_matchers: ['alertname="ComponentDown"']
      target_matchers: ['alertname=~".*Lag"']
      equal: [component]
`);
    await s.onAlert(alert('ComponentDown', { severity: 'P0', component: 'db' }, 'firing', ch.clock.now));
    await s.onAlert(alert('ReplicationLag', { severity: 'P0', component: 'db' }, 'firing', ch.clock.now));
    await s.onAlert(alert('ReplicationLag', { severity: 'P0', component: 'cache' }, 'firing', ch.clock.now));
    await drained(s);
    const paged = ch.pd.accepted.map((e) => e.body.payload.summary as string);
    expect(paged).toHaveLength(2);
    const lagDb = s.openIncidents().find((i) => i.labels.alertname === 'ReplicationLag' && i.labels.component === 'db')!;
    expect(lagDb.dispatch.mutedBy).toMatch(/inhibited by ComponentDown/);

    await s.onAlert(alert('TradingHalted', { severity: 'P1' }, 'firing', ch.clock.now));
    await s.onAlert(alert('EventLag', { severity: 'P0', component: 'settlement' }, 'firing', ch.clock.now));
    await drained(s);
    expect(ch.pd.accepted).toHaveLength(2);
  });
});
