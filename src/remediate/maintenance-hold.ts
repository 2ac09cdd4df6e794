import { DelayedError, type Job } from 'bullmq';
import type Redis from 'ioredis';
import { auditRemediationStep, type RemediationAuditSink } from './remediation-audit';
import type { RemediationJobData, RemediationJobResult } from './remediation-job';
import type { RemediationKeys } from './remediation-keys';

type RemediationJob = Job<RemediationJobData, RemediationJobResult>;

/** The maintenance side as remediation sees it (src/maintenance/ implements it). */
export interface MaintenanceHolds {
  /** The window holding a job with these labels now, and until when it holds it when known. */
  holding(labels: Readonly<Record<string, string>>, nowMs: number): { id: string; name: string; untilMs?: number } | undefined;
}

/**
 * The longest a held job sleeps before looking again. A window's end wakes its held jobs at once
 * (RemediationService.releaseHeld); this only bounds the delay when that wake-up is missed (a
 * replica died, a recurring window's end lies beyond the look-ahead).
 */
const HOLD_RECHECK_MAX_MS = 5 * 60_000;

/**
 * Issue 13 §3: a job whose alert (or target) a maintenance window matches is held, not dropped:
 * parked in BullMQ's delayed set, listed in a Redis set, and audited once per hold. When no
 * window holds it any more it goes on to re-check its alert (still firing? then act, else skip).
 * `halt_trading` is never held (spec §8.2).
 */
export class MaintenanceHold {
  readonly #redis: Redis;
  readonly #keys: RemediationKeys;
  readonly #holds: MaintenanceHolds;
  readonly #audit: RemediationAuditSink;
  readonly #clock: () => number;

  constructor(o: { redis: Redis; keys: RemediationKeys; holds: MaintenanceHolds; audit: RemediationAuditSink; clock: () => number }) {
    this.#redis = o.redis;
    this.#keys = o.keys;
    this.#holds = o.holds;
    this.#audit = o.audit;
    this.#clock = o.clock;
  }

  /** Returns when the job may go on; throws DelayedError once it is parked. */
  async check(job: RemediationJob, token: string | undefined, data: RemediationJobData): Promise<void> {
    if (data.action === 'halt_trading') return;
    const jobId = job.id as string;
    const now = this.#clock();
    const window = this.#holds.holding(holdLabels(data), now);
    const base = { job_id: jobId, rule: data.rule.name, action: data.action };
    if (!window) {
      if ((await this.#redis.zrem(this.#keys.held(), jobId)) === 1) await auditRemediationStep(this.#audit, 'released', data.target, { ...base, reason: 'maintenance window over; re-checking the alert' });
      return;
    }
    const first = (await this.#redis.zadd(this.#keys.held(), 'NX', now, jobId)) === 1;
    if (first) await auditRemediationStep(this.#audit, 'held', data.target, { ...base, window_id: window.id, window: window.name, ...(window.untilMs !== undefined ? { until: new Date(window.untilMs).toISOString() } : {}) });
    const sleepMs = Math.min(HOLD_RECHECK_MAX_MS, Math.max(1, (window.untilMs ?? Infinity) - now));
    // BullMQ schedules in real time: Date.now(), not the injected clock.
    await job.moveToDelayed(Date.now() + sleepMs, token);
    throw new DelayedError();
  }

  /** Held job ids, oldest first (the wake-up when a window ends; GET /v1/remediations). */
  heldIds(limit: number): Promise<string[]> {
    return this.#redis.zrange(this.#keys.held(), 0, limit - 1);
  }
}

/** What a window's matchers see of a job: its alert's labels, plus `target` when the alert has none. */
export function holdLabels(data: Pick<RemediationJobData, 'alert' | 'target'>): Record<string, string> {
  return { target: data.target, ...data.alert.labels };
}
