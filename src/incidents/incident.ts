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
  alerts: Record<string, IncidentAlert>;
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
  readonly kind: 'triggered' | 'alert' | 'acknowledged' | 'resolved' | 'notified' | 'notification_failed' | 'muted' | 'unmuted' | 'escalated' | 'queued';
  readonly message: string;
  readonly actor?: string;
  readonly channel?: Channel;
  readonly receiver?: string;
  readonly transition?: Transition;
}

export function firingAlerts(inc: Incident): IncidentAlert[] {
  return Object.values(inc.alerts).filter((a) => a.state === 'firing');
}
