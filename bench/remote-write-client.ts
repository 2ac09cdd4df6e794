import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { compressSync } from 'snappy';
import { WriteRequestType } from '../src/ingest/remote-write/prompb';

/**
 * The load generator of the remote-write benchmark, in its own thread (as Prometheus is its own
 * process): bodies are encoded and snappy-compressed before the clock starts, as a sender's shards
 * hold them ready, then each connection sends its share round after round.
 */
export interface RemoteWriteJob {
  port: number;
  rounds: number;
  warmRounds: number;
  series: number;
  /** Samples per request (Prometheus' max_samples_per_send, 2,000 by default). */
  batch: number;
  startMs: number;
}

function buildBodies(job: RemoteWriteJob, rounds: number, startMs: number): Buffer[] {
  const bodies: Buffer[] = [];
  for (let r = 0; r < rounds; r++) {
    for (let b = 0; b < job.series / job.batch; b++) {
      const timeseries = [];
      for (let i = 0; i < job.batch; i++) {
        const n = b * job.batch + i;
        // Sorted label names, as Prometheus sends them.
        const labels = [
          { name: '__name__', value: `bench_metric_${n % 10}` },
          { name: 'component', value: `c${n % 50}` },
          { name: 'instance', value: `i${Math.floor(n / 10)}` },
          { name: 'job', value: 'bench' },
        ];
        timeseries.push({ labels, samples: [{ value: Math.random(), timestamp: startMs + r }] });
      }
      bodies.push(compressSync(WriteRequestType.encode(WriteRequestType.fromObject({ timeseries })).finish()));
    }
  }
  return bodies;
}

function post(agent: Agent, port: number, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0', 'content-length': body.length };
    const req = request({ host: '127.0.0.1', port, path: '/api/v1/write', method: 'POST', agent, headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => (res.statusCode === 204 ? resolve() : reject(new Error(`remote write answered ${res.statusCode}: ${text}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One connection per batch of series (a Prometheus shard), each sending its batch of every round in order. */
async function send(agent: Agent, job: RemoteWriteJob, bodies: Buffer[]): Promise<void> {
  const perRound = job.series / job.batch;
  const rounds = bodies.length / perRound;
  await Promise.all(Array.from({ length: perRound }, async (_, b) => {
    for (let r = 0; r < rounds; r++) await post(agent, job.port, bodies[r * perRound + b] as Buffer);
  }));
}

async function run(job: RemoteWriteJob): Promise<{ seconds: number; samples: number }> {
  // Every body is built first: a keep-alive socket left idle past the server's timeout while the
  // next rounds are encoded would be closed under the client.
  const warm = buildBodies(job, job.warmRounds, job.startMs);
  const bodies = buildBodies(job, job.rounds, job.startMs + job.warmRounds);
  const agent = new Agent({ keepAlive: true, maxSockets: job.series / job.batch });
  await send(agent, job, warm);
  const t0 = process.hrtime.bigint();
  await send(agent, job, bodies);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  return { seconds, samples: job.rounds * job.series };
}

if (parentPort) {
  run(workerData as RemoteWriteJob).then(
    (r) => parentPort?.postMessage({ ok: true, ...r }),
    (err: unknown) => parentPort?.postMessage({ ok: false, error: String(err) }),
  );
}
