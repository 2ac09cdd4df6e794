import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { WardenConfig } from '../config/schema';
import { OutboxJournal } from '../runtime/outbox-journal';
import type { RedisHealth } from '../runtime/redis-health';

/** A stage holding durable writes that wait for Redis (health tracker, incidents, remediation, audit). */
export interface OutageAware {
  /** Redis stopped answering: keep what waits (and what comes) in the journal too. */
  journalAll(): void;
  /** Redis answers again: make what waits now rather than at the end of a retry pause. */
  retryNow(): void;
}

/** journal.dir (relative to warden.yaml): this process's outbox journal, with its predecessors' files claimed. */
export function openOutboxJournal(config: WardenConfig, baseDir: string, log: Logger, registry: Registry): OutboxJournal {
  return OutboxJournal.open({ dir: resolve(baseDir, config.journal.dir), maxBytes: config.journal.max_bytes, log: log.child({ stage: 'journal' }), registry });
}

export interface OutageStages {
  readonly health: OutageAware & { readonly pendingWrites: number };
  readonly incidents: OutageAware & { readonly pendingTransitions: number };
  readonly remediation: OutageAware & { readonly pendingEnqueues: number };
  readonly audit: OutageAware & { readonly depth: number };
}

/**
 * Issue 9: the moment Redis stops answering a PING (dead or frozen) every waiting write is also
 * journaled, so a kill -9 of Warden during the outage loses none; the moment it answers again
 * what was queued is written, in order, with its original times.
 */
export function watchRedisOutage(redisHealth: RedisHealth, s: OutageStages, log: Logger): void {
  const all = [s.health, s.incidents, s.remediation, s.audit];
  redisHealth.on('down', () => {
    for (const stage of all) stage.journalAll();
  });
  redisHealth.on('up', () => {
    log.info({ healthWrites: s.health.pendingWrites, incidentTransitions: s.incidents.pendingTransitions, remediationEnqueues: s.remediation.pendingEnqueues, auditEntries: s.audit.depth }, 'Redis answers again: writing what was queued');
    for (const stage of all) stage.retryNow();
  });
}
