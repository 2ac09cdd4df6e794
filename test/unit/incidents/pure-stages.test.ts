import { decideFlush } from '../../../src/incidents/dispatch-decision';
import { defaultRoute } from '../../../src/incidents/default-route';
import { EscalationChains } from '../../../src/incidents/escalation-chain';
import { newIncident } from '../../../src/incidents/incident-lifecycle';
import { severityOf } from '../../../src/incidents/incident';
import { Inhibitor } from '../../../src/incidents/inhibitor';
import { parseMatcher, type Matcher } from '../../../src/signals/label-matchers';
import { notificationKey } from '../../../src/incidents/notification-log';

const m = (s: string) => parseMatcher(s) as Matcher;

describe('severity', () => {
  it('reads P0–P3 from the severity label, case-insensitively, defaulting to P3', () => {
    expect(severityOf({ severity: 'p1' })).toBe('P1');
    expect(severityOf({ severity: 'critical' })).toBe('P3');
    expect(severityOf({})).toBe('P3');
  });
});

describe('notification keys', () => {
  it('contain no colon, so they can be BullMQ job ids', () => {
    const key = notificationKey({ incidentId: 'inc_1', transition: 'repeat', seq: 2, receiver: 'team:ops a', channel: 'slack' });
    expect(key).toBe('inc_1.repeat-2.team_ops_a.slack');
  });
});

describe('inhibition', () => {
  const inhibitor = new Inhibitor([
    { source_matchers: [m('alertname="TradingHalted"')], target_matchers: [m('alertname=~".*Lag.*"')], equal: [] },
    { source_matchers: [m('alertname="ComponentDown"')], target_matchers: [m('alertname=~".*Lag.*"')], equal: ['component'] },
  ]);
  const lag = { fingerprint: 'lag-db', labels: { alertname: 'ReplicationLag', component: 'db' } };

  it('trading halted inhibits every lag alert', () => {
    expect(inhibitor.inhibitedBy(lag, [{ fingerprint: 'h', labels: { alertname: 'TradingHalted' } }])).toMatch(/inhibited by TradingHalted/);
  });
  it('a component down inhibits its own lag alerts only', () => {
    expect(inhibitor.inhibitedBy(lag, [{ fingerprint: 'd', labels: { alertname: 'ComponentDown', component: 'db' } }])).toBeDefined();
    expect(inhibitor.inhibitedBy(lag, [{ fingerprint: 'd', labels: { alertname: 'ComponentDown', component: 'cache' } }])).toBeUndefined();
  });
  it('an alert never inhibits itself', () => {
    const both = new Inhibitor([{ source_matchers: [m('severity="P0"')], target_matchers: [m('severity="P0"')], equal: [] }]);
    const a = { fingerprint: 'a', labels: { severity: 'P0' } };
    expect(both.inhibitedBy(a, [a])).toBeUndefined();
  });
});

describe('dedup decision', () => {
  const route = defaultRoute().routes[1]!; // P1: group_interval 5m, repeat_interval 4h
  const inc = () => newIncident({ groupKey: 'g', routeId: route.id, labels: {}, nowMs: 0, source: 'alert' });

  it('triggers first, then stays quiet until alerts change or repeat_interval passes', () => {
    const i = inc();
    expect(decideFlush(i, ['a'], route, 0)).toMatchObject({ send: true, transition: 'trigger', reason: 'first notification' });
    Object.assign(i.dispatch, { triggerSent: true, notifiedAlerts: ['a'], lastNotifiedAtMs: 0 });
    expect(decideFlush(i, ['a'], route, 300_000)).toEqual({ send: false });
    expect(decideFlush(i, ['a', 'b'], route, 300_000)).toMatchObject({ send: true, transition: 'repeat', seq: 1, reason: 'alerts changed' });
    expect(decideFlush(i, ['a'], route, 4 * 3_600_000)).toMatchObject({ send: true, reason: 'repeat interval elapsed' });
  });

  it('does not repeat an acknowledged incident', () => {
    const i = inc();
    Object.assign(i.dispatch, { triggerSent: true, notifiedAlerts: ['a'], lastNotifiedAtMs: 0 });
    i.status = 'acknowledged';
    expect(decideFlush(i, ['a', 'b'], route, 10 * 3_600_000)).toEqual({ send: false });
  });
});

describe('escalation chains', () => {
  const chains = new EscalationChains({ ack_timeout: 60_000, ack_reminder: 0, chains: [{ name: 'db', matchers: [m('component="db"')], levels: [{ receivers: ['secondary'] }, { receivers: ['manager'] }] }] });
  it('names the receivers of each level and stays on the last one', () => {
    expect(chains.receiversAt(1, { component: 'db' }).receivers).toEqual(['secondary']);
    expect(chains.receiversAt(2, { component: 'db' }).receivers).toEqual(['manager']);
    expect(chains.receiversAt(5, { component: 'db' }).receivers).toEqual(['manager']);
    expect(chains.receiversAt(1, { component: 'web' }).receivers).toEqual([]);
  });
});
