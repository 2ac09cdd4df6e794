import type { Job, JobType, Queue } from 'bullmq';
import type Redis from 'ioredis';
import type { ApprovalStore } from './approval-store';
import { annotateJobs, displayedState, type ApprovalView } from './job-annotations';
import type { RemediationKeys } from './remediation-keys';
import { auditRemediationStep, type RemediationAuditSink } from './remediation-audit';
import type { JobCancellation } from './job-cancellation';
import type { RemediationJobData, RemediationJobResult } from './remediation-job';
import type { RemediationMetrics } from './remediation-metrics';

type RemediationJob = Job<RemediationJobData, RemediationJobResult>;

/** A job as the API shows it (GET /v1/remediations). */
export interface RemediationJobView {
  id: string;
  /** BullMQ's state, except `awaiting_approval` and `held` for a delayed job waiting on a person or a maintenance window. */
  state: string;
  rule: string;
  action: string;
  target: string;
  dry_run: boolean;
  attempts: number;
  result: RemediationJobResult | null;
  failed_reason: string | null;
  alert: { name: string; fingerprint: string; fired_at: string };
  enqueued_at: string;
  processed_at: string | null;
  finished_at: string | null;
  /** Issue 13 §2: present when the job's rule asked for approval and the job reached that step. */
  approval?: ApprovalView;
  /** Issue 13 §3: when a maintenance window started holding it. */
  heldSince?: string;
}

export type CancelOutcome =
  | { readonly status: 'not_found' }
  | { readonly status: 'finished'; readonly state: string }
  | { readonly status: 'removed'; readonly state: string }
  | { readonly status: 'aborting'; readonly state: 'active' };

/** BullMQ's Job.remove() message for a job a worker holds the lock of (bullmq classes/job.js). */
const LOCKED_BY_WORKER = /could not be removed because it is locked by another worker/;

const LISTED_STATES: readonly JobType[] = ['active', 'waiting', 'prioritized', 'delayed', 'completed', 'failed'];
const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : null);

export function jobView(job: RemediationJob, state: string): RemediationJobView {
  const d = job.data;
  return {
    id: job.id as string,
    state,
    rule: d.rule.name,
    action: d.action,
    target: d.target,
    dry_run: d.dryRun,
    attempts: job.attemptsMade,
    result: (job.returnvalue as RemediationJobResult | undefined) ?? null,
    failed_reason: job.failedReason || null,
    alert: { name: d.alert.name, fingerprint: d.alert.fingerprint, fired_at: new Date(d.alert.firedAtMs).toISOString() },
    enqueued_at: new Date(job.timestamp).toISOString(),
    processed_at: iso(job.processedOn),
    finished_at: iso(job.finishedOn),
  };
}

/** Reading and cancelling jobs, for the HTTP API. */
export class RemediationJobs {
  readonly #queue: Queue<RemediationJobData, RemediationJobResult>;
  readonly #cancellation: JobCancellation;
  readonly #audit: RemediationAuditSink;
  readonly #metrics: RemediationMetrics;
  readonly #extras: { approvals: ApprovalStore; redis: Redis; keys: RemediationKeys } | undefined;

  constructor(queue: Queue<RemediationJobData, RemediationJobResult>, cancellation: JobCancellation, audit: RemediationAuditSink, metrics: RemediationMetrics, extras?: { approvals: ApprovalStore; redis: Redis; keys: RemediationKeys }) {
    this.#queue = queue;
    this.#cancellation = cancellation;
    this.#audit = audit;
    this.#metrics = metrics;
    this.#extras = extras;
  }

  /** Approvals and holds on top of BullMQ's view (state becomes awaiting_approval / held). */
  async #annotate(views: RemediationJobView[]): Promise<RemediationJobView[]> {
    if (!this.#extras) return views;
    const notes = await annotateJobs(views.map((v) => v.id), this.#extras);
    return views.map((v) => {
      const a = notes.get(v.id);
      return a ? { ...v, state: displayedState(v.state, a), ...a } : v;
    });
  }

  /** Newest first, at most `limit`, across every state. */
  async list(limit: number): Promise<RemediationJobView[]> {
    const views: RemediationJobView[] = [];
    for (const state of LISTED_STATES) {
      const jobs = (await this.#queue.getJobs([state], 0, limit - 1)) as RemediationJob[];
      for (const j of jobs) if (j) views.push(jobView(j, state));
    }
    return this.#annotate(views.sort((a, b) => b.enqueued_at.localeCompare(a.enqueued_at) || a.id.localeCompare(b.id)).slice(0, limit));
  }

  async get(id: string): Promise<RemediationJobView | undefined> {
    // State first, then the job: read the other way round, a job finishing in between would be
    // reported as completed with the result it did not have yet.
    const state = await this.#queue.getJobState(id);
    const job = (await this.#queue.getJob(id)) as RemediationJob | undefined;
    if (!job) return undefined;
    return (await this.#annotate([jobView(job, state)]))[0];
  }

  /**
   * A waiting or delayed job is removed; an active one has its AbortSignal fired (on whichever
   * replica runs it) and a marker stops any later attempt. Finished jobs cannot be cancelled.
   */
  async cancel(id: string, actor: string): Promise<CancelOutcome> {
    const job = (await this.#queue.getJob(id)) as RemediationJob | undefined;
    if (!job) return { status: 'not_found' };
    const state = await job.getState();
    if (state === 'completed' || state === 'failed' || state === 'unknown') return { status: 'finished', state };
    await this.#cancellation.cancel(id, actor);
    let outcome: CancelOutcome = { status: 'aborting', state: 'active' };
    if (state !== 'active') {
      // remove() refuses a job a worker has just locked; the marker and the signal then stop it.
      // Any other failure (Redis gone) is not "cancelling": it propagates and the caller says so.
      const removed = await job.remove().then(() => true, (err: unknown) => {
        if (err instanceof Error && LOCKED_BY_WORKER.test(err.message)) return false;
        throw err;
      });
      if (removed) outcome = { status: 'removed', state };
    }
    // A cancelled job no longer waits for an approver (and is not posted again).
    if (outcome.status === 'removed') await this.#extras?.approvals.forget(id);
    await auditRemediationStep(this.#audit, 'cancelled', job.data.target, { job_id: id, rule: job.data.rule.name, action: job.data.action, was: state, outcome: outcome.status }, actor);
    if (outcome.status === 'removed') this.#metrics.jobs.inc({ action: job.data.action, outcome: 'cancelled' });
    return outcome;
  }
}
