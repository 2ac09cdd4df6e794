import express, { type Router } from 'express';
import type { Authenticator } from '../auth';
import type { CircuitBreaker } from '../../notify/circuit-breaker';
import { CHANNELS, type Channel, type Notifier } from '../../notify/notifier';

export interface ChannelRouteDeps {
  auth: Authenticator;
  /** One breaker per channel (spec §3.2). */
  breakers: ReadonlyMap<Channel, CircuitBreaker>;
  notifiers: readonly Notifier[];
}

/** GET /v1/channels: each channel's breaker state and the receivers that use it (issue 5 §4). */
export function channelRoutes(deps: ChannelRouteDeps): Router {
  const router = express.Router();
  router.get('/v1/channels', deps.auth.require('read'), (_req, res) => {
    const channels = CHANNELS.map((channel) => {
      const breaker = deps.breakers.get(channel);
      const receivers = [...new Set(deps.notifiers.filter((n) => n.channel === channel).map((n) => n.receiver))];
      return { channel, configured: receivers.length > 0, receivers, breaker: breaker ? { state: breaker.state, retryAfterMs: breaker.retryAfterMs() } : null };
    });
    res.json({ channels });
  });
  return router;
}
