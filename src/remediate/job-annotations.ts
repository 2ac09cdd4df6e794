import type Redis from 'ioredis';
import type { ApprovalRecord, ApprovalStatus, ApprovalStore } from './approval-store';
import type { RemediationKeys } from './remediation-keys';

/** A job's approval as GET /v1/remediations shows it (camelCase, ISO times; issue 13 §2). */
export interface ApprovalView {
  status: ApprovalStatus;
  /** The dry-run result: what the job does once approved. */
  wouldDo: string;
  why: string;
  approvers: readonly string[];
  requestedAt: string;
  expiresAt: string;
  decidedBy?: string;
  decidedAt?: string;
  reason?: string;
}

export interface JobAnnotation {
  approval?: ApprovalView;
  /** Held by a maintenance window since then (issue 13 §3). */
  heldSince?: string;
}

export function approvalView(r: ApprovalRecord): ApprovalView {
  return {
    status: r.status,
    wouldDo: r.wouldDo,
    why: r.why,
    approvers: r.approvers,
    requestedAt: new Date(r.requestedAtMs).toISOString(),
    expiresAt: new Date(r.expiresAtMs).toISOString(),
    ...(r.decidedBy ? { decidedBy: r.decidedBy } : {}),
    ...(r.decidedAtMs ? { decidedAt: new Date(r.decidedAtMs).toISOString() } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
  };
}

/**
 * What BullMQ does not know about a page of jobs: their approval requests and maintenance holds,
 * read in two round trips whatever the page size (cost grows with the page, not with the store).
 */
export async function annotateJobs(ids: readonly string[], o: { approvals: ApprovalStore; redis: Redis; keys: RemediationKeys }): Promise<Map<string, JobAnnotation>> {
  const out = new Map<string, JobAnnotation>();
  if (ids.length === 0) return out;
  const [records, scores] = await Promise.all([o.approvals.getMany(ids), o.redis.zmscore(o.keys.held(), ...ids)]);
  ids.forEach((id, i) => {
    const a: JobAnnotation = {};
    const r = records.get(id);
    if (r) a.approval = approvalView(r);
    const since = scores[i];
    if (since !== null && since !== undefined) a.heldSince = new Date(Number(since)).toISOString();
    if (a.approval || a.heldSince) out.set(id, a);
  });
  return out;
}

/** A delayed job is, to a person, either waiting for them or held by maintenance. */
export function displayedState(bullState: string, a: JobAnnotation | undefined): string {
  if (bullState !== 'delayed' || !a) return bullState;
  if (a.heldSince) return 'held';
  if (a.approval?.status === 'pending') return 'awaiting_approval';
  return bullState;
}
