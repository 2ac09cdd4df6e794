import { createServer, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { percentile, pushSamples, round, startBenchWarden } from './bench-env';

/** A service admin endpoint that records when each restart request arrives. */
function adminServer(onRestart: (target: string, atMs: number) => void): Promise<Server> {
  const server = createServer((req, res) => {
    const target = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
    onRestart(target, performance.now());
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/**
 * remediate_p99_ms (issue 4 §5): from sending a sample that makes a remediation's alert fire to the
 * restart executor's request reaching the service's admin endpoint — through HTTP ingest, rules,
 * the BullMQ job, the lease/cooldown/budget checks and the audit of every step. Each iteration
 * uses a new target, so cooldowns never interfere.
 */
export async function benchRemediate(iterations = 200): Promise<{ remediate_p50_ms: number; remediate_p99_ms: number; remediations: number }> {
  const arrived = new Map<string, number>();
  const waiters = new Map<string, (atMs: number) => void>();
  const admin = await adminServer((target, atMs) => {
    arrived.set(target, atMs);
    waiters.get(target)?.(atMs);
  });
  const adminUrl = `http://127.0.0.1:${(admin.address() as AddressInfo).port}/restart/{{target}}`;
  const rules = `groups:
  - name: bench
    rules:
      - {alert: BenchMemory, expr: bench_mem > 0.8, labels: {severity: P3, health: yellow}}
remediations:
  - name: bench-restart
    on: {alert: BenchMemory}
    action: restart
    target: "{{ $labels.component }}"
    targets: ["svc-[0-9]+"]
    params: {driver: http, url: "${adminUrl}"}
    max_per_window: {count: 100000, window: 1h}
`;
  const env = await startBenchWarden('components: []\nrules: [bench.rules.yaml]\n', { 'bench.rules.yaml': rules });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  let ts = Date.now();
  const next = () => (ts = Math.max(ts + 1, Date.now()));
  try {
    for (let i = 0; i < iterations; i++) {
      const target = `svc-${i}`;
      const reached = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`restart of ${target} never arrived`)), 10_000);
        waiters.set(target, (atMs) => {
          clearTimeout(timer);
          resolve(atMs);
        });
      });
      const sent = performance.now();
      if ((await pushSamples(agent, env.warden.port, [{ name: 'bench_mem', labels: { component: target }, value: 0.95, timestamp: next() }])) !== 200) throw new Error('push was not accepted');
      latencies.push((await reached) - sent);
      waiters.delete(target);
    }
  } finally {
    agent.destroy();
    await env.stop();
    await new Promise((r) => admin.close(r));
  }
  latencies.sort((a, b) => a - b);
  return { remediate_p50_ms: round(percentile(latencies, 50)), remediate_p99_ms: round(percentile(latencies, 99)), remediations: latencies.length };
}
