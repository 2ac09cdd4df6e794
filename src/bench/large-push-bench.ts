import { Agent, request } from 'node:http';
import { Worker } from 'node:worker_threads';
import { percentile, round, startBenchWarden } from './bench-env';

const PUSHES = 8;
/** ~9 MB a batch (under the default 10 MiB max_body), over 64k series. */
const SAMPLES = 64_000;
const POLL_GAP_MS = 5;

/**
 * The pusher, in a thread of its own so building and sending 9 MB bodies does not share the event
 * loop it measures. Plain JS, run with eval, so the bench needs no second compiled entry point.
 */
const PUSHER = `
const { parentPort, workerData } = require('node:worker_threads');
const { Agent, request } = require('node:http');
const { port, pushes, samples: n, startMs } = workerData;
const agent = new Agent({ keepAlive: true });
const body = (round) => {
  const samples = [];
  for (let i = 0; i < n; i++) samples.push({ name: 'big_metric_' + (i % 10), labels: { component: 'c' + (i % 50), instance: 'instance-' + i + '.exchange.internal' }, value: round * 1e6 + i, timestamp: startMs + round });
  return Buffer.from(JSON.stringify({ samples }));
};
const post = (b) => new Promise((resolve, reject) => {
  const req = request({ host: '127.0.0.1', port, path: '/v1/samples', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': b.length } }, (res) => {
    let text = '';
    res.on('data', (d) => (text += d));
    res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error('push answered ' + res.statusCode + ': ' + text))));
  });
  req.on('error', reject);
  req.end(b);
});
(async () => {
  const bodies = Array.from({ length: pushes }, (_, r) => body(r));
  parentPort.postMessage({ built: true, bytes: bodies[0].length });
  let accepted = 0;
  for (const b of bodies) accepted += (await post(b)).accepted;
  agent.destroy();
  parentPort.postMessage({ done: true, accepted });
})().catch((err) => parentPort.postMessage({ error: String(err) }));
`;

function get(agent: Agent, port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`${path} answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/** p99 of /healthz and /v1/health while ~9 MB batches are pushed back to back (issue 9 part 8: < 50 ms). */
export async function benchLargePush(): Promise<Record<string, number>> {
  const env = await startBenchWarden('components: [{name: c0, critical: true}]\n');
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const worker = new Worker(PUSHER, { eval: true, workerData: { port: env.warden.port, pushes: PUSHES, samples: SAMPLES, startMs: Date.now() - 3_600_000 } });
    const latencies: number[] = [];
    let bytes = 0;
    const done = new Promise<number>((resolve, reject) => {
      worker.on('message', (m: { built?: boolean; bytes?: number; done?: boolean; accepted?: number; error?: string }) => {
        if (m.built) bytes = m.bytes ?? 0;
        if (m.done) resolve(m.accepted ?? 0);
        if (m.error) reject(new Error(m.error));
      });
      worker.once('error', reject);
    });
    let finished = false;
    void done.finally(() => (finished = true)).catch(() => undefined);
    while (!finished) {
      for (const path of ['/healthz', '/v1/health']) latencies.push(await get(agent, env.warden.port, path));
      await new Promise((r) => setTimeout(r, POLL_GAP_MS));
    }
    const accepted = await done;
    await worker.terminate();
    if (accepted !== PUSHES * SAMPLES) throw new Error(`large pushes applied ${accepted} of ${PUSHES * SAMPLES} samples`);
    latencies.sort((a, b) => a - b);
    return { push_large_healthz_p99_ms: round(percentile(latencies, 99), 1), push_large_healthz_max_ms: round(latencies[latencies.length - 1] ?? NaN, 1), push_large_body_mb: round(bytes / 1e6, 1) };
  } finally {
    agent.destroy();
    await env.stop();
  }
}
