import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { startBenchWarden } from './bench-env';

const SERIES = 10_000;
const BATCH = 1000;

/** Pre-serialised push bodies: 10k series (10 metrics x 1000 instances), 1000 samples each. */
function buildBodies(rounds: number, startMs: number): Buffer[] {
  const bodies: Buffer[] = [];
  for (let r = 0; r < rounds; r++) {
    for (let b = 0; b < SERIES / BATCH; b++) {
      const samples = [];
      for (let i = 0; i < BATCH; i++) {
        const n = b * BATCH + i;
        samples.push({ name: `bench_metric_${n % 10}`, labels: { component: `c${n % 50}`, instance: `i${Math.floor(n / 10)}` }, value: Math.random(), timestamp: startMs + r });
      }
      bodies.push(Buffer.from(JSON.stringify({ samples })));
    }
  }
  return bodies;
}

function post(agent: Agent, port: number, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v1/samples', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`push answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * HTTP push throughput: 1000-sample batches over 10k series, 4 keep-alive connections, with the
 * exchange rules loaded (so evaluation cost is included). Client and server share this process.
 */
export async function benchIngest(): Promise<{ ingest_samples_per_s: number; batches: number }> {
  const components = Array.from({ length: 50 }, (_, i) => `  - {name: c${i}, critical: ${i < 3}}`).join('\n');
  const rules = `groups:\n  - name: bench\n    rules:\n${Array.from({ length: 10 }, (_, i) => `      - alert: Bench${i}\n        expr: bench_metric_${i} > 2\n        labels: {health: yellow, severity: P3}\n`).join('')}`;
  const env = await startBenchWarden(`components:\n${components}\nrules: [bench.rules.yaml]\nlimits: {max_body: 64MiB}\n`, { 'bench.rules.yaml': rules });
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  try {
    const start = Date.now() - 3_600_000;
    const warm = buildBodies(2, start);
    for (const b of warm) await post(agent, env.warden.port, b);
    const bodies = buildBodies(30, start + 10);
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < bodies.length) await post(agent, env.warden.port, bodies[next++] as Buffer);
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    return { ingest_samples_per_s: Math.round((bodies.length * BATCH) / seconds), batches: bodies.length };
  } finally {
    agent.destroy();
    await env.stop();
  }
}
