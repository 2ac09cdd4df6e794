import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type SimulatorHandle } from '../../../src/sim/start-simulator';
import { DASHBOARD_DIR, interpolate, loadDashboards, panelQueries } from './dashboard-queries';
import { onPath, startPrometheus, type TestPrometheus } from './prometheus-server';
import { startWardenLikeMetrics, WARDEN_DASHBOARD_METRICS } from './warden-like-metrics';

const prometheusBin = onPath('prometheus');
const promtoolBin = onPath('promtool');
if (!prometheusBin) {
  // eslint-disable-next-line no-console
  console.warn('dashboards test skipped: `prometheus` is not on PATH (apt-get install -y prometheus)');
}
const withPrometheus = prometheusBin ? describe : describe.skip;

describe('dashboard files', () => {
  const boards = loadDashboards();

  it('there are three dashboards with distinct uids on schemaVersion 39', () => {
    expect(boards.map((b) => b.file)).toEqual(['exchange-health.json', 'paging.json', 'remediation.json']);
    expect(new Set(boards.map((b) => b.dashboard.uid)).size).toBe(3);
    for (const b of boards) expect(b.dashboard.schemaVersion).toBe(39);
  });

  it('every Warden metric a panel uses is listed in dashboards/README.md (the contract)', () => {
    const readme = readFileSync(join(DASHBOARD_DIR, 'README.md'), 'utf8');
    const used = new Set(boards.flatMap((b) => panelQueries(b.dashboard)).flatMap((q) => q.expr.match(/warden_[a-z_]+/g) ?? []).map((n) => n.replace(/_(bucket|count|sum)$/, '')));
    for (const name of used) expect(readme).toContain(`\`${name}\``);
    expect([...used].sort()).toEqual([...WARDEN_DASHBOARD_METRICS].sort());
  });
});

withPrometheus('every dashboard query on a real Prometheus', () => {
  let sim: SimulatorHandle;
  let warden: Awaited<ReturnType<typeof startWardenLikeMetrics>>;
  let prom: TestPrometheus;
  let logDir: string;

  beforeAll(async () => {
    logDir = mkdtempSync(join(tmpdir(), 'warden-dash-'));
    sim = await startSimulator({ logDir });
    warden = await startWardenLikeMetrics();
    const host = (u: string) => new URL(u).host;
    prom = await startPrometheus({
      warden: [warden.target],
      exchange: sim.components.map((c) => host(c.metricsUrl)),
      'exchange-admin': [host(sim.exchangeAdminUrl)],
    });
    // A fault or two, so invariant and lag panels have something to draw.
    await fetch(`${sim.controlUrl}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'invariant_violation', component: 'settlement' }) });
    // rate() over 10 s needs a few 1 s scrapes of every target.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = await prom.query('min(count_over_time(up[10s])) >= 4 and min(up) == 1');
      if ((r.data?.result.length ?? 0) > 0) break;
      if (Date.now() > deadline) throw new Error('prometheus did not scrape every target in time');
      await new Promise((res) => setTimeout(res, 250));
    }
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
    await warden?.stop();
    await sim?.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

  const queries = loadDashboards().flatMap((b) => panelQueries(b.dashboard));

  it.each(queries.map((q) => [`${q.dashboard} / ${q.panel} / ${q.refId}`, q] as const))('%s parses and returns data', async (_name, q) => {
    const r = await prom.query(interpolate(q.expr));
    expect({ expr: q.expr, status: r.status, error: r.error }).toEqual({ expr: q.expr, status: 'success', error: undefined });
    expect(r.data?.result.length).toBeGreaterThan(0);
  });

  it('every template variable finds values', async () => {
    for (const { dashboard } of loadDashboards()) {
      for (const v of dashboard.templating.list.filter((x) => x.type === 'query')) {
        const m = /^label_values\((\w+), (\w+)\)$/.exec(v.definition ?? '');
        expect(m).not.toBeNull();
        const res = await fetch(`${prom.url}/api/v1/label/${m![2]}/values?match[]=${m![1]}`);
        const body = (await res.json()) as { data: string[] };
        expect({ variable: v.name, values: body.data.length > 0 }).toEqual({ variable: v.name, values: true });
      }
    }
  });

  const promtool = promtoolBin ? it : it.skip;
  promtool('promtool check metrics reports nothing on Warden-like /metrics or on the simulator', async () => {
    const outputs = [await (await fetch(warden.url)).text(), ...(await Promise.all(sim.components.map(async (c) => (await fetch(c.metricsUrl)).text())))];
    for (const text of outputs) {
      const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect({ status: r.status, out: r.stdout + r.stderr }).toEqual({ status: 0, out: '' });
    }
  });
});
