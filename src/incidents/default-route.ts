import { compileMatcher } from '../signals/label-matchers';
import { ROUTE_DEFAULTS, type Route, type RouteTarget } from './route-tree';

/**
 * spec §11.3 when warden.yaml has no `notify.route`: P0 pages (PagerDuty) at once; P1 email +
 * Slack; P2 email; P3 dashboard only (in the API and metrics, never notified). Targets are channels
 * across all configured receivers, so a receiver without (say) Slack config simply gets no Slack.
 * Grouping by alertname + component keeps a storm to a handful of notifications per alert rule.
 */
const GROUP_BY = ['alertname', 'component'];

function severityRoute(id: string, severity: string, target: RouteTarget, groupWaitMs: number): Route {
  return {
    id,
    target,
    groupBy: GROUP_BY,
    groupWaitMs,
    groupIntervalMs: groupWaitMs === 0 ? 60_000 : ROUTE_DEFAULTS.groupIntervalMs,
    repeatIntervalMs: ROUTE_DEFAULTS.repeatIntervalMs,
    // Severity labels are read case-insensitively, like severityOf().
    matchers: [compileMatcher({ name: 'severity', value: `${severity}|${severity.toLowerCase()}`, isRegex: true, isEqual: true })],
    continue: false,
    routes: [],
  };
}

export function defaultRoute(): Route {
  return {
    id: '0',
    target: {},
    groupBy: GROUP_BY,
    ...ROUTE_DEFAULTS,
    matchers: [],
    continue: false,
    routes: [
      // "Page on-call immediately": no group_wait for P0.
      severityRoute('0.0', 'P0', { channels: ['pagerduty'] }, 0),
      severityRoute('0.1', 'P1', { channels: ['email', 'slack'] }, ROUTE_DEFAULTS.groupWaitMs),
      severityRoute('0.2', 'P2', { channels: ['email'] }, ROUTE_DEFAULTS.groupWaitMs),
    ],
  };
}
