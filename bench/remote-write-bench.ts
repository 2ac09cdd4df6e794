import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { startBenchWarden } from './bench-env';
import type { RemoteWriteJob } from './remote-write-client';

const SERIES = 10_000;
/** Prometheus' default queue_config.max_samples_per_send. */
const BATCH = 2_000;
const ROUNDS = 60;
const WARM_ROUNDS = 10;

/**
 * remote_write_samples_per_s (issue 15): POST /api/v1/write (remote-write 1.0, snappy protobuf)
 * over 10k series (10 metrics x 1000 instances) in 2,000-sample requests, one connection per
 * 2,000 series as Prometheus' shards send them, ten rules loaded on other metrics. Every sample
 * must be applied (204 and counted): a skipped or refused one fails the benchmark.
 */
export async function benchRemoteWrite(): Promise<{ remote_write_samples_per_s: number }> {
  const components = Array.from({ length: 50 }, (_, i) => `  - {name: c${i}, critical: ${i < 3}}`).join('\n');
  const rules = `groups:\n  - name: bench\n    rules:\n${Array.from({ length: 10 }, (_, i) => `      - alert: Bench${i}\n        expr: other_metric_${i} > 2\n        labels: {health: yellow, severity: P3}\n`).join('')}`;
  const env = await startBenchWarden(`components:\n${components}\nrules: [bench.rules.yaml]\n`, { 'bench.rules.yaml': rules });
  try {
    // Recent timestamps (rounds 1 ms apart), so no series goes idle and is evicted during the run.
    const job: RemoteWriteJob = { port: env.warden.port, rounds: ROUNDS, warmRounds: WARM_ROUNDS, series: SERIES, batch: BATCH, startMs: Date.now() - 30_000 };
    const result = await new Promise<{ ok: boolean; error?: string; seconds: number; samples: number }>((resolve, reject) => {
      const worker = new Worker(join(__dirname, 'remote-write-client.js'), { workerData: job });
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (!result.ok) throw new Error(result.error);
    const accepted = await acceptedSamples(env.warden.registry);
    const expected = (ROUNDS + WARM_ROUNDS) * SERIES;
    if (accepted !== expected) throw new Error(`${accepted} of ${expected} samples were applied: the benchmark would overstate throughput`);
    return { remote_write_samples_per_s: Math.round(result.samples / result.seconds) };
  } finally {
    await env.stop();
  }
}

async function acceptedSamples(registry: import('prom-client').Registry): Promise<number> {
  const metric = await registry.getSingleMetric('warden_samples_accepted_total')?.get();
  return metric?.values.find((v) => v.labels.source === 'remote_write')?.value ?? 0;
}
