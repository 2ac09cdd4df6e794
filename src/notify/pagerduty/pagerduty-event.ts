import type { Notification, Severity } from '../notifier';

/**
 * The pure transform from a Warden notification to a PagerDuty Events API v2 event (kept apart from
 * the transport, like OpenTelemetry's exporter transform.ts). The dedup_key is the incident's
 * fingerprint, so every trigger, re-page, ack and resolve of one incident lands on one PD incident.
 */

export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';
export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve';

/** spec §11.3 P0 pages; the others only reach PagerDuty if a route sends them there. */
export const PAGERDUTY_SEVERITY: Record<Severity, PagerDutySeverity> = {
  P0: 'critical',
  P1: 'error',
  P2: 'warning',
  P3: 'info',
};

/** Events API v2 limits: summary 1024 characters, dedup_key 255. */
const MAX_SUMMARY = 1024;
const MAX_DEDUP_KEY = 255;
/** Enough alerts to diagnose from the page; the rest are counted. */
const MAX_ALERTS_IN_DETAILS = 20;

export interface PagerDutyEvent {
  routing_key: string;
  event_action: PagerDutyAction;
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: PagerDutySeverity;
    timestamp: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details: Record<string, unknown>;
  };
  client?: string;
}

export function pagerDutyAction(n: Pick<Notification, 'transition'>): PagerDutyAction {
  switch (n.transition) {
    case 'acknowledge':
      return 'acknowledge';
    case 'resolve':
      return 'resolve';
    case 'remind':
      // Reminders are not routed to PagerDuty; if one is, it must not re-open the acknowledged page.
      return 'acknowledge';
    default:
      // escalate and repeat re-trigger the same dedup_key: PagerDuty re-notifies, never duplicates.
      return 'trigger';
  }
}

export function buildPagerDutyEvent(n: Notification, routingKey: string): PagerDutyEvent {
  const action = pagerDutyAction(n);
  const event: PagerDutyEvent = {
    routing_key: routingKey,
    event_action: action,
    dedup_key: n.fingerprint.slice(0, MAX_DEDUP_KEY),
    client: 'Warden',
  };
  // Events v2 needs a payload only on trigger; we send it on every action so the timeline is complete.
  event.payload = {
    summary: truncate(n.summary, MAX_SUMMARY),
    source: n.labels['instance'] ?? n.labels['component'] ?? 'warden',
    severity: PAGERDUTY_SEVERITY[n.severity],
    timestamp: new Date(n.startedAtMs).toISOString(),
    ...optional('component', n.labels['component']),
    ...optional('group', n.labels['exchange'] ?? n.labels['job']),
    ...optional('class', n.labels['alertname']),
    custom_details: customDetails(n),
  };
  return event;
}

function customDetails(n: Notification): Record<string, unknown> {
  return {
    incident_id: n.incidentId,
    warden_severity: n.severity,
    status: n.status,
    transition: n.transition,
    receiver: n.receiver,
    labels: n.labels,
    annotations: n.annotations,
    alerts: n.alerts.slice(0, MAX_ALERTS_IN_DETAILS).map((a) => ({
      name: a.name,
      state: a.state,
      active_at: new Date(a.activeAtMs).toISOString(),
      labels: a.labels,
    })),
    alerts_total: n.alertsTotal ?? n.alerts.length,
    ...optional('acknowledged_by', n.acknowledgedBy),
    ...optional('escalation_level', n.escalationLevel),
    ...optional('note', n.note),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
