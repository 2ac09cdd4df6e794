import type { Notification, NotificationAlert } from '../../../src/notify/notifier';
import { GO_ZERO_TIME, buildWebhookMessage, encodeWebhookMessage, goTime, quoteMeta } from '../../../src/notify/webhook/webhook-payload';
import { fingerprint } from '../../../src/rules/fingerprint';

const T0 = Date.parse('2026-01-05T10:00:00Z');

function alert(instance: string, over: Partial<NotificationAlert> = {}): NotificationAlert {
  const labels = { alertname: 'OrderGatewayErrors', component: 'order-gateway', severity: 'P1', instance };
  return { name: 'OrderGatewayErrors', labels, state: 'firing', activeAtMs: T0, fingerprint: fingerprint(labels), annotations: { summary: 'errors on order-gateway', runbook: 'https://runbooks/og' }, ...over };
}

function notification(alerts: NotificationAlert[], over: Partial<Notification> = {}): Notification {
  return {
    key: 'k', incidentId: 'inc_1', fingerprint: 'fp', groupKey: '0.1{alertname="OrderGatewayErrors",component="order-gateway"}', transition: 'trigger', severity: 'P1',
    summary: 's', status: 'triggered', labels: { component: 'order-gateway', alertname: 'OrderGatewayErrors' }, annotations: {}, alerts, alertsTotal: alerts.length, truncatedAlerts: 0,
    startedAtMs: T0, receiver: 'tickets.exchange', ...over,
  };
}

const opts = { externalURL: 'https://warden.exchange.example', maxAlerts: 0, sendResolved: true, nowMs: T0 + 60_000 };

describe('Alertmanager webhook payload, version 4', () => {
  it('is byte for byte what Alertmanager sends: Go field order, sorted maps, zero endsAt while firing, QuoteMeta receiver, trailing newline', () => {
    const a = alert('og-1:9100', { activeAtMs: T0 + 250, generatorURL: 'http://prometheus:9090/graph?g0.expr=up&g0.tab=1' });
    const body = encodeWebhookMessage(buildWebhookMessage(notification([a]), opts));
    expect(body).toBe(
      '{"receiver":"tickets\\\\.exchange","status":"firing","alerts":[{"status":"firing",' +
      '"labels":{"alertname":"OrderGatewayErrors","component":"order-gateway","instance":"og-1:9100","severity":"P1"},' +
      '"annotations":{"runbook":"https://runbooks/og","summary":"errors on order-gateway"},' +
      '"startsAt":"2026-01-05T10:00:00.25Z","endsAt":"0001-01-01T00:00:00Z",' +
      '"generatorURL":"http://prometheus:9090/graph?g0.expr=up\\u0026g0.tab=1","fingerprint":"' + a.fingerprint + '"}],' +
      '"groupLabels":{"alertname":"OrderGatewayErrors","component":"order-gateway"},' +
      '"commonLabels":{"alertname":"OrderGatewayErrors","component":"order-gateway","instance":"og-1:9100","severity":"P1"},' +
      '"commonAnnotations":{"runbook":"https://runbooks/og","summary":"errors on order-gateway"},' +
      '"externalURL":"https://warden.exchange.example","version":"4",' +
      '"groupKey":"0.1{alertname=\\"OrderGatewayErrors\\",component=\\"order-gateway\\"}","truncatedAlerts":0}\n',
    );
  });

  it('common labels and annotations are only those every alert shares', () => {
    const m = buildWebhookMessage(notification([alert('og-1'), alert('og-2', { annotations: { summary: 'other' } })]), opts);
    expect(m.commonLabels).toEqual({ alertname: 'OrderGatewayErrors', component: 'order-gateway', severity: 'P1' });
    expect(m.commonAnnotations).toEqual({});
  });

  it('a resolution: every alert resolved with its endsAt, status resolved', () => {
    const m = buildWebhookMessage(notification([alert('og-1', { state: 'resolved', resolvedAtMs: T0 + 90_000 })], { transition: 'resolve' }), opts);
    expect(m.status).toBe('resolved');
    expect(m.alerts.map((a) => [a.status, a.endsAt])).toEqual([['resolved', '2026-01-05T10:01:30Z']]);
  });

  it('max_alerts keeps the first alerts and counts the rest, with those notify.max_alerts never listed', () => {
    const listed = [alert('og-1'), alert('og-2'), alert('og-3')];
    const m = buildWebhookMessage(notification(listed, { alertsTotal: 10 }), { ...opts, maxAlerts: 2 });
    expect(m.alerts.map((a) => a.labels.instance)).toEqual(['og-1', 'og-2']);
    expect(m.truncatedAlerts).toBe(8);
    expect(buildWebhookMessage(notification(listed), opts).truncatedAlerts).toBe(0);
  });

  it('send_resolved: false leaves resolved alerts out before truncating', () => {
    const m = buildWebhookMessage(notification([alert('og-1', { state: 'resolved', resolvedAtMs: T0 }), alert('og-2')]), { ...opts, sendResolved: false, maxAlerts: 1 });
    expect(m.alerts.map((a) => a.labels.instance)).toEqual(['og-2']);
    expect(m.truncatedAlerts).toBe(0);
    expect(m.status).toBe('firing');
  });

  it('an alert without a kept fingerprint gets Alertmanager\'s label-set fingerprint; a missing generatorURL is ""', () => {
    const a = alert('og-1');
    delete a.fingerprint;
    delete a.generatorURL;
    const [out] = buildWebhookMessage(notification([a]), opts).alerts;
    expect(out!.fingerprint).toBe(fingerprint(a.labels));
    expect(out!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(out!.generatorURL).toBe('');
  });

  it('Go time and regexp helpers', () => {
    expect(goTime(Date.parse('2026-01-05T10:00:00.000Z'))).toBe('2026-01-05T10:00:00Z');
    expect(goTime(Date.parse('2026-01-05T10:00:10.100Z'))).toBe('2026-01-05T10:00:10.1Z');
    expect(goTime(Date.parse('2026-01-05T10:00:00.123Z'))).toBe('2026-01-05T10:00:00.123Z');
    expect(GO_ZERO_TIME).toBe('0001-01-01T00:00:00Z');
    expect(quoteMeta('team-a.pager')).toBe('team-a\\.pager');
    expect(quoteMeta('a+b*c?(d)|[e]{f}^$\\')).toBe('a\\+b\\*c\\?\\(d\\)\\|\\[e\\]\\{f\\}\\^\\$\\\\');
  });

  it('HTML-sensitive characters and line separators are escaped as Go does', () => {
    const a = alert('og-1', { annotations: { summary: '<b>&</b>\u2028' } });
    expect(encodeWebhookMessage(buildWebhookMessage(notification([a]), opts))).toContain('"summary":"\\u003cb\\u003e\\u0026\\u003c/b\\u003e\\u2028"');
  });
});
