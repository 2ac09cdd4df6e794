import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DASHBOARD_DIR = join(__dirname, '..', '..', '..', 'dashboards');

export interface PanelQuery {
  readonly dashboard: string;
  readonly panel: string;
  readonly refId: string;
  readonly expr: string;
  /** Grafana sends an instant query (/api/v1/query at the range's end) rather than a range query. */
  readonly instant: boolean;
}

interface Panel { type: string; title: string; targets?: Array<{ refId: string; expr: string; instant?: boolean }>; panels?: Panel[] }
export interface Dashboard { uid: string; title: string; schemaVersion: number; panels: Panel[]; templating: { list: Array<{ name: string; type: string; definition?: string }> } }

export function loadDashboards(): Array<{ file: string; dashboard: Dashboard }> {
  return readdirSync(DASHBOARD_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(DASHBOARD_DIR, file), 'utf8')) as Dashboard }));
}

export function panelQueries(d: Dashboard): PanelQuery[] {
  const flat = d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  return flat.flatMap((p) => (p.targets ?? []).map((t) => ({ dashboard: d.title, panel: p.title, refId: t.refId, expr: t.expr, instant: t.instant === true })));
}

/**
 * What Grafana does before sending a query: template variables become their "All" regex and the
 * interval macros become durations: $__range is the dashboard's time range, $__rate_interval at
 * least four scrape intervals of the test's 1 s scrape.
 */
export function interpolate(expr: string, rangeSeconds = 60): string {
  return expr
    .replace(/\$__rate_interval/g, '10s')
    .replace(/\$__interval/g, '1s')
    .replace(/\$__range/g, `${rangeSeconds}s`)
    .replace(/\$\{?(component|job|action|severity|channel)\}?/g, '.*');
}
