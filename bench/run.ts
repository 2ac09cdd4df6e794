import { cpus, totalmem } from 'node:os';
import { benchDetect } from './detect-bench';
import { benchIngest } from './ingest-bench';
import { benchJsonParse } from './machine-reference';
import { benchRuleScaling } from './scaling-bench';
import { benchPage } from './page-bench';
import { benchRemediate } from './remediate-bench';
import { benchJobsPerSecond } from './remediation-bench';
import { benchLargePush } from './large-push-bench';
import { benchIdle } from './idle-bench';
import { benchScale100kDetect, benchScale100kIngest } from './scale-bench';
import { benchScaleRss } from './rss-bench';
import { benchScrape1000 } from './scrape-bench';
import { benchRemoteWrite } from './remote-write-bench';
import { benchAmAlerts } from './am-alerts-bench';
import { benchFanout } from './fanout-bench';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedRedis } from '../src/runtime/embedded-redis';
import { silentLogger } from '../src/telemetry/logger';

/** jobs_per_s on a redis-server of the benchmark's own (no-op executor, real audit log). */
async function benchJobs(): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-bench-jobs-'));
  const redis = await startEmbeddedRedis(dir, silentLogger());
  try {
    return { jobs_per_s: Math.round(await benchJobsPerSecond(redis.url)) };
  } finally {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

type Figures = Record<string, number | string>;

/** Targets from the issues: a figure that misses its target is flagged, never hidden. */
const AT_LEAST: Record<string, number> = {
  ingest_samples_per_s: 300_000,
  jobs_per_s: 2000,
  scale_100k_samples_per_s: 300_000, // issue 10 §5
  // Issue 15.
  remote_write_samples_per_s: 300_000,
  am_alerts_per_s: 20_000,
};
const AT_MOST: Record<string, number> = {
  detect_p99_ms: 5,
  rule_scaling_ratio: 1.5,
  page_p99_ms: 10,
  remediate_p99_ms: 50,
  push_large_healthz_p99_ms: 50,
  // Issue 10 §5.
  scale_100k_detect_p99_ms: 5,
  scale_100k_rss_mb: 300,
  scale_1m_rss_mb: 2_000,
  scrape_1000_targets_cpu_pct: 50,
  idle_cpu_pct: 0.5,
};

/** `ok (<= 10)` or `MISSED (<= 10)`; '' for a figure without a target. */
function verdict(key: string, v: number | string): string {
  const min = AT_LEAST[key];
  const max = AT_MOST[key];
  if (typeof v !== 'number') return '';
  if (min !== undefined) return `${v >= min ? 'ok' : 'MISSED'} (>= ${min})`;
  if (max !== undefined) return `${v <= max ? 'ok' : 'MISSED'} (<= ${max})`;
  return '';
}

async function main(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  const figures: Figures = { machine: `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}` };
  const steps: Array<[string, () => Promise<Figures>]> = [
    ['machine reference (JSON.parse alone)', async () => benchJsonParse()],
    ['ingest', async () => ({ ingest_samples_per_s: (await benchIngest(false)).samplesPerSecond })],
    ['ingest with rules on the pushed metrics', async () => ({ ingest_evaluated_samples_per_s: (await benchIngest(true)).samplesPerSecond })],
    ['detect', () => benchDetect()],
    ['rule scaling', benchRuleScaling],
    ['page', () => benchPage()],
    ['remediate', () => benchRemediate()],
    ['jobs', benchJobs],
    ['large pushes (healthz latency)', benchLargePush],
    // Issue 10 §5: each bounded in time (see the bench files); child processes where CPU or RSS is measured.
    ['idle cpu', async () => benchIdle({ seconds: 30 })],
    ['scale 100k ingest', async () => benchScale100kIngest()],
    ['scale 100k detect under load', async () => benchScale100kDetect()],
    ['scale rss', benchScaleRss],
    ['scrape 1000 targets', async () => benchScrape1000({ warmupSeconds: 5, seconds: 10 })],
    // Issue 15: the Prometheus estate's wire protocols.
    ['remote write', benchRemoteWrite],
    ['alertmanager alerts', benchAmAlerts],
    // Issue 12: a push to one replica applied on another.
    ['fanout', () => benchFanout()],
  ];
  // A failing step is reported as `error_<step>` and the others still run: one flaky step does not
  // hide every figure, and the exit code is still 1.
  const failed: string[] = [];
  // `--only name,name` runs just those steps (their names as printed, e.g. --only "remote write").
  const only = argv.includes('--only') ? (argv[argv.indexOf('--only') + 1] ?? '').split(',').map((x) => x.trim()) : undefined;
  for (const [name, run] of steps) {
    if (only && !only.includes(name)) continue;
    if (!json) process.stderr.write(`bench: ${name}...\n`);
    try {
      Object.assign(figures, await run());
    } catch (err) {
      failed.push(name);
      figures[`error_${name.replace(/[^a-z0-9]+/gi, '_').replace(/_+$/, '')}`] = err instanceof Error ? err.message : String(err);
      process.stderr.write(`bench: ${name} failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    }
  }
  process.exitCode = failed.length > 0 ? 1 : 0;
  const parse = figures.json_parse_samples_per_s;
  if (typeof parse === 'number' && typeof figures.ingest_samples_per_s === 'number') figures.ingest_vs_json_parse = Number((figures.ingest_samples_per_s / parse).toFixed(2));
  if (json) {
    process.stdout.write(JSON.stringify(figures) + '\n');
    return;
  }
  const rows = Object.entries(figures).map(([k, v]) => `| ${k} | ${v} | ${verdict(k, v)} |`);
  process.stdout.write(['| figure | value | target |', '|---|---|---|', ...rows].join('\n') + '\n');
}

main(process.argv.slice(2)).then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
