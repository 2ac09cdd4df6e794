import type { Logger } from '../telemetry/logger';

/**
 * The executor contract: the only place Warden causes side effects (issue 4 §3). The job pipeline
 * owns retries, leases and budgets; an executor does one attempt and says, by the error type it
 * throws, whether another attempt can help (TransientError) or not (PermanentError), spec §3.1.
 */
export type RemediationAction = 'restart' | 'reap_connections' | 'archive_logs' | 'halt_trading' | 'failover_database';

export const REMEDIATION_ACTIONS: readonly RemediationAction[] = ['restart', 'reap_connections', 'archive_logs', 'halt_trading', 'failover_database'];

export interface ExecutionContext {
  /** BullMQ job id (deterministic per rule, target and alert firing start). */
  jobId: string;
  /** Same on every attempt of one job; sent to idempotent endpoints (spec §9.1). */
  idempotencyKey: string;
  /** From the per-target lease; passed to systems that can reject stale holders (spec §5). */
  fencingToken: number;
  attempt: number;
  /** Aborted when the job is cancelled, its lease is lost or Warden shuts down: stop at once. */
  signal: AbortSignal;
  log: Logger;
  incident?: string;
  reason?: string;
}

export interface ExecutionResult {
  summary: string;
  details: Record<string, unknown>;
}

export interface Executor {
  readonly action: RemediationAction;
  /** What execute() would do, in words, for dry-run records. Throws PermanentError on bad params. */
  describe(target: string, params: Record<string, unknown>): string;
  execute(target: string, params: Record<string, unknown>, ctx: ExecutionContext): Promise<ExecutionResult>;
}
