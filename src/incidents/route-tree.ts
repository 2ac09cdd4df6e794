import type { RouteConfig } from '../config/notify-schema';
import type { Channel } from '../notify/notifier';
import { compileMatcher, matchesAll, type CompiledMatcher } from '../signals/label-matchers';

/**
 * Where a route delivers: one named receiver (all its channels), or — for spec §11.3's default
 * matrix — every configured receiver's notifiers of the listed channels. Neither = no notification.
 */
export interface RouteTarget {
  readonly receiver?: string;
  readonly channels?: readonly Channel[];
}

/** A compiled route node; settings already inherited from its parents. */
export interface Route {
  /** Stable path ("0", "0.2", "0.2.1"): part of group keys, so it must not depend on receivers. */
  readonly id: string;
  readonly target: RouteTarget;
  /** 'all' is Alertmanager's `group_by: ['...']`. An empty list puts every alert in one group. */
  readonly groupBy: readonly string[] | 'all';
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  readonly matchers: readonly CompiledMatcher[];
  readonly continue: boolean;
  readonly routes: readonly Route[];
}

// Alertmanager's defaults for a root route that leaves them unset.
export const ROUTE_DEFAULTS = { groupWaitMs: 30_000, groupIntervalMs: 5 * 60_000, repeatIntervalMs: 4 * 3_600_000 };

type Inherited = Pick<Route, 'target' | 'groupBy' | 'groupWaitMs' | 'groupIntervalMs' | 'repeatIntervalMs'>;

export function compileRoute(cfg: RouteConfig, parent?: Inherited, id = '0'): Route {
  const base: Inherited = parent ?? { target: {}, groupBy: [], ...ROUTE_DEFAULTS };
  const node: Inherited = {
    target: cfg.receiver !== undefined ? { receiver: cfg.receiver } : base.target,
    groupBy: cfg.group_by ? (cfg.group_by.includes('...') ? 'all' : [...cfg.group_by].sort()) : base.groupBy,
    groupWaitMs: cfg.group_wait ?? base.groupWaitMs,
    groupIntervalMs: cfg.group_interval ?? base.groupIntervalMs,
    repeatIntervalMs: cfg.repeat_interval ?? base.repeatIntervalMs,
  };
  return {
    id,
    ...node,
    matchers: cfg.matchers.map(compileMatcher),
    continue: cfg.continue,
    routes: cfg.routes.map((child, i) => compileRoute(child, node, `${id}.${i}`)),
  };
}

/** Alertmanager's Route.Match: deepest matching routes, siblings tried in order until one without `continue`. */
export function matchRoutes(route: Route, labels: Readonly<Record<string, string>>): Route[] {
  if (!matchesAll(route.matchers, labels)) return [];
  const all: Route[] = [];
  for (const child of route.routes) {
    const hits = matchRoutes(child, labels);
    all.push(...hits);
    if (hits.length > 0 && !child.continue) break;
  }
  return all.length > 0 ? all : [route];
}

/** The labels an alert is grouped by on this route. */
export function groupLabels(route: Route, labels: Readonly<Record<string, string>>): Record<string, string> {
  const names = route.groupBy === 'all' ? Object.keys(labels).sort() : route.groupBy;
  const out: Record<string, string> = {};
  for (const n of names) if (labels[n] !== undefined) out[n] = labels[n] as string;
  return out;
}

/** `0.1{alertname="X",component="db"}`: route path + grouping labels, like Alertmanager's group key. */
export function groupKeyOf(route: Route, labels: Readonly<Record<string, string>>): string {
  const g = groupLabels(route, labels);
  const body = Object.keys(g).sort().map((k) => `${k}=${JSON.stringify(g[k])}`).join(',');
  return `${route.id}{${body}}`;
}
