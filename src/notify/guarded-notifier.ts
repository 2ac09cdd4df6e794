import { isTransient } from '../errors';
import { isBreakerOpen, type CircuitBreaker } from './circuit-breaker';
import type { NotifyMetrics, DeliveryOutcome } from './notify-metrics';
import type { Channel, DeliveryResult, Notification, Notifier, Transition } from './notifier';

/**
 * A notifier behind its channel's circuit breaker, with metrics (issue 5 §4). Same contract as the
 * notifier it wraps: it throws BreakerOpenError (a TransientError with `retryAfterMs`) while the
 * channel's breaker is open, so the queue can delay the job or fall back to other channels.
 */
export class GuardedNotifier implements Notifier {
  readonly channel: Channel;
  readonly receiver: string;
  readonly index: number;
  readonly inner: Notifier;
  readonly breaker: CircuitBreaker;
  readonly #metrics: NotifyMetrics | undefined;
  readonly #clock: () => number;

  constructor(inner: Notifier, breaker: CircuitBreaker, opts: { metrics?: NotifyMetrics; clock?: () => number } = {}) {
    this.inner = inner;
    this.channel = inner.channel;
    this.receiver = inner.receiver;
    this.index = inner.index ?? 0;
    this.breaker = breaker;
    this.#metrics = opts.metrics;
    this.#clock = opts.clock ?? Date.now;
  }

  sends(transition: Transition): boolean {
    return this.inner.sends?.(transition) ?? true;
  }

  async send(n: Notification, signal: AbortSignal): Promise<DeliveryResult> {
    const startedMs = this.#clock();
    let ran = false;
    try {
      const result = await this.breaker.execute(() => {
        ran = true;
        return this.inner.send(n, signal);
      });
      this.#record('success', startedMs);
      return result;
    } catch (err) {
      this.#record(outcomeOf(err), ran ? startedMs : undefined);
      throw err;
    }
  }

  #record(outcome: DeliveryOutcome, startedMs: number | undefined): void {
    this.#metrics?.recordAttempt(this.channel, outcome, startedMs === undefined ? undefined : this.#clock() - startedMs);
  }
}

function outcomeOf(err: unknown): DeliveryOutcome {
  if (isBreakerOpen(err)) return 'breaker_open';
  return isTransient(err) ? 'transient_error' : 'permanent_error';
}
