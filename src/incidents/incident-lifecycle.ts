import { createHash } from 'node:crypto';
import type { Alert } from '../rules/alert';
import { countFiring, emptyCounts, worstSeverity, type Incident, type IncidentAlert, type Severity } from './incident';
import { summaryOf } from './notification-builder';

/**
 * The incident's fingerprint and PagerDuty dedup_key: the group key and the incident's start, so
 * every incident is its own PagerDuty incident. Were it the group key alone (Alertmanager's
 * choice), the late `resolve` of one incident could race the `trigger` of the group's next
 * incident through the queue and resolve a live page.
 */
export function incidentFingerprint(groupKey: string, startedAtMs: number): string {
  return createHash('sha256').update(`${groupKey}@${startedAtMs}`).digest('hex').slice(0, 16);
}

/** Unique per incident: a re-fire after resolution starts a new incident with a new id. */
export function incidentId(fingerprint: string, startedAtMs: number): string {
  return `inc_${startedAtMs.toString(36)}_${fingerprint.slice(0, 10)}`;
}

export function newIncident(o: { groupKey: string; routeId: string; labels: Record<string, string>; nowMs: number; source: Incident['source']; details?: Record<string, unknown> }): Incident {
  const fingerprint = incidentFingerprint(o.groupKey, o.nowMs);
  const inc: Incident = {
    id: incidentId(fingerprint, o.nowMs),
    fingerprint,
    groupKey: o.groupKey,
    routeId: o.routeId,
    source: o.source,
    severity: 'P3',
    status: 'triggered',
    summary: '',
    labels: o.labels,
    alerts: {},
    alertCounts: emptyCounts(),
    startedAtMs: o.nowMs,
    dispatch: { notifiedAlerts: [], triggerSent: false, repeatSeq: 0 },
    escalation: { level: 0 },
  };
  if (o.details) inc.details = o.details;
  return inc;
}

export function toIncidentAlert(a: Alert): IncidentAlert {
  return {
    fingerprint: a.fingerprint, name: a.name, labels: { ...a.labels }, annotations: { ...a.annotations }, state: 'firing', activeAtMs: a.activeAtMs,
    ...(a.generatorURL !== undefined ? { generatorURL: a.generatorURL } : {}),
  };
}

/** Adds or re-fires an alert; true when something changed. Severity is the worst firing alert's. O(1). */
export function addFiringAlert(inc: Incident, alert: IncidentAlert): boolean {
  const known = inc.alerts[alert.fingerprint];
  if (known?.state === 'firing') return false;
  const added: IncidentAlert = { ...alert, state: 'firing' };
  delete added.resolvedAtMs;
  inc.alerts[alert.fingerprint] = added;
  if (!known) inc.alertCounts.total++;
  countFiring(inc.alertCounts, added, 1);
  refresh(inc, added);
  return true;
}

/** O(1), except when one firing alert is left: the summary then names it. */
export function resolveAlert(inc: Incident, fingerprint: string, atMs: number): boolean {
  const known = inc.alerts[fingerprint];
  if (!known || known.state !== 'firing') return false;
  known.state = 'resolved';
  known.resolvedAtMs = atMs;
  countFiring(inc.alertCounts, known, -1);
  refresh(inc, inc.alertCounts.firing === 1 ? Object.values(inc.alerts).find((a) => a.state === 'firing') : undefined);
  return true;
}

/** `firingOne`: the firing alert, when exactly one fires (its summary is the incident's). */
function refresh(inc: Incident, firingOne: IncidentAlert | undefined): void {
  if (inc.alertCounts.firing === 0) return; // keep severity and summary of the last firing state
  inc.severity = worstSeverity(Object.keys(inc.alertCounts.firingBySeverity) as Severity[]);
  inc.summary = summaryOf(inc, inc.alertCounts.firing === 1 ? firingOne : undefined);
}
