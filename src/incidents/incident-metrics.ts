import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Channel } from '../notify/notifier';
import { SEVERITIES, type Incident } from './incident';

/**
 * warden_incidents{severity,status}: open incidents (triggered, acknowledged) right now;
 * warden_incidents_resolved_total{severity}; warden_silences_active;
 * warden_notification_latency_seconds{channel}: dispatcher decision -> channel accepted (retries included);
 * warden_notifications_muted_total{reason}: flushes that sent nothing because of a silence or an inhibition.
 */
export class IncidentMetrics {
  readonly #resolved: Counter<'severity'>;
  readonly #latency: Histogram<'channel'>;
  readonly #muted: Counter<'reason'>;

  constructor(registry: Registry, sources: { openIncidents: () => Iterable<Incident>; activeSilences: () => number }) {
    new Gauge({
      name: 'warden_incidents',
      help: 'Open incidents by severity and status (P3 included: dashboard only, spec §11.3).',
      labelNames: ['severity', 'status'],
      registers: [registry],
      collect() {
        this.reset();
        for (const s of SEVERITIES) for (const status of ['triggered', 'acknowledged']) this.set({ severity: s, status }, 0);
        for (const inc of sources.openIncidents()) this.inc({ severity: inc.severity, status: inc.status });
      },
    });
    new Gauge({
      name: 'warden_silences_active',
      help: 'Silences in force now.',
      registers: [registry],
      collect() {
        this.set(sources.activeSilences());
      },
    });
    this.#resolved = new Counter({ name: 'warden_incidents_resolved_total', help: 'Incidents resolved, by severity.', labelNames: ['severity'], registers: [registry] });
    // At 0 from the start, so the first resolution shows in increase() (dashboards/README.md).
    for (const severity of SEVERITIES) this.#resolved.inc({ severity }, 0);
    this.#latency = new Histogram({
      name: 'warden_notification_latency_seconds',
      help: 'From the dispatcher queueing a notification to the channel accepting it, retries included.',
      labelNames: ['channel'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
    this.#muted = new Counter({ name: 'warden_notifications_muted_total', help: 'Flushes that notified nobody because every alert was silenced, inhibited or in a maintenance window.', labelNames: ['reason'], registers: [registry] });
  }

  resolved(inc: Incident): void {
    this.#resolved.inc({ severity: inc.severity });
  }

  delivered(channel: Channel, latencyMs: number): void {
    this.#latency.observe({ channel }, latencyMs / 1000);
  }

  muted(reason: 'silenced' | 'inhibited' | 'maintenance'): void {
    this.#muted.inc({ reason });
  }
}
