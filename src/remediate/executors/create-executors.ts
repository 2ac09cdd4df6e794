import type { Executor, RemediationAction } from '../executor';
import type { TradingState } from '../trading-state';
import { ArchiveLogsExecutor, type LogDirectory } from './archive-logs';
import type { ArchiveHooks } from './archive-logs/archive-file';
import { HaltTradingExecutor } from './halt-trading';
import { FailoverDatabaseExecutor, type FailoverDatabaseOptions } from './failover/failover-database';
import { ReapConnectionsExecutor } from './reap-connections';
import { PermanentError } from '../../errors';
import type { ExecutionContext, ExecutionResult } from '../executor';
import { RestartExecutor } from './restart/restart-executor';
import type { KubernetesDriverOptions } from './restart/kubernetes-driver';

export interface ExecutorsOptions {
  /** exchange.admin_url: halt_trading posts to <admin_url>/trading/halt. */
  exchangeAdminUrl?: string;
  /** Where halts are recorded (and audited). */
  trading: TradingState;
  /** The PostgreSQL server reap_connections acts on; without it that action fails permanently. */
  postgres?: { connectionString: string; applicationName?: string; protectedApplicationNames?: readonly string[] };
  /** Log directories archive_logs may work in, each with its archive directory. */
  logDirs?: readonly LogDirectory[];
  restart?: {
    /** Environment variables a restart command inherits (default PATH, HOME, LANG, LC_ALL, TZ, TMPDIR, NODE_ENV). */
    envAllowList?: readonly string[];
    outputLimitBytes?: number;
    /** Enables the kubernetes driver; e.g. `() => { const kc = new KubeConfig(); kc.loadFromDefault(); return kc; }`. */
    kubeConfig?: KubernetesDriverOptions['kubeConfig'];
    /** Base for http-driver urls given as a path. */
    httpBaseUrl?: string;
  };
  /** Database clusters failover_database may act on; without any, that action fails permanently. */
  databases?: Omit<FailoverDatabaseOptions, 'exchangeAdminUrl' | 'clock'>;
  clock?: () => number;
  /** Test-only hooks for archive_logs. */
  archiveHooks?: ArchiveHooks;
}

/** Stands in for an action whose dependency is not configured: every use fails, permanently and clearly. */
class UnconfiguredExecutor implements Executor {
  constructor(readonly action: RemediationAction, readonly missing: string) {}
  describe(target: string): string {
    return `cannot ${this.action} ${target}: ${this.missing} is not configured`;
  }
  execute(target: string, _params: Record<string, unknown>, _ctx: ExecutionContext): Promise<ExecutionResult> {
    return Promise.reject(new PermanentError(`${this.action} ${target}: ${this.missing} is not configured`));
  }
}

export function createExecutors(opts: ExecutorsOptions): Map<RemediationAction, Executor> {
  const clock = opts.clock ?? Date.now;
  const executors: Executor[] = [
    new RestartExecutor({
      command: { envAllowList: opts.restart?.envAllowList, outputLimitBytes: opts.restart?.outputLimitBytes },
      kubernetes: opts.restart?.kubeConfig && { kubeConfig: opts.restart.kubeConfig, clock },
      httpBaseUrl: opts.restart?.httpBaseUrl,
    }),
    opts.postgres ? new ReapConnectionsExecutor(opts.postgres) : new UnconfiguredExecutor('reap_connections', 'a PostgreSQL connection'),
    new ArchiveLogsExecutor({ logDirs: opts.logDirs ?? [], clock, hooks: opts.archiveHooks }),
    new HaltTradingExecutor({ adminUrl: opts.exchangeAdminUrl, trading: opts.trading }),
    opts.databases && opts.databases.clusters.size > 0
      ? new FailoverDatabaseExecutor({ ...opts.databases, exchangeAdminUrl: opts.exchangeAdminUrl, clock })
      : new UnconfiguredExecutor('failover_database', 'a database cluster (remediation.executors.databases)'),
  ];
  return new Map(executors.map((e) => [e.action, e]));
}
