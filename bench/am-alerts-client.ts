import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

/**
 * The load generator of the Alertmanager API benchmark, in its own thread (as Prometheus is its own
 * process): postableAlerts bodies of 64 alerts (Prometheus' notifier batch size) built before the
 * clock starts, then sent over `connections` connections.
 */
export interface AmAlertsJob {
  port: number;
  alerts: number;
  /** Rounds that re-send every alert (Prometheus re-sends firing alerts every resend_delay). */
  rounds: number;
  batch: number;
  connections: number;
}

function buildBodies(job: AmAlertsJob, round: number): Buffer[] {
  const bodies: Buffer[] = [];
  const startsAt = new Date(Date.now() - 60_000).toISOString();
  // Prometheus sends endsAt = now + 4 x resend-delay: still firing for the whole run.
  const endsAt = new Date(Date.now() + 10 * 60_000 + round).toISOString();
  for (let from = 0; from < job.alerts; from += job.batch) {
    const alerts = [];
    for (let n = from; n < Math.min(job.alerts, from + job.batch); n++) {
      alerts.push({
        labels: { alertname: `BenchAlert${n % 20}`, component: `c${n % 50}`, instance: `i${n}`, job: 'bench', severity: 'P3', health: 'yellow' },
        annotations: { summary: `bench alert ${n}` },
        startsAt,
        endsAt,
        generatorURL: `http://prometheus.example:9090/graph?g0.expr=bench_${n % 20}`,
      });
    }
    bodies.push(Buffer.from(JSON.stringify(alerts)));
  }
  return bodies;
}

function post(agent: Agent, port: number, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/v2/alerts', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`POST /api/v2/alerts answered ${res.statusCode}: ${text}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function send(agent: Agent, job: AmAlertsJob, bodies: Buffer[]): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: job.connections }, async () => {
    while (next < bodies.length) await post(agent, job.port, bodies[next++] as Buffer);
  }));
}

async function timed(agent: Agent, job: AmAlertsJob, bodies: Buffer[]): Promise<number> {
  const t0 = process.hrtime.bigint();
  await send(agent, job, bodies);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function run(job: AmAlertsJob): Promise<{ newSeconds: number; resendSeconds: number; resent: number }> {
  // Bodies first (an idle keep-alive socket would be closed under the client while they are built).
  const first = buildBodies(job, 0);
  const resends: Buffer[] = [];
  for (let r = 1; r <= job.rounds; r++) resends.push(...buildBodies(job, r));
  const agent = new Agent({ keepAlive: true, maxSockets: job.connections });
  // First round: every alert is new (fires, joins incidents). Then the steady state: re-sends.
  const newSeconds = await timed(agent, job, first);
  const resendSeconds = await timed(agent, job, resends);
  agent.destroy();
  return { newSeconds, resendSeconds, resent: job.rounds * job.alerts };
}

if (parentPort) {
  run(workerData as AmAlertsJob).then(
    (r) => parentPort?.postMessage({ ok: true, ...r }),
    (err: unknown) => parentPort?.postMessage({ ok: false, error: String(err) }),
  );
}
