/**
 * How the remediation pipeline pages a human (issue 4 §2): budget exhausted, a permanent failure,
 * retries exhausted, a verification that did not hold, or a target it refused (issue 9). The incidents pipeline implements it by
 * opening a P0 incident (spec §11.3: P0 pages on-call immediately). `key` is stable per problem, so
 * the implementation can deduplicate repeated escalations of the same one.
 */
export interface EscalationRequest {
  readonly key: string;
  readonly summary: string;
  readonly labels: Record<string, string>;
  readonly details: Record<string, unknown>;
}

export interface Escalator {
  escalate(req: EscalationRequest): Promise<void>;
}

/** Why the pipeline escalated; also the `reason` label on the request. */
export type EscalationReason = 'budget_exhausted' | 'permanent_failure' | 'retries_exhausted' | 'verify_failed' | 'target_refused' | 'approval_rejected' | 'approval_expired';
