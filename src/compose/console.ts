import type { Router } from 'express';
import type { WardenConfig } from '../config/schema';
import type { Authenticator } from '../http/auth';
import { consoleRoutes } from '../http/routes/console';
import { ComponentTrends } from '../signals/component-trends';
import type { SignalStore } from '../signals/signal-store';

export interface OperatorConsole {
  readonly routers: Router[];
  stop(): void;
}

/** Issue 13 §4: the console page, who-am-I for its token, and the trend sampler behind its sparklines. */
export function startConsole(d: { config: WardenConfig; store: SignalStore; auth: Authenticator; clock: () => number }): OperatorConsole {
  const trends = new ComponentTrends({ store: d.store, components: d.config.components.map((c) => c.name) });
  // One sample per evaluation: the trend sees what the rules saw.
  const timer = setInterval(() => trends.sample(d.clock()), d.config.evaluation_interval);
  timer.unref();
  trends.sample(d.clock());
  return { routers: [consoleRoutes({ auth: d.auth, trends })], stop: () => clearInterval(timer) };
}
