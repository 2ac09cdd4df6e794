import { Agent } from 'node:http';
import { postBatch } from './post-batch';
import { parentPort, workerData } from 'node:worker_threads';

/**
 * The load generator of the 100k-series benchmarks (issue 10 §5), in a worker thread: series of
 * the metrics the shipped rules select (memory_used_ratio, processing_lag_seconds), one `instance`
 * per pod, pushed over HTTP in fixed-size batches. Round r carries timestamp startMs + r*1000: one
 * sample per series per simulated second.
 */
export interface ScaleJob {
  port: number;
  series: number;
  batch: number;
  connections: number;
  startMs: number;
  /** Unmeasured rounds first (they create the series). */
  warmRounds: number;
  /** Stop after this many measured rounds or this long, whichever comes first. */
  maxRounds: number;
  maxMs: number;
  /** Measured rounds are paced to at most this many samples a second (0: as fast as accepted). */
  pacePerSecond: number;
}

export interface ScaleResult {
  ok: boolean;
  error?: string;
  seconds: number;
  accepted: number;
  skipped: number;
  rounds: number;
}

const COMPONENTS = ['matching-engine', 'settlement', 'database', 'market-data', 'order-gateway', 'reporting'];

/** Per-batch JSON prefixes, so a round's bodies are string concatenation, not JSON.stringify. */
function samplePrefixes(job: ScaleJob): string[][] {
  const batches: string[][] = [];
  for (let b = 0; b < job.series / job.batch; b++) {
    const prefixes: string[] = [];
    for (let i = 0; i < job.batch; i++) {
      const n = b * job.batch + i;
      const name = n % 2 === 0 ? 'memory_used_ratio' : 'processing_lag_seconds';
      const pod = Math.floor(n / 2);
      prefixes.push(`{"name":"${name}","labels":{"component":"${COMPONENTS[pod % COMPONENTS.length]}","instance":"pod-${pod}"},"value":`);
    }
    batches.push(prefixes);
  }
  return batches;
}

function body(prefixes: readonly string[], round: number, startMs: number): Buffer {
  const ts = startMs + round * 1000;
  // Benign values: nothing fires, so the figure is ingest and evaluation, not paging.
  return Buffer.from(`{"samples":[${prefixes.map((p, i) => `${p}${((i * 7 + round) % 50) / 100},"timestamp":${ts}}`).join(',')}]}`);
}

/** Sends rounds [from, to) on the job's connections; each connection owns fixed batches (so series stay in order). */
async function sendRounds(agent: Agent, job: ScaleJob, prefixes: string[][], from: number, until: () => boolean, paceStartNs?: bigint): Promise<{ accepted: number; skipped: number; rounds: number }> {
  let accepted = 0;
  let skipped = 0;
  let rounds = 0;
  for (let r = from; !until(); r++) {
    await Promise.all(
      Array.from({ length: job.connections }, async (_, k) => {
        for (let b = k; b < prefixes.length; b += job.connections) {
          const x = await postBatch(agent, job.port, body(prefixes[b] as string[], r, job.startMs));
          accepted += x.accepted;
          skipped += x.skipped;
        }
      }),
    );
    rounds++;
    if (paceStartNs !== undefined && job.pacePerSecond > 0) {
      const dueMs = (rounds * job.series * 1000) / job.pacePerSecond;
      const aheadMs = dueMs - Number(process.hrtime.bigint() - paceStartNs) / 1e6;
      if (aheadMs > 0) await new Promise((res) => setTimeout(res, aheadMs));
    }
  }
  return { accepted, skipped, rounds };
}

async function run(job: ScaleJob): Promise<Omit<ScaleResult, 'ok'>> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.connections });
  const prefixes = samplePrefixes(job);
  let warm = 0;
  await sendRounds(agent, job, prefixes, 0, () => warm++ >= job.warmRounds);
  const t0 = process.hrtime.bigint();
  const elapsedMs = () => Number(process.hrtime.bigint() - t0) / 1e6;
  let measured = 0;
  const r = await sendRounds(agent, job, prefixes, job.warmRounds, () => measured++ >= job.maxRounds || elapsedMs() >= job.maxMs, t0);
  const seconds = elapsedMs() / 1000;
  agent.destroy();
  return { seconds, ...r };
}

if (parentPort) {
  run(workerData as ScaleJob).then(
    (r) => parentPort?.postMessage({ ok: true, ...r }),
    (err: unknown) => parentPort?.postMessage({ ok: false, error: String(err), seconds: 0, accepted: 0, skipped: 0, rounds: 0 }),
  );
}
