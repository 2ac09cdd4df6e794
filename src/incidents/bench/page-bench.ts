import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { percentile, round, startBenchWarden } from '../../bench/bench-env';
import { PagerDutySink } from './pagerduty-sink';

const RULES = `groups:
  - name: page-bench
    rules:
      - alert: BenchMatchingDown
        expr: bench_down > 0
        labels: {severity: P0, health: red}
        annotations: {summary: "bench page"}
`;

function push(agent: Agent, port: number, value: number, ts: number): Promise<number> {
  const body = JSON.stringify({ samples: [{ name: 'bench_down', labels: { component: 'matching-engine' }, value, timestamp: ts }] });
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v1/samples', method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

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
      if ((await push(agent, env.warden.port, 1, nextTs())) !== 200) throw new Error('push was not accepted');
      const trigger = await sink.next(from, (e) => e.action === 'trigger');
      latencies.push(trigger.atPerfMs - sent);
      if ((await push(agent, env.warden.port, 0, nextTs())) !== 200) throw new Error('push was not accepted');
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
