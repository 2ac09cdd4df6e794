import type { RemediationAction } from './executor';

/**
 * The pipeline's per-attempt deadline when a rule sets no `timeout`. Executors apply their own
 * tighter deadlines per call (spec §10.3: database 5 s, internal RPC 3 s, external RPC 10 s);
 * this one bounds the whole attempt, so a stuck executor cannot hold a target's lease forever.
 */
export const DEFAULT_ATTEMPT_TIMEOUT_MS: Readonly<Record<RemediationAction, number>> = {
  // spec §10.3 HTTP request 30 s: a rollout restart or a command that waits for the process.
  restart: 30_000,
  // spec §10.3 database query 5 s, plus connecting.
  reap_connections: 10_000,
  // Bulk file work (gzip, verify, fsync) is not in the spec's table; bounded generously.
  archive_logs: 120_000,
  // spec §10.3 external RPC 10 s: the exchange's admin endpoint.
  halt_trading: 10_000,
  // spec §13 database failover 60 s: pg_promote's own 60 s wait, the checks before it and telling
  // the exchange (spec §3.1 retries of an internal RPC) after it.
  failover_database: 120_000,
};

/** Leases outlive the attempt deadline by this much, so the holder always times out first. */
export const LEASE_MARGIN_MS = 5_000;
