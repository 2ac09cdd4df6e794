import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Router } from 'express';
import type Redis from 'ioredis';
import { HealthTracker } from '../../../src/health/health-tracker';
import type { ComponentHealth, HealthSnapshot, HealthStatus } from '../../../src/health/health-types';
import { createApp } from '../../../src/http/app';
import { Authenticator, type TokenEntry } from '../../../src/http/auth';
import { consoleSnapshot } from '../../../src/http/console/console-snapshot';
import { consoleRoutes } from '../../../src/http/routes/console';
import { healthRoutes } from '../../../src/http/routes/health';
import { streamRoutes } from '../../../src/http/routes/stream';
import type { Alert } from '../../../src/rules/alert';
import { createMetricsRegistry } from '../../../src/telemetry/metrics-registry';
import { silentLogger } from '../../../src/telemetry/logger';
import { WardenEvents } from '../../../src/warden-events';
import { startRedis, type TestRedis } from '../../support/redis-server';

/** Warden's HTTP app with the console and stream routers, a real bus and a real tracker on Redis. */
export interface ConsoleHarness {
  readonly url: string;
  readonly events: WardenEvents;
  readonly tracker: HealthTracker;
  /** Active alerts the snapshot reports (the engine's role in a full Warden). */
  alerts: Alert[];
  /** Does what the evaluation loop does: tracker.update, await persistence, emit each transition. */
  publish(snapshot: HealthSnapshot): Promise<void>;
  /** Cuts every open connection (the server keeps listening), as a network blip would. */
  dropConnections(): void;
  stop(): Promise<void>;
}

export interface ConsoleHarnessOptions {
  tokens?: TokenEntry[];
  heartbeatMs?: number;
  snapshotIntervalMs?: number;
  maxBufferedBytes?: number;
  routers?: (deps: { auth: Authenticator; redis: Redis }) => Router[];
  trends?: Parameters<typeof consoleRoutes>[0]['trends'];
}

export async function startConsoleHarness(opts: ConsoleHarnessOptions = {}): Promise<ConsoleHarness & { redis: TestRedis }> {
  const redis = await startRedis();
  const log = silentLogger();
  const events = new WardenEvents();
  const tracker = new HealthTracker({ redis: redis.client(), prefix: `console-test`, log });
  const auth = new Authenticator(opts.tokens ?? []);
  const h = { alerts: [] as Alert[] };
  const app = createApp({
    log,
    registry: createMetricsRegistry({ defaultMetrics: false }),
    ready: () => ({ ready: true, checks: {} }),
    routers: [
      consoleRoutes({ auth, trends: opts.trends }),
      healthRoutes({ auth, tracker }),
      streamRoutes({ auth, events, snapshot: () => consoleSnapshot({ health: tracker.current, alerts: h.alerts }, Date.now()), heartbeatMs: opts.heartbeatMs, snapshotIntervalMs: opts.snapshotIntervalMs, maxBufferedBytes: opts.maxBufferedBytes, log }),
      ...(opts.routers?.({ auth, redis: redis.client() }) ?? []),
    ],
  });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(h, {
    url,
    events,
    tracker,
    redis,
    async publish(snapshot: HealthSnapshot) {
      const update = tracker.update(snapshot);
      await update.persisted;
      for (const t of update.transitions) events.emit('health', t);
    },
    dropConnections() {
      server.closeAllConnections();
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await redis.stop();
    },
  });
}

const COMPONENTS: Array<[string, boolean]> = [
  ['matching-engine', true], ['settlement', true], ['database', true],
  ['market-data', false], ['order-gateway', false], ['reporting', false],
];

/** The exchange's six components, all Green except those given, at `atMs`. */
export function exchangeHealth(atMs: number, overrides: Record<string, { status: HealthStatus; summary: string }> = {}, overall?: HealthStatus): HealthSnapshot {
  const components: ComponentHealth[] = COMPONENTS.map(([name, critical]) => {
    const o = overrides[name];
    return { name, critical, status: o?.status ?? 'green', reasons: o ? [{ kind: 'alert', status: o.status, component: name, alert: 'Test', summary: o.summary }] : [] };
  });
  const status = overall ?? components.reduce<HealthStatus>((w, c) => (c.status === 'red' && c.critical ? 'red' : c.status !== 'green' && w === 'green' ? 'yellow' : w), 'green');
  return { status, reasons: components.flatMap((c) => c.reasons), components, evaluatedAtMs: atMs };
}
