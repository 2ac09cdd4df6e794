import type { Incident } from '../incidents/incident';
import type { IncidentService } from '../incidents/incident-service';

/** What the inbound integrations may do to incidents: the same operations the API offers. */
export type IncidentActions = Pick<IncidentService, 'openIncidents' | 'get' | 'acknowledge' | 'unacknowledge' | 'resolve' | 'createSilence'>;

/** The open incident PagerDuty knows by this dedup_key (Warden sends the incident fingerprint). */
export function openIncidentByDedupKey(incidents: Pick<IncidentService, 'openIncidents'>, dedupKey: string): Incident | undefined {
  return incidents.openIncidents().find((i) => i.fingerprint === dedupKey);
}

/** Text from a third party, made safe to show and store: no control characters, bounded. */
export function cleanText(raw: unknown, max = 200): string | undefined {
  if (typeof raw !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex
  const text = raw.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return text.length === 0 ? undefined : text.slice(0, max);
}
