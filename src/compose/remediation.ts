import type Redis from 'ioredis';
import type { Router } from 'express';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import type { AuditLog } from '../audit/audit-log';
import type { WardenConfig } from '../config/schema';
import type { Authenticator } from '../http/auth';
import { remediationRoutes } from '../http/routes/remediations';
import { approvalRoutes } from '../http/routes/remediation-approvals';
import type { MaintenanceHolds } from '../remediate/maintenance-hold';
import { tradingRoutes } from '../http/routes/trading';
import type { Escalator } from '../remediate/escalator';
import { createExecutors } from '../remediate/executors/create-executors';
import { executorsOptionsFromConfig } from '../remediate/executors/executors-config';
import { promqlVerifyCheck } from '../remediate/promql-verify-check';
import { RemediationService } from '../remediate/remediation-service';
import { TradingState } from '../remediate/trading-state';
import type { LoadedRemediation } from '../rules/load-rules';
import type { SignalStore } from '../signals/signal-store';
import type { JournalSink } from '../runtime/outbox-journal';
import type { WardenEvents } from '../warden-events';
import { createDatabases } from './databases';
import type { EpisodeAgreement, LeaderGate } from '../cluster/leader-gate';

export interface RemediationDeps {
  config: WardenConfig;
  redisUrl: string;
  redis: Redis;
  auth: Authenticator;
  audit: AuditLog;
  escalator: Escalator;
  events: WardenEvents;
  store: SignalStore;
  /** The rule engine's view: is this firing episode of the alert still firing? */
  stillFiring: (alert: { fingerprint: string; firedAtMs: number }) => boolean;
  /** Restored after a restart and not yet re-evaluated on fresh data (such a job waits). */
  awaitingRestore?: (alert: { fingerprint: string; firedAtMs: number }) => boolean;
  registry: Registry;
  log: Logger;
  clock: () => number;
  /** Why Redis is known not to answer, or undefined while it does (RedisHealth). */
  redisDown?: () => string | undefined;
  journal?: JournalSink;
  /** Maintenance windows hold matching jobs (issue 13 §3). */
  maintenance?: MaintenanceHolds;
  /** Issue 12: the leader gate and agreed episode starts (unset: a lone Warden, always leader). */
  cluster?: { leader: LeaderGate; episodes: EpisodeAgreement };
}

export interface Remediation {
  readonly service: RemediationService;
  readonly trading: TradingState;
  readonly routers: Router[];
  replaceRules(remediations: readonly LoadedRemediation[]): void;
  stop(): Promise<void>;
}

/** Issue 4's stages: firing alerts -> BullMQ jobs -> safety checks -> executors, all audited. */
export async function startRemediation(d: RemediationDeps): Promise<Remediation> {
  const log = d.log.child({ stage: 'remediate' });
  const { config } = d;
  const trading = new TradingState({ redis: d.redis, prefix: config.redis.prefix, audit: d.audit, adminUrl: config.exchange.admin_url, clock: d.clock });
  new Gauge({ name: 'warden_trading_halted', help: 'Whether Warden has trading recorded as halted (1) or running (0).', registers: [d.registry], collect: async function () {
    this.set((await trading.get()).state === 'halted' ? 1 : 0);
  } });
  // Read before the first health rollup, so a halt recorded before a restart is Red from the start.
  await trading.get();
  const stopTradingRefresh = trading.refreshEvery(config.evaluation_interval, (err) => log.warn({ err }, 'reading the trading state failed'));
  // Issue 14 §3: failover_database's clusters, observed from the start so their series exist.
  const databases = createDatabases({ config, redis: d.redis, audit: d.audit, store: d.store, log, clock: d.clock });
  await databases.start();
  const executors = createExecutors({ ...executorsOptionsFromConfig(config.remediation.executors, { exchangeAdminUrl: config.exchange.admin_url, trading, clock: d.clock }), databases: databases.executor });
  const service = new RemediationService({
    redis: d.redisUrl,
    prefix: config.redis.prefix,
    rules: [],
    components: [...config.components.map((c) => c.name), ...databases.clusterNames],
    executors,
    audit: d.audit,
    escalator: d.escalator,
    verify: promqlVerifyCheck(d.store, d.clock),
    stillFiring: d.stillFiring,
    awaitingRestore: d.awaitingRestore,
    settleMs: config.remediation.settle,
    dryRun: config.remediation.dry_run,
    concurrency: config.remediation.concurrency,
    jobRetentionMs: config.remediation.job_retention,
    registry: d.registry,
    log,
    clock: d.clock,
    journal: d.journal,
    ...(d.maintenance ? { maintenance: d.maintenance } : {}),
    ...(d.cluster ?? {}),
  });
  await service.start();
  const unlisten = service.listen(d.events);
  if (config.remediation.dry_run) log.warn('remediation.dry_run is on: jobs are recorded with what they would do; nothing runs');
  return {
    service,
    trading,
    routers: [remediationRoutes({ auth: d.auth, jobs: service.jobs, redisDown: d.redisDown }), approvalRoutes({ auth: d.auth, approvals: service.approvals }), tradingRoutes({ auth: d.auth, trading, audit: d.audit })],
    replaceRules: (remediations) => service.replaceRules(remediations.map((r) => r.rule)),
    async stop() {
      stopTradingRefresh();
      databases.stop();
      unlisten();
      await service.stop();
    },
  };
}
