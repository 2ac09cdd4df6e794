import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARD_DIR, interpolate, loadDashboards, panelQueries } from './dashboard-queries';
import { runFaultScenario } from './fault-scenario';
import { exposedFamilies, wardenContract } from './metric-contract';
import { requireTool } from '../../support/estate-tools';
import type { TestPrometheus } from './prometheus-server';
import { startWatchedExchange, type WatchedExchange } from './watched-exchange';

// Under CI=true a missing tool fails this file instead of skipping it (requireTool).
const prometheusBin = requireTool('prometheus', 'prometheus');
const promtoolBin = requireTool('promtool', 'prometheus');
if (!prometheusBin) {
  // eslint-disable-next-line no-console
  console.warn('dashboards test skipped: `prometheus` is not on PATH (apt-get install -y prometheus)');
}
/**
 * The finite values a panel would draw: an instant query at the range's end when the target says
 * `instant`, else a range query over the dashboard's range (NaN and ±Inf draw nothing). Fails on a
 * query Prometheus rejects.
 */
async function grafanaValues(prom: TestPrometheus, expr: string, instant: boolean, range: { startS: number; endS: number; stepS: number }): Promise<number[]> {
  if (instant) {
    const r = await prom.query(expr, range.endS);
    expect({ expr, status: r.status, error: r.error }).toEqual({ expr, status: 'success', error: undefined });
    return (r.data?.result ?? []).map((s) => Number(s.value[1])).filter(Number.isFinite);
  }
  const r = await prom.queryRange(expr, range);
  expect({ expr, status: r.status, error: r.error }).toEqual({ expr, status: 'success', error: undefined });
  return (r.data?.result ?? []).flatMap((s) => s.values.map(([, v]) => Number(v))).filter(Number.isFinite);
}

const withPrometheus = prometheusBin ? describe : describe.skip;

const boards = loadDashboards();
const queries = boards.flatMap((b) => panelQueries(b.dashboard));
const wardenMetricsUsed = [...new Set(queries.flatMap((q) => q.expr.match(/warden_[a-z_]+/g) ?? []).map((n) => n.replace(/_(bucket|count|sum)$/, '')))].sort();

describe('dashboard files', () => {
  it('there are three dashboards with distinct uids on schemaVersion 39', () => {
    expect(boards.map((b) => b.file)).toEqual(['exchange-health.json', 'paging.json', 'remediation.json']);
    expect(new Set(boards.map((b) => b.dashboard.uid)).size).toBe(3);
    for (const b of boards) expect(b.dashboard.schemaVersion).toBe(39);
  });

  it('every Warden metric a panel uses is in the contract table of dashboards/README.md', () => {
    const contract = wardenContract().map((m) => m.name);
    expect(wardenMetricsUsed.filter((n) => !contract.includes(n))).toEqual([]);
    expect(readFileSync(join(DASHBOARD_DIR, 'README.md'), 'utf8')).toContain('test/integration/dashboards/dashboards.test.ts');
  });
});

withPrometheus('every dashboard query on Debian prometheus scraping a real Warden watching the simulated exchange', () => {
  let x: WatchedExchange | undefined;
  /** The dashboard's time range, Grafana style: from before the first fault to after the last check. */
  let range = { startS: 0, endS: 0, stepS: 1 };

  beforeAll(async () => {
    x = await startWatchedExchange();
    const startS = Math.floor(Date.now() / 1000);
    await runFaultScenario(x, 60_000);
    range = { startS, endS: Math.ceil(Date.now() / 1000), stepS: 1 };
  }, 90_000);

  afterAll(async () => {
    await x?.stop();
  }, 30_000);

  const watched = (): WatchedExchange => {
    if (!x) throw new Error('the watched exchange did not start (see beforeAll)');
    return x;
  };
  const rangeSeconds = () => range.endS - range.startS;

  // Counters only move when something happens: the scenario made every kind of event happen, so a
  // panel over increase() or rate() that shows nothing but 0 misses it (e.g. a series born at 1).
  it.each(queries.map((q) => [`${q.dashboard} / ${q.panel} / ${q.refId}`, q] as const))('%s parses and draws data', async (_name, q) => {
    const { prom } = watched();
    const expr = interpolate(q.expr, rangeSeconds());
    const values = await grafanaValues(prom, expr, q.instant, range);
    expect({ expr, drawn: values.length > 0 }).toEqual({ expr, drawn: true });
    if (/\b(increase|rate)\(/.test(q.expr)) expect({ expr, movedAboveZero: Math.max(...values) > 0 }).toEqual({ expr, movedAboveZero: true });
  });

  it('every template variable finds values, and the action variable every action Warden took', async () => {
    const { prom } = watched();
    const found: Record<string, string[]> = {};
    for (const { dashboard } of boards) {
      for (const v of dashboard.templating.list.filter((t) => t.type === 'query')) {
        const m = /^label_values\((\w+), (\w+)\)$/.exec(v.definition ?? '');
        expect({ variable: v.name, definition: v.definition, parsed: m !== null }).toEqual({ variable: v.name, definition: v.definition, parsed: true });
        const r = await prom.labelValues(m![2] as string, m![1] as string);
        found[v.name] = r.data ?? [];
      }
    }
    for (const [name, values] of Object.entries(found)) expect({ name, found: values.length > 0 }).toEqual({ name, found: true });
    expect(found.action).toEqual(expect.arrayContaining(['archive_logs', 'halt_trading', 'restart']));
    expect(found.component).toEqual(['database', 'market-data', 'matching-engine', 'order-gateway', 'reporting', 'settlement']);
    expect(found.channel).toEqual(['email', 'pagerduty', 'slack', 'webhook']);
  });

  it("Warden's /metrics exports every metric of the contract with its type and exactly its labels", async () => {
    const families = exposedFamilies(await (await fetch(`${watched().warden.url}/metrics`)).text());
    for (const m of wardenContract()) {
      const f = families.get(m.name);
      expect({ metric: m.name, type: f?.type }).toEqual({ metric: m.name, type: m.type });
      expect({ metric: m.name, labels: [...(f?.labelSets ?? [])] }).toEqual({ metric: m.name, labels: [m.labels.join(',')] });
    }
  });

  const promtool = promtoolBin ? it : it.skip;
  promtool("promtool check metrics reports nothing on Warden's /metrics, the components' or the exchange admin's", async () => {
    const { warden, sim } = watched();
    const urls = [`${warden.url}/metrics`, `${sim.exchangeAdminUrl}/metrics`, ...sim.components.map((c) => c.metricsUrl)];
    for (const url of urls) {
      const text = await (await fetch(url)).text();
      const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect({ url, status: r.status, out: r.stdout + r.stderr }).toEqual({ url, status: 0, out: '' });
    }
  });
});
