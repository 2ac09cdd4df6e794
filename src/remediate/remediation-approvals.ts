import type { Job, Queue } from 'bullmq';
import { Counter, Gauge, type Registry } from 'prom-client';
import { RequestError, errorMessage } from '../errors';
import type { Logger } from '../telemetry/logger';
import { principalMayApprove } from '../rules/approval-rule';
import type { ApprovalDecision, ApprovalRecord, ApprovalStore } from './approval-store';
import { auditRemediationStep, type RemediationAuditSink } from './remediation-audit';
import type { RemediationJobData, RemediationJobResult } from './remediation-job';

type RemediationJob = Job<RemediationJobData, RemediationJobResult>;

/** Tells people about a request and its end (Slack: a message with Approve / Reject, then updated). */
export interface ApprovalAnnouncer {
  /** Posts the request; returns where, so a later decision can update that message. */
  requested(record: ApprovalRecord): Promise<{ channel: string; ts: string }>;
  /** Replaces the buttons with who decided (or that it expired). */
  decided(record: ApprovalRecord): Promise<void>;
}

export interface DecisionOutcome {
  readonly decision: ApprovalDecision;
  /** Whether this call made the decision (false: it stood already, decided the same way). */
  readonly changed: boolean;
  readonly by: string;
  readonly record: ApprovalRecord;
}

/** How often decided-but-asleep jobs are woken and unposted requests are posted (the safety net). */
const SWEEP_MS = 2_000;
const SWEEP_BATCH = 200;
/** A Slack post claimed this long ago and never recorded is posted again (its poster died). */
const ANNOUNCE_STALE_MS = 60_000;

/**
 * Decisions on remediation jobs awaiting approval (issue 13 §2), from the API and from Slack. A
 * decision is recorded first (atomically; the first one stands), audited, and only then is the
 * parked job woken. A Warden killed between recording and waking loses nothing: the decision is in
 * Redis and the sweep (every 2 s, and at start) wakes every decided job still asleep, so an approval
 * runs exactly once, through the same lease, settle, budget and verify as any job.
 */
export class RemediationApprovals {
  readonly #queue: Queue<RemediationJobData, RemediationJobResult>;
  readonly #store: ApprovalStore;
  readonly #audit: RemediationAuditSink;
  readonly #log: Logger;
  readonly #clock: () => number;
  readonly #decisions: Counter<'decision'>;
  #announcer: ApprovalAnnouncer | undefined;
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<void> | undefined;

  constructor(o: { queue: Queue<RemediationJobData, RemediationJobResult>; store: ApprovalStore; audit: RemediationAuditSink; registry: Registry; log: Logger; clock: () => number }) {
    this.#queue = o.queue;
    this.#store = o.store;
    this.#audit = o.audit;
    this.#log = o.log;
    this.#clock = o.clock;
    this.#decisions = new Counter({ name: 'warden_remediation_approval_decisions_total', help: 'Approval requests decided: approved, rejected (by a person) or expired (nobody decided within the ttl).', labelNames: ['decision'], registers: [o.registry] });
    for (const decision of ['approved', 'rejected', 'expired']) this.#decisions.inc({ decision }, 0);
    const store = o.store;
    new Gauge({ name: 'warden_remediation_awaiting_approval', help: 'Remediation jobs waiting for a human to approve or reject them.', registers: [o.registry], async collect() {
      this.set(await store.pendingCount());
    } });
  }

  get store(): ApprovalStore {
    return this.#store;
  }

  /** Slack, once the integrations are up (they start after the remediation pipeline). */
  announceWith(announcer: ApprovalAnnouncer): void {
    this.#announcer = announcer;
  }

  start(): void {
    this.#timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.#timer.unref();
    void this.sweep();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** The request of this job, for Slack (approvers) and the API; undefined when it never asked. */
  async pending(jobId: string): Promise<{ jobId: string; rule: string; approvers: readonly string[]; status: string } | undefined> {
    const r = await this.#store.get(jobId);
    return r && { jobId, rule: r.rule, approvers: r.approvers, status: r.status };
  }

  /** POST /v1/remediations/{id}/approve|reject: the token must be one of the rule's API approvers. */
  async decideAs(principal: { name: string; scopes: readonly string[] }, jobId: string, decision: ApprovalDecision, reason?: string): Promise<DecisionOutcome> {
    const record = await this.#store.get(jobId);
    if (!record) {
      const job = await this.#queue.getJob(jobId);
      if (!job) throw new RequestError(404, 'not_found', `no remediation job "${jobId}"`);
      throw new RequestError(409, 'not_awaiting_approval', `remediation job "${jobId}" is not awaiting approval (its rule asks for none, or it has not reached the approval step yet)`);
    }
    if (!principalMayApprove(record.approvers, principal)) {
      await auditRemediationStep(this.#audit, 'approval_refused', record.target, { job_id: jobId, rule: record.rule, decision, reason: 'not_an_approver' }, principal.name);
      throw new RequestError(403, 'not_an_approver', `this token is not an approver of rule ${record.rule} (approvers: ${record.approvers.join(', ')})`);
    }
    return this.decide(jobId, decision, { by: principal.name, actor: principal.name, reason });
  }

  /**
   * Idempotent: the first decision stands; `changed` says whether this call made it. A decision
   * against an expired request, or the opposite of one that stands, is refused (409), as is a
   * decision for a job that never asked.
   */
  async decide(jobId: string, decision: ApprovalDecision, who: { by: string; actor: string; reason?: string }): Promise<DecisionOutcome> {
    const job = await this.#queue.getJob(jobId);
    if (!job) throw new RequestError(404, 'not_found', `no remediation job "${jobId}"`);
    const out = await this.#store.decide(jobId, decision, who, this.#clock());
    const r = out.record;
    if (!r) throw new RequestError(409, 'not_awaiting_approval', `remediation job "${jobId}" is not awaiting approval`);
    if (r.status === 'expired') throw new RequestError(409, 'approval_expired', `the approval request of "${jobId}" expired at ${new Date(r.expiresAtMs).toISOString()}; nothing was done and a P0 says so`);
    if (r.status !== decision) throw new RequestError(409, 'already_decided', `remediation job "${jobId}" was already ${r.status} by ${r.decidedBy ?? 'someone'}`);
    if (out.changed) {
      this.#decisions.inc({ decision });
      await auditRemediationStep(this.#audit, decision, r.target, { job_id: jobId, rule: r.rule, action: r.action, by: who.by, ...(who.reason ? { reason: who.reason } : {}) }, who.actor);
      await this.#wake(jobId);
      if (!who.actor.startsWith('slack:')) this.#tellDecided(r); // Slack updates the pressed message itself
    }
    return { decision, changed: out.changed, by: r.decidedBy ?? who.by, record: r };
  }

  /** A new request: post it (one replica does; the sweep retries a post whose poster died). */
  onRequested(record: ApprovalRecord): void {
    void this.#announce(record);
  }

  onExpired(record: ApprovalRecord): void {
    this.#decisions.inc({ decision: 'expired' });
    this.#tellDecided(record);
  }

  /** Wakes decided jobs still asleep and posts requests nobody posted. Never rejects; one at a time. */
  sweep(): Promise<void> {
    this.#sweeping ??= this.#sweep()
      .catch((err: unknown) => this.#log.warn({ err: errorMessage(err) }, 'approval sweep failed; retrying'))
      .finally(() => (this.#sweeping = undefined));
    return this.#sweeping;
  }

  async #sweep(): Promise<void> {
    for (const jobId of await this.#store.decidedIds(SWEEP_BATCH)) {
      const job = (await this.#queue.getJob(jobId)) as RemediationJob | undefined;
      const state = job ? await job.getState() : 'unknown';
      if (state === 'delayed') await this.#wake(jobId);
      else if (state === 'completed' || state === 'failed' || state === 'unknown') await this.#store.consumed(jobId);
    }
    if (!this.#announcer) return;
    const pending = await this.#store.getMany(await this.#store.pendingIds(SWEEP_BATCH));
    for (const r of pending.values()) if (!r.slack) await this.#announce(r);
  }

  async #wake(jobId: string): Promise<void> {
    const job = (await this.#queue.getJob(jobId)) as RemediationJob | undefined;
    if (!job) return;
    try {
      await job.promote();
    } catch (err) {
      // Not delayed: it is running (it re-reads the decision before parking) or already woken.
      this.#log.debug({ jobId, err: errorMessage(err) }, 'approval wake-up: job not asleep');
    }
  }

  async #announce(record: ApprovalRecord): Promise<void> {
    const announcer = this.#announcer;
    if (!announcer) return;
    try {
      if (!(await this.#store.claimAnnouncement(record.jobId, this.#clock(), ANNOUNCE_STALE_MS))) return;
      const where = await announcer.requested(record);
      await this.#store.setSlackMessage(record.jobId, where.channel, where.ts);
    } catch (err) {
      this.#log.warn({ jobId: record.jobId, err: errorMessage(err) }, 'could not post the approval request to Slack; it is in the API and the console, and is retried');
    }
  }

  #tellDecided(record: ApprovalRecord): void {
    const announcer = this.#announcer;
    if (!announcer) return;
    void this.#store.get(record.jobId)
      .then((fresh) => (fresh?.slack ? announcer.decided(fresh) : undefined))
      .catch((err: unknown) => this.#log.warn({ jobId: record.jobId, err: errorMessage(err) }, 'could not update the Slack approval message'));
  }
}
