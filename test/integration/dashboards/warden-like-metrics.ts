import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { createMetricsRegistry } from '../../../src/telemetry/metrics-registry';

/**
 * Warden's /metrics contract (dashboards/README.md) served from a prom-client registry made the way
 * Warden makes its own (createMetricsRegistry: default metrics prefixed warden_). Stands in for a
 * running Warden until its /metrics carries every family; values move so rate() has data.
 */
export const WARDEN_DASHBOARD_METRICS = [
  'warden_component_health',
  'warden_overall_health',
  'warden_remediation_jobs_total',
  'warden_remediation_attempt_duration_seconds',
  'warden_remediation_budget_remaining',
  'warden_remediation_dry_runs_total',
  'warden_trading_halted',
  'warden_incidents',
  'warden_notification_duration_seconds',
  'warden_notifications_total',
  'warden_notify_breaker_state',
  'warden_silences_active',
] as const;

const COMPONENTS = ['matching-engine', 'settlement', 'database', 'market-data', 'order-gateway', 'reporting'];
const ACTIONS = ['restart', 'reap_connections', 'archive_logs', 'halt_trading'];
const CHANNELS = ['pagerduty', 'slack', 'email'];

function populate(registry: Registry): () => void {
  const reg = { registers: [registry] };
  const health = new Gauge({ name: 'warden_component_health', help: 'Component health: 0 green, 1 yellow, 2 red.', labelNames: ['component', 'critical'], ...reg });
  const overall = new Gauge({ name: 'warden_overall_health', help: 'Overall health: 0 green, 1 yellow, 2 red.', ...reg });
  const jobs = new Counter({ name: 'warden_remediation_jobs_total', help: 'Remediation jobs by action and outcome.', labelNames: ['action', 'outcome'], ...reg });
  const attempts = new Histogram({ name: 'warden_remediation_attempt_duration_seconds', help: 'Executor attempt duration.', labelNames: ['action'], buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10], ...reg });
  const budget = new Gauge({ name: 'warden_remediation_budget_remaining', help: 'Actions left in the window.', labelNames: ['rule', 'target'], ...reg });
  const dry = new Counter({ name: 'warden_remediation_dry_runs_total', help: 'Dry-run jobs.', labelNames: ['action'], ...reg });
  const halted = new Gauge({ name: 'warden_trading_halted', help: '1 while Warden has trading halted.', ...reg });
  const incidents = new Gauge({ name: 'warden_incidents', help: 'Incidents by severity and status.', labelNames: ['severity', 'status'], ...reg });
  const delivery = new Histogram({ name: 'warden_notification_duration_seconds', help: 'Delivery attempt duration.', labelNames: ['channel'], buckets: [0.01, 0.1, 1, 10], ...reg });
  const sent = new Counter({ name: 'warden_notifications_total', help: 'Deliveries by channel and outcome.', labelNames: ['channel', 'outcome'], ...reg });
  const breaker = new Gauge({ name: 'warden_notify_breaker_state', help: 'Breaker state: 0 closed, 1 half-open, 2 open.', labelNames: ['channel'], ...reg });
  const silences = new Gauge({ name: 'warden_silences_active', help: 'Active silences.', ...reg });

  COMPONENTS.forEach((c, i) => health.set({ component: c, critical: String(i < 3) }, i % 3));
  overall.set(1);
  halted.set(0);
  silences.set(1);
  CHANNELS.forEach((ch, i) => breaker.set({ channel: ch }, i));
  for (const sev of ['P0', 'P1', 'P2', 'P3']) for (const st of ['triggered', 'acknowledged', 'resolved']) incidents.set({ severity: sev, status: st }, 1);
  ACTIONS.forEach((a) => budget.set({ rule: `rule-${a}`, target: 'database' }, 3));
  let tick = 0;
  const timer = setInterval(() => {
    tick += 1;
    for (const a of ACTIONS) {
      jobs.inc({ action: a, outcome: tick % 4 === 0 ? 'failed' : 'succeeded' });
      attempts.observe({ action: a }, 0.02 * (1 + (tick % 5)));
      dry.inc({ action: a });
    }
    for (const ch of CHANNELS) {
      delivery.observe({ channel: ch }, 0.05 * (1 + (tick % 3)));
      sent.inc({ channel: ch, outcome: 'sent' });
    }
  }, 250);
  return () => clearInterval(timer);
}

export async function startWardenLikeMetrics(): Promise<{ target: string; url: string; stop(): Promise<void> }> {
  const registry = createMetricsRegistry();
  const stopActivity = populate(registry);
  const server: Server = createServer((_req, res) => {
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500).end(err.message),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address();
  const target = `127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return {
    target,
    url: `http://${target}/metrics`,
    async stop() {
      stopActivity();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
