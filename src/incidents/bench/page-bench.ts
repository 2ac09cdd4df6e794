import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { percentile, pushSamples, round, startBenchWarden } from '../../bench/bench-env';
import { PagerDutySink } from './pagerduty-sink';

const RULES = `groups:
  - name: page-bench
    rules:
      - alert: BenchMatchingDown
        expr: bench_down > 0
        labels: {severity: P0, health: red}
        annotations: {summary: "bench page"}
`;

/**
 * page_p99_ms (issue 5 §5): from sending a sample that makes a P0 alert fire to the PagerDuty
 * trigger arriving at a local Events API server, through HTTP ingest, rules, incidents, the
 * durable queue, the breaker and pdjs. Each iteration resolves the page before the next fires.
 */
export async function benchPage(iterations = 200): Promise<{ page_p50_ms: number; page_p99_ms: number; pages: number }> {
  const sink = await PagerDutySink.start();
  const caDir = mkdtempSync(join(tmpdir(), 'warden-page-bench-'));
  const caFile = join(caDir, 'pd-ca.pem');
  writeFileSync(caFile, sink.caPem);
  const config = `components:\n  - {name: matching-engine, critical: true}\nrules: [page.rules.yaml]\nnotify:\n  receivers:\n    - name: oncall\n      pagerduty_configs: [{routing_key: "${'b'.repeat(32)}", url: "${sink.url}", tls_ca_file: "${caFile}"}]\n`;
  const env = await startBenchWarden(config, { 'page.rules.yaml': RULES }).catch(async (err: unknown) => {
    await sink.stop();
    throw err;
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  let ts = Date.now();
  const nextTs = () => (ts = Math.max(ts + 1, Date.now()));
  try {
    for (let i = 0; i < iterations; i++) {
      const from = sink.events.length;
      const sent = performance.now();
      if ((await pushSamples(agent, env.warden.port, [{ name: 'bench_down', labels: { component: 'matching-engine' }, value: 1, timestamp: nextTs() }])) !== 200) throw new Error('push was not accepted');
      const trigger = await sink.next(from, (e) => e.action === 'trigger');
      latencies.push(trigger.atPerfMs - sent);
      if ((await pushSamples(agent, env.warden.port, [{ name: 'bench_down', labels: { component: 'matching-engine' }, value: 0, timestamp: nextTs() }])) !== 200) throw new Error('push was not accepted');
      await sink.next(from, (e) => e.action === 'resolve' && e.dedupKey === trigger.dedupKey);
    }
  } finally {
    agent.destroy();
    await env.stop();
    await sink.stop();
    rmSync(caDir, { recursive: true, force: true });
  }
  latencies.sort((a, b) => a - b);
  return { page_p50_ms: round(percentile(latencies, 50)), page_p99_ms: round(percentile(latencies, 99)), pages: latencies.length };
}
