import { Agent, request } from 'node:http';
import { Worker } from 'node:worker_threads';
import { percentile, round, startBenchWarden } from './bench-env';

const PUSHES = 8;
/** ~9 MB a batch (under the default 10 MiB max_body), over 64k series. */
const SAMPLES = 64_000;
/** 50 polls a second: sustainable on a loaded machine, dense enough to see a stall. */
const POLL_GAP_MS = 20;

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
    res.on('error', reject);
    res.on('data', (d) => (text += d));
    res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error('push answered ' + res.statusCode + ': ' + text))));
  });
  req.on('error', reject);
  req.end(b);
});
(async () => {
  const bodies = Array.from({ length: pushes }, (_, r) => body(r));
  parentPort.postMessage({ built: true, bytes: bodies[0].length });
  await new Promise((r) => setTimeout(r, 200));
  let accepted = 0;
  for (const b of bodies) accepted += (await post(b)).accepted;
  agent.destroy();
  parentPort.postMessage({ done: true, accepted });
})().catch((err) => parentPort.postMessage({ error: String(err) }));
`;

/**
 * One poll. A keep-alive socket the server closed as idle just as it was reused fails with
 * ECONNRESET (Node documents `reusedSocket` for this race): retried at once on a new socket, its
 * latency still counted from when the poll was due. Any other failure fails the bench.
 */
function get(agent: Agent, port: number, path: string, retried = false): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.on('error', reject);
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${path} answered ${res.statusCode}`))));
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (!retried && req.reusedSocket && err.code === 'ECONNRESET') get(agent, port, path, true).then(resolve, reject);
      else reject(err);
    });
    req.end();
  });
}

/** p99 of /healthz and /v1/health while ~9 MB batches are pushed back to back (issue 9 part 8: < 50 ms). */
export async function benchLargePush(): Promise<Record<string, number>> {
  const env = await startBenchWarden('components: [{name: c0, critical: true}]\n');
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  try {
    const worker = new Worker(PUSHER, { eval: true, workerData: { port: env.warden.port, pushes: PUSHES, samples: SAMPLES, startMs: Date.now() - 3_600_000 } });
    const latencies: number[] = [];
    let bytes = 0;
    let builtSignal: () => void = () => undefined;
    const built = new Promise<void>((r) => (builtSignal = r));
    const done = new Promise<number>((resolve, reject) => {
      worker.on('message', (m: { built?: boolean; bytes?: number; done?: boolean; accepted?: number; error?: string }) => {
        if (m.built) {
          bytes = m.bytes ?? 0;
          builtSignal();
        }
        if (m.done) resolve(m.accepted ?? 0);
        if (m.error) reject(new Error(m.error));
      });
      worker.once('error', reject);
    });
    let finished = false;
    void done.finally(() => (finished = true)).catch(() => undefined);
    // Polls start once the bodies are built: the pusher's JSON work is not the server's.
    await Promise.race([built, done]);
    // Open loop: a poll is sent every POLL_GAP_MS whether or not the last one answered, and its
    // latency counts from when it was due, so a stalled event loop shows in full (no coordinated omission).
    const t0 = performance.now();
    const polls: Array<Promise<void>> = [];
    let pollError: unknown;
    for (let k = 0; !finished; k++) {
      const due = t0 + k * POLL_GAP_MS;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      // A failed poll is kept, not left unhandled until the loop ends (that would crash the run).
      polls.push(get(agent, env.warden.port, k % 2 === 0 ? '/healthz' : '/v1/health').then(() => void latencies.push(performance.now() - due), (err: unknown) => void (pollError ??= err)));
    }
    await Promise.all(polls);
    if (pollError !== undefined) throw pollError;
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
