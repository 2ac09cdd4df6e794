import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { NotifyConfig } from '../config/notify-schema';
import type { JournalSink } from '../runtime/outbox-journal';
import type { Notifier } from '../notify/notifier';
import type { Delivered } from './delivery-worker';
import type { AuditSink } from './incident-audit';
import type { MaintenanceMuter } from './mute';
import type { EpisodeAgreement, LeaderGate } from '../cluster/leader-gate';

/** Explicit dependencies of the IncidentService (the composition root builds them). */
export interface IncidentServiceOptions {
  redis: Redis;
  /** Redis key prefix (config redis.prefix). */
  prefix: string;
  notify: NotifyConfig;
  /** One per receiver and channel, normally GuardedNotifiers (each behind its channel's breaker). */
  notifiers: readonly Notifier[];
  log: Logger;
  registry: Registry;
  clock?: () => number;
  audit?: AuditSink;
  /** How often timers (group_wait/interval, silence expiry, escalation) are checked. @defaultValue 1000 */
  tickIntervalMs?: number;
  /** Run the delivery worker in this process. @defaultValue true */
  runWorker?: boolean;
  workerConcurrency?: number;
  /** A crashed worker's job is taken over after this long. @defaultValue 30_000 */
  lockDurationMs?: number;
  random?: () => number;
  /** Longest wait before a job re-checks an open breaker. @defaultValue 5000 */
  breakerRecheckMaxMs?: number;
  /** Keeps transitions that wait for Redis on disk (see WriteOutbox). */
  journal?: JournalSink;
  /** Maintenance windows: matching alerts are recorded but not notified (issue 13 §3). */
  maintenance?: MaintenanceMuter;
  /** Called after each delivery (benchmarks: page latency). */
  onDelivered?: (d: Delivered) => void;
  /** Issue 12: only the leader opens, transitions and notifies; followers reload what it wrote. Unset: always leader. */
  leader?: LeaderGate;
  /** Issue 12 §3: incident starts agreed through Redis, not this replica's clock. */
  episodes?: EpisodeAgreement;
}
