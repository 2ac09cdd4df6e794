import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { startBenchWarden } from './bench-env';

const SERIES = 10_000;
const BATCH = 1000;
const ROUNDS = 100;
const WARM_ROUNDS = 10;

/**
 * HTTP push throughput: 1000-sample batches over 10k series (10 metrics x 1000 instances). With
 * `rulesOnPushedMetrics`, ten rules select the pushed metrics, so every batch is also evaluated
 * over all 1000 series of each; without, ten rules on other metrics are loaded (the index makes them
 * free). The client runs in a worker thread.
 */
export async function benchIngest(rulesOnPushedMetrics = false): Promise<{ samplesPerSecond: number; batches: number }> {
  const components = Array.from({ length: 50 }, (_, i) => `  - {name: c${i}, critical: ${i < 3}}`).join('\n');
  const metric = rulesOnPushedMetrics ? 'bench_metric' : 'other_metric';
  const rules = `groups:\n  - name: bench\n    rules:\n${Array.from({ length: 10 }, (_, i) => `      - alert: Bench${i}\n        expr: ${metric}_${i} > 2\n        labels: {health: yellow, severity: P3}\n`).join('')}`;
  const env = await startBenchWarden(`components:\n${components}\nrules: [bench.rules.yaml]\nlimits: {max_body: 64MiB}\n`, { 'bench.rules.yaml': rules });
  try {
    const job = { port: env.warden.port, rounds: ROUNDS, warmRounds: WARM_ROUNDS, series: SERIES, batch: BATCH, startMs: Date.now() - 3_600_000, connections: 10 };
    const result = await new Promise<{ ok: boolean; error?: string; seconds: number; accepted: number; skipped: number; batches: number }>((resolve, reject) => {
      const worker = new Worker(join(__dirname, 'ingest-client.js'), { workerData: job });
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (!result.ok) throw new Error(result.error);
    if (result.skipped > 0) throw new Error(`${result.skipped} samples were skipped: the benchmark would overstate throughput`);
    return { samplesPerSecond: Math.round(result.accepted / result.seconds), batches: result.batches };
  } finally {
    await env.stop();
  }
}
