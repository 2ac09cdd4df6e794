import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { BREAKER_STATE_VALUE, type CircuitBreaker } from './circuit-breaker';
import { CHANNELS, type Channel } from './notifier';

/** How one delivery attempt ended, as the `outcome` label. */
export const DELIVERY_OUTCOMES = ['success', 'transient_error', 'permanent_error', 'breaker_open'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

/**
 * Delivery metrics on an injected registry (one per Warden instance):
 * warden_notify_breaker_state{channel} 0 closed / 1 half-open / 2 open (issue 5 §4),
 * warden_notifications_total{channel,outcome}, warden_notification_duration_seconds{channel}.
 */
export class NotifyMetrics {
  readonly #breakerState: Gauge<'channel'>;
  readonly #notifications: Counter<'channel' | 'outcome'>;
  readonly #duration: Histogram<'channel'>;

  constructor(registry: Registry) {
    this.#breakerState = new Gauge({
      name: 'warden_notify_breaker_state',
      help: 'Circuit breaker state per notification channel: 0 closed, 1 half-open, 2 open (spec §3.2).',
      labelNames: ['channel'],
      registers: [registry],
    });
    this.#notifications = new Counter({
      name: 'warden_notifications_total',
      help: 'Notification delivery attempts by channel and outcome.',
      labelNames: ['channel', 'outcome'],
      registers: [registry],
    });
    this.#duration = new Histogram({
      name: 'warden_notification_duration_seconds',
      help: 'Time one delivery attempt took, by channel (breaker rejections excluded).',
      labelNames: ['channel'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    // Every series exported at 0 from the start: one that appears with its first delivery hides
    // that delivery from increase()/rate() on the Paging dashboard (dashboards/README.md).
    for (const channel of CHANNELS) {
      for (const outcome of DELIVERY_OUTCOMES) this.#notifications.inc({ channel, outcome }, 0);
      this.#duration.zero({ channel });
    }
  }

  /** Keeps the gauge equal to the breaker's state from now on (sets it at once, then on every change). */
  watchBreaker(channel: Channel, breaker: CircuitBreaker): void {
    this.#breakerState.set({ channel }, BREAKER_STATE_VALUE[breaker.state]);
    breaker.on('stateChange', (change) => this.#breakerState.set({ channel }, BREAKER_STATE_VALUE[change.to]));
  }

  recordAttempt(channel: Channel, outcome: DeliveryOutcome, durationMs?: number): void {
    this.#notifications.inc({ channel, outcome });
    if (durationMs !== undefined) this.#duration.observe({ channel }, durationMs / 1000);
  }
}
