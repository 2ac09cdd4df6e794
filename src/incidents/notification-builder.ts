import type { Notification, Transition } from '../notify/notifier';
import { firingAlerts, type Incident, type IncidentAlert } from './incident';
import { notificationKey } from './notification-log';

/** "ReplicationLagHigh on db", or "ReplicationLagHigh (12 alerts)" for a group. */
export function summaryOf(inc: Pick<Incident, 'labels'>, alerts: readonly IncidentAlert[]): string {
  const first = alerts[0];
  if (alerts.length === 1 && first) {
    return first.annotations.summary ?? `${first.name}${first.labels.component ? ` on ${first.labels.component}` : ''}`;
  }
  const names = [...new Set(alerts.map((a) => a.name))];
  const what = names.length === 1 ? names[0] : (inc.labels.alertname ?? `${names.length} alert rules`);
  return `${what} (${alerts.length} alerts)`;
}

export interface BuildOptions {
  readonly transition: Transition;
  readonly seq?: number;
  readonly receiver: string;
  readonly channel: string;
  /** The alerts to show (unmuted firing ones for a page; all for a resolve). */
  readonly alerts?: readonly IncidentAlert[];
  readonly note?: string;
  readonly escalationLevel?: number;
}

export function buildNotification(inc: Incident, o: BuildOptions): Notification {
  const alerts = o.alerts ?? firingAlerts(inc);
  const shown = alerts.length > 0 ? alerts : Object.values(inc.alerts);
  const n: Notification = {
    key: notificationKey({ incidentId: inc.id, transition: o.transition, seq: o.seq, receiver: o.receiver, channel: o.channel }),
    incidentId: inc.id,
    fingerprint: inc.fingerprint,
    transition: o.transition,
    severity: inc.severity,
    summary: inc.summary,
    status: inc.status,
    labels: { ...inc.labels },
    annotations: { ...(shown[0]?.annotations ?? {}) },
    alerts: shown.map((a) => ({ name: a.name, labels: { ...a.labels }, state: a.state, activeAtMs: a.activeAtMs })),
    startedAtMs: inc.startedAtMs,
    receiver: o.receiver,
  };
  if (inc.acknowledgedBy !== undefined) n.acknowledgedBy = inc.acknowledgedBy;
  if (o.note !== undefined) n.note = o.note;
  else if (o.transition === 'acknowledge' && inc.ackReason) n.note = inc.ackReason;
  if (o.escalationLevel !== undefined) n.escalationLevel = o.escalationLevel;
  return n;
}
