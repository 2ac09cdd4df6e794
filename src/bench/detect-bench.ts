import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, percentile, pushSamples, round, startBenchWarden } from './bench-env';

const COMPONENTS = ['matching-engine', 'settlement', 'database', 'market-data', 'order-gateway', 'reporting'];

/**
 * Detection latency: from sending a push that crosses the 10 s replication-lag threshold (or back)
 * to the health transition event, with the shipped exchange rules, over HTTP on loopback.
 */
export async function benchDetect(iterations = 400): Promise<{ detect_p50_ms: number; detect_p99_ms: number; samples: number }> {
  const config = `components:\n${COMPONENTS.map((c, i) => `  - {name: ${c}, critical: ${i < 3}}`).join('\n')}\nrules: [exchange.rules.yaml]\n`;
  const env = await startBenchWarden(config, { 'exchange.rules.yaml': readFileSync(join(REPO_ROOT, 'rules', 'exchange.rules.yaml'), 'utf8') });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let ts = 0;
  // Current, strictly increasing timestamps: older than `staleness` would be no data at all.
  const next = () => (ts = Math.max(ts + 1, Date.now()));
  const body = (lag: number) => COMPONENTS.map((component) => ({ name: 'replication_lag_seconds', labels: { component }, value: component === 'database' ? lag : 0, timestamp: next() }));
  const latencies: number[] = [];
  try {
    await pushSamples(agent, env.warden.port, body(0));
    for (let i = 0; i < iterations; i++) {
      const lag = i % 2 === 0 ? 11 : 0.5;
      const transition = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no health transition within 5 s')), 5000);
        const on = (t: { component: string | null }) => {
          if (t.component !== 'database') return;
          env.warden.events.off('health', on);
          clearTimeout(timer);
          resolve(performance.now());
        };
        env.warden.events.on('health', on);
      });
      const sent = performance.now();
      const status = await pushSamples(agent, env.warden.port, body(lag));
      if (status !== 200) throw new Error(`push answered ${status}`);
      latencies.push((await transition) - sent);
    }
  } finally {
    agent.destroy();
    await env.stop();
  }
  latencies.sort((a, b) => a - b);
  return { detect_p50_ms: round(percentile(latencies, 50)), detect_p99_ms: round(percentile(latencies, 99)), samples: latencies.length };
}
