import type { Alert } from '../rules/alert';
import { compileMatcher, matchesAll, parseMatcher, regexError, type CompiledMatcher } from '../signals/label-matchers';
import { RequestError } from '../errors';
import { receiverNameOf } from './alertmanager-config';
import type { Inhibitor } from './inhibitor';
import { groupLabels, matchRoutes, type Route } from './route-tree';
import type { SilenceStore } from './silence-store';

/** A firing alert with what Alertmanager's API says about it. */
export interface ListedAlert {
  readonly alert: Alert;
  readonly receivers: readonly string[];
  readonly routes: readonly Route[];
  readonly silencedBy: readonly string[];
  readonly inhibitedBy: readonly string[];
}

/** GET /api/v2/alerts and /alerts/groups query parameters, parsed. */
export interface AlertFilter {
  readonly active: boolean;
  readonly silenced: boolean;
  readonly inhibited: boolean;
  readonly matchers: readonly CompiledMatcher[];
  readonly receiver?: RegExp;
}

export interface ListingDeps {
  readonly root: Route;
  readonly silences: Pick<SilenceStore, 'silencedBy'>;
  readonly inhibitor: Inhibitor;
}

/** Parses Alertmanager's query parameters; a bad one is a 400 naming it. */
export function parseAlertFilter(query: Record<string, unknown>): AlertFilter {
  const bool = (name: string): boolean => {
    const v = query[name];
    if (v === undefined) return true;
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw new RequestError(400, 'invalid_query', `${name} must be true or false`, { field: name });
  };
  const raw = query.filter === undefined ? [] : Array.isArray(query.filter) ? query.filter : [query.filter];
  const matchers = raw.map((text) => {
    const m = typeof text === 'string' ? parseMatcher(text) : 'filter must be a string';
    if (typeof m === 'string') throw new RequestError(400, 'invalid_query', `bad matcher format: ${m}`, { field: 'filter' });
    const bad = m.isRegex ? regexError(m.value) : undefined;
    if (bad) throw new RequestError(400, 'invalid_query', `bad matcher format: ${bad}`, { field: 'filter' });
    return compileMatcher(m);
  });
  let receiver: RegExp | undefined;
  if (query.receiver !== undefined) {
    if (typeof query.receiver !== 'string' || regexError(query.receiver)) throw new RequestError(400, 'invalid_query', 'failed to parse receiver param: not a regular expression', { field: 'receiver' });
    receiver = new RegExp(`^(?:${query.receiver})$`);
  }
  return { active: bool('active'), silenced: bool('silenced'), inhibited: bool('inhibited'), matchers, receiver };
}

/**
 * The firing alerts as Alertmanager lists them: each with its receivers (the routes it matches),
 * the silences and alerts muting it, filtered like Alertmanager's `alertFilter`, by fingerprint.
 */
export function listAlerts(firing: readonly Alert[], filter: AlertFilter, deps: ListingDeps): ListedAlert[] {
  const out: ListedAlert[] = [];
  for (const alert of firing) {
    if (alert.state !== 'firing' || !matchesAll(filter.matchers, alert.labels)) continue;
    const routes = matchRoutes(deps.root, alert.labels);
    const receivers = [...new Set(routes.map((r) => receiverNameOf(r.target)))];
    if (filter.receiver && !receivers.some((r) => filter.receiver?.test(r))) continue;
    const silencedBy = deps.silences.silencedBy(alert.labels);
    const inhibitedBy = deps.inhibitor.inhibitingFingerprints(alert, firing);
    if (!filter.silenced && silencedBy.length > 0) continue;
    if (!filter.inhibited && inhibitedBy.length > 0) continue;
    if (!filter.active && silencedBy.length === 0 && inhibitedBy.length === 0) continue;
    out.push({ alert, receivers, routes, silencedBy, inhibitedBy });
  }
  return out.sort((a, b) => (a.alert.fingerprint < b.alert.fingerprint ? -1 : a.alert.fingerprint > b.alert.fingerprint ? 1 : 0));
}

/** Alertmanager's aggregation groups: per route and group labels, with the route's receiver. */
export function groupAlerts(listed: readonly ListedAlert[], filter: AlertFilter): Array<{ labels: Record<string, string>; receiver: string; alerts: ListedAlert[] }> {
  const groups = new Map<string, { labels: Record<string, string>; receiver: string; alerts: ListedAlert[] }>();
  for (const l of listed) {
    for (const route of l.routes) {
      const receiver = receiverNameOf(route.target);
      if (filter.receiver && !filter.receiver.test(receiver)) continue;
      const labels = groupLabels(route, l.alert.labels);
      const key = `${route.id}${JSON.stringify(labels)}`;
      const g = groups.get(key);
      if (g) g.alerts.push(l);
      else groups.set(key, { labels, receiver, alerts: [l] });
    }
  }
  return [...groups.values()];
}
