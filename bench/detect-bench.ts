import { Agent } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, percentile, round, startBenchWarden } from './bench-env';
import { DetectProbe, componentsYaml } from './detect-probe';

/**
 * Detection latency: from sending a push that crosses the 10 s replication-lag threshold (or back)
 * to the health transition event, with the shipped exchange rules, over HTTP on loopback.
 */
export async function benchDetect(iterations = 400): Promise<{ detect_p50_ms: number; detect_p99_ms: number; samples: number }> {
  const config = `${componentsYaml()}rules: [exchange.rules.yaml]\n`;
  const env = await startBenchWarden(config, { 'exchange.rules.yaml': readFileSync(join(REPO_ROOT, 'rules', 'exchange.rules.yaml'), 'utf8') });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const probe = new DetectProbe(env, agent);
  const latencies: number[] = [];
  try {
    await probe.prime();
    for (let i = 0; i < iterations; i++) latencies.push(await probe.measure(i % 2 === 0 ? 11 : 0.5));
  } finally {
    agent.destroy();
    await env.stop();
  }
  latencies.sort((a, b) => a - b);
  return { detect_p50_ms: round(percentile(latencies, 50)), detect_p99_ms: round(percentile(latencies, 99)), samples: latencies.length };
}
