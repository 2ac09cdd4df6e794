import type { Notification, NotificationAlert, Transition } from '../notify/notifier';
import { firingAlerts, listedAlerts, type Incident, type IncidentAlert } from './incident';
import { notificationKey } from './notification-log';

/** "ReplicationLagHigh on db" (`only`, the one firing alert), or "ReplicationLagHigh (12 alerts)" for a group. */
export function summaryOf(inc: Pick<Incident, 'labels' | 'alertCounts'>, only?: IncidentAlert): string {
  if (only) return only.annotations.summary ?? `${only.name}${only.labels.component ? ` on ${only.labels.component}` : ''}`;
  const names = Object.keys(inc.alertCounts.firingByName);
  const what = names.length === 1 ? names[0] : (inc.labels.alertname ?? `${names.length} alert rules`);
  return `${what} (${inc.alertCounts.firing} alerts)`;
}

export interface BuildOptions {
  readonly transition: Transition;
  readonly seq?: number;
  readonly receiver: string;
  readonly channel: string;
  /** The alerts to show (unmuted firing ones for a page; all for a resolve). */
  readonly alerts?: readonly IncidentAlert[];
  /** At most this many are listed; `alertsTotal`/`truncatedAlerts` count them all (notify.max_alerts). */
  readonly maxAlerts: number;
  readonly note?: string;
  readonly escalationLevel?: number;
}

export function buildNotification(inc: Incident, o: BuildOptions): Notification {
  const given = o.alerts ?? firingAlerts(inc);
  const alerts = given.length > 0 ? given : Object.values(inc.alerts);
  const shown = listedAlerts(alerts, o.maxAlerts);
  const n: Notification = {
    key: notificationKey({ incidentId: inc.id, transition: o.transition, seq: o.seq, receiver: o.receiver, channel: o.channel }),
    incidentId: inc.id,
    fingerprint: inc.fingerprint,
    groupKey: inc.groupKey,
    transition: o.transition,
    severity: inc.severity,
    summary: inc.summary,
    status: inc.status,
    labels: { ...inc.labels },
    annotations: { ...(shown[0]?.annotations ?? {}) },
    alerts: shown.map(notificationAlert),
    alertsTotal: alerts.length,
    truncatedAlerts: alerts.length - shown.length,
    startedAtMs: inc.startedAtMs,
    receiver: o.receiver,
  };
  if (inc.acknowledgedBy !== undefined) n.acknowledgedBy = inc.acknowledgedBy;
  if (o.note !== undefined) n.note = o.note;
  else if (o.transition === 'acknowledge' && inc.ackReason) n.note = inc.ackReason;
  if (o.escalationLevel !== undefined) n.escalationLevel = o.escalationLevel;
  return n;
}

/** What a channel may show of one alert (the webhook payload shows all of it). */
function notificationAlert(a: IncidentAlert): NotificationAlert {
  return {
    name: a.name, labels: { ...a.labels }, state: a.state, activeAtMs: a.activeAtMs, fingerprint: a.fingerprint, annotations: { ...a.annotations },
    ...(a.resolvedAtMs !== undefined ? { resolvedAtMs: a.resolvedAtMs } : {}),
    ...(a.generatorURL !== undefined ? { generatorURL: a.generatorURL } : {}),
  };
}
