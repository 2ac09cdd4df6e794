import { SpanKind } from '@opentelemetry/api';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { errorMessage } from '../errors';
import type { Logger } from '../telemetry/logger';
import { contextFrom, inSpan } from '../telemetry/trace-context';
import { DEFAULT_ATTEMPT_TIMEOUT_MS, LEASE_MARGIN_MS } from './attempt-timeouts';
import { MAX_ATTEMPTS } from '../backoff';
import type { Budget } from './budget';
import type { Cooldown } from './cooldown';
import type { ExecutionResult, Executor, RemediationAction } from './executor';
import { runAttempt } from './run-attempt';
import type { JobCancellation } from './job-cancellation';
import { auditRemediationStep, type RemediationAuditSink, type RemediationStep } from './remediation-audit';
import type { EscalationReason, Escalator } from './escalator';
import type { RemediationJobData, RemediationJobResult } from './remediation-job';
import type { JobOutcome, RemediationMetrics } from './remediation-metrics';
import type { TargetLease } from './target-lease';
import { verifyWithin, type VerifyCheck } from './verify';
import { verifyQueryForJob } from './job-verify-query';
import type { TargetSettle } from './target-settle';
import type { TargetPolicy } from './target-policy';
import { refuseRemediation } from './target-refusal';
import { ApprovalGate, type ApprovalGateDeps } from './approval-gate';
import type { MaintenanceHold } from './maintenance-hold';

export interface RemediationProcessorDeps {
  executors: ReadonlyMap<RemediationAction, Executor>;
  audit: RemediationAuditSink;
  escalator: Escalator;
  verify: VerifyCheck;
  lease: TargetLease;
  cooldown: Cooldown;
  budget: Budget;
  cancellation: JobCancellation;
  metrics: RemediationMetrics;
  log: Logger;
  clock: () => number;
  /**
   * Whether the alert that asked for a job is still firing (same firing episode). Without it every
   * job acts; with it a job that waited (lease, retry backoff) skips a condition that has cleared.
   */
  stillFiring?: (alert: RemediationJobData['alert']) => boolean;
  /**
   * Whether that alert was firing before a restart and fresh data has not yet said whether it still
   * is: such a job waits (without spending an attempt) rather than acting, or skipping, on a guess.
   */
  awaitingRestore?: (alert: RemediationJobData['alert']) => boolean;
  settle: TargetSettle;
  /** Checked again before acting: a job queued by an older Warden, or written to Redis by hand, is untrusted too (issue 9). */
  policy: TargetPolicy;
  /** See TargetSettle; 0 turns it off. */
  settleMs: number;
  /** Maintenance windows hold matching jobs (issue 13 §3); without it nothing is held. */
  hold?: MaintenanceHold;
  /** Approval requests and decisions (issue 13 §2); without it a rule's approval is not asked for. */
  approvals?: Pick<ApprovalGateDeps, 'store' | 'onRequested' | 'onExpired'>;
}

type RemediationJob = Job<RemediationJobData, RemediationJobResult>;

/** How long a job waits before re-checking a target whose lease another job holds. */
const LEASE_WAIT_MAX_MS = 250;
/** How often a job whose alert awaits fresh data after a restart looks again. */
const RESTORE_WAIT_MS = 500;

/**
 * One job, end to end (issue 4 §2): cancelled? -> target allowed? -> dry run? -> alert still firing? -> cooldown ->
 * lease -> target settled? -> budget -> attempt -> success / retry / stop -> verify. Every step is
 * audited before the job moves on.
 */
export class RemediationProcessor {
  readonly #d: RemediationProcessorDeps;
  readonly #approval: ApprovalGate | undefined;
  constructor(deps: RemediationProcessorDeps) {
    this.#d = deps;
    const a = deps.approvals;
    this.#approval = a && new ApprovalGate({ ...a, audit: deps.audit, log: deps.log, clock: deps.clock, escalate: (id, data, reason, summary) => this.#escalate(id, data, reason, summary), count: (action, outcome) => this.#count(action, outcome) });
  }

  /** One span per attempt, continuing the trace of the alert that enqueued the job. */
  readonly process = (job: RemediationJob, token?: string, bullSignal?: AbortSignal): Promise<RemediationJobResult> => {
    const attributes = { 'warden.remediation.job_id': String(job.id), 'warden.remediation.action': job.data.action, 'warden.remediation.target': job.data.target, 'warden.remediation.attempt': job.attemptsMade + 1 };
    return inSpan('remediation.job', { parent: contextFrom(job.data.traceContext), kind: SpanKind.CONSUMER, attributes }, async (span) => {
      const result = await this.#process(job, token, bullSignal);
      span.setAttribute('warden.remediation.outcome', result.outcome);
      return result;
    });
  };

  readonly #process = async (job: RemediationJob, token?: string, bullSignal?: AbortSignal): Promise<RemediationJobResult> => {
    const jobId = job.id as string;
    const data = job.data;
    if (await this.#d.cancellation.isCancelled(jobId)) {
      this.#count(data.action, 'cancelled');
      throw new UnrecoverableError(`remediation job ${jobId} was cancelled`);
    }
    const refusal = this.#d.policy.check(data.rule, data.target);
    if (refusal) {
      await refuseRemediation(this.#d, { jobId, rule: data.rule.name, action: data.action, target: data.target, alert: data.alert }, refusal);
      this.#count(data.action, 'failed');
      throw new UnrecoverableError(refusal.message);
    }
    const executor = this.#d.executors.get(data.action);
    if (data.dryRun) return this.#dryRun(jobId, data, executor);
    if (this.#d.stillFiring && !this.#d.stillFiring(data.alert) && this.#d.awaitingRestore?.(data.alert) === true && data.action !== 'halt_trading') {
      // Restored after a restart, not re-evaluated yet: ask again shortly (it resumes or resolves within `staleness`).
      await job.moveToDelayed(Date.now() + RESTORE_WAIT_MS, token);
      throw new DelayedError();
    }
    // Held by a maintenance window: parked until it ends, then the alert is re-checked below.
    await this.#d.hold?.check(job, token, data);
    const skipped = (await this.#checkStillFiring(job, token, data)) ?? (await this.#checkCooldown(jobId, data));
    if (skipped) return skipped;
    if (!executor) return this.#stop(jobId, data, 1, `no executor configured for action ${data.action}`, 'permanent_failure');
    // Before the lease: a job waiting for a human holds nothing another job needs.
    const unapproved = await this.#approval?.check(job, token, data, () => describeSafely(executor, data));
    if (unapproved) return unapproved;

    const timeoutMs = data.rule.timeout ?? DEFAULT_ATTEMPT_TIMEOUT_MS[data.action];
    const lease = await this.#d.lease.acquire(data.target, jobId, timeoutMs + LEASE_MARGIN_MS);
    if (!lease.acquired) {
      // Another action holds the target: wait without spending an attempt (issue 4 §2 one at a time).
      this.#d.log.debug({ jobId, target: data.target, holder: lease.holder }, 'target leased by another job; delaying');
      // BullMQ schedules in real time: Date.now(), not the injected (possibly test-shifted) clock.
      await job.moveToDelayed(Date.now() + Math.min(lease.retryInMs, LEASE_WAIT_MAX_MS), token);
      throw new DelayedError();
    }
    const settleMs = data.action === 'halt_trading' ? 0 : await this.#d.settle.remainingMs(data.target, jobId);
    if (settleMs > 0) {
      // Another action just changed this target: let it settle, then re-check the alert (above).
      await this.#d.lease.release(data.target, jobId, lease.fencingToken);
      this.#d.log.info({ jobId, target: data.target, settleMs }, 'target settling after another action; delaying');
      await job.moveToDelayed(Date.now() + settleMs, token);
      throw new DelayedError();
    }
    // Budget last, holding the lease: only a job about to act spends it (not one that waits, then skips).
    const overBudget = await this.#checkBudget(jobId, data);
    if (overBudget) {
      await this.#d.lease.release(data.target, jobId, lease.fencingToken);
      return overBudget;
    }
    const attempt = job.attemptsMade + 1;
    await this.#audit('attempt', jobId, data, { attempt, fencing_token: lease.fencingToken, max_attempts: MAX_ATTEMPTS });
    const started = performance.now();
    const outcome = await runAttempt(executor, data, { jobId, attempt, fencingToken: lease.fencingToken, timeoutMs, log: this.#d.log, cancellation: this.#d.cancellation, bullSignal });
    this.#d.metrics.attemptSeconds.observe({ action: data.action }, (performance.now() - started) / 1000);
    if (outcome.kind !== 'timed_out') await this.#d.lease.release(data.target, jobId, lease.fencingToken);
    if (outcome.kind === 'ok') return this.#succeeded(jobId, data, attempt, lease.fencingToken, outcome.result);
    return this.#failed(jobId, data, attempt, outcome.kind, outcome.error);
  };

  async #dryRun(jobId: string, data: RemediationJobData, executor: Executor | undefined): Promise<RemediationJobResult> {
    const wouldDo = describeSafely(executor, data);
    await this.#audit('dry_run', jobId, data, { would_do: wouldDo });
    this.#d.metrics.dryRuns.inc({ action: data.action });
    this.#count(data.action, 'dry_run');
    return { outcome: 'dry_run', wouldDo };
  }

  /** Fail safe: no restart, reap or archive on a condition that has cleared. A halt is never skipped. */
  async #checkStillFiring(job: RemediationJob, token: string | undefined, data: RemediationJobData): Promise<RemediationJobResult | undefined> {
    const jobId = job.id as string;
    const firing = !this.#d.stillFiring || data.action === 'halt_trading' || this.#d.stillFiring(data.alert);
    if (firing) return undefined;
    const detail = `alert ${data.alert.name} that asked for this ${data.action} of ${data.target} is no longer firing; not acting on a cleared condition`;
    await this.#audit('skipped', jobId, data, { reason: 'alert_resolved' });
    this.#count(data.action, 'skipped_resolved');
    return { outcome: 'skipped', reason: 'alert_resolved', detail };
  }

  async #checkCooldown(jobId: string, data: RemediationJobData): Promise<RemediationJobResult | undefined> {
    const { remainingMs, startedBy } = await this.#d.cooldown.state(data.rule.name, data.target);
    if (remainingMs <= 0) return undefined;
    if (startedBy === jobId) {
      // Our own success started it: the worker died after acting, before BullMQ recorded the result.
      const detail = `job ${jobId} already acted on ${data.target} before its worker stopped; not acting twice`;
      await this.#audit('skipped', jobId, data, { reason: 'already_done' });
      this.#count(data.action, 'succeeded');
      return { outcome: 'skipped', reason: 'already_done', detail };
    }
    const detail = `rule ${data.rule.name} acted on ${data.target} recently; cooling down for another ${remainingMs} ms`;
    await this.#audit('skipped', jobId, data, { reason: 'cooldown', remaining_ms: remainingMs });
    this.#count(data.action, 'skipped_cooldown');
    return { outcome: 'skipped', reason: 'cooldown', detail };
  }

  async #checkBudget(jobId: string, data: RemediationJobData): Promise<RemediationJobResult | undefined> {
    const limit = data.rule.max_per_window;
    if (!limit) return undefined;
    const b = await this.#d.budget.consume(data.rule.name, data.target, { count: limit.count, windowMs: limit.window }, jobId, this.#d.clock());
    this.#d.metrics.budgetRemaining.set({ rule: data.rule.name, target: data.target }, b.remaining);
    if (b.allowed) return undefined;
    const detail = `remediation budget exhausted: ${data.rule.name} already acted ${b.used} times on ${data.target} within ${limit.window} ms`;
    await this.#audit('skipped', jobId, data, { reason: 'budget', used: b.used, max: limit.count, window_ms: limit.window });
    await this.#escalate(jobId, data, 'budget_exhausted', detail);
    this.#count(data.action, 'skipped_budget');
    return { outcome: 'skipped', reason: 'budget', detail };
  }

  async #succeeded(jobId: string, data: RemediationJobData, attempt: number, fencingToken: number, result: ExecutionResult): Promise<RemediationJobResult> {
    await this.#d.cooldown.start(data.rule.name, data.target, data.rule.cooldown, jobId);
    if (data.action !== 'halt_trading') await this.#d.settle.start(data.target, this.#d.settleMs, jobId);
    await this.#audit('success', jobId, data, { attempt, fencing_token: fencingToken, summary: result.summary, result: result.details });
    const base = { summary: result.summary, details: result.details, fencingToken, attempt };
    const verify = data.rule.verify;
    if (!verify) {
      this.#count(data.action, 'succeeded');
      return { outcome: 'succeeded', ...base };
    }
    const query = verifyQueryForJob(data);
    const expr = typeof query === 'string' ? verify.expr : query.text;
    const v = typeof query === 'string' ? { held: false, checks: 0, elapsedMs: 0, lastError: query } : await verifyWithin(this.#d.verify, query, { withinMs: verify.within, clock: this.#d.clock });
    if (v.held) {
      await this.#audit('verified', jobId, data, { expr, elapsed_ms: v.elapsedMs, checks: v.checks });
      this.#count(data.action, 'verified');
      return { outcome: 'verified', ...base, verify: v };
    }
    await this.#audit('verify_failed', jobId, data, { expr, within_ms: verify.within, checks: v.checks, on_failure: data.rule.on_failure, ...(v.lastError ? { error: v.lastError } : {}) });
    if (data.rule.on_failure === 'escalate') {
      await this.#escalate(jobId, data, 'verify_failed', `${data.action} of ${data.target} did not fix it: "${expr}" did not hold within ${verify.within} ms`);
    }
    this.#count(data.action, 'verify_failed');
    return { outcome: 'verify_failed', ...base, verify: v };
  }

  async #failed(jobId: string, data: RemediationJobData, attempt: number, kind: 'transient' | 'timed_out' | 'permanent' | 'cancelled', error: Error): Promise<never> {
    const retrying = (kind === 'transient' || kind === 'timed_out') && attempt < MAX_ATTEMPTS;
    await this.#audit('failure', jobId, data, { attempt, kind, error: error.message, retrying });
    if (retrying) throw error; // BullMQ schedules the next attempt with the spec §3.1 backoff.
    if (kind === 'cancelled') {
      this.#count(data.action, 'cancelled');
      throw new UnrecoverableError(`cancelled: ${error.message}`);
    }
    const reason: EscalationReason = kind === 'permanent' ? 'permanent_failure' : 'retries_exhausted';
    return this.#stop(jobId, data, attempt, error.message, reason);
  }

  /** Gives up on the job for good and pages: Warden will not guess further (spec §2.1). */
  async #stop(jobId: string, data: RemediationJobData, attempt: number, message: string, reason: EscalationReason): Promise<never> {
    const what = reason === 'retries_exhausted' ? `failed after ${attempt} attempts` : 'failed permanently';
    await this.#escalate(jobId, data, reason, `${data.action} of ${data.target} ${what}: ${message}`);
    this.#count(data.action, 'failed');
    throw new UnrecoverableError(`${what}: ${message}`);
  }

  async #escalate(jobId: string, data: RemediationJobData, reason: EscalationReason, summary: string): Promise<void> {
    // A human's rejection, or an unanswered request, is news every time: one P0 per job, not per rule and target.
    const perJob = reason === 'approval_rejected' || reason === 'approval_expired';
    const req = {
      key: `remediation/${data.rule.name}/${data.target}/${reason}${perJob ? `/${jobId}` : ''}`,
      summary: reason === 'budget_exhausted' ? `remediation budget exhausted: ${summary}` : summary,
      labels: { severity: 'P0', source: 'remediation', reason, rule: data.rule.name, action: data.action, target: data.target },
      details: { job_id: jobId, alert: data.alert.name, alert_fingerprint: data.alert.fingerprint, fired_at_ms: data.alert.firedAtMs },
    };
    let delivered = true;
    let error: string | undefined;
    try {
      await this.#d.escalator.escalate(req);
    } catch (err) {
      // Paging failed: say so loudly and in the audit log; the job's own outcome still stands.
      delivered = false;
      error = errorMessage(err);
      this.#d.log.error({ err, jobId, reason }, 'remediation escalation could not be delivered');
    }
    await this.#audit('escalated', jobId, data, { reason, summary: req.summary, delivered, ...(error ? { error } : {}) });
  }

  #audit(step: RemediationStep, jobId: string, data: RemediationJobData, details: Record<string, unknown>): Promise<unknown> {
    return auditRemediationStep(this.#d.audit, step, data.target, { job_id: jobId, rule: data.rule.name, action: data.action, ...details });
  }

  #count(action: RemediationAction, outcome: JobOutcome): void {
    this.#d.metrics.jobs.inc({ action, outcome });
  }
}

/** The dry-run result: what the executor would do with this job, in words (never throws). */
function describeSafely(executor: Executor | undefined, data: RemediationJobData): string {
  try {
    return executor ? executor.describe(data.target, data.params) : `(no executor configured for ${data.action})`;
  } catch (err) {
    return `would fail: ${errorMessage(err)}`;
  }
}
