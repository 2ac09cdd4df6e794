import { Agent } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { REPO_ROOT, percentile, round, startBenchWarden, type BenchWarden } from './bench-env';
import { DetectProbe, componentsYaml } from './detect-probe';
import type { ScaleJob, ScaleResult } from './scale-client';

const SERIES = 100_000;
const BATCH = 1000;

/** A bench Warden with the shipped components and rules (exchange + remediation). */
export function startShippedRulesWarden(): Promise<BenchWarden> {
  const files: Record<string, string> = {};
  for (const f of readdirSync(join(REPO_ROOT, 'rules')).filter((f) => f.endsWith('.rules.yaml'))) files[f] = readFileSync(join(REPO_ROOT, 'rules', f), 'utf8');
  // The remediation rules' executors must be configured to load; nothing fires here, so nothing runs.
  const remediation = 'remediation:\n  executors:\n    restart: {http_base_url: "http://127.0.0.1:9"}\n';
  return startBenchWarden(`${componentsYaml()}rules: [${Object.keys(files).join(', ')}]\nlimits: {max_body: 64MiB}\n${remediation}`, files);
}

function runClient(job: ScaleJob): { done: Promise<ScaleResult>; worker: Worker } {
  const worker = new Worker(join(__dirname, 'scale-client.js'), { workerData: job });
  const done = new Promise<ScaleResult>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { done, worker };
}

function job(port: number, o: Partial<ScaleJob>): ScaleJob {
  // Old enough that maxRounds simulated seconds stay in the past (a future sample waits for our clock).
  return { port, series: SERIES, batch: BATCH, connections: 4, startMs: Date.now() - 3_600_000, warmRounds: 1, maxRounds: 1000, maxMs: 15_000, pacePerSecond: 0, ...o };
}

/**
 * scale_100k_samples_per_s (issue 10 §5): 100k series the shipped rules select, pushed over HTTP in
 * 1000-sample batches by a worker thread, as fast as Warden accepts them; one warm-up round creates
 * the series, then up to 15 s are measured.
 */
export async function benchScale100kIngest(maxMs = 15_000): Promise<{ scale_100k_samples_per_s: number; scale_100k_rounds: number }> {
  const env = await startShippedRulesWarden();
  try {
    const r = await runClient(job(env.warden.port, { maxMs })).done;
    if (!r.ok) throw new Error(r.error);
    if (r.skipped > 0) throw new Error(`${r.skipped} samples were skipped: the figure would overstate throughput`);
    return { scale_100k_samples_per_s: Math.round(r.accepted / r.seconds), scale_100k_rounds: r.rounds };
  } finally {
    await env.stop();
  }
}

/**
 * scale_100k_detect_p99_ms (issue 10 §5): push -> health transition (replication lag crossing
 * 10 s on `database`, as detect_p99_ms) while the 100k-series load runs in the background, paced to
 * 100k samples/s (or as fast as Warden takes it, when slower: then the background rate says so).
 */
export async function benchScale100kDetect(iterations = 100): Promise<{ scale_100k_detect_p50_ms: number; scale_100k_detect_p99_ms: number; scale_100k_background_samples_per_s: number }> {
  const env = await startShippedRulesWarden();
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let stopLoad = false;
  const latencies: number[] = [];
  try {
    // The background client gets a generous time limit; it is terminated once the probes are done.
    const load = runClient(job(env.warden.port, { maxMs: 600_000, pacePerSecond: 100_000 }));
    const probe = new DetectProbe(env, agent, 10_000);
    await probe.prime();
    // Let the warm-up round create the 100k series before measuring.
    const deadline = Date.now() + 60_000;
    while (env.warden.store.seriesCount < SERIES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const accepted0 = await acceptedPushes(env);
    const t0 = performance.now();
    for (let i = 0; i < iterations && !stopLoad; i++) {
      latencies.push(await probe.measure(i % 2 === 0 ? 11 : 0.5));
      // Spaced out, so the probes sample the load rather than queue behind each other.
      await new Promise((r) => setTimeout(r, 20));
    }
    const background = ((await acceptedPushes(env)) - accepted0) / ((performance.now() - t0) / 1000);
    stopLoad = true;
    await load.worker.terminate();
    latencies.sort((a, b) => a - b);
    return { scale_100k_detect_p50_ms: round(percentile(latencies, 50)), scale_100k_detect_p99_ms: round(percentile(latencies, 99)), scale_100k_background_samples_per_s: Math.round(background) };
  } finally {
    agent.destroy();
    await env.stop();
  }
}

/** warden_samples_accepted_total{source="push"}: what the background load got in. */
async function acceptedPushes(env: BenchWarden): Promise<number> {
  const m = await env.warden.registry.getSingleMetric('warden_samples_accepted_total')?.get();
  return (m?.values ?? []).filter((v) => v.labels.source === 'push').reduce((s, v) => s + v.value, 0);
}
