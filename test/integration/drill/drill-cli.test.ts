import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DrillReport } from '../../../src/drill/drill-report';
import { REPO, WARDEN_BIN, exited, runCli, spawnCli } from '../../support/cli';
import { requireTool } from '../../support/estate-tools';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { freePortRange, shippedConfigText } from '../../support/shipped-config';
import { CHROMIUM, launchChromium } from '../console/browser';

/**
 * `warden drill` as a user runs it (issue 14 §1): the built CLI as a child process, the shipped
 * warden.yaml (moved to free ports), the real simulator's processes, a real redis-server, the
 * report read back as JSON and its HTML rendered in real headless Chromium.
 */
jest.setTimeout(240_000);

let dir: string;
let basePort: number;
let redis: TestRedis;
const config = () => join(dir, 'warden.yaml');

beforeAll(async () => {
  requireTool('redis-server', 'redis-server');
  dir = mkdtempSync(join(tmpdir(), 'warden-drill-'));
  basePort = await freePortRange(16);
  cpSync(join(REPO, 'rules'), join(dir, 'rules'), { recursive: true });
  writeFileSync(config(), shippedConfigText({ basePort, dir }));
  redis = await startRedis();
});

afterAll(async () => {
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function listening(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) }).then(() => true, () => false);
}

describe('warden drill: bad input is refused with exit 2 and a clear message, and nothing is started', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['--repeat 0', ['--repeat', '0'], /--repeat <n>' argument '0' is invalid\. must be a whole number from 1 to 100/],
    ['--repeat abc', ['--repeat', 'abc'], /argument 'abc' is invalid/],
    ['--repeat 1.5', ['--repeat', '1.5'], /argument '1\.5' is invalid/],
    ['an unknown flag', ['--fast'], /unknown option '--fast'/],
    ['an unknown scenario', ['--scenario', 'crash', 'meteor'], /unknown scenario "meteor": one of crash, matching-engine, latency/],
    ['a report that is not .html', ['--report', 'out.txt'], /--report out\.txt: the report is HTML; name it FILE\.html/],
    ['a report in a missing directory', ['--report', '/nonexistent/dir/out.html'], /directory \/nonexistent\/dir does not exist/],
    ['a missing config', ['--config', '/nonexistent/warden.yaml'], /invalid configuration: \/nonexistent\/warden\.yaml: cannot read config/],
  ];
  it.each(cases)('%s', async (_what, args, message) => {
    const r = await runCli(['drill', '--config', config(), ...args], { env: { REDIS_URL: redis.url } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(await listening(basePort)).toBe(false);
  });

  it('an invalid config names file, line and field', async () => {
    writeFileSync(join(dir, 'bad.yaml'), 'drill:\n  fault_hooks_url: ftp://exchange\n');
    const r = await runCli(['drill', '--config', join(dir, 'bad.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:2:\d+: drill\.fault_hooks_url: must be an http\(s\) URL/);
  });

  it('a config with neither simulator nor fault hooks has nothing to break', async () => {
    writeFileSync(join(dir, 'nosim.yaml'), 'server: {port: 0}\ncomponents: [{name: settlement, probe: {url: "http://127.0.0.1:1/healthz"}}]\n');
    const r = await runCli(['drill', '--config', join(dir, 'nosim.yaml')], { env: { REDIS_URL: redis.url } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nothing to inject faults into: set simulator\.enabled: true .* or drill\.fault_hooks_url/);
  });

  it('a scenario whose component the config does not have is refused before anything runs', async () => {
    const only = shippedConfigText({ basePort, dir }).replace(/^ {2}- \{ name: matching-engine.*\n/m, '');
    writeFileSync(join(dir, 'no-me.yaml'), only);
    const r = await runCli(['drill', '--config', join(dir, 'no-me.yaml'), '--scenario', 'matching-engine'], { env: { REDIS_URL: redis.url } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/scenario matching-engine needs component "matching-engine", which is not among the probed components/);
    expect(await listening(basePort)).toBe(false); // checked before the simulator is started
  });

  it('refuses while another Warden serves the config\'s port (its remediations would race the drill\'s)', async () => {
    const other: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ready":true,"checks":{"redis":true}}'));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const port = (other.address() as AddressInfo).port;
    writeFileSync(join(dir, 'busy.yaml'), shippedConfigText({ basePort, dir }).replace(/^( {2}port: )0/m, `$1${port}`));
    try {
      const r = await runCli(['drill', '--config', join(dir, 'busy.yaml')], { env: { REDIS_URL: redis.url } });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`a Warden already serves http://127\\.0\\.0\\.1:${port} with this config`));
    } finally {
      await new Promise<void>((r) => other.close(() => r()));
    }
  });
});

describe('warden drill --json: a crash and a replication lag on the shipped config, timed against spec §13', () => {
  let report: DrillReport;
  const html = () => join(dir, 'drill.html');

  beforeAll(async () => {
    // No REDIS_URL: the drill runs its own throw-away redis-server, as `npx warden drill` does.
    const r = await runCli(['drill', '--config', config(), '--scenario', 'crash', 'lag', '--json', '--report', html()], { env: { REDIS_URL: '' }, timeoutMs: 200_000 });
    if (r.code !== 0) console.error(r.stderr);
    expect(r.code).toBe(0);
    report = JSON.parse(r.stdout) as DrillReport;
    expect(r.stdout.trim().split('\n')).toHaveLength(1); // one JSON object, nothing else on stdout
  });

  it('reports each scenario with its runs, figures and objective; every RTO holds', () => {
    expect(report).toMatchObject({ interrupted: false, passed: true, config: config(), target: { kind: 'simulator', url: `http://127.0.0.1:${basePort}`, started: true } });
    expect(Date.parse(report.finishedAt)).toBeGreaterThan(Date.parse(report.startedAt));
    expect(report.scenarios.map((s) => s.name)).toEqual(['crash', 'lag']);
    for (const s of report.scenarios) {
      expect(s.runs).toHaveLength(1);
      expect(s.passed).toBe(true);
      const run = s.runs[0]!;
      expect(run).toMatchObject({ scenario: s.name, repeat: 1, passed: true, reasons: [], doneTwice: [] });
      expect(run.detectMs).toBeGreaterThan(0);
      expect(run.greenMs).toBeGreaterThanOrEqual(run.detectMs as number);
      expect(run.measuredMs).toBeLessThanOrEqual(run.objectiveMs);
      expect(s.detectMs).toEqual({ p50: run.detectMs, max: run.detectMs });
      expect(run.timeline.map((m) => m.what)).toEqual(expect.arrayContaining(['fault', 'alert', 'green']));
      expect(run.timeline[0]).toEqual({ atMs: 0, what: 'fault', label: 'fault injected' });
    }
    const [crash, lag] = report.scenarios;
    expect(crash!.objective).toEqual({ source: '§13 single service crash', objectiveMs: 30_000, from: 'fault' });
    expect(crash!.runs[0]!.firstAlert).toMatch(/^(Critical)?ComponentDown$/);
    expect(crash!.runs[0]!.remediationStartedMs).not.toBeNull();
    expect(crash!.runs[0]!.actions.map((a) => a.action)).toEqual(['restart']);
    expect(lag!.runs[0]).toMatchObject({ component: 'database', firstAlert: 'ReplicationLagCritical', remediationStartedMs: null });
    expect(lag!.runs[0]!.pages.map((p) => p.severity)).toEqual(['P1']);
    console.log(`drill in the suite: crash ${crash!.runs[0]!.component} detect ${crash!.runs[0]!.detectMs} ms, Green ${crash!.runs[0]!.greenMs} ms; lag detect ${lag!.runs[0]!.detectMs} ms, Green ${lag!.runs[0]!.greenMs} ms`);
  });

  it('stops the simulator it started', async () => {
    expect(await listening(basePort)).toBe(false);
  });

  it('the HTML report renders in Chromium: a summary table and a timeline chart per scenario, no script, no network', async () => {
    if (!existsSync(CHROMIUM) && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing (apt-get install -y chromium)`);
    const browser = await launchChromium();
    if (!browser) return;
    try {
      const page = await browser.context.newPage();
      const requests: string[] = [];
      page.on('request', (req) => requests.push(req.url()));
      await page.goto(`file://${html()}`);
      expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
      expect(await page.locator('script').count()).toBe(0);
      expect(await page.locator('#verdict').textContent()).toBe('all objectives met');
      expect(await page.locator('#summary tr').count()).toBe(3);
      const charts = page.locator('svg.timeline');
      expect(await charts.count()).toBe(2);
      for (const name of ['crash', 'lag']) {
        const chart = page.locator(`section[data-scenario="${name}"] svg.timeline`);
        expect(await chart.locator('.mark.fault').count()).toBe(1);
        expect(await chart.locator('.mark.alert').count()).toBe(1);
        expect(await chart.locator('.mark.green').count()).toBe(1);
        const box = await chart.boundingBox();
        expect(box!.width).toBeGreaterThan(500);
      }
      const shot = join(dir, 'drill-report.png');
      await page.screenshot({ path: shot, fullPage: true });
      const chartShot = await charts.first().screenshot();
      // The screenshots decoded by the browser itself: the page is not blank, and the chart has
      // the alert's red, the Green-again green and the health bands in it.
      const pixels = await page.evaluate(async ([full, chart]) => {
        const g = globalThis as any; // the page's window (the test compiles without the DOM lib)
        const load = async (b64: string): Promise<Uint8ClampedArray> => {
          const img = new g.Image();
          img.src = `data:image/png;base64,${b64}`;
          await img.decode();
          const c = g.document.createElement('canvas');
          c.width = img.width;
          c.height = img.height;
          const ctx = c.getContext('2d');
          ctx.drawImage(img, 0, 0);
          return ctx.getImageData(0, 0, c.width, c.height).data;
        };
        const count = (d: Uint8ClampedArray, pred: (r: number, g: number, b: number) => boolean) => {
          let n = 0;
          for (let i = 0; i < d.length; i += 4) if (pred(d[i]!, d[i + 1]!, d[i + 2]!)) n++;
          return n;
        };
        const near = (r: number, g: number, b: number, [R, G, B]: number[]) => Math.abs(r - R!) + Math.abs(g - G!) + Math.abs(b - B!) < 40;
        const f = await load(full);
        const c = await load(chart);
        return {
          total: f.length / 4,
          nonWhite: count(f, (r, g, b) => r + g + b < 720),
          chartRed: count(c, (r, g, b) => near(r, g, b, [0xd2, 0x3b, 0x3b])),
          chartGreen: count(c, (r, g, b) => near(r, g, b, [0x2e, 0x9d, 0x4f])),
          chartBand: count(c, (r, g, b) => near(r, g, b, [0xc0, 0xe2, 0xca]) || near(r, g, b, [0xf1, 0xc4, 0xc4])),
        };
      }, [readFileSync(shot).toString('base64'), chartShot.toString('base64')] as const);
      expect(pixels.nonWhite / pixels.total).toBeGreaterThan(0.02);
      expect(pixels.chartRed).toBeGreaterThan(20);
      expect(pixels.chartGreen).toBeGreaterThan(10);
      expect(pixels.chartBand).toBeGreaterThan(200);
    } finally {
      await browser.close();
    }
  });
});

describe('warden drill against an exchange\'s fault hooks (drill.fault_hooks_url), with a simulator it did not start', () => {
  let sim: Awaited<ReturnType<typeof spawnCli>>;
  let controlUrl: string;
  beforeAll(async () => {
    sim = await spawnCli(['sim', 'start', '--config', config()], /"controlUrl":"([^"]+)"/, { timeoutMs: 30_000 });
    controlUrl = sim.match[1] as string;
  });
  afterAll(async () => {
    sim?.child.kill('SIGINT');
    if (sim) await exited(sim.child);
  });
  const faultsOf = async (component: string) => {
    const status = (await (await fetch(`${controlUrl}/status`)).json()) as { components: Array<{ name: string; status: { faults: Array<{ kind: string }> } | null }> };
    return status.components.find((c) => c.name === component)?.status?.faults.map((f) => f.kind);
  };

  it('injects through the hooks, times the run, and leaves the hooks\' exchange as it found it', async () => {
    const hooks = shippedConfigText({ basePort, dir }).replace(/^simulator:\n {2}enabled: true/m, `drill:\n  fault_hooks_url: "${controlUrl}"\nsimulator:\n  enabled: false`);
    expect(hooks).toContain('fault_hooks_url');
    writeFileSync(join(dir, 'hooks.yaml'), hooks);
    const r = await runCli(['drill', '--config', join(dir, 'hooks.yaml'), '--scenario', 'lag', '--json'], { env: { REDIS_URL: redis.url }, timeoutMs: 120_000 });
    if (r.code !== 0) console.error(r.stderr);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as DrillReport;
    expect(report).toMatchObject({ passed: true, target: { kind: 'fault_hooks', url: controlUrl, started: false } });
    expect(report.scenarios[0]!.runs[0]).toMatchObject({ component: 'database', firstAlert: 'ReplicationLagCritical', passed: true });
    expect(await faultsOf('database')).toEqual([]);
    expect(await listening(basePort)).toBe(true);
  });

  it('Ctrl-C clears the fault of the run in progress, and exits 130 with a report marked interrupted', async () => {
    const drill = spawn(process.execPath, [WARDEN_BIN, 'drill', '--config', config(), '--scenario', 'latency', '--json'], { cwd: REPO, env: { ...process.env, REDIS_URL: redis.url }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    drill.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    drill.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // The latency scenario watches for 6 s with the fault on: interrupt it in the middle.
    const deadline = Date.now() + 60_000;
    while (!(await faultsOf('order-gateway'))?.includes('latency')) {
      if (Date.now() > deadline || drill.exitCode !== null) throw new Error(`the drill never injected its fault: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    drill.kill('SIGINT');
    expect(await exited(drill)).toBe(130);
    expect(stderr).toMatch(/SIGINT: clearing the faults of the run in progress, then stopping/);
    expect(await faultsOf('order-gateway')).toEqual([]);
    const report = JSON.parse(stdout) as DrillReport;
    expect(report).toMatchObject({ interrupted: true, passed: false, target: { kind: 'simulator', started: false } });
    expect(report.scenarios[0]!.runs[0]!.reasons).toContain('interrupted (Ctrl-C) before the verdict');
    expect(await listening(basePort)).toBe(true); // not the drill's to stop
  });
});
