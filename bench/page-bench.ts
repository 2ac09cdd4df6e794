import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { percentile, pushSamples, round, startBenchWarden } from './bench-env';
import type { Queue } from 'bullmq';
import type { DeliveryJobData } from '../src/incidents/delivery-queue';
import { FakePagerDuty } from '../test/support/fake-pagerduty';

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
export async function benchPage(iterations = 200, o: { breakdown?: boolean } = {}): Promise<{ page_p50_ms: number; page_p99_ms: number; pages: number } & Record<string, number>> {
  const sink = await FakePagerDuty.start();
  const caDir = mkdtempSync(join(tmpdir(), 'warden-page-bench-'));
  const caFile = join(caDir, 'pd-ca.pem');
  writeFileSync(caFile, sink.cert.certPem);
  const config = `components:\n  - {name: matching-engine, critical: true}\nrules: [page.rules.yaml]\nnotify:\n  receivers:\n    - name: oncall\n      pagerduty_configs: [{routing_key: "${'b'.repeat(32)}", url: "${sink.url}", tls_ca_file: "${caFile}"}]\n`;
  const env = await startBenchWarden(config, { 'page.rules.yaml': RULES }).catch(async (err: unknown) => {
    await sink.stop();
    throw err;
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const breakdown: Record<string, number> = {};
  const latencies: number[] = [];
  const marks: Array<{ sent: number; alert?: number; arrived: number; incidentId?: string }> = [];
  let alertAt: { at: number; incidentId?: string } | undefined;
  const onAlert = (t: { to: string }) => {
    if (t.to === 'firing') alertAt = { at: performance.now() };
  };
  env.warden.events.on('alert', onAlert);
  let ts = Date.now();
  const nextTs = () => (ts = Math.max(ts + 1, Date.now()));
  try {
    for (let i = 0; i < iterations; i++) {
      const from = sink.events.length;
      const sent = performance.now();
      if ((await pushSamples(agent, env.warden.port, [{ name: 'bench_down', labels: { component: 'matching-engine' }, value: 1, timestamp: nextTs() }])) !== 200) throw new Error('push was not accepted');
      const trigger = await sink.waitFor((e) => e.status === 202 && e.body.event_action === 'trigger', from);
      latencies.push(trigger.receivedAtPerfMs - sent);
      marks.push({ sent, alert: alertAt?.at, arrived: trigger.receivedAtPerfMs });
      alertAt = undefined;
      if ((await pushSamples(agent, env.warden.port, [{ name: 'bench_down', labels: { component: 'matching-engine' }, value: 0, timestamp: nextTs() }])) !== 200) throw new Error('push was not accepted');
      await sink.waitFor((e) => e.status === 202 && e.body.event_action === 'resolve' && e.body.dedup_key === trigger.body.dedup_key, from);
    }
    if (o.breakdown) Object.assign(breakdown, await pagePathBreakdown(env.warden.incidents.queue.queue, marks));
  } finally {
    env.warden.events.off('alert', onAlert);
    agent.destroy();
    await env.stop();
    await sink.stop();
    rmSync(caDir, { recursive: true, force: true });
  }
  latencies.sort((a, b) => a - b);
  return { page_p50_ms: round(percentile(latencies, 50)), page_p99_ms: round(percentile(latencies, 99)), pages: latencies.length, ...breakdown };
}

/**
 * Where a page's time goes (issue 10 §4), medians and p99s per stage: push -> alert event
 * (detection), alert -> job added to BullMQ (incident written, job enqueued), added -> taken by
 * the worker, taken -> request at the sink (nflog check, the channel's client and its TLS).
 * BullMQ stamps jobs in whole milliseconds of Date.now(), so the middle stages are +-1 ms.
 */
async function pagePathBreakdown(queue: Queue<DeliveryJobData>, marks: ReadonlyArray<{ sent: number; alert?: number; arrived: number }>): Promise<Record<string, number>> {
  const jobs = (await queue.getCompleted(0, -1)).filter((j) => j.data.notification.transition === 'trigger').sort((a, b) => a.timestamp - b.timestamp);
  const toPerf = (epochMs: number) => epochMs - performance.timeOrigin;
  const stages: Record<string, number[]> = { detect: [], enqueue: [], pickup: [], deliver: [] };
  marks.forEach((m, i) => {
    const job = jobs[i];
    if (!job || m.alert === undefined || job.processedOn === undefined) return;
    stages.detect?.push(m.alert - m.sent);
    stages.enqueue?.push(toPerf(job.timestamp) - m.alert);
    stages.pickup?.push(job.processedOn - job.timestamp);
    stages.deliver?.push(m.arrived - toPerf(job.processedOn));
  });
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(stages)) {
    v.sort((a, b) => a - b);
    out[`page_${k}_p50_ms`] = round(percentile(v, 50), 2);
    out[`page_${k}_p99_ms`] = round(percentile(v, 99), 2);
  }
  return out;
}
