import { DelayedError, type Job } from 'bullmq';
import { errorMessage } from '../errors';
import type { Logger } from '../telemetry/logger';
import { needsApproval } from '../rules/approval-rule';
import type { ApprovalRecord, ApprovalStore } from './approval-store';
import type { EscalationReason } from './escalator';
import { auditRemediationStep, REMEDIATION_ACTOR, type RemediationAuditSink } from './remediation-audit';
import type { RemediationJobData, RemediationJobResult } from './remediation-job';

type RemediationJob = Job<RemediationJobData, RemediationJobResult>;

export interface ApprovalGateDeps {
  store: ApprovalStore;
  audit: RemediationAuditSink;
  /** Pages P0 through the processor's escalation path (audited there). */
  escalate: (jobId: string, data: RemediationJobData, reason: EscalationReason, summary: string) => Promise<void>;
  /** A new request was recorded: tell people (Slack). Never awaited by the job. */
  onRequested: (record: ApprovalRecord) => void;
  /** A request expired: update what told people. */
  onExpired: (record: ApprovalRecord) => void;
  count: (action: RemediationJobData['action'], outcome: 'rejected' | 'approval_expired') => void;
  log: Logger;
  clock: () => number;
}

/**
 * The processor's approval step (issue 13 §2), after the cheap skips (cooldown, cleared alert) and
 * before the lease: a job of a rule with `approval.required` records what it would do and parks
 * in BullMQ's delayed set until its ttl ends; a decision wakes it (RemediationApprovals). Approved,
 * it goes on to lease, settle, budget, attempt and verify like any job; rejected or expired, it
 * stops and pages. A job never runs on a request that is still pending.
 */
export class ApprovalGate {
  readonly #d: ApprovalGateDeps;
  constructor(deps: ApprovalGateDeps) {
    this.#d = deps;
  }

  /** undefined: go on. A result: the job ends here. Throws DelayedError once parked. */
  async check(job: RemediationJob, token: string | undefined, data: RemediationJobData, wouldDo: () => string): Promise<RemediationJobResult | undefined> {
    const approval = data.rule.approval;
    if (!approval || !needsApproval(data.rule)) return undefined;
    const jobId = job.id as string;
    const now = this.#d.clock();
    const { created, record } = await this.#d.store.request({
      jobId, rule: data.rule.name, action: data.action, target: data.target, wouldDo: wouldDo(), why: data.reason, approvers: approval.approvers, requestedAtMs: now, expiresAtMs: now + approval.ttl,
    });
    if (created) {
      await this.#audit('awaiting_approval', jobId, data, { would_do: record.wouldDo, approvers: record.approvers, expires_at: new Date(record.expiresAtMs).toISOString(), ttl_ms: approval.ttl });
      this.#d.onRequested(record);
    }
    switch (record.status) {
      case 'approved':
        await this.#d.store.consumed(jobId);
        return undefined;
      case 'rejected':
        return this.#rejected(jobId, data, record);
      case 'expired':
        return this.#expired(jobId, data, record);
      case 'pending':
        if (now >= record.expiresAtMs) return this.#expire(job, token, data, record);
        return this.#park(job, token, record, now);
    }
  }

  async #park(job: RemediationJob, token: string | undefined, record: ApprovalRecord, now: number): Promise<never> {
    // BullMQ schedules in real time: Date.now(), not the injected (possibly test-shifted) clock.
    await job.moveToDelayed(Date.now() + Math.max(0, record.expiresAtMs - now), token);
    // A decision made between the request above and this park found the job still active and could
    // not wake it: look once more, so it is not left until the ttl (issue 13: never lost).
    const after = await this.#d.store.get(record.jobId);
    if (after && after.status !== 'pending') {
      await job.promote().catch((err: unknown) => this.#d.log.debug({ jobId: record.jobId, err: errorMessage(err) }, 'approval wake-up: job already woken'));
    }
    throw new DelayedError();
  }

  async #expire(job: RemediationJob, token: string | undefined, data: RemediationJobData, record: ApprovalRecord): Promise<RemediationJobResult | undefined> {
    const out = await this.#d.store.decide(record.jobId, 'expired', { by: 'warden', actor: REMEDIATION_ACTOR, reason: 'no decision within the ttl' }, this.#d.clock());
    if (!out.record) throw new Error(`approval record of ${record.jobId} vanished`);
    if (out.changed) {
      await this.#audit('approval_expired', record.jobId, data, { requested_at: new Date(record.requestedAtMs).toISOString(), expires_at: new Date(record.expiresAtMs).toISOString() });
      this.#d.onExpired(out.record);
    }
    // Someone decided in the same instant: their decision stands (the script lets only one win).
    return this.check(job, token, data, () => record.wouldDo);
  }

  async #rejected(jobId: string, data: RemediationJobData, r: ApprovalRecord): Promise<RemediationJobResult> {
    const detail = `${data.action} of ${data.target} (rule ${data.rule.name}) was rejected by ${r.decidedBy ?? 'someone'}${r.reason ? `: ${r.reason}` : ''}; not acting`;
    await this.#d.escalate(jobId, data, 'approval_rejected', `remediation rejected: ${detail}`);
    await this.#d.store.consumed(jobId);
    this.#d.count(data.action, 'rejected');
    return { outcome: 'skipped', reason: 'rejected', detail };
  }

  async #expired(jobId: string, data: RemediationJobData, r: ApprovalRecord): Promise<RemediationJobResult> {
    const minutes = Math.round((r.expiresAtMs - r.requestedAtMs) / 60_000);
    const detail = `${data.action} of ${data.target} (rule ${data.rule.name}) waited ${minutes} min for approval and nobody decided; not acting`;
    await this.#d.escalate(jobId, data, 'approval_expired', `remediation approval expired: ${detail}`);
    await this.#d.store.consumed(jobId);
    this.#d.count(data.action, 'approval_expired');
    return { outcome: 'skipped', reason: 'approval_expired', detail };
  }

  #audit(step: 'awaiting_approval' | 'approval_expired', jobId: string, data: RemediationJobData, details: Record<string, unknown>): Promise<unknown> {
    return auditRemediationStep(this.#d.audit, step, data.target, { job_id: jobId, rule: data.rule.name, action: data.action, ...details });
  }
}
