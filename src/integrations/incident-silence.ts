import type { Incident } from '../incidents/incident';
import type { SilenceBody } from '../incidents/silence-store';

/**
 * The silence "Silence 1 h" creates: equality matchers on the incident's grouping labels, plus
 * its alert name when all its alerts share one. An incident with nothing to match on is refused
 * rather than silenced with an empty matcher list (that would mute everything).
 */
export function silenceForIncident(inc: Incident, o: { startsAtMs: number; endsAtMs: number; createdBy: string; comment: string }): SilenceBody | string {
  const labels: Record<string, string> = { ...inc.labels };
  const names = Object.keys(inc.alertCounts.firingByName);
  if (labels.alertname === undefined && names.length === 1) labels.alertname = names[0] as string;
  const matchers = Object.entries(labels).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true }));
  if (matchers.length === 0) return 'the incident has no labels to match on; create the silence in the console or API';
  return { matchers, startsAt: new Date(o.startsAtMs).toISOString(), endsAt: new Date(o.endsAtMs).toISOString(), createdBy: o.createdBy, comment: o.comment };
}
