import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { startBenchWarden } from './bench-env';
import type { AmAlertsJob } from './am-alerts-client';

const ALERTS = 10_000;
/** Prometheus' notifier sends at most 64 alerts per POST (notifier.maxBatchSize). */
const BATCH = 64;
const ROUNDS = 10;
const CONNECTIONS = 4;

/**
 * am_alerts_per_s (issue 15): POST /api/v2/alerts, 10,000 distinct firing alerts in batches of 64
 * over four connections (two Prometheus HA pairs), each batch validated, applied and written to
 * Redis before its 200. The figure is the steady state Prometheus produces (every firing alert
 * re-sent each resend_delay, endsAt moved on); `am_new_alerts_per_s`, the first round where every
 * alert is new and fires into incidents, is printed beside it.
 */
export async function benchAmAlerts(): Promise<{ am_alerts_per_s: number; am_new_alerts_per_s: number }> {
  const env = await startBenchWarden('notify:\n  route: {group_by: [alertname]}\n');
  try {
    const job: AmAlertsJob = { port: env.warden.port, alerts: ALERTS, rounds: ROUNDS, batch: BATCH, connections: CONNECTIONS };
    const result = await new Promise<{ ok: boolean; error?: string; newSeconds: number; resendSeconds: number; resent: number }>((resolve, reject) => {
      const worker = new Worker(join(__dirname, 'am-alerts-client.js'), { workerData: job });
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (!result.ok) throw new Error(result.error);
    const metric = await env.warden.registry.getSingleMetric('warden_alertmanager_alerts_received_total')?.get();
    const accepted = metric?.values.find((v) => v.labels.outcome === 'accepted')?.value ?? 0;
    if (accepted !== ALERTS * (ROUNDS + 1)) throw new Error(`${accepted} of ${ALERTS * (ROUNDS + 1)} alerts were accepted: the benchmark would overstate throughput`);
    return { am_alerts_per_s: Math.round(result.resent / result.resendSeconds), am_new_alerts_per_s: Math.round(ALERTS / result.newSeconds) };
  } finally {
    await env.stop();
  }
}
