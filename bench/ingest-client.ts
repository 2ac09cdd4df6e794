import { Agent } from 'node:http';
import { postBatch } from './post-batch';
import { parentPort, workerData } from 'node:worker_threads';

/**
 * The load generator of the ingest benchmark, in its own thread so the client's JSON work does
 * not share a core with the server it measures (as a real pusher would not).
 */
export interface ClientJob {
  port: number;
  rounds: number;
  /** Unmeasured rounds first. */
  warmRounds: number;
  series: number;
  batch: number;
  startMs: number;
  connections: number;
}

export function buildBodies(job: ClientJob): Buffer[] {
  const bodies: Buffer[] = [];
  for (let r = 0; r < job.rounds; r++) {
    for (let b = 0; b < job.series / job.batch; b++) {
      const samples = [];
      for (let i = 0; i < job.batch; i++) {
        const n = b * job.batch + i;
        samples.push({ name: `bench_metric_${n % 10}`, labels: { component: `c${n % 50}`, instance: `i${Math.floor(n / 10)}` }, value: Math.random(), timestamp: job.startMs + r });
      }
      bodies.push(Buffer.from(JSON.stringify({ samples })));
    }
  }
  return bodies;
}

/** Sends `bodies` (rounds x batches) over the job's connections; returns what the server counted. */
async function send(agent: Agent, job: ClientJob, bodies: Buffer[]): Promise<{ accepted: number; skipped: number }> {
  const perRound = job.series / job.batch;
  const rounds = bodies.length / perRound;
  let accepted = 0;
  let skipped = 0;
  // Each connection owns a fixed set of batches (so of series) and sends them round after round:
  // a series' samples stay in order without a barrier between rounds.
  await Promise.all(
    Array.from({ length: job.connections }, async (_, k) => {
      for (let r = 0; r < rounds; r++) {
        for (let b = k; b < perRound; b += job.connections) {
          const x = await postBatch(agent, job.port, bodies[r * perRound + b] as Buffer);
          accepted += x.accepted;
          skipped += x.skipped;
        }
      }
    }),
  );
  return { accepted, skipped };
}

async function run(job: ClientJob): Promise<{ seconds: number; accepted: number; skipped: number; batches: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.connections });
  // Warm-up rounds (earlier timestamps, not measured) so the figure is the steady state of a
  // long-running server rather than its JIT warm-up; then the measured rounds.
  await send(agent, job, buildBodies({ ...job, rounds: job.warmRounds, startMs: job.startMs - job.warmRounds }));
  const bodies = buildBodies(job);
  const t0 = process.hrtime.bigint();
  const { accepted, skipped } = await send(agent, job, bodies);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  return { seconds, accepted, skipped, batches: bodies.length };
}

if (parentPort) {
  run(workerData as ClientJob).then(
    (r) => parentPort?.postMessage({ ok: true, ...r }),
    (err: unknown) => parentPort?.postMessage({ ok: false, error: String(err) }),
  );
}
