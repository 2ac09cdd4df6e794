import type { Channel, IncidentStatus, Severity, Transition } from '../notify/notifier';

export type { IncidentStatus, Severity };
export const SEVERITIES: readonly Severity[] = ['P0', 'P1', 'P2', 'P3'];
export const INCIDENT_STATUSES: readonly IncidentStatus[] = ['triggered', 'acknowledged', 'resolved'];

/** spec §11.3 levels from the `severity` label, case-insensitive; anything else is P3 (dashboard only). */
export function severityOf(labels: Readonly<Record<string, string>>): Severity {
  const s = (labels.severity ?? '').toUpperCase();
  return (SEVERITIES as readonly string[]).includes(s) ? (s as Severity) : 'P3';
}

export function worstSeverity(list: readonly Severity[]): Severity {
  return [...list].sort()[0] ?? 'P3';
}

export interface IncidentAlert {
  readonly fingerprint: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  state: 'firing' | 'resolved';
  readonly activeAtMs: number;
  resolvedAtMs?: number;
  /** Where the alert came from, for an alert a Prometheus posted (Alert.generatorURL). */
  readonly generatorURL?: string;
}

/**
 * Counts kept beside the alerts so a change costs O(1), not a pass over every alert: a storm of
 * 100k alerts on one incident must stay linear (issue 9). Persisted in the incident document.
 */
export interface AlertCounts {
  /** Alerts ever grouped into the incident, firing or resolved. */
  total: number;
  firing: number;
  firingBySeverity: Partial<Record<Severity, number>>;
  /** Firing alerts per alert name (the summary names the rule when there is one). */
  firingByName: Record<string, number>;
}

/** Where the dispatcher is with this incident (Alertmanager's aggregation-group state, persisted). */
export interface DispatchState {
  /** When the group is next flushed (group_wait, then group_interval); undefined once resolved. */
  nextFlushAtMs?: number;
  /** Fingerprints of the firing alerts in the last notification (a change triggers an update). */
  notifiedAlerts: string[];
  lastNotifiedAtMs?: number;
  triggerSent: boolean;
  /** Sequence of repeat/update notifications, part of their job ids. */
  repeatSeq: number;
  /** "receiver/channel" of everyone paged so far: they get the acknowledgement and the resolution. */
  recipients?: string[];
  /** Why the last flush sent nothing, so the timeline says it once, not every flush. */
  mutedBy?: string;
  /** The opening alert's trace (W3C carrier): the first flush after group_wait continues it. */
  openerTrace?: Readonly<Record<string, string>>;
}

export interface EscalationState {
  level: number;
  nextAtMs?: number;
  /** Reminders sent about this acknowledgement (ack_reminder), and when the last one went. */
  reminders?: number;
  lastReminderAtMs?: number;
}

/**
 * An incident is one Alertmanager aggregation group's life from first firing alert to resolution
 * (PagerDuty's incident for a `dedup_key`). With `group_by: ['...']` that is one alert fingerprint.
 */
export interface Incident {
  readonly id: string;
  /** Hash of group key + start: the PagerDuty dedup_key (see incidentFingerprint). */
  readonly fingerprint: string;
  readonly groupKey: string;
  readonly routeId: string;
  readonly source: 'alert' | 'escalation';
  severity: Severity;
  status: IncidentStatus;
  summary: string;
  /** The grouping labels (common to every alert of the incident). */
  readonly labels: Readonly<Record<string, string>>;
  /**
   * By fingerprint. Every alert for an open incident (the service holds them); an incident read
   * from Redis for a list may carry only a sample: `alertCounts` has the totals.
   */
  alerts: Record<string, IncidentAlert>;
  alertCounts: AlertCounts;
  readonly startedAtMs: number;
  acknowledgedAtMs?: number;
  acknowledgedBy?: string;
  ackReason?: string;
  resolvedAtMs?: number;
  dispatch: DispatchState;
  escalation: EscalationState;
  /** Free-form details (remediation escalations put what they tried here). */
  details?: Record<string, unknown>;
}

export interface TimelineEntry {
  readonly atMs: number;
  /** `routed`: the route notifies nobody (dashboard only); `queued`: notifications queued for the named recipients. */
  readonly kind: 'triggered' | 'alert' | 'acknowledged' | 'resolved' | 'notified' | 'notification_failed' | 'muted' | 'unmuted' | 'escalated' | 'queued' | 'routed';
  readonly message: string;
  readonly actor?: string;
  readonly channel?: Channel;
  readonly receiver?: string;
  readonly transition?: Transition;
}

export function firingAlerts(inc: Incident): IncidentAlert[] {
  return Object.values(inc.alerts).filter((a) => a.state === 'firing');
}

export function emptyCounts(): AlertCounts {
  return { total: 0, firing: 0, firingBySeverity: {}, firingByName: {} };
}

/** Counts from scratch (documents written before counts were kept). */
export function countAlerts(alerts: Iterable<IncidentAlert>): AlertCounts {
  const c = emptyCounts();
  for (const a of alerts) {
    c.total++;
    if (a.state === 'firing') countFiring(c, a, 1);
  }
  return c;
}

/** Adds (+1) or removes (-1) one firing alert from the counts. */
export function countFiring(c: AlertCounts, a: IncidentAlert, delta: 1 | -1): void {
  c.firing += delta;
  const sev = severityOf(a.labels);
  c.firingBySeverity[sev] = (c.firingBySeverity[sev] ?? 0) + delta;
  c.firingByName[a.name] = (c.firingByName[a.name] ?? 0) + delta;
  if (c.firingBySeverity[sev] === 0) delete c.firingBySeverity[sev];
  if (c.firingByName[a.name] === 0) delete c.firingByName[a.name];
}

/**
 * The alerts an incident lists (API, notifications): firing first, newest first, at most `max`;
 * the rest are counted, not listed (Alertmanager's `truncatedAlerts`). Selection without sorting
 * them all, so listing a 100k-alert incident stays cheap.
 */
export function listedAlerts(alerts: Iterable<IncidentAlert>, max: number): IncidentAlert[] {
  const top: IncidentAlert[] = [];
  for (const a of alerts) {
    if (top.length < max) {
      top.push(a);
      if (top.length === max) top.sort(shownFirst);
      continue;
    }
    const last = top[top.length - 1];
    if (max === 0 || last === undefined || shownFirst(a, last) >= 0) continue;
    // Insert in order (max is small, e.g. 100) and drop the last.
    let i = top.length - 1;
    while (i > 0 && shownFirst(a, top[i - 1] as IncidentAlert) < 0) i--;
    top.splice(i, 0, a);
    top.pop();
  }
  return top.sort(shownFirst);
}

const rank = (a: IncidentAlert) => (a.state === 'firing' ? 0 : 1);
function shownFirst(a: IncidentAlert, b: IncidentAlert): number {
  return rank(a) - rank(b) || b.activeAtMs - a.activeAtMs || (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0);
}
