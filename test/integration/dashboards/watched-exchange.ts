import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load-config';
import { startWarden, type Warden } from '../../../src/main';
import { startSimulator, type SimulatorHandle } from '../../../src/sim/start-simulator';
import { silentLogger } from '../../../src/telemetry/logger';
import { FakePagerDuty } from '../../support/fake-pagerduty';
import { FakeSlack } from '../../support/fake-slack';
import { FakeSmtp } from '../../support/fake-smtp';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { specMatrixNotifyYaml } from '../../support/spec-matrix-notify';
import { REPO_ROOT } from '../../support/warden-harness';
import { startPrometheus, type TestPrometheus } from './prometheus-server';

/**
 * Everything the dashboards look at, for real: the exchange simulator, a Warden (in this process,
 * with prom-client's default metrics, as `warden start` runs it) probing and scraping it with the
 * repository's rules, local PagerDuty / Slack / SMTP servers for its receivers, and Debian's
 * prometheus scraping Warden and the exchange every second.
 */
export interface WatchedExchange {
  readonly sim: SimulatorHandle;
  readonly warden: Warden;
  readonly prom: TestPrometheus;
  readonly pagerduty: FakePagerDuty;
  readonly slack: FakeSlack;
  readonly smtp: FakeSmtp;
  /** Prometheus scrape targets (host:port), for "every target is up" waits. */
  readonly targetCount: number;
  /** Stops every process and server started here, even when some stop fails; then throws the first error. */
  stop(): Promise<void>;
}

/**
 * A remediation in dry-run, so the Remediation dashboard's dry-run panels have something to draw:
 * the repository ships none (dry runs are an operator's choice, per rule or global).
 */
const DRY_RUN_RULES = `# Test-only: what archiving would do when processing lags, recorded but not run.
remediations:
  - name: dry-run-archive-on-processing-lag
    on: { alert: ProcessingLagDegraded }
    action: archive_logs
    target: "{{ $labels.component }}"
    params: { pattern: "*.log", max_bytes: 16MiB, min_age: 30s }
    dry_run: true
`;

export async function startWatchedExchange(): Promise<WatchedExchange> {
  const stops: Array<() => Promise<void> | void> = [];
  let stopping: Promise<void> | undefined;
  const runStops = async () => {
    let first: unknown;
    for (const stop of [...stops].reverse()) {
      try {
        await stop();
      } catch (err) {
        first ??= err;
      }
    }
    if (first !== undefined) throw first;
  };
  const stopAll = () => (stopping ??= runStops());
  try {
    const dir = mkdtempSync(join(tmpdir(), 'warden-dash-'));
    stops.push(() => rmSync(dir, { recursive: true, force: true }));
    const sim = await startSimulator({ logDir: join(dir, 'sim-logs') });
    stops.push(() => sim.stop());
    const [redis, pagerduty, slack, smtp] = await Promise.all([startRedis(), FakePagerDuty.start(), FakeSlack.start(), FakeSmtp.start()]);
    stops.push(() => redis.stop(), () => pagerduty.stop(), () => slack.stop(), () => smtp.stop());
    const warden = await startWardenOn(dir, sim, redis, { pagerduty, slack, smtp });
    stops.push(() => warden.stop());
    const host = (u: string) => new URL(u).host;
    const jobs = { warden: [host(warden.url)], exchange: sim.components.map((c) => host(c.metricsUrl)), 'exchange-admin': [host(sim.exchangeAdminUrl)] };
    const prom = await startPrometheus(jobs);
    stops.push(() => prom.stop());
    const targetCount = Object.values(jobs).flat().length;
    return { sim, warden, prom, pagerduty, slack, smtp, targetCount, stop: stopAll };
  } catch (err) {
    try {
      await stopAll();
    } catch (stopErr) {
      throw new AggregateError([err, stopErr], `starting the watched exchange failed (${String(err)}), and so did stopping what had started`);
    }
    throw err;
  }
}

async function startWardenOn(dir: string, sim: SimulatorHandle, redis: TestRedis, fakes: { pagerduty: FakePagerDuty; slack: FakeSlack; smtp: FakeSmtp }): Promise<Warden> {
  copyRepoRules(join(dir, 'rules'));
  writeFileSync(join(dir, 'dashboard-scenario.rules.yaml'), DRY_RUN_RULES);
  writeFileSync(join(dir, 'pagerduty-ca.pem'), fakes.pagerduty.cert.certPem);
  writeFileSync(join(dir, 'smtp-ca.pem'), fakes.smtp.cert?.certPem ?? '');
  const file = join(dir, 'warden.yaml');
  const text = wardenYaml(dir, sim, fakes);
  writeFileSync(file, text);
  const config = parseConfig(file, text, { port: 0 });
  // defaultMetrics on: promtool must see the /metrics `warden start` serves, process metrics included.
  return startWarden({ config, configFile: file, baseDir: dir, redisUrl: redis.url, log: silentLogger(), defaultMetrics: true });
}

/** rules/*.rules.yaml as shipped (their http restarts are paths against http_base_url). */
function copyRepoRules(to: string): void {
  mkdirSync(to);
  let restartUrls = 0;
  for (const name of readdirSync(join(REPO_ROOT, 'rules')).filter((f) => f.endsWith('.rules.yaml'))) {
    const text = readFileSync(join(REPO_ROOT, 'rules', name), 'utf8');
    restartUrls += (text.match(/url: "\/control\/restart\//g) ?? []).length;
    writeFileSync(join(to, name), text);
  }
  if (restartUrls === 0) throw new Error("no restart remediation in rules/ calls the simulator's /control/restart/: update the dashboards test");
}

/**
 * warden.yaml's simulator blocks (components, scrape, exchange) at this simulator's free ports,
 * probed and scraped faster than the default so the test waits seconds, not minutes; and the
 * spec §11.3 matrix as a route with no group_wait, so deliveries happen at once.
 */
function wardenYaml(dir: string, sim: SimulatorHandle, f: { pagerduty: FakePagerDuty; slack: FakeSlack; smtp: FakeSmtp }): string {
  const critical = new Set(['matching-engine', 'settlement', 'database']);
  const components = sim.components
    .map((c) => `  - { name: ${c.name}, critical: ${critical.has(c.name)}, probe: { url: "${c.healthUrl}", interval: 500ms, timeout: 1s, failure_threshold: 3 } }`)
    .join('\n');
  const scrape = sim.components.map((c) => `  - { job: ${c.name}, url: "${c.metricsUrl}", interval: 1s }`).join('\n');
  return `components:
${components}
scrape:
${scrape}
exchange: { admin_url: "${sim.exchangeAdminUrl}" }
rules: [rules/*.rules.yaml, dashboard-scenario.rules.yaml]
remediation:
  executors:
    restart: { http_base_url: "${sim.controlUrl}" }
    log_dirs: [{ path: "${sim.logDir}", archive_dir: "${join(dir, 'sim-archive')}" }]
staleness: 60s
evaluation_interval: 1s
${specMatrixNotifyYaml({ pagerdutyUrl: f.pagerduty.url, pagerdutyCaFile: join(dir, 'pagerduty-ca.pem'), slackApiUrl: f.slack.apiUrl, smtpHost: f.smtp.smarthost, smtpCaFile: join(dir, 'smtp-ca.pem') })}`;
}
