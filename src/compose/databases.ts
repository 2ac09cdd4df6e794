import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/audit-log';
import type { WardenConfig } from '../config/schema';
import { DatabaseFailoverState } from '../remediate/database-failover-state';
import { ClusterObserver } from '../remediate/executors/failover/cluster-observer';
import type { DatabaseClusterConfig } from '../config/database-cluster-schema';
import type { DatabaseDriver } from '../remediate/executors/failover/database-driver';
import type { FailoverCluster, FailoverDatabaseOptions } from '../remediate/executors/failover/failover-database';
import { PatroniDriver } from '../remediate/executors/failover/patroni-driver';
import { PostgresDriver } from '../remediate/executors/failover/postgres-driver';
import { TIMEOUTS_MS } from '../remediate/attempt-deadline';
import { probeEvidence } from '../remediate/probe-evidence';
import type { SignalStore } from '../signals/signal-store';

export interface DatabasesDeps {
  config: WardenConfig;
  redis: Redis;
  audit: AuditLog;
  store: SignalStore;
  log: Logger;
  clock: () => number;
}

export interface Databases {
  /** For createExecutors: what failover_database acts on. */
  readonly executor: Omit<FailoverDatabaseOptions, 'exchangeAdminUrl' | 'clock'>;
  /** Cluster names: targets a failover_database rule may name (besides components). */
  readonly clusterNames: readonly string[];
  start(): Promise<void>;
  stop(): void;
}

function driverFor(c: DatabaseClusterConfig): DatabaseDriver {
  if (c.driver === 'postgres') {
    return new PostgresDriver({
      urls: new Map(c.nodes.map((n) => [n.name, n.url as string])),
      connectTimeoutMs: c.connect_timeout,
      promoteTimeoutMs: c.promote_timeout,
      queryTimeoutMs: TIMEOUTS_MS.database,
      checkTable: c.check_table,
      synchronousModeStrict: c.synchronous_mode_strict,
    });
  }
  return new PatroniDriver({ apis: new Map(c.nodes.map((n) => [n.name, n.api_url as string])), auth: c.api_auth, connectTimeoutMs: c.connect_timeout, promoteTimeoutMs: c.promote_timeout });
}

/**
 * Issue 14 §3's database clusters: a driver per cluster, the failover record in Redis, the observer
 * that publishes which node Warden believes is the primary, and the probe evidence the action's
 * fencing reads. Warden's derived series go into the signal store as configuration (isData false),
 * like warden_component_critical.
 */
export function createDatabases(d: DatabasesDeps): Databases {
  const configs = d.config.remediation.executors.databases;
  const log = d.log.child({ stage: 'databases' });
  const state = new DatabaseFailoverState(d.redis, d.config.redis.prefix);
  const clusters = new Map<string, FailoverCluster>();
  for (const c of configs) clusters.set(c.name, { name: c.name, nodes: c.nodes.map((n) => n.name), driver: driverFor(c), maxReplayLagBytes: c.max_replay_lag });
  const probeMaxAge = new Map(d.config.components.map((c) => [c.name, c.probe ? c.probe.interval + c.probe.timeout + 1000 : 0]));
  const observer = new ClusterObserver({
    clusters: configs.map((c) => ({ name: c.name, nodes: c.nodes.map((n) => n.name), driver: (clusters.get(c.name) as FailoverCluster).driver, observeIntervalMs: c.observe_interval })),
    state,
    audit: d.audit,
    publish: (name, labels, value, ts) => void d.store.appendRaw(name, labels, value, ts, false),
    publishIntervalMs: d.config.evaluation_interval,
    log,
    clock: d.clock,
  });
  return {
    executor: { clusters, state, audit: d.audit, probes: probeEvidence(d.store, d.clock, (c) => probeMaxAge.get(c) ?? 0), onRecordChanged: (c) => observer.refresh(c) },
    clusterNames: configs.map((c) => c.name),
    start: () => (configs.length > 0 ? observer.start() : Promise.resolve()),
    stop: () => observer.stop(),
  };
}
