/**
 * The part of the audit log the pipeline writes to (src/audit/audit-log.ts `AuditLog.append`),
 * typed structurally so this stage does not depend on how entries are chained or stored.
 */
export interface RemediationAuditSink {
  /** `atMs`: when the step happened, if earlier than now (re-driven after a Redis outage). */
  append(entry: { actor: string; action: string; target: string; details: Record<string, unknown>; atMs?: number }): Promise<unknown>;
}

/** Every step the pipeline records (issue 4 §4), always with the job id. */
export type RemediationStep =
  | 'matched'
  | 'enqueued'
  | 'skipped'
  | 'refused'
  | 'attempt'
  | 'failure'
  | 'success'
  | 'verified'
  | 'verify_failed'
  | 'escalated'
  | 'dry_run'
  | 'cancelled'
  // issue 13 §2: approvals
  | 'awaiting_approval'
  | 'approved'
  | 'rejected'
  | 'approval_expired'
  | 'approval_refused'
  // issue 13 §3: maintenance windows
  | 'held'
  | 'released';

export const REMEDIATION_ACTOR = 'warden:remediation';

/** Audit action names are `remediation.<step>`, e.g. `remediation.enqueued`. */
export function auditRemediationStep(
  audit: RemediationAuditSink,
  step: RemediationStep,
  target: string,
  details: Record<string, unknown> & { job_id: string },
  actor: string = REMEDIATION_ACTOR,
  atMs?: number,
): Promise<unknown> {
  return audit.append({ actor, action: `remediation.${step}`, target, details, ...(atMs !== undefined ? { atMs } : {}) });
}
