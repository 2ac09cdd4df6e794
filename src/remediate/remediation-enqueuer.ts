import { randomUUID } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import type { Job, Queue } from 'bullmq';
import type Redis from 'ioredis';
import type { Alert, AlertTransition } from '../rules/alert';
import type { Logger } from '../telemetry/logger';
import { contextFrom, inSpan, traceContextField } from '../telemetry/trace-context';
import { BACKOFF_TYPE, MAX_ATTEMPTS } from '../backoff';
import { remediationJobId } from './job-id';
import { auditRemediationStep, type RemediationAuditSink } from './remediation-audit';
import type { RemediationJobData, RemediationJobResult } from './remediation-job';
import type { RemediationKeys } from './remediation-keys';
import { matchRemediations, type RemediationMatch } from './remediation-matcher';
import type { RemediationMetrics } from './remediation-metrics';
import type { RemediationRule } from '../rules/remediation-rule-schema';
import type { Escalator } from './escalator';
import type { RefusalReason, TargetPolicy } from './target-policy';
import { refuseRemediation } from './target-refusal';

/** How long a new job is held before it may run if its release never comes (a crash right after the add). */
const ENQUEUE_HOLD_MS = 1_000;

export interface RemediationEnqueuerDeps {
  queue: Queue<RemediationJobData, RemediationJobResult>;
  redis: Redis;
  keys: RemediationKeys;
  audit: RemediationAuditSink;
  metrics: RemediationMetrics;
  /** Which targets may be acted on (issue 9); refusals page through `escalator`. */
  policy: TargetPolicy;
  escalator: Escalator;
  log: Logger;
  clock: () => number;
  globalDryRun: boolean;
  retentionMs: number;
}

export type EnqueueOutcome = { readonly jobId: string; readonly rule: string; readonly target: string; readonly enqueued: boolean; readonly refused?: RefusalReason };

/**
 * What an enqueue made so far, kept across its retries (a Redis outage part-way): audit steps
 * already written are not written again, and `token`, stored in the enqueue marker, tells this
 * enqueue's own marker (its reply lost, or a crash right after) from another replica's.
 */
export interface EnqueueProgress {
  readonly token: string;
  /** When the transition arrived: the `matched` entry's time however late Redis takes it. */
  readonly atMs: number;
  readonly done: Set<string>;
}

/**
 * Alert transitions -> jobs (issue 4 §2). Only a transition *to* firing acts; the job id is the
 * idempotency key of (rule, target, firing start), and a Redis marker set after the add makes a
 * replayed transition, a restart or a second replica a no-op even after BullMQ dropped the job.
 */
export class RemediationEnqueuer {
  readonly #d: RemediationEnqueuerDeps;
  #rules: readonly RemediationRule[];

  constructor(deps: RemediationEnqueuerDeps, rules: readonly RemediationRule[]) {
    this.#d = deps;
    this.#rules = rules;
  }

  replaceRules(rules: readonly RemediationRule[]): void {
    this.#rules = rules;
  }

  get rules(): readonly RemediationRule[] {
    return this.#rules;
  }

  /** `progress`: carried from an earlier attempt of the same transition (see EnqueueProgress). */
  async onAlert(t: AlertTransition, progress: EnqueueProgress = newEnqueueProgress(this.#d.clock())): Promise<EnqueueOutcome[]> {
    if (t.to !== 'firing' || t.from === 'firing') return [];
    const firedAtMs = t.alert.firedAtMs ?? t.atMs;
    const { matched, unrendered } = matchRemediations(t.alert, this.#rules);
    for (const rule of unrendered) {
      const jobId = remediationJobId(rule.name, '', firedAtMs);
      await once(progress, `skipped:${jobId}`, async () => {
        this.#d.log.warn({ rule: rule.name, alert: t.alert.name, template: rule.target }, 'remediation target or verify template names a label the alert lacks; not acting');
        await auditRemediationStep(this.#d.audit, 'skipped', '', { job_id: jobId, rule: rule.name, action: rule.action, reason: 'no_target', template: rule.target, alert: t.alert.name }, undefined, progress.atMs);
      });
    }
    const out: EnqueueOutcome[] = [];
    for (const m of matched) {
      const refusal = this.#d.policy.check(m.rule, m.target);
      if (refusal) {
        // Before anything is matched or queued: an untrusted label never becomes a job (issue 9).
        const jobId = remediationJobId(m.rule.name, m.target, firedAtMs);
        await refuseRemediation(this.#d, { jobId, rule: m.rule.name, action: m.rule.action, target: m.target, alert: { name: t.alert.name, fingerprint: t.alert.fingerprint, firedAtMs } }, refusal, progress);
        out.push({ jobId, rule: m.rule.name, target: m.target, enqueued: false, refused: refusal.reason });
        continue;
      }
      const attributes = { 'warden.remediation.rule': m.rule.name, 'warden.remediation.action': m.rule.action, 'warden.remediation.target': m.target };
      out.push(await inSpan('remediation.enqueue', { parent: contextFrom(t.traceContext), kind: SpanKind.PRODUCER, attributes }, () => this.#enqueue(m, t.alert, firedAtMs, progress)));
    }
    return out;
  }

  async #enqueue(m: RemediationMatch, alert: Alert, firedAtMs: number, progress: EnqueueProgress): Promise<EnqueueOutcome> {
    const { rule, target } = m;
    const jobId = remediationJobId(rule.name, target, firedAtMs);
    const base = { job_id: jobId, rule: rule.name, action: rule.action, alert: alert.name, alert_fingerprint: alert.fingerprint, fired_at_ms: firedAtMs };
    const markerKey = this.#d.keys.enqueued(jobId);
    // Checked before `matched`: a firing episode re-driven (a restart resuming its alert, a journal
    // replay, a second replica) is recorded as a dedup skip, never as a second match.
    const marker = await this.#d.redis.get(markerKey);
    if (marker === progress.token) return this.#finish(jobId, rule, target, base, progress);
    if (marker !== null) return this.#duplicate(jobId, rule, target, base, progress);
    await once(progress, `matched:${jobId}`, () => auditRemediationStep(this.#d.audit, 'matched', target, base, undefined, progress.atMs));
    // Add first, then mark: a crash in between leaves a job and no marker, and the replay's add is
    // then a no-op in BullMQ (same id); the reverse order could lose the job. The job is added held
    // (delayed) and released only once `enqueued` is audited, so no worker, in this process or
    // another, acts on a job the audit log has not yet recorded; after a crash it runs when the hold ends.
    const job = await this.#d.queue.add('remediate', this.#jobData(m, alert, firedAtMs, jobId), {
      jobId,
      delay: ENQUEUE_HOLD_MS,
      attempts: MAX_ATTEMPTS,
      backoff: { type: BACKOFF_TYPE },
      removeOnComplete: { age: Math.ceil(this.#d.retentionMs / 1000) },
      removeOnFail: { age: Math.ceil(this.#d.retentionMs / 1000) },
    });
    const first = await this.#d.redis.set(markerKey, progress.token, 'PX', this.#d.retentionMs, 'NX');
    // Lost the race to another replica; a SET whose reply was lost finds our own token on retry.
    if (first !== 'OK' && (await this.#d.redis.get(markerKey)) !== progress.token) return this.#duplicate(jobId, rule, target, base, progress);
    return this.#finish(jobId, rule, target, base, progress, job);
  }

  /** The job is added and marked as this enqueue's: audit it, then let it run. */
  async #finish(jobId: string, rule: RemediationRule, target: string, base: Record<string, unknown> & { job_id: string }, progress: EnqueueProgress, added?: Job<RemediationJobData, RemediationJobResult>): Promise<EnqueueOutcome> {
    await once(progress, `enqueued:${jobId}`, () => auditRemediationStep(this.#d.audit, 'enqueued', target, { ...base, dry_run: this.#d.globalDryRun || rule.dry_run }));
    const job = added ?? (await this.#d.queue.getJob(jobId));
    if (job) await this.#release(job);
    return { jobId, rule: rule.name, target, enqueued: true };
  }

  /** Lets a held job run now; one whose hold already ended (a slow Redis) is already running. */
  async #release(job: Job<RemediationJobData, RemediationJobResult>): Promise<void> {
    try {
      await job.promote();
    } catch (err) {
      if ((await job.getState()) === 'delayed') throw err;
    }
  }

  async #duplicate(jobId: string, rule: RemediationRule, target: string, base: Record<string, unknown> & { job_id: string }, progress: EnqueueProgress): Promise<EnqueueOutcome> {
    await once(progress, `dedup:${jobId}`, async () => {
      await auditRemediationStep(this.#d.audit, 'skipped', target, { ...base, reason: 'dedup' });
      this.#d.metrics.jobs.inc({ action: rule.action, outcome: 'skipped_dedup' });
    });
    return { jobId, rule: rule.name, target, enqueued: false };
  }

  #jobData(m: RemediationMatch, alert: Alert, firedAtMs: number, jobId: string): RemediationJobData {
    return {
      rule: m.rule,
      action: m.rule.action,
      target: m.target,
      params: m.rule.params,
      alert: { name: alert.name, fingerprint: alert.fingerprint, labels: { ...alert.labels }, firedAtMs, value: alert.value },
      idempotencyKey: jobId,
      dryRun: this.#d.globalDryRun || m.rule.dry_run,
      enqueuedAtMs: this.#d.clock(),
      reason: alert.annotations.summary ?? `alert ${alert.name} firing`,
      ...(m.verifyExpr !== undefined ? { verifyExpr: m.verifyExpr } : {}),
      ...(alert.labels.incident !== undefined ? { incident: alert.labels.incident } : {}),
      ...traceContextField(),
    };
  }
}

export function newEnqueueProgress(atMs: number, token: string = randomUUID()): EnqueueProgress {
  return { token, atMs, done: new Set() };
}

/** Runs `step` unless an earlier attempt of this enqueue already made it. */
async function once(progress: EnqueueProgress, key: string, step: () => Promise<unknown>): Promise<void> {
  if (progress.done.has(key)) return;
  await step();
  progress.done.add(key);
}
