import { CircuitBreaker, type BreakerStateChange } from './circuit-breaker';
import { CHANNELS, type Channel } from './notifier';
import type { NotifyMetrics } from './notify-metrics';

export type ChannelBreakers = ReadonlyMap<Channel, CircuitBreaker>;

/**
 * One breaker per channel (issue 5 §4), shared by every receiver of that channel: PagerDuty being
 * down is one outage, however many routing keys point at it. Spec §3.2's numbers are the defaults.
 */
export function createChannelBreakers(opts: {
  clock?: () => number;
  metrics?: NotifyMetrics;
  /** For the audit log / event bus; must not throw. */
  onStateChange?: (change: BreakerStateChange) => void;
} = {}): ChannelBreakers {
  const breakers = new Map<Channel, CircuitBreaker>();
  for (const channel of CHANNELS) {
    const breaker = new CircuitBreaker({ name: channel, ...(opts.clock ? { clock: opts.clock } : {}) });
    opts.metrics?.watchBreaker(channel, breaker);
    if (opts.onStateChange) breaker.on('stateChange', opts.onStateChange);
    breakers.set(channel, breaker);
  }
  return breakers;
}

export interface ChannelStatus {
  channel: Channel;
  state: 'closed' | 'half-open' | 'open';
  /** Until an open breaker lets a trial through; 0 otherwise. */
  retryAfterMs: number;
}

/** What `GET /v1/channels` shows: each channel's breaker, in a fixed order. */
export function channelStatuses(breakers: ChannelBreakers): ChannelStatus[] {
  return CHANNELS.flatMap((channel) => {
    const breaker = breakers.get(channel);
    return breaker ? [{ channel, state: breaker.state, retryAfterMs: breaker.retryAfterMs() }] : [];
  });
}
